"""Partner keys: shown once, stored as a digest, found by prefix, compared in constant time."""

import pytest

from services.actions import partners
from services.models import Council, Partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return Council.objects.create(code="mkc", name="Milton Keynes City Council", short_name="MK")


def test_key_is_shown_once_and_stored_only_as_a_digest(council):
    made = partners.create_partner("FixMyStreet", [council])
    partner = Partner.objects.get(pk=made.partner.pk)
    assert made.api_key.startswith("pa_")
    assert made.api_key not in {partner.key_digest, partner.key_prefix, partner.feed_secret}
    assert partners.authenticate(made.api_key) == partner
    assert list(partner.councils.all()) == [council]


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "",
        "pa_",
        "pa_xyz",
        "nonsense",
        "pa_" + "a" * 12 + "_wrong",
        "pa_\x00",
        "pa_" + "a" * 300,
    ],
)
def test_bad_keys_find_no_partner(council, bad):
    partners.create_partner("FixMyStreet", [council])
    assert partners.authenticate(bad) is None


def test_a_wrong_secret_with_a_right_prefix_is_refused(council):
    made = partners.create_partner("FixMyStreet", [council])
    forged = made.api_key[:-4] + ("AAAA" if not made.api_key.endswith("AAAA") else "BBBB")
    assert partners.authenticate(forged) is None


def test_rotating_stops_the_old_key_and_inactive_partners_are_refused(council):
    made = partners.create_partner("FixMyStreet", [council])
    rotated = partners.rotate_key(made.partner)
    assert partners.authenticate(made.api_key) is None
    assert partners.authenticate(rotated.api_key) == made.partner
    Partner.objects.filter(pk=made.partner.pk).update(active=False)
    assert partners.authenticate(rotated.api_key) is None
