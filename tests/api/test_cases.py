"""The case API's operations, each as a member of staff in the partner's role would see and do
it: the desk queue's filters and cursor, ``visible_cases`` in every query, every change through
``services.actions``."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from services.models import CaseView, EventKind, Message, Status, TimelineEvent
from services.permissions import visible_cases
from tests.factories import make_case

pytestmark = pytest.mark.django_db

JSON = "application/json"


def refs(response):
    return [row["reference"] for row in response.json()["results"]]


# --- List ------------------------------------------------------------------------------------


def test_the_list_holds_exactly_the_cases_the_staff_account_sees(api, world, cases):
    response = api.get("/api/v1/cases/")
    assert response.status_code == 200
    expected = set(visible_cases(world.partner.user).values_list("reference", flat=True))
    assert set(refs(response)) == expected
    assert expected == {cases.bin.reference, cases.bin2.reference, cases.parking.reference}
    row = response.json()["results"][0]
    assert row["url"].startswith("http://testserver/api/v1/cases/")
    assert "resident" not in row  # the list carries no personal data


def test_filters_are_the_desk_queues(api, world, cases):
    cases.bin2.status = Status.CLOSED
    cases.bin2.save()
    assert set(refs(api.get("/api/v1/cases/?service=missed-bin"))) == {cases.bin.reference}
    assert set(refs(api.get("/api/v1/cases/?service=missed-bin&status=any"))) == {
        cases.bin.reference,
        cases.bin2.reference,
    }
    assert refs(api.get("/api/v1/cases/?status=closed")) == [cases.bin2.reference]
    assert refs(api.get("/api/v1/cases/?team=MK-PARKING")) == [cases.parking.reference]
    assert len(refs(api.get("/api/v1/cases/?council=mkc"))) == 2
    assert refs(api.get("/api/v1/cases/?council=NCC")) == []  # not visible: not listed
    assert refs(api.get("/api/v1/cases/?channel=sms")) == []
    assert len(refs(api.get("/api/v1/cases/?assigned=unassigned"))) == 2
    assert refs(api.get("/api/v1/cases/?assigned=me")) == []
    assert len(refs(api.get("/api/v1/cases/?sla=on_track"))) == 2


@pytest.mark.parametrize(
    "query",
    ["team=nope", "council=XX", "status=lost", "sla=late", "limit=0", "limit=101", "after=junk"],
)
def test_a_bad_filter_is_a_400_naming_the_field(api, world, cases, query):
    response = api.get(f"/api/v1/cases/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert query.split("=")[0] in body["errors"]


def test_keyset_pages_walk_every_case_once_most_urgent_first(api, world):
    now = timezone.now()
    made = [
        make_case(world.bins, created_at=now - datetime.timedelta(days=n), summary=f"c{n}")
        for n in range(7)
    ]
    undated = make_case(world.bins, summary="referral")
    undated.due_at = None
    undated.save()
    # Two with the same due time: the cursor's id breaks the tie.
    made[1].due_at = made[2].due_at
    made[1].save()
    seen, url = [], "/api/v1/cases/?limit=3"
    while url:
        page = api.get(url).json()
        seen += [row["reference"] for row in page["results"]]
        url = page["next"]
        if url:
            assert parse_qs(urlsplit(url).query)["after"] == [page["next_cursor"]]
    expected = sorted(made, key=lambda c: (c.due_at, c.pk))
    assert seen == [c.reference for c in expected] + [undated.reference]


# --- Read ------------------------------------------------------------------------------------


def test_reading_a_case_shows_it_and_records_the_view(api, world, cases):
    response = api.get(f"/api/v1/cases/{cases.bin.display_reference.replace(' ', '')}/")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == cases.bin.reference
    assert body["service"] == "missed-bin"
    assert body["delivering_council"] == "MKC"
    assert body["team"] == "mk-waste"
    assert body["resident"]["name"] == cases.bin.resident.name
    assert CaseView.objects.filter(case=cases.bin, user=world.partner.user).count() == 1


@pytest.mark.parametrize("which", ["pothole", "social"])
def test_a_case_it_may_not_see_is_a_404_like_any_unknown_case(api, cases, which):
    case = getattr(cases, which)
    for suffix in ("", "timeline/"):
        response = api.get(f"/api/v1/cases/{case.reference}/{suffix}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    body = api.post(f"/api/v1/cases/{case.reference}/notes/", {"text": "x"}, JSON)
    assert body.status_code == 404
    assert not TimelineEvent.objects.filter(case=case, kind=EventKind.NOTE).exists()


def test_a_mistyped_reference_is_a_404(api, cases):
    wrong = cases.bin.reference[:-1] + str((int(cases.bin.reference[-1]) + 1) % 10)
    assert api.get(f"/api/v1/cases/{wrong}/").status_code == 404
    assert api.get("/api/v1/cases/hello/").status_code == 404


def test_the_timeline_is_the_public_one(api, world, cases):
    from services.actions.cases import add_note, change_status

    add_note(world.partner.user, cases.bin, "internal only")
    change_status(world.partner.user, cases.bin, Status.IN_PROGRESS, note="On its way")
    response = api.get(f"/api/v1/cases/{cases.bin.reference}/timeline/")
    assert response.status_code == 200
    events = response.json()["results"]
    assert [e["kind"] for e in events] == ["status"]
    assert events[0]["status"] == "in_progress"
    assert events[0]["body"] == "On its way"
    assert "internal only" not in response.content.decode()


def test_the_timeline_pages_by_event_id(api, world, cases):
    from services.actions.cases import change_status

    # Resident-visible changes (open is not one): three events on the public timeline.
    for target in (Status.IN_PROGRESS, Status.WAITING, Status.IN_PROGRESS, Status.OPEN):
        change_status(world.partner.user, cases.bin, target)
    first = api.get(f"/api/v1/cases/{cases.bin.reference}/timeline/?limit=2").json()
    assert len(first["results"]) == 2 and first["next_cursor"]
    rest = api.get(
        f"/api/v1/cases/{cases.bin.reference}/timeline/?after={first['next_cursor']}"
    ).json()
    assert len(rest["results"]) == 1 and rest["next_cursor"] is None


def test_me_names_the_staff_account(api, world):
    body = api.get("/api/v1/me/").json()
    assert body["partner"] == "MK waste system"
    assert body["council"] == "MKC"
    assert body["role"] == "caseworker"
    assert body["teams"] == ["mk-waste"]
    assert body["rate_limit"] == 1000


# --- Change ----------------------------------------------------------------------------------


def test_changing_status_goes_through_the_action_and_tells_the_resident(api, world, cases):
    response = api.post(
        f"/api/v1/cases/{cases.bin.reference}/status/",
        {"status": "in_progress", "note": "Crew booked"},
        JSON,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    event = TimelineEvent.objects.get(case=cases.bin, kind=EventKind.STATUS)
    assert event.actor == world.partner.user
    assert event.data == {"from": "received", "to": "in_progress"}
    assert Message.objects.filter(case=cases.bin, kind="status_update").count() == 1


def test_a_status_the_workflow_refuses_is_a_409_and_changes_nothing(api, cases):
    cases.bin.status = Status.CLOSED
    cases.bin.save()
    response = api.post(f"/api/v1/cases/{cases.bin.reference}/status/", {"status": "open"}, JSON)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    cases.bin.refresh_from_db()
    assert cases.bin.status == Status.CLOSED


@pytest.mark.parametrize(
    "body",
    [{}, {"status": "merged"}, {"status": "open", "note": "x" * 1001}, {"status": "open\x00"}],
)
def test_a_bad_status_body_is_a_400(api, cases, body):
    response = api.post(f"/api/v1/cases/{cases.bin.reference}/status/", body, JSON)
    assert response.status_code == 400
    assert "status" in response.json()["errors"] or "note" in response.json()["errors"]


def test_a_body_that_is_not_json_is_refused(api, cases):
    url = f"/api/v1/cases/{cases.bin.reference}/status/"
    assert api.post(url, "status=open", "application/x-www-form-urlencoded").status_code == 415
    assert api.post(url, "{not json", JSON).status_code == 400


def test_an_outcome_resolves_the_case_and_sends_the_resident_its_words(api, world, cases):
    response = api.post(
        f"/api/v1/cases/{cases.bin.reference}/outcome/",
        {"outcome": "Bin emptied on Tuesday."},
        JSON,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    event = TimelineEvent.objects.get(case=cases.bin, kind=EventKind.STATUS)
    assert event.visible_to_resident and event.body == "Bin emptied on Tuesday."
    message = Message.objects.get(case=cases.bin, kind="status_update")
    assert "Bin emptied on Tuesday." in message.body
    closed = api.post(
        f"/api/v1/cases/{cases.bin.reference}/outcome/",
        {"outcome": "Done", "status": "closed"},
        JSON,
    )
    assert closed.json()["status"] == "closed"


def test_a_note_is_internal(api, world, cases):
    response = api.post(
        f"/api/v1/cases/{cases.bin.reference}/notes/", {"text": "  Crew sent  "}, JSON
    )
    assert response.status_code == 201
    assert response.json()["text"] == "Crew sent"
    note = TimelineEvent.objects.get(case=cases.bin, kind=EventKind.NOTE)
    assert note.body == "Crew sent" and note.actor == world.partner.user
    assert not note.visible_to_resident
    assert (
        api.post(f"/api/v1/cases/{cases.bin.reference}/notes/", {"text": " "}, JSON).status_code
        == 400
    )


def test_a_transfer_within_sight_and_out_of_it(api, world, cases):
    within = api.post(
        f"/api/v1/cases/{cases.bin.reference}/transfer/",
        {"team": "mk-parking", "note": "Wrong team"},
        JSON,
    )
    assert within.status_code == 200
    assert within.json() == {
        "reference": cases.bin.reference,
        "delivering_council": "MKC",
        "team": "mk-parking",
        "office": None,
        "visible": True,
    }
    away = api.post(f"/api/v1/cases/{cases.bin.reference}/transfer/", {"council": "ncc"}, JSON)
    assert away.status_code == 200
    assert away.json()["delivering_council"] == "NCC"
    # An MKC service delivered by NCC is still MKC's (responsible): the desk's rule says so.
    assert away.json()["visible"] is True
    assert TimelineEvent.objects.filter(case=cases.bin, kind=EventKind.TRANSFER).count() == 2


def test_a_transfer_needs_somewhere_to_go(api, cases):
    response = api.post(f"/api/v1/cases/{cases.bin.reference}/transfer/", {"note": "x"}, JSON)
    assert response.status_code == 400
    assert api.post(
        f"/api/v1/cases/{cases.bin.reference}/transfer/", {"team": "nowhere"}, JSON
    ).json()["errors"]["team"]


def test_get_on_a_change_is_a_405(api, cases):
    assert api.get(f"/api/v1/cases/{cases.bin.reference}/status/").status_code == 405
