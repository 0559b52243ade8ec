"""The Wagtail site: page tree rules, every page type renders, the demo loads idempotently."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from portal.pages.models import (
    AlertBanner,
    CouncilPage,
    HomePage,
    OfficeIndexPage,
    OfficePage,
    ServicePage,
    StandardPage,
    TopicPage,
)


class PageTreeTests(WagtailPageTestCase):
    def test_the_tree_keeps_its_shape(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertAllowedSubpageTypes(
            HomePage, {CouncilPage, TopicPage, OfficeIndexPage, StandardPage}
        )
        self.assertCanCreateAt(TopicPage, ServicePage)
        self.assertCanNotCreateAt(HomePage, ServicePage)
        self.assertCanCreateAt(OfficeIndexPage, OfficePage)
        self.assertCanNotCreateAt(HomePage, OfficePage)
        self.assertAllowedParentPageTypes(CouncilPage, {HomePage})
        self.assertCanCreateAt(StandardPage, StandardPage)


class DemoPagesRenderTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=StringIO())

    def test_every_demo_page_renders(self):
        pages = Page.objects.live().specific().filter(depth__gt=1)
        assert pages.count() > 40
        for page in pages:
            self.assertPageIsRenderable(page)

    def test_every_page_type_and_council_service_and_office_page_answers_200(self):
        for model in (
            HomePage,
            CouncilPage,
            TopicPage,
            ServicePage,
            OfficeIndexPage,
            OfficePage,
            StandardPage,
        ):
            pages = model.objects.live()
            assert pages.exists(), model
            for page in pages:
                response = self.client.get(page.url)
                assert response.status_code == 200, page.url

    def test_office_page_shows_hours_from_the_catalogue(self):
        page = OfficePage.objects.get(slug="mk-civic-one-stop-shop")
        text = self.client.get(page.url).content.decode()
        assert "Opening hours" in text and "10:00 – 17:00" in text  # Wednesday
        assert "Saxon Gate" in text

    def test_referral_service_page_sends_residents_to_the_district(self):
        page = ServicePage.objects.get(service__slug="ncc-bins")
        text = self.client.get(page.url).content.decode()
        assert "district or borough council" in text
        assert "Corby Borough Council" in text

    def test_an_alert_banner_shows_only_while_switched_on(self):
        banner = AlertBanner.objects.create(
            title="Offices closed", message="<p>Closed for a strike.</p>"
        )
        assert "Closed for a strike" not in self.client.get("/").content.decode()
        banner.active = True
        banner.save()
        assert "Closed for a strike" in self.client.get("/").content.decode()

    def test_wagtail_admin_shows_its_login(self):
        response = self.client.get("/admin/", follow=True)
        assert response.status_code == 200
        assert b"password" in response.content.lower()

    def test_unknown_pages_are_a_gov_uk_404(self):
        response = self.client.get("/no-such-page/")
        assert response.status_code == 404
        assert b"Page not found" in response.content


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    first = StringIO()
    call_command("load_demo", stdout=first)
    assert "Demo data loaded" in first.getvalue()
    counts = {model: model.objects.count() for model in (Page, AlertBanner)}
    from services.models import Council, Office, Service, StaffProfile

    counts.update(
        {model: model.objects.count() for model in (Council, Office, Service, StaffProfile)}
    )
    second = StringIO()
    call_command("load_demo", stdout=second)
    assert "nothing to do" in second.getvalue()
    assert {model: model.objects.count() for model in counts} == counts
    assert Service.objects.count() >= 20
    assert Council.objects.count() == 2


def test_security_headers_on_public_pages(client, db):
    call_command("load_demo", "--skip-pages", stdout=StringIO())
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert set(response.json()["sms_spool"]) == {"spooled", "oldest_seconds"}
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
