"""Finding the resident behind a contact, and merging two records of one person."""

import phonenumbers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from services import permissions
from services.models import (
    AuditEntry,
    Case,
    Channel,
    EventKind,
    Message,
    Resident,
    TimelineEvent,
)


class InvalidPhoneNumber(ValueError):
    pass


def normalise_phone(text: str, region: str = "GB") -> str:
    """Any UK (or international) format → E.164 ('07400 123456' → '+447400123456')."""
    try:
        number = phonenumbers.parse(text or "", region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber("Enter a telephone number, like 07400 123456.") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("Enter a telephone number, like 07400 123456.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
