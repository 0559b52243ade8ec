"""The resident's language outside the page tree: the cookie every entry point sets.

The language is chosen with the switcher (``portal.views.switch_language``), on "Your details"
(``/my/details/``) or in an application's contact step, and remembered in the
``portal_language`` cookie, which ``LocaleMiddleware`` reads, and on the resident's records,
which ``services.outbound`` reads to write texts and emails. See docs/languages.md.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

# The signed-in user's saved language, kept in the session at sign-in so that
# ``AccountLanguageMiddleware`` needs no query per request.
SESSION_KEY = "portal_account_language"


def remember_language(response, code: str) -> None:
    """Set the language cookie (not HttpOnly: it holds nothing secret)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=False,
    )


@receiver(user_logged_in, dispatch_uid="portal_account_language")
def remember_account_language(sender, request, user, **kwargs):
    resident = getattr(user, "resident", None)
    language = getattr(resident, "language", "") or ""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = language if language in dict(settings.LANGUAGES) else ""
