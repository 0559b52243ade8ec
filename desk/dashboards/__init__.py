"""Supervisors' dashboards at /desk/dashboards/."""
