"""What the desk's one nav include (``desk/includes/nav.html``) needs from every page."""

from django.http import HttpRequest

from services import permissions


def nav(request: HttpRequest, section: str) -> dict:
    """The section the page belongs to (marked current) and whether to show supervisors' links."""
    return {"desk_section": section, "is_supervisor": permissions.is_supervisor(request.user)}
