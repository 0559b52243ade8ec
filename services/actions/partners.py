"""Partners: make one (with a key shown once), find the partner a key belongs to, log each call.

Key format: ``pa_<prefix>_<secret>`` — the prefix (12 hex characters) is stored as it is and
finds the row; the whole key's SHA-256 is stored and compared in constant time. A key is 160+
bits of randomness, so a fast digest is safe (no dictionary to attack) and keeps every API call
cheap.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from services.models import Council, Partner, PartnerCall

KEY_PREFIX = "pa_"


@dataclass(frozen=True)
class NewKey:
    """What the shell or the admin shows once: the API key and the feed signing secret."""

    partner: Partner
    api_key: str
    feed_secret: str


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(30)}"


@transaction.atomic
def create_partner(name: str, councils: list[Council], *, services=(), **fields) -> NewKey:
    """A new partner for ``councils`` with a fresh key and feed secret (returned once).

    ``services`` limits what it may send (empty: every public service of its councils)."""
    prefix, key = _new_key()
    partner = Partner.objects.create(
        name=name,
        slug=fields.pop("slug", None) or slugify(name)[:120] or prefix,
        key_prefix=prefix,
        key_digest=_digest(key),
        key_created_at=timezone.now(),
        feed_secret=secrets.token_hex(32),
        **fields,
    )
    partner.councils.set(councils)
    if services:
        partner.services.set(services)
    return NewKey(partner=partner, api_key=key, feed_secret=partner.feed_secret)


@transaction.atomic
def rotate_key(partner: Partner) -> NewKey:
    """Replace the partner's key (the old one stops working at once) and feed secret."""
    prefix, key = _new_key()
    partner.key_prefix = prefix
    partner.key_digest = _digest(key)
    partner.key_created_at = timezone.now()
    partner.feed_secret = secrets.token_hex(32)
    partner.save(update_fields=["key_prefix", "key_digest", "key_created_at", "feed_secret"])
    return NewKey(partner=partner, api_key=key, feed_secret=partner.feed_secret)


def authenticate(key: str | None) -> Partner | None:
    """The active partner holding ``key``, or None (bad, missing, revoked or malformed)."""
    if not key or not isinstance(key, str) or len(key) > 200 or not key.startswith(KEY_PREFIX):
        return None
    prefix = key[len(KEY_PREFIX) :].split("_", 1)[0]
    if len(prefix) != 12:
        return None
    partner = Partner.objects.filter(key_prefix=prefix, active=True).first()
    if partner is None or not hmac.compare_digest(partner.key_digest, _digest(key)):
        return None
    return partner


def log_call(
    partner: Partner | None,
    *,
    method: str,
    path: str,
    status_code: int,
    remote_addr: str | None = None,
    detail: dict | None = None,
) -> PartnerCall:
    """Record one call (also refused ones: ``partner`` None when the key was wrong)."""
    return PartnerCall.objects.create(
        partner=partner,
        method=method[:8],
        path=path[:300],
        status_code=status_code,
        remote_addr=remote_addr or None,
        detail=detail or {},
    )


@transaction.atomic
def set_staff_account(
    partner: Partner,
    *,
    council: Council,
    role: str,
    teams=(),
    office=None,
):
    """Give ``partner`` the staff account it acts as in the case API (or reshape the one it has).

    The account is an ordinary staff user with a staff profile (council, office, teams, role),
    so the case API asks ``services.permissions`` exactly what it would ask for a member of
    staff. It has no usable password: nobody signs in to the desk with it; only the partner's
    API key acts as it.
    """
    from django.contrib.auth import get_user_model

    from services.models import StaffProfile

    user = partner.user
    if user is None:
        user = get_user_model().objects.create(
            username=f"partner:{partner.slug}"[:150], is_staff=True, is_active=True
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        partner.user = user
        partner.save(update_fields=["user"])
    profile, _created = StaffProfile.objects.update_or_create(
        user=user, defaults={"council": council, "role": role, "office": office}
    )
    profile.teams.set(teams)
    return user
