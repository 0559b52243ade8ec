"""Who is calling: a partner's API key, as ``Authorization: Bearer pa_…`` (or ``Token pa_…``).

The key is checked by ``services.actions.partners.authenticate`` (prefix lookup, SHA-256
compared in constant time). The request then acts as the partner's staff account
(``request.user``), with the partner as ``request.auth``. A missing or wrong key is a 401 with
``WWW-Authenticate: Bearer``; a partner without a staff account is refused by
``api.permissions.ActsAsStaff`` (403).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from services.actions import partners

SCHEMES = (b"bearer", b"token")


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            raise exceptions.NotAuthenticated(
                _("Send your API key: Authorization: Bearer pa_…"), code="no_key"
            )
        if header[0].lower() not in SCHEMES:
            raise exceptions.AuthenticationFailed(
                _("Use the Bearer scheme: Authorization: Bearer pa_…"), code="bad_scheme"
            )
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header holds the scheme and one key."), code="bad_header"
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            key = None
        partner = partners.authenticate(key)
        if partner is None:
            raise exceptions.AuthenticationFailed(
                _("That API key is not valid (wrong, revoked or replaced)."), code="bad_key"
            )
        return (partner.user, partner)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
