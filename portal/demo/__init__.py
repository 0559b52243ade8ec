"""Demonstration data: both councils, their offices, catalogue, pages and staff.

``manage.py load_demo`` writes it; every step looks for what exists first, so running it
twice changes nothing and never overwrites an editor's changes.
"""
