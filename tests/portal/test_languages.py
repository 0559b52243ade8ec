"""Pages in the resident's language at the English address, and English with a notice."""

import re
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from wagtail.models import Locale, Page

from portal.demo import translations as translated
from portal.pages.models import HomePage, ServicePage, TopicPage

NOTICE = "portal-translation-notice"  # the notice's class: its wording is translated
COOKIE = "portal_language"


class PageTranslationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())
        english = Locale.objects.get(language_code="en")
        cls.bin_page = ServicePage.objects.get(
            service__slug=translated.SERVICE_SLUG, locale=english
        )
        cls.new_bin_page = ServicePage.objects.get(service__slug="mk-new-bin", locale=english)
        cls.home = HomePage.objects.get(locale=english)

    def get(self, url, language=None):
        if language:
            self.client.cookies[COOKIE] = language
        return self.client.get(url)

    def test_the_demo_has_translations_of_home_topic_and_service_page(self):
        for code in ("pl", "ro", "pt", "ur"):
            locale = Locale.objects.get(language_code=code)
            for page in (self.home, self.bin_page, self.bin_page.get_parent()):
                translation = page.get_translation_or_none(locale)
                assert translation is not None and translation.live, (page, code)
                assert translation.title != page.title

    def test_a_translated_page_is_served_in_polish_at_the_english_address(self):
        response = self.get(self.bin_page.url, "pl")
        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="pl" dir="ltr"' in html
        assert translated.SERVICE["pl"]["title"] in html
        assert translated.SERVICE["pl"]["progress"] in html
        # The page's own content is Polish and not marked as another language.
        assert f'<h1 class="govuk-heading-xl">{translated.SERVICE["pl"]["title"]}</h1>' in html
        assert f'<h1 class="govuk-heading-xl">{self.bin_page.title}</h1>' not in html
        assert NOTICE not in html
        # The English URL is the only address: the Polish page's own URL is the same.
        polish = self.bin_page.get_translation(Locale.objects.get(language_code="pl"))
        assert polish.url == self.bin_page.url

    def test_english_visitors_get_the_english_page(self):
        html = self.get(self.bin_page.url).content.decode()
        assert '<html lang="en"' in html and self.bin_page.title in html
        assert translated.SERVICE["pl"]["title"] not in html and NOTICE not in html

    def test_an_untranslated_page_in_romanian_is_english_with_a_notice(self):
        response = self.get(self.new_bin_page.url, "ro")
        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="ro" dir="ltr"' in html
        assert "govuk-notification-banner" in html
        assert (
            f'<h1 class="govuk-heading-xl" lang="en" dir="ltr">{self.new_bin_page.title}</h1>'
            in html
        )
        assert f'lang="en" dir="ltr">{self.new_bin_page.summary}</p>' in html
        # The notice itself is interface text, in the resident's language, not marked English.
        notice = re.search(
            r'<div class="govuk-notification-banner portal-translation-notice"[^>]*>', html
        )
        assert notice is not None and 'lang="en"' not in notice.group(0)

    def test_an_untranslated_page_in_urdu_keeps_english_left_to_right(self):
        html = self.get(self.new_bin_page.url, "ur").content.decode()
        assert '<html lang="ur" dir="rtl"' in html
        assert f'lang="en" dir="ltr">{self.new_bin_page.title}</h1>' in html

    def test_a_page_below_a_translated_one_is_still_found(self):
        # The apply form under the translated service page has no translation: it is reached
        # through the English tree and shown in English with the notice.
        apply_page = self.bin_page.get_children().live().first()
        assert apply_page is not None
        response = self.get(apply_page.url, "pl")
        assert response.status_code == 200
        assert NOTICE in response.content.decode()

    def test_the_home_page_lists_translated_topics_and_marks_english_ones(self):
        html = self.get("/", "pt").content.decode()
        assert translated.HOME["pt"]["title"] in html
        assert translated.TOPIC["pt"]["title"] in html
        assert translated.TOP_TASKS["pt"]["general-enquiry"] in html
        # An untranslated topic is listed once, in English, marked as English.
        roads = TopicPage.objects.get(slug="roads-and-travel")
        assert html.count(f">{roads.title}</a>") == 1
        assert re.search(
            r'<h3 class="govuk-heading-s" lang="en" dir="ltr"><a[^>]*>' + re.escape(roads.title),
            html,
        )
        assert NOTICE not in html

    def test_a_topic_lists_each_service_once_whatever_the_language(self):
        topic = self.bin_page.get_parent()
        html = self.get(topic.url, "pl").content.decode()
        assert html.count(f'href="{self.bin_page.url}"') == 1
        assert translated.SERVICE["pl"]["title"] in html

    def test_responses_vary_by_cookie_and_accept_language(self):
        for url in (self.bin_page.url, "/track/", "/search/?q=bins"):
            response = self.get(url, "pl")
            vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
            assert {"cookie", "accept-language"} <= vary, (url, response.get("Vary"))

    def test_the_sitemap_lists_every_address_once(self):
        for language in (None, "pl"):
            response = self.get("/sitemap.xml", language)
            assert response.status_code == 200
            locations = re.findall(r"<loc>([^<]+)</loc>", response.content.decode())
            assert len(locations) == len(set(locations)) > 40
            assert sum(loc.endswith(self.bin_page.url) for loc in locations) == 1
        english_pages = Page.objects.live().filter(locale__language_code="en", depth__gt=1)
        assert len(locations) == english_pages.count()

    def test_an_editor_can_open_the_translate_page_view(self):
        editor = get_user_model().objects.get(email="editor@mk.example.org")
        self.client.force_login(editor)
        response = self.client.get(f"/admin/translation/submit/page/{self.new_bin_page.pk}/")
        assert response.status_code == 200
        assert "Polish" in response.content.decode()

    def test_site_search_lists_each_page_once_in_the_residents_language(self):
        for language, title in (("pl", translated.SERVICE["pl"]["title"]), ("en", None)):
            html = self.get("/search/?q=missed+bin+collection", language).content.decode()
            assert html.count(f'href="{self.bin_page.url}"') == 1, language
            assert (title or self.bin_page.title) in html
        # Words in Polish find the page for an English reader too, shown in English.
        html = self.get("/search/?q=nieodebrane+odpady", "en").content.decode()
        assert html.count(f'href="{self.bin_page.url}"') == 1
        assert translated.SERVICE["pl"]["title"] not in html

    def test_an_editor_can_translate_council_and_office_pages(self):
        from portal.pages.models import CouncilPage, OfficeIndexPage, OfficePage

        self.client.force_login(get_user_model().objects.get(email="editor@mk.example.org"))
        romanian = Locale.objects.get(language_code="ro")
        # A page's parent is translated first (Wagtail offers only those languages).
        for model in (CouncilPage, OfficeIndexPage, OfficePage):
            page = model.objects.filter(locale__language_code="en").first()
            response = self.client.post(
                f"/admin/translation/submit/page/{page.pk}/", {"locales": [romanian.pk]}
            )
            assert response.status_code == 302, model
            translation = page.get_translation(romanian)
            assert not translation.live  # a draft for the editor to translate and publish
        # The council page still lists its offices once, linked to the one address.
        council = CouncilPage.objects.get(locale__language_code="en", council__code="MKC")
        html = self.get(council.url, "ro").content.decode()
        office_page = OfficePage.objects.filter(office__council__code="MKC").first()
        assert html.count(f'href="{office_page.url}"') == 1
