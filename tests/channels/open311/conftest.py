"""Partners and FixMyStreet-shaped requests for the Open311 tests.

The request shapes are those FixMyStreet's Open311 client (perllib/Open311.pm in
mysociety/fixmystreet) really sends: form-encoded POSTs with ``api_key`` and
``jurisdiction_id``, the name split into ``first_name``/``last_name``, ``lat``/``long``
without a postcode, ``media_url``, an optional ``account_id`` and every extra field as
``attribute[...]`` — among them ``attribute[fixmystreet_id]``, its own report id.
"""

import pytest

from services.actions.partners import create_partner


@pytest.fixture
def fms(catalogue):
    """FixMyStreet, a partner of Milton Keynes only; ``.api_key`` is its key."""
    new = create_partner("FixMyStreet", [catalogue["MKC"]], rate_limit=1000)
    new.partner.api_key = new.api_key
    return new.partner


@pytest.fixture
def fms_report():
    """A FixMyStreet report as Open311.pm posts it (without api_key/jurisdiction)."""

    def build(**overrides):
        data = {
            "service_code": "mk-pothole",
            "description": (
                "title: Deep pothole by the bus stop\n\n"
                "detail: Nearly lost a wheel in it this morning.\n\n"
                "url: https://www.fixmystreet.com/report/4242\n\n"
                "Submitted via FixMyStreet\n"
            ),
            "first_name": "Ann",
            "last_name": "Example-Smith",
            "email": "ann.example@example.org",
            "phone": "07400 123456",
            "lat": "52.041234",
            "long": "-0.759876",
            "account_id": "fms-user-17",
            "attribute[fixmystreet_id]": "4242",
            "attribute[easting]": "485100",
            "attribute[northing]": "238900",
            "attribute[title]": "Deep pothole by the bus stop",
            "attribute[report_url]": "https://www.fixmystreet.com/report/4242",
            "attribute[closest_address]": "Silbury Boulevard, Milton Keynes",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return build


@pytest.fixture
def post_request(client, fms, fms_report):
    def post(fmt="xml", key=None, jurisdiction="MKC", **overrides):
        data = fms_report(**overrides)
        data["api_key"] = fms.api_key if key is None else key
        if jurisdiction is not None:
            data["jurisdiction_id"] = jurisdiction
        return client.post(f"/open311/v2/requests.{fmt}", data)

    return post
