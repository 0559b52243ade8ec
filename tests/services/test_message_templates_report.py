"""The "Message template coverage" report in the Wagtail admin."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from services.models import Direction, Message, MessageTemplate
from tests.factories import UserFactory

URL = "/admin/reports/message-template-coverage/"


def editor():
    """A content editor: may use the admin and look at message templates, not a superuser."""
    group, _ = Group.objects.get_or_create(name="Template editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["wagtailadmin", "services"],
            codename__in=["access_admin", "view_messagetemplate", "change_messagetemplate"],
        )
    )
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    return user


def test_an_editor_sees_which_templates_are_missing(db, client):
    MessageTemplate.objects.create(kind="receipt", channel="sms", language="pl", body="x")
    client.force_login(editor())
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Message template coverage" in html
    # 6 kinds × 2 channels × 5 languages, one present.
    assert "59 templates are missing" in html
    edit = f"/admin/message_templates/edit/{MessageTemplate.objects.get().pk}/"
    assert f'href="{edit}"' in html
    assert html.count('<td data-language="pl">') == 12


def test_the_report_counts_recent_fallbacks_only(db, client):
    now = timezone.now()
    common = {"channel": "email", "direction": Direction.OUT, "kind": "acknowledgement"}
    for age in (1, 2, 40):
        Message.objects.create(
            **common,
            body="We have received your request",
            language="en",
            metadata={"template_fell_back": True, "requested_language": "pt"},
            created_at=now - datetime.timedelta(days=age),
        )
    Message.objects.create(
        **common,
        body="ok",
        language="pt",
        metadata={"template_fell_back": False, "requested_language": "pt"},
        created_at=now,
    )
    client.force_login(editor())
    html = client.get(URL).content.decode()
    rows = html.split('<tr class="fell-back">')[1:]
    assert len(rows) == 1
    assert "Acknowledgement" in rows[0] and "Portuguese" in rows[0] and ">2<" in rows[0]


def test_the_report_is_in_the_reports_menu_for_editors(db, client):
    client.force_login(editor())
    html = client.get("/admin/").content.decode()
    assert "message-template-coverage" in html


def test_staff_without_template_permission_are_refused(db, client):
    group, _ = Group.objects.get_or_create(name="Admin access only")
    group.permissions.set(Permission.objects.filter(codename="access_admin"))
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code in (302, 403)
    assert "59 templates" not in response.content.decode()


def test_a_resident_cannot_reach_the_report(db, client):
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]


def test_an_editor_cannot_save_a_template_with_a_misspelt_variable(db, client):
    user = editor()
    user.user_permissions.add(Permission.objects.get(codename="add_messagetemplate"))
    client.force_login(user)
    response = client.post(
        "/admin/message_templates/new/",
        {
            "kind": "receipt",
            "channel": "sms",
            "language": "pl",
            "subject": "",
            "body": "Dziękujemy. Numer sprawy: {{ referance }}",
        },
    )
    assert response.status_code == 200
    assert "uses unknown variables: referance" in response.content.decode()
    assert not MessageTemplate.objects.filter(language="pl").exists()
