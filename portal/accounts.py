"""Which resident records belong to a signed-in user: matched by verified identifiers only.

A case raised by phone, SMS, email or at a counter belongs to a ``services.Resident`` that has
no login. Once the user has *verified* an email address (allauth's ``EmailAddress.verified``),
every resident record with that address is theirs to see; the first such record is linked to
the account (``Resident.user``) so that what they do while signed in joins it. An unverified
address shows nothing: typing someone else's address must not reveal their cases.

Proven phone numbers work the same way: a signed-in resident proves a mobile number by
typing back a code we texted to it (``services.actions.phones``), which puts the number,
verified, on the account's own record. From then on every record with that number — texts,
calls, counter visits — is theirs to see, except records linked to another account (what
someone else typed on their own account is their claim, not a contact from the number). A
number only typed, not proven, shows nothing, and a number is proven by one account at a
time: the one that proved it last.
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
    phones = proven_phones(user)
    if phones:
        condition |= Q(phone__in=phones) & (Q(user__isnull=True) | Q(user=user))
    return Resident.objects.filter(condition, merged_into__isnull=True)


def proven_phones(user) -> list[str]:
    """The numbers this account has proven (E.164): at most one, on its own record."""
    if not user or not user.is_authenticated:
        return []
    return [
        phone
        for phone in Resident.objects.filter(user=user, phone_verified=True).values_list(
            "phone", flat=True
        )
        if phone
    ]


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
