"""The Django project and the Wagtail site residents use.

Dependencies run one way: ``portal`` (pages, resident views) uses ``services``; ``services``
never imports ``portal`` or ``channels``.
"""
