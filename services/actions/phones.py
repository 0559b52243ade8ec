"""Proving a mobile number: a code texted through the outbox, typed back by the signed-in resident.

Once an account has proven a number, every case from that number — texts, calls, counter
visits — is theirs to see in "my requests" (``portal.accounts`` reads ``Resident.phone`` with
``phone_verified`` on the account's own record), and their preferences apply to those records.

The rules:

* A code is six random digits (``secrets``), lives ten minutes, and allows three tries;
  after that (or once expired) it is void and a new code is needed. Only an HMAC of it (keyed with ``SECRET_KEY``, bound to the account
  and the number) is stored, and it is compared in constant time.
* Sends are limited per account and per number, tries per account, as true sliding windows
  in PostgreSQL (``services.actions.ratelimit``: scopes ``phone_code_user``,
  ``phone_code_number``, ``phone_code_try_user``).
* The text is queued (``queue_text``) and sent by the worker after commit, never from the web
  request; it is urgent, so quiet hours do not hold a code the resident is waiting for.
* A number belongs to one account at a time. Until the code comes back, the number is only
  pending (``PhoneProof``): typing someone else's number shows nothing. The account that proves
  it holds it; an account that held it before (a recycled number) loses the proof. Every
  change — proven, taken over, removed — is an ``AuditEntry``.

Why not django-allauth's phone support (65.x): its phone views exist only when the phone is a
sign-up field (``ACCOUNT_SIGNUP_FIELDS``), which would change sign-up and sign-in for everyone;
it keeps the pending code in clear in the session, counts tries in the session (a fresh
session starts again) and limits sends in the cache (see ``services.actions.ratelimit`` for
why the cache does not hold a limit); and it refuses a number another account already holds
("phone_taken"), where recycled numbers must move to whoever proves them now. What it would
have given us — an adapter hook to send the text — is one ``queue_text`` call here.

This is its own module rather than part of ``services.actions.residents`` because it queues a
text, and ``services.actions.messages`` already imports ``residents`` (no cycles).
"""

import datetime
import enum
import hmac
import secrets
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from services.actions import ratelimit
from services.actions.messages import queue_text
from services.models import AuditEntry, Channel, Message, PhoneProof, Resident

__all__ = [
    "CODE_DIGITS",
    "CODE_LIFETIME",
    "CODE_TRIES",
    "PhoneCodeRefused",
    "ProofOutcome",
    "ProofResult",
    "confirm_phone",
    "pending_proof",
    "phone_code_digest",
    "remove_phone",
    "send_phone_code",
]

CODE_DIGITS = 6
CODE_LIFETIME = datetime.timedelta(minutes=10)
CODE_TRIES = 3
MESSAGE_KIND = "phone_code"


class PhoneCodeRefused(Exception):
    """No code was sent: too many asked for, by this account (``scope`` ``phone_code_user``)
    or for this number (``phone_code_number``). Nothing was stored or queued."""

    def __init__(self, scope: str):
        super().__init__(scope)
        self.scope = scope


class ProofOutcome(enum.StrEnum):
    PROVEN = "proven"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_TRIES = "too_many_tries"
    NO_CODE = "no_code"
    SLOW_DOWN = "slow_down"


@dataclass(frozen=True)
class ProofResult:
    outcome: ProofOutcome
    phone: str = ""
    tries_left: int = 0


def phone_code_digest(user_id: int, phone: str, code: str) -> str:
    """The stored form of a code: an HMAC keyed with ``SECRET_KEY`` over account, number and
    code, so a copy of the table alone cannot be searched for the six digits, and a code is
    worth nothing for another account or number."""
    return salted_hmac(
        "services.actions.phones", f"{user_id}:{phone}:{code}", algorithm="sha256"
    ).hexdigest()


def pending_proof(user) -> PhoneProof | None:
    """The number this account asked to prove and has not proven yet, if any; its code may be
    live or spent (``PhoneProof.is_live``)."""
    return PhoneProof.objects.filter(user=user).first()


def send_phone_code(
    user, phone: str, *, language: str = "en", now: datetime.datetime | None = None
) -> Message:
    """Text a new code to ``phone`` (E.164, already cleaned) for ``user`` to type back.

    Replaces any earlier code of the account. Raises ``PhoneCodeRefused`` when the account or
    the number has had its share of codes; returns the queued text otherwise.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if not ratelimit.allow("phone_code_user", str(user.pk)):
            raise PhoneCodeRefused("phone_code_user")
        if not ratelimit.allow("phone_code_number", phone):
            raise PhoneCodeRefused("phone_code_number")
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        PhoneProof.objects.update_or_create(
            user=user,
            defaults={
                "phone": phone,
                "code_digest": phone_code_digest(user.pk, phone, code),
                "created_at": now,
                "expires_at": now + CODE_LIFETIME,
                "failed_attempts": 0,
            },
        )
        with translation.override(language):
            body = gettext(
                "%(code)s is your code to add this mobile number to your council account. "
                "It expires in %(minutes)s minutes. If you did not ask for it, ignore this text."
            ) % {"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)}
        return queue_text(
            channel=Channel.SMS,
            recipient=phone,
            body=body,
            kind=MESSAGE_KIND,
            language=language,
            metadata={"purpose": "phone_proof", "user": user.pk},
            urgent=True,
            now=now,
        )


def confirm_phone(user, code: str, *, now: datetime.datetime | None = None) -> ProofResult:
    """Check a code the resident typed; on the right one the number becomes the account's.

    ``code`` is the digits only (the form strips spaces). A wrong code counts against the code
    (``CODE_TRIES``) and the account (``phone_code_try_user``); an expired code, or one tried
    too often, is void and a new one is needed (``send_phone_code`` to ``proof.phone``).
    """
    now = now or timezone.now()
    if not ratelimit.allow("phone_code_try_user", str(user.pk)):
        return ProofResult(ProofOutcome.SLOW_DOWN)
    with transaction.atomic():
        proof = PhoneProof.objects.select_for_update().filter(user=user).first()
        if proof is None or not proof.code_digest:
            return ProofResult(ProofOutcome.NO_CODE, phone=proof.phone if proof else "")
        if now >= proof.expires_at:
            proof.code_digest = ""
            proof.save(update_fields=["code_digest"])
            return ProofResult(ProofOutcome.EXPIRED, phone=proof.phone)
        expected = phone_code_digest(user.pk, proof.phone, code)
        if not hmac.compare_digest(expected, proof.code_digest):
            proof.failed_attempts += 1
            if proof.failed_attempts >= CODE_TRIES:
                proof.code_digest = ""
                proof.save(update_fields=["failed_attempts", "code_digest"])
                return ProofResult(ProofOutcome.TOO_MANY_TRIES, phone=proof.phone)
            proof.save(update_fields=["failed_attempts"])
            return ProofResult(
                ProofOutcome.WRONG,
                phone=proof.phone,
                tries_left=CODE_TRIES - proof.failed_attempts,
            )
        phone = proof.phone
        proof.delete()
        _hold(user, phone)
    return ProofResult(ProofOutcome.PROVEN, phone=phone)


def _hold(user, phone: str) -> Resident:
    """The proven number onto the account's own record, taken from any account that held it."""
    if connection.vendor == "postgresql":
        # Two accounts proving one number at once: one after the other, so one holder remains.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"phone:{phone}"]
            )
    for other in (
        Resident.objects.select_for_update()
        .filter(phone=phone, phone_verified=True, user__isnull=False)
        .exclude(user=user)
    ):
        other.phone_verified = False
        other.save(update_fields=["phone_verified", "updated_at"])
        AuditEntry.objects.create(
            actor=user,
            action="phone_proof_taken_over",
            object_type="resident",
            object_id=str(other.pk),
            detail={"phone": phone, "from_account": other.user_id, "to_account": user.pk},
        )
    own = Resident.objects.select_for_update().filter(user=user).first()
    if own is None:
        own = Resident(user=user)
    before = {"phone": own.phone, "verified": own.phone_verified}
    own.phone, own.phone_verified = phone, True
    own.save()
    AuditEntry.objects.create(
        actor=user,
        action="prove_phone",
        object_type="resident",
        object_id=str(own.pk),
        detail={"from": before["phone"], "from_verified": before["verified"], "to": phone},
    )
    return own


def remove_phone(user) -> bool:
    """Take the number off the account's own record (and any pending code): its cases leave
    "my requests". Audited. False when there was no number to remove."""
    with transaction.atomic():
        PhoneProof.objects.filter(user=user).delete()
        own = Resident.objects.select_for_update().filter(user=user).first()
        if own is None or not own.phone:
            return False
        before = {"phone": own.phone, "verified": own.phone_verified}
        own.phone, own.phone_verified = "", False
        if own.preferred_channel == Channel.SMS:
            own.preferred_channel = Channel.EMAIL
        own.save()
        AuditEntry.objects.create(
            actor=user,
            action="remove_phone",
            object_type="resident",
            object_id=str(own.pk),
            detail={"from": before["phone"], "from_verified": before["verified"]},
        )
    return True
