"""Partners in the Wagtail admin and from the shell: the key is shown once and works; calls
are visible to administrators and nobody can edit them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from services.actions.partners import authenticate
from services.models import Partner, PartnerCall
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, catalogue):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def key_on(response) -> str:
    html = response.content.decode()
    start = html.index("<code data-partner-key>") + len("<code data-partner-key>")
    return html[start : html.index("</code>", start)]


def test_creating_a_partner_shows_its_key_once(admin_client, catalogue):
    response = admin_client.post(
        "/admin/partners/new/",
        {
            "name": "District councils",
            "slug": "district-councils",
            "councils": [catalogue["NCC"].pk],
            "rate_limit": "60",
            "active": "on",
            "feed_url": "",
        },
    )
    assert response.status_code == 200, response.content[:2000]
    assert "no-store" in response["Cache-Control"]
    key = key_on(response)
    partner = Partner.objects.get(slug="district-councils")
    assert authenticate(key) == partner
    assert key not in (partner.key_digest, partner.key_prefix)
    assert list(partner.councils.all()) == [catalogue["NCC"]]
    # Never again: not on the edit page, the listing or the inspect page.
    for url in (
        f"/admin/partners/edit/{partner.pk}/",
        "/admin/partners/",
        f"/admin/partners/inspect/{partner.pk}/",
    ):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert key not in page.content.decode()


def test_rotating_a_key(admin_client, fms):
    old = fms.api_key
    assert admin_client.get(f"/admin/partners/rotate/{fms.pk}/").status_code == 200
    response = admin_client.post(f"/admin/partners/rotate/{fms.pk}/")
    assert response.status_code == 200
    new = key_on(response)
    assert authenticate(new) == fms
    assert authenticate(old) is None


def test_feeds_need_an_https_address(admin_client, catalogue):
    response = admin_client.post(
        "/admin/partners/new/",
        {
            "name": "Highways",
            "slug": "highways",
            "councils": [catalogue["MKC"].pk],
            "rate_limit": "60",
            "feeds": ["case.created"],
            "feed_url": "http://highways.example.org/events",
        },
    )
    assert "Events need an https:// feed address." in response.content.decode()
    assert not Partner.objects.filter(slug="highways").exists()


def test_calls_are_listed_and_read_only(admin_client, client, fms, post_request):
    post_request()
    call = PartnerCall.objects.get()
    listing = admin_client.get("/admin/partner_calls/")
    assert listing.status_code == 200
    assert "/open311/v2/requests.xml" in listing.content.decode()
    assert admin_client.get(f"/admin/partner_calls/inspect/{call.pk}/").status_code == 200
    for url in ("/admin/partner_calls/new/", f"/admin/partner_calls/edit/{call.pk}/"):
        assert admin_client.get(url).status_code in (302, 403)
    assert admin_client.post(f"/admin/partner_calls/delete/{call.pk}/").status_code in (302, 403)
    assert PartnerCall.objects.filter(pk=call.pk).exists()


def test_a_resident_or_editor_without_permission_cannot_see_partners(client, catalogue):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/partners/").status_code in (302, 403)
    assert client.get("/admin/partner_calls/").status_code in (302, 403)


def test_add_partner_prints_the_key_once(catalogue):
    out = StringIO()
    call_command(
        "add_partner",
        "FixMyStreet",
        "--council",
        "mkc",
        "--council",
        "NCC",
        "--service",
        "mk-pothole",
        "--feed",
        "case.status_changed",
        "--feed-url",
        "https://fms.example.org/events",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    key = lines[lines.index("API key (shown once; keep it in the partner's configuration):") + 1]
    partner = authenticate(key)
    assert partner.name == "FixMyStreet"
    assert {c.code for c in partner.councils.all()} == {"MKC", "NCC"}
    assert [s.slug for s in partner.services.all()] == ["mk-pothole"]
    assert partner.feeds == ["case.status_changed"]
    assert lines[-1] == partner.feed_secret
    with pytest.raises(CommandError, match="exists"):
        call_command("add_partner", "fixmystreet", "--council", "MKC", stdout=StringIO())
    with pytest.raises(CommandError, match="No such council: XYZ"):
        call_command("add_partner", "Other", "--council", "XYZ", stdout=StringIO())
