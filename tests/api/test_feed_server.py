"""A partner's real endpoint on 127.0.0.1, down for a while and then up: it receives every
event once, each case's in order, each with a signature it verifies itself (recomputing the
HMAC), over real HTTP through the requests transport."""

import datetime
import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from api import feeds
from api.models import FeedEvent
from services.actions.cases import create_case
from services.models import Status
from tests.factories import ResidentFactory, make_case

pytestmark = pytest.mark.django_db

JSON = "application/json"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Partner:
    """The partner's side: verify, then keep what arrived."""

    def __init__(self, secret: str, port: int):
        self.secret = secret.encode()
        self.port = port
        self.received: list[dict] = []
        self.refused = 0
        self.server = None

    def handler(self):
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Portal-Timestamp"]
                expected = hmac.new(
                    partner.secret, f"{timestamp}.".encode() + body, hashlib.sha256
                ).hexdigest()
                signature = self.headers["X-Portal-Signature"]
                if not hmac.compare_digest(signature, f"sha256={expected}"):
                    partner.refused += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                partner.received.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def up(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def test_a_partner_down_for_a_while_receives_every_event_once_in_order(
    world, api, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_FEED_TRANSPORT = "api.transport.RequestsTransport"
    port = free_port()
    world.partner.feed_url = f"http://127.0.0.1:{port}/portal-events"
    world.partner.save()
    partner = Partner(world.secret, port)
    # While the partner is down: two cases opened, changed and moved through the API.
    with django_capture_on_commit_callbacks(execute=True):
        one = create_case(
            resident=ResidentFactory(), service=world.bins, channel="web", summary="one"
        )
        two = create_case(
            resident=ResidentFactory(), service=world.bins, channel="web", summary="two"
        )
    for case, steps in (
        (one, [("status", {"status": "in_progress"}), ("transfer", {"team": "mk-parking"})]),
        (two, [("status", {"status": "waiting"}), ("outcome", {"outcome": "Collected"})]),
    ):
        for step, body in steps:
            with django_capture_on_commit_callbacks(execute=True):
                response = api.post(f"/api/v1/cases/{case.reference}/{step}/", body, JSON)
            assert response.status_code == 200, response.content
    make_case(world.bins)  # written directly: no event (not through the actions)
    assert partner.received == []
    pending = FeedEvent.objects.filter(state=FeedEvent.State.PENDING)
    assert pending.count() == 6
    assert all("Connection" in e.last_error for e in pending if e.attempts)

    # Still down at the first retries; then up.
    now = timezone.now()
    now += datetime.timedelta(minutes=5)
    assert feeds.deliver_due(now=now).delivered == 0
    partner.up()
    try:
        for _ in range(4):
            now += datetime.timedelta(hours=1, minutes=1)
            feeds.deliver_due(now=now)
    finally:
        partner.down()

    assert partner.refused == 0
    assert not FeedEvent.objects.filter(state=FeedEvent.State.PENDING).exists()
    ids = [event["id"] for event in partner.received]
    assert len(ids) == len(set(ids)) == 6  # every event, once
    by_case: dict[str, list] = {}
    for event in partner.received:
        by_case.setdefault(event["case"]["reference"], []).append(
            (event["type"], event["data"].get("to"))
        )
    assert by_case[one.reference] == [
        ("case.created", None),
        ("case.status_changed", Status.IN_PROGRESS),
        ("case.transferred", {"council": "MKC", "team": "mk-parking", "office": None}),
    ]
    assert by_case[two.reference] == [
        ("case.created", None),
        ("case.status_changed", Status.WAITING),
        ("case.status_changed", Status.RESOLVED),
    ]
