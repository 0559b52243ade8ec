"""Who may see and work which cases — applied inside the database query, never afterwards.

Staff see the cases of the councils they serve (responsible or delivering) and the cases of
joint services. The councils a member of staff serves are their own council plus every council
their office serves (``Office.serves``: the joint contact centre works for both councils, so
its agents see both councils' cases — ``councils_served``). A restricted service (social care, say) is different: its cases are seen only by
members of the team that owns them, whichever council they work for. Superusers and the
``services.view_all_cases`` permission see everything (auditors, system administrators).
Every list, count, search and "next case" starts from ``visible_cases(user)``, so a case a
user may not see cannot leak through a count or a suggestion.
"""

from django.db.models import Q, QuerySet

from services.models import Case, Council, Role, StaffProfile


def staff_profile(user) -> StaffProfile | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff) and (
        user.is_superuser or staff_profile(user) is not None
    )


def sees_everything(user) -> bool:
    return bool(
        user and user.is_active and (user.is_superuser or user.has_perm("services.view_all_cases"))
    )


def councils_served(user) -> set[int]:
    """The ids of the councils whose (non-restricted) cases this user sees and works: their
    profile's council and every council their office serves. Everybody's for those who see
    everything; empty for anyone who is not staff. Call routing uses the same set to decide
    which council lines an agent may take."""
    if sees_everything(user):
        return set(Council.objects.values_list("pk", flat=True))
    profile = staff_profile(user)
    if profile is None or not user.is_staff:
        return set()
    councils = {profile.council_id}
    if profile.office_id is not None:
        councils.update(
            Council.objects.filter(served_by_offices=profile.office_id).values_list("pk", flat=True)
        )
    return councils


def _council_q(field: str, councils: set[int]) -> Q:
    # One council stays an equality (the plan and the search tokens every single-council
    # member of staff had before joint working); more is an IN list.
    if len(councils) == 1:
        return Q(**{field: next(iter(councils))})
    return Q(**{f"{field}__in": sorted(councils)})


def case_filter(user) -> Q | None:
    """The condition on ``Case`` rows this user may see; ``None`` means none at all."""
    if sees_everything(user):
        return Q()
    profile = staff_profile(user)
    if profile is None or not user.is_staff:
        return None
    team_ids = list(profile.teams.values_list("id", flat=True))
    councils = councils_served(user)
    own_council = (
        _council_q("responsible_council_id", councils)
        | _council_q("delivering_council_id", councils)
        | Q(service__joint=True)
    )
    in_owning_team = Q(team_id__in=team_ids) | Q(service__delivering_team_id__in=team_ids)
    return (Q(service__restricted=False) & own_council) | (
        Q(service__restricted=True) & in_owning_team
    )


def visible_cases(user) -> QuerySet[Case]:
    condition = case_filter(user)
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition)


def can_view_case(user, case: Case) -> bool:
    return case.pk is not None and visible_cases(user).filter(pk=case.pk).exists()


def can_work_case(user, case: Case) -> bool:
    """Acting on a case needs the same visibility; counter staff and agents may act too."""
    return can_view_case(user, case)


def is_supervisor(user) -> bool:
    if user is not None and user.is_superuser:
        return True
    profile = staff_profile(user)
    return profile is not None and profile.role in (Role.SUPERVISOR, Role.ADMIN)
