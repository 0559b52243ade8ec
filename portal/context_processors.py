"""Values every template needs: the alert banners, languages, and whether to show the desk."""

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst

RTL_LANGUAGES = {"ur", "ar", "fa", "he"}


def portal(request):
    from portal.pages.models import AlertBanner

    language = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path() if request else "/"
    return {
        "alert_banners": AlertBanner.objects.current(),
        "text_direction": "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr",
        "current_language": language,
        # Each language in its own name ("Polski", "Română", "اردو"), as GOV.UK does, so a
        # resident who cannot read the current language still finds theirs. Django gives
        # "polski" in lower case; in a list of languages it starts with a capital.
        "language_choices": [
            {
                "code": code,
                "name": capfirst(translation.get_language_info(code)["name_local"]),
                "current": code == language,
                "path": path,
            }
            for code, _name in settings.LANGUAGES
        ],
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
