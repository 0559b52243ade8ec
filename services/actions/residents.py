"""Residents: finding the one behind a contact, what they choose (consent, language, their
phone), linking a record to a login, and merging two records of one person."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from services import permissions
from services.inbound import MAX_PHONE, InvalidPhoneNumber, normalise_phone
from services.models import (
    AuditEntry,
    Case,
    Channel,
    EventKind,
    Message,
    Resident,
    TimelineEvent,
)

__all__ = [
    "InvalidPhoneNumber",  # re-exported: forms and search import them from here
    "identify_resident",
    "link_user",
    "mark_email_bouncing",
    "merge_residents",
    "normalise_phone",
    "resident_for_phone",
    "set_language",
    "set_sms_consent",
    "update_preferences",
]


def _live(resident: Resident | None) -> Resident | None:
    """Follow merges to the record that survives."""
    seen = set()
    while resident is not None and resident.merged_into_id and resident.pk not in seen:
        seen.add(resident.pk)
        resident = resident.merged_into
    return resident


def identify_resident(channel: str, sender: str) -> Resident | None:
    """The resident a message on ``channel`` from ``sender`` belongs to, if we know them.

    A phone number or email address the resident has used or verified before identifies them.
    Of several records, a verified identifier wins, then the most recently created.
    """
    if not sender:
        return None
    if channel in (Channel.SMS, Channel.VOICE):
        condition = Q(phone=sender)
        verified = "-phone_verified"
    elif channel in (Channel.EMAIL, Channel.FAX):
        condition = Q(email__iexact=sender)
        verified = "-email_verified"
    else:
        return None
    resident = (
        Resident.objects.filter(condition, merged_into__isnull=True)
        .order_by(verified, "-created_at", "-pk")
        .first()
    )
    return _live(resident)


def merge_residents(user, duplicate: Resident, into: Resident, *, reason: str = "") -> Resident:
    """Fold ``duplicate`` into ``into``: cases and messages move, the record is kept, audited."""
    if not permissions.is_staff_member(user):
        raise PermissionDenied("Only staff can merge residents.")
    if duplicate.pk == into.pk:
        raise ValueError("A resident cannot be merged into themselves.")
    now = timezone.now()
    with transaction.atomic():
        duplicate, into = (
            Resident.objects.select_for_update().get(pk=duplicate.pk),
            Resident.objects.select_for_update().get(pk=into.pk),
        )
        if duplicate.merged_into_id or into.merged_into_id:
            raise ValueError("One of these residents has already been merged.")
        moved_cases = list(Case.objects.filter(resident=duplicate).values_list("pk", flat=True))
        # Cases the user cannot see would move silently; refuse instead of leaking or hiding.
        if moved_cases and permissions.visible_cases(user).filter(
            pk__in=moved_cases
        ).count() != len(moved_cases):
            raise PermissionDenied("Some of this resident's cases are not yours to move.")
        Case.objects.filter(resident=duplicate).update(resident=into)
        Message.objects.filter(resident=duplicate).update(resident=into)
        for field in ("email", "phone", "address", "postcode", "name", "accessibility_needs"):
            if not getattr(into, field) and getattr(duplicate, field):
                setattr(into, field, getattr(duplicate, field))
        into.email_verified = into.email_verified or (
            duplicate.email_verified and duplicate.email.lower() == into.email.lower()
        )
        into.phone_verified = into.phone_verified or (
            duplicate.phone_verified and duplicate.phone == into.phone
        )
        into.save()
        duplicate.merged_into = into
        duplicate.save(update_fields=["merged_into", "updated_at"])
        AuditEntry.objects.create(
            actor=user,
            action="merge_residents",
            object_type="resident",
            object_id=str(into.pk),
            detail={"merged": duplicate.pk, "cases": moved_cases, "reason": reason},
        )
        for case_id in moved_cases:
            TimelineEvent.objects.create(
                case_id=case_id,
                kind=EventKind.MERGE,
                created_at=now,
                actor=user,
                body=f"Resident record {duplicate.pk} merged into {into.pk}. {reason}".strip(),
            )
    return into


def resident_for_phone(
    phone: str, *, resident: Resident | None = None, channel: str = Channel.VOICE
) -> Resident:
    """The resident a number belongs to — ``resident`` when the caller knows them, else the one
    identified by the number — or a new record for it (a first call): a contact always has
    someone to belong to. The number is expected cleaned (``services.inbound.phone``)."""
    resident = resident or identify_resident(channel, phone)
    if resident is None:
        resident = Resident.objects.create(phone=phone[:MAX_PHONE], preferred_channel=Channel.SMS)
    return resident


def set_sms_consent(
    phone: str, consent: bool, *, now: datetime.datetime | None = None
) -> Resident | None:
    """STOP / START by text: every live record with this number stops (or starts) getting texts.

    An opt-out from a number we have never heard of is remembered too — as a new record that
    has said no — so a case raised for that number later does not text it. Returns the first
    record, or None (START from an unknown number changes nothing).
    """
    now = now or timezone.now()
    with transaction.atomic():
        residents = list(
            Resident.objects.select_for_update().filter(phone=phone, merged_into__isnull=True)
        )
        if residents:
            Resident.objects.filter(pk__in=[r.pk for r in residents]).update(
                consent_sms=consent, updated_at=now
            )
            for resident in residents:
                resident.consent_sms = consent
            return residents[0]
        if consent:
            return None
        return Resident.objects.create(
            phone=phone[:MAX_PHONE],
            phone_verified=True,
            consent_sms=False,
            preferred_channel=Channel.SMS,
        )


def mark_email_bouncing(resident_id: int, address: str) -> bool:
    """A permanent bounce: stop emailing this resident at ``address`` (only if it is still
    their address — they may have corrected it since) until it is changed."""
    return bool(
        Resident.objects.filter(pk=resident_id, email__iexact=address).update(
            email_bouncing=True, updated_at=timezone.now()
        )
    )


def set_language(residents: QuerySet[Resident], language: str) -> int:
    """The language a person chose (the site's switcher, signed in): on every record that is
    theirs, so texts and emails about any of their cases are written in it. Returns how many
    records changed."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Not one of the site's languages: {language!r}")
    return residents.exclude(language=language).update(language=language, updated_at=timezone.now())


def update_preferences(
    residents: QuerySet[Resident],
    *,
    preferred_channel: str,
    consent_email: bool,
    consent_sms: bool,
    language: str,
) -> None:
    """A signed-in resident's own choices: channel, consent and language on every record that
    is theirs (``residents``: their own and those of their proven email addresses and
    numbers), so a text or call case follows what they chose. The number itself changes only
    by proof or removal (``services.actions.phones``), audited there."""
    now = timezone.now()
    with transaction.atomic():
        residents.update(
            preferred_channel=preferred_channel,
            consent_email=consent_email,
            consent_sms=consent_sms,
            language=language,
            updated_at=now,
        )


def link_user(user, verified_emails: list[str]) -> Resident | None:
    """The user's own resident record, linking (or creating) it by their verified email.

    ``verified_emails`` are the addresses the account has proven (the caller asks allauth).
    The unlinked record with the first of them (a verified one first, then the newest)
    becomes the account's, its email verified; without one a record is created. None without a verified address: intake then
    makes a record from what they typed, as for anyone else.
    """
    if not user or not user.is_authenticated:
        return None
    existing = Resident.objects.filter(user=user).first()
    if existing is not None:
        return existing
    if not verified_emails:
        return None
    with transaction.atomic():
        resident = (
            Resident.objects.select_for_update()
            .filter(email__iexact=verified_emails[0], user__isnull=True, merged_into__isnull=True)
            .order_by("-email_verified", "-created_at")
            .first()
        )
        if resident is None:
            resident = Resident(email=verified_emails[0])
        resident.user = user
        resident.email_verified = resident.email_verified or resident.email.lower() in {
            e.lower() for e in verified_emails
        }
        resident.save()
    return resident
