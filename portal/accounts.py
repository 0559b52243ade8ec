"""Which resident records belong to a signed-in user: matched by verified identifiers only.

A case raised by phone, SMS, email or at a counter belongs to a ``services.Resident`` that has
no login. Once the user has *verified* an email address (allauth's ``EmailAddress.verified``),
every resident record with that address is theirs to see; the first such record is linked to
the account (``Resident.user``) so that what they do while signed in joins it. An unverified
address shows nothing: typing someone else's address must not reveal their cases.

Verified phone numbers: allauth's phone verification is not switched on in this project, so
phones match only once a resident record linked to the user holds a verified phone.
"""

from allauth.account.models import EmailAddress
from django.db.models import Q, QuerySet

from services.actions.residents import link_user
from services.models import Case, Message, Resident


def verified_emails(user) -> list[str]:
    if not user or not user.is_authenticated:
        return []
    return list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )


def residents_for(user) -> QuerySet[Resident]:
    """Every live resident record this user may see: linked, or with a verified identifier."""
    if not user or not user.is_authenticated:
        return Resident.objects.none()
    condition = Q(user=user)
    for email in verified_emails(user):
        condition |= Q(email__iexact=email)
    linked_phones = [
        phone
        for phone in Resident.objects.filter(user=user, phone_verified=True).values_list(
            "phone", flat=True
        )
        if phone
    ]
    if linked_phones:
        condition |= Q(phone__in=linked_phones, phone_verified=True)
    return Resident.objects.filter(condition, merged_into__isnull=True)


def cases_for(user) -> QuerySet[Case]:
    return (
        Case.objects.filter(resident__in=residents_for(user))
        .select_related("service")
        .order_by("-created_at")
    )


def messages_for(user) -> QuerySet[Message]:
    return Message.objects.filter(resident__in=residents_for(user)).order_by("created_at")


def resident_for_user(user) -> Resident | None:
    """The user's own resident record, linking (or creating) it by their verified email.

    Returns ``None`` for anonymous users and for users with no verified email (intake then
    makes a record from what they typed, as for anyone else). The link is written by
    ``services.actions.residents.link_user``; this module only reads allauth's addresses.
    """
    if not user or not user.is_authenticated:
        return None
    existing = Resident.objects.filter(user=user).first()
    if existing is not None:
        return existing
    return link_user(user, verified_emails(user))
