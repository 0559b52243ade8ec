"""Accountability records that are not on a case's timeline: who looked at whom."""

from services.models import AuditEntry, Resident


def record_resident_view(user, resident: Resident) -> AuditEntry:
    """A member of staff opened a resident's page: recorded every time, whoever they are.

    Seeing a person's record (their cases, their messages) is itself something the councils
    must be able to account for, as ``CaseView`` does for a case.
    """
    return AuditEntry.objects.create(
        actor=user,
        action="view_resident",
        object_type="resident",
        object_id=str(resident.pk),
    )
