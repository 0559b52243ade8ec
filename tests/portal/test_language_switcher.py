"""The language switcher names each language in that language, whatever the page's language."""

import re

import pytest

pytestmark = pytest.mark.django_db

OWN_NAMES = {"en": "English", "pl": "Polski", "ro": "Română", "pt": "Português", "ur": "اردو"}


@pytest.mark.parametrize("current", sorted(OWN_NAMES))
def test_each_language_is_listed_in_its_own_name_with_its_lang(client, settings, current):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = current
    html = client.get("/search/").content.decode()
    nav = html[html.index('class="govuk-language-navigation"') :]
    nav = nav[: nav.index("</nav>")]
    for code, name in OWN_NAMES.items():
        if code == current:
            assert f'aria-current="true" lang="{code}">{name}</span>' in nav
        else:
            link = re.search(rf'<a [^>]*lang="{code}"[^>]*>([^<]*)</a>', nav)
            assert link and link.group(1) == name, (current, code)
