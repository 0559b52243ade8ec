"""Editors manage message templates in Wagtail and see an SMS's encoding and segments."""

from services.models import MessageTemplate
from tests.factories import UserFactory


def _editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_edit_page_shows_segments_for_a_unicode_text(db, client):
    _editor(client)
    template = MessageTemplate.objects.create(
        kind="status_update",
        channel="sms",
        language="en",
        body="Your request {{ reference }} is now: {{ status }}. We’ll be in touch. " * 3,
    )
    response = client.get(f"/admin/message_templates/edit/{template.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "UCS-2 (Unicode)" in html
    assert "<code>’</code>" in html
    assert "Segments (texts billed)" in html


def test_edit_page_shows_gsm7_for_plain_text(db, client):
    _editor(client)
    template = MessageTemplate.objects.create(
        kind="reply", channel="sms", language="en", body="{{ body }} (Ref {{ reference }})"
    )
    html = client.get(f"/admin/message_templates/edit/{template.pk}/").content.decode()
    assert "GSM-7" in html


def test_listing_and_create(db, client):
    _editor(client)
    assert client.get("/admin/message_templates/").status_code == 200
    response = client.post(
        "/admin/message_templates/new/",
        {
            "kind": "receipt",
            "channel": "sms",
            "language": "cy",
            "subject": "",
            "body": "Diolch. {{ reference }}",
        },
    )
    assert response.status_code == 302
    assert MessageTemplate.objects.filter(kind="receipt", language="cy").exists()


def test_non_staff_cannot_reach_the_templates(db, client):
    client.force_login(UserFactory())
    assert client.get("/admin/message_templates/").status_code in (302, 403)
