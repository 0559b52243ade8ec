"""POST servicerequestupdates: a resident's comment on FixMyStreet onto the case's timeline,
once per update_id."""

import json

from services.models import Case, Channel, EventKind, Message


def update(client, fms, reference, **overrides):
    """As Open311.pm's _populate_service_request_update_params builds it."""
    data = {
        "api_key": fms.api_key,
        "jurisdiction_id": "MKC",
        "service_request_id": reference,
        "update_id": "991",
        "updated_datetime": "2026-12-01T09:30:00+00:00",
        "status": "OPEN",
        "description": "Still there, and deeper after the rain.",
        "first_name": "Ann",
        "last_name": "Example-Smith",
        "email": "ann.example@example.org",
    }
    data.update(overrides)
    return client.post(
        "/open311/v2/servicerequestupdates.json", {k: v for k, v in data.items() if v is not None}
    )


def test_an_update_goes_on_the_timeline_once(client, fms, post_request):
    reference = json.loads(post_request("json").content)[0]["service_request_id"]
    case = Case.objects.get(reference=reference)

    first = update(client, fms, reference)
    assert first.status_code == 201
    update_id = json.loads(first.content)[0]["update_id"]
    again = update(client, fms, reference)
    assert again.status_code == 200
    assert json.loads(again.content)[0]["update_id"] == update_id

    events = case.timeline.filter(kind=EventKind.MESSAGE_IN).order_by("pk")
    assert [e.body for e in events][1:] == ["Still there, and deeper after the rain."]
    assert events.last().actor_label == "FixMyStreet"
    message = Message.objects.get(channel=Channel.OPEN311, provider_id=f"{fms.pk}:update:991")
    assert message.case == case
    # The reporter's own address: the update is theirs, not a stranger's.
    assert message.resident == case.resident
    assert Case.objects.count() == 1


def test_bad_updates(client, fms, post_request):
    reference = json.loads(post_request("json").content)[0]["service_request_id"]
    before = Message.objects.count()
    assert update(client, fms, "123456789").status_code == 404
    assert update(client, fms, reference, update_id=None).status_code == 400
    assert update(client, fms, reference, description="").status_code == 400
    assert update(client, fms, reference, updated_datetime="01/12/2026 09:30").status_code == 400
    assert update(client, fms, reference, api_key="pa_nope").status_code == 403
    assert update(client, fms, reference, jurisdiction_id="NCC").status_code == 403
    assert Message.objects.count() == before
