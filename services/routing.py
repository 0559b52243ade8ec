"""Where a contact belongs: which council, which team, or which other body.

The council comes from the postcode district (``data/postcode_districts.csv``), from the number
dialled or mailbox written to (``ContactPoint``), or from the service itself. A district that
straddles a boundary is never guessed: the result says so and the resident or member of staff
is asked. A service another body is responsible for routes to that body as a referral.

``where`` is the one rule "where first, then what" for every channel — the apply-online
journey, SMS, email, telephone and Open311 reports that name a location: serve it here, ask
about a straddling postcode, move to the same service of the other council, or send the
resident to the body that delivers it. ``route`` then routes a case for the service ``where``
settled on.
"""

import csv
import enum
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from services import lookups, postcodes
from services.models import ContactPoint, Council, Office, ReferralBody, Service, Team

DISTRICTS_FILE = Path(__file__).parent / "data" / "postcode_districts.csv"


@lru_cache(maxsize=1)
def _district_codes() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    with DISTRICTS_FILE.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            table[row["district"].strip().upper()] = tuple(row["councils"].split())
    return table


@dataclass
class PostcodeArea:
    district: str
    councils: list[Council] = field(default_factory=list)

    @property
    def straddles(self) -> bool:
        return len(self.councils) > 1

    @property
    def council(self) -> Council | None:
        """The one council for this postcode, or None if outside both or straddling."""
        return self.councils[0] if len(self.councils) == 1 else None

    @property
    def outside(self) -> bool:
        return not self.councils


def area_for_postcode(postcode: str) -> PostcodeArea:
    """Raises ``postcodes.InvalidPostcode`` for text that is not a postcode or district."""
    district = postcodes.district(postcode)
    codes = _district_codes().get(district, ())
    by_code = lookups.councils_by_code()
    return PostcodeArea(district, [by_code[code] for code in codes if code in by_code])


def councils() -> list[Council]:
    """Every council in the catalogue (the ones this platform answers for)."""
    return list(lookups.councils_by_code().values())


def council_for_contact_point(channel: str, address: str) -> ContactPoint | None:
    """The contact point a message came in through (cached: see ``services.lookups``)."""
    return lookups.contact_point(channel, address)


@dataclass
class Route:
    responsible_council: Council | None = None
    delivering_council: Council | None = None
    team: Team | None = None
    office: Office | None = None
    referral_body: ReferralBody | None = None
    # The postcode straddles a boundary and nothing else decided: ask, don't guess.
    needs_council_choice: bool = False
    candidate_councils: list[Council] = field(default_factory=list)
    area: PostcodeArea | None = None

    @property
    def outside_responsible_area(self) -> bool:
        """The postcode is known and the responsible council does not cover it."""
        return bool(
            self.area
            and self.responsible_council
            and self.responsible_council not in self.area.councils
        )

    @property
    def is_referral(self) -> bool:
        return self.referral_body is not None


def route(
    service: Service,
    *,
    postcode: str = "",
    council: Council | None = None,
) -> Route:
    """Route a new case for ``service``.

    ``council`` is what the channel already knows (the number dialled, the mailbox, or the
    resident's own choice on a straddling postcode); it wins over the postcode.
    """
    area = None
    if postcode:
        try:
            area = area_for_postcode(postcode)
        except postcodes.InvalidPostcode:
            area = None

    if service.is_referral:
        bodies = list(service.referral_bodies.all())
        body = None
        if area is not None:
            body = next((b for b in bodies if b.covers(area.district)), None)
        if body is None and len(bodies) == 1:
            body = bodies[0]
        # A straddling district is asked about even when a body covers it: the other side of
        # the boundary may be a council that delivers the service itself.
        straddles = council is None and area is not None and area.straddles
        return Route(
            referral_body=body,
            needs_council_choice=(body is None and len(bodies) > 1) or straddles,
            candidate_councils=area.councils if straddles else [],
            area=area,
        )

    service = lookups.routable_service(service)
    resident_council = council or (area.council if area else None)
    if service.joint:
        responsible = resident_council or service.responsible_council
        needs_choice = council is None and area is not None and area.straddles
    else:
        # One council's service: it is that council's case, but a straddling postcode is
        # still never taken as proof the place is in its area — staff are asked to check.
        responsible = service.responsible_council
        needs_choice = council is None and area is not None and area.straddles
    delivering = service.delivering_council or responsible
    team = service.delivering_team
    return Route(
        responsible_council=responsible,
        delivering_council=delivering,
        team=team,
        office=team.office if team else None,
        needs_council_choice=needs_choice,
        candidate_councils=area.councils if (area and needs_choice) else [],
        area=area,
    )


class Outcome(enum.StrEnum):
    SERVE = "serve"  # this service answers for this place: carry on
    ASK = "ask"  # the postcode district straddles a boundary: ask which council, never guess
    MOVE = "move"  # the same service of the other council answers there: move, keep answers
    REFER = "refer"  # another body delivers it there (district councils' bins): send them
    ELSEWHERE = "elsewhere"  # in a council's area, but neither it nor a body known does this
    OUTSIDE = "outside"  # outside both councils
    UNKNOWN = "unknown"  # no postcode given or found: nothing to decide on


@dataclass
class Where:
    """What ``where`` decided for one service at one place (see ``Outcome``).

    ``service`` is the service asked for; ``targets`` the service(s) to go to instead (MOVE:
    the other council's own; REFER: the referral service whose body answers); ``body`` the
    body to send the resident to (REFER), with its name, website and phone in the catalogue;
    ``council`` the council whose area the place is in, once known; ``candidates`` the
    councils to ask between (ASK).
    """

    outcome: Outcome
    service: Service
    postcode: str = ""
    area: PostcodeArea | None = None
    council: Council | None = None
    targets: list[Service] = field(default_factory=list)
    body: ReferralBody | None = None
    candidates: list[Council] = field(default_factory=list)

    @property
    def target(self) -> Service | None:
        """The one service to move to, when there is exactly one."""
        return self.targets[0] if len(self.targets) == 1 else None

    @property
    def sends_away(self) -> bool:
        """The resident is told to go elsewhere: nobody here can take it."""
        return self.outcome in (Outcome.REFER, Outcome.ELSEWHERE, Outcome.OUTSIDE)

    @property
    def district(self) -> str:
        return self.area.district if self.area else ""


def depends_on_location(service: Service) -> bool:
    """Whether where the resident is decides who answers — true of every service in the
    catalogue: one council's services, other bodies' (referrals) and joint services too
    (a joint service is still only for residents of the two councils, and its responsible
    council is the resident's own). Kept as a function so a location-free service (a
    national one) can be told apart in one place if the catalogue ever has one."""
    return True


def _serves(service: Service, council: Council) -> bool:
    if service.is_referral:
        return False
    if service.joint:
        return True
    return service.responsible_council_id == council.pk


def _body_for(service: Service, district: str) -> ReferralBody | None:
    return next((b for b in service.referral_bodies.all() if b.covers(district)), None)


def _counterparts(service: Service, council: Council, district: str) -> tuple[list, list]:
    """The same service elsewhere: (the council's own services, referral services whose body
    covers the district) among ``service``'s counterparts, active ones only."""
    own, referred = [], []
    for other in service.counterparts.filter(active=True).prefetch_related("referral_bodies"):
        if other.is_referral:
            if _body_for(other, district) is not None:
                referred.append(other)
        elif other.joint or other.responsible_council_id == council.pk:
            own.append(other)
    return own, referred


def where(
    service: Service,
    *,
    postcode: str = "",
    text: str = "",
    council: Council | None = None,
) -> Where:
    """Who answers ``service`` at the place given: the "where first, then what" rule.

    ``postcode`` is what the resident typed (a full postcode or a district); when it is empty
    the first postcode in ``text`` (an SMS body, an email, an address) is used. ``council`` is
    the council the resident chose for a straddling district, or the one the channel knows
    (the number dialled); it only counts when the district is in that council's area.

    In order: no usable postcode → UNKNOWN; outside both councils → OUTSIDE (or REFER when
    one of the service's bodies covers it); a straddling district with no council chosen →
    ASK, always; this service answers for that council → SERVE; the same service of that
    council (``Service.counterparts``) → MOVE; the district's body for this service or for its
    counterpart → REFER; otherwise ELSEWHERE (the place is in that council's area, and
    nothing in the catalogue says who does this there).

    Channels call this before opening anything: the apply form after its first question,
    intake for texts, emails and calls that name a postcode, Open311 for a report's address.
    """
    typed = postcode or postcodes.find_in_text(text)
    if not typed:
        return Where(Outcome.UNKNOWN, service)
    try:
        area = area_for_postcode(typed)
    except postcodes.InvalidPostcode:
        return Where(Outcome.UNKNOWN, service, postcode=typed)
    found = {"service": service, "postcode": typed, "area": area}
    district = area.district

    own_body = _body_for(service, district) if service.is_referral else None
    if area.outside:
        if own_body is not None:
            return Where(Outcome.REFER, **found, targets=[service], body=own_body)
        return Where(Outcome.OUTSIDE, **found)

    if council is not None and council in area.councils:
        here = council
    elif area.straddles:
        return Where(Outcome.ASK, **found, candidates=list(area.councils))
    else:
        here = area.council
    found["council"] = here

    if _serves(service, here):
        return Where(Outcome.SERVE, **found)
    own, referred = _counterparts(service, here, district)
    if own:
        return Where(Outcome.MOVE, **found, targets=own)
    if own_body is not None:
        return Where(Outcome.REFER, **found, targets=[service], body=own_body)
    if referred:
        return Where(
            Outcome.REFER, **found, targets=referred, body=_body_for(referred[0], district)
        )
    return Where(Outcome.ELSEWHERE, **found)


def filed_service(found: Where) -> Service:
    """The service a case opened by a text, email, call or Open311 report is filed under.

    After ``where``: the other council's same service when the resident is moved (and there is
    exactly one), the referral service whose body delivers it there (so the case is opened as a
    referral to that body, and the resident is told who to contact), else the service asked
    for — a straddling postcode keeps it, and staff are asked (``staff_note``).
    """
    if found.outcome == Outcome.MOVE and found.target is not None:
        return found.target
    if found.outcome == Outcome.REFER and found.targets:
        return found.targets[0]
    return found.service


def staff_note(found: Where) -> str:
    """What staff must check on a case ``where`` could not settle, or "" (staff-facing)."""
    if found.outcome == Outcome.ASK:
        names = " or ".join(c.name for c in found.candidates)
        return (
            f"{found.postcode} is on the boundary ({names}): ask the resident which council "
            "the address is in, and transfer the case if it is not this council's."
        )
    if found.outcome == Outcome.MOVE and found.target is None:
        return (
            f"{found.postcode} is in the area of {found.council}: move the case to the right "
            f"one of {', '.join(s.name for s in found.targets)}."
        )
    if found.outcome == Outcome.ELSEWHERE:
        return (
            f"{found.postcode} is in the area of {found.council}, which has no "
            f"{found.service} in the catalogue: tell the resident who deals with it there."
        )
    if found.outcome == Outcome.OUTSIDE:
        return f"{found.postcode} is outside both councils: tell the resident to contact theirs."
    return ""
