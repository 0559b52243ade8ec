"""Only a partner with a staff account gets in; what it may then see and do is decided by
``services.permissions`` inside every query and action, exactly as for a member of staff."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions as drf

from services import permissions
from services.models import Partner


class ActsAsStaff(drf.BasePermission):
    message = _(
        "This system has no staff account to act as: council IT gives it one "
        "(a council, a role and teams) before it can use the case API."
    )
    code = "no_staff_account"

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Partner) and permissions.is_staff_member(request.user)
