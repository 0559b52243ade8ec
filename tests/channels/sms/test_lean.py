"""The WSGI entry routes the two SMS webhooks past the site's middleware, and nothing else:
signature, entrance, inbox and host checks still apply (``channels.sms.lean``)."""

from urllib.parse import urlencode

from django.core import signals
from django.db import close_old_connections
from django.test import RequestFactory

from channels.sms.models import InboxEntry
from portal.wsgi import application
from tests.channels.sms.conftest import (
    INBOUND_PATH,
    STATUS_PATH,
    inbound_payload,
    sign,
    status_payload,
)


def _call(method, path, payload=None, *, signed=True, host="testserver"):
    body = urlencode(payload or {})
    headers = {}
    if signed and payload is not None:
        from django.conf import settings

        headers["X-Twilio-Signature"] = sign(settings.PUBLIC_BASE_URL + path, payload)
    factory = RequestFactory(headers={"Host": host})
    request = getattr(factory, method.lower())(
        path, data=body, content_type="application/x-www-form-urlencoded", headers=headers
    )
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    # As Django's test client does: the request signals must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = application(request.environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return int(answer["status"].split()[0]), answer["headers"], content


def test_a_signed_text_is_accepted_without_the_middleware(db):
    payload = inbound_payload("Bin not collected")
    status, headers, content = _call("POST", INBOUND_PATH, payload)
    assert status == 200 and content.endswith(b"<Response />")
    assert headers["Content-Type"].startswith("text/xml")
    assert "Content-Security-Policy" not in headers  # the site's middleware did not run
    assert InboxEntry.objects.get().key == payload["MessageSid"]
    assert _call("POST", INBOUND_PATH, payload)[0] == 200  # a retry: still one row
    assert InboxEntry.objects.count() == 1


def test_unsigned_malformed_and_bad_host_are_refused_and_store_nothing(db):
    assert _call("POST", INBOUND_PATH, inbound_payload("x"), signed=False)[0] == 403
    payload = inbound_payload("x")
    payload.pop("From")
    assert _call("POST", INBOUND_PATH, payload)[0] == 400
    assert _call("POST", INBOUND_PATH, inbound_payload("x"), host="evil.example")[0] == 400
    assert not InboxEntry.objects.exists()


def test_a_status_callback_is_accepted_and_other_requests_take_the_full_stack(db):
    status, _, _ = _call("POST", STATUS_PATH, status_payload("SM" + "a" * 32, "delivered"))
    assert status == 204 and InboxEntry.objects.get().kind == "status"
    status, headers, _ = _call("GET", INBOUND_PATH)
    assert status == 405 and "Content-Security-Policy" in headers  # Django's handler
