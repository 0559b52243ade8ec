"""The resident's language outside the page tree: the cookie every entry point sets.

The language is chosen with the switcher (``portal.views.switch_language``), on "Your details"
(``/my/details/``) or in an application's contact step, and remembered in the
``portal_language`` cookie, which ``LocaleMiddleware`` reads, and on the resident's records,
which ``services.outbound`` reads to write texts and emails. See docs/languages.md.
"""

from django.conf import settings


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
