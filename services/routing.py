"""Where a contact belongs: which council, which team, or which other body.

The council comes from the postcode district (``data/postcode_districts.csv``), from the number
dialled or mailbox written to (``ContactPoint``), or from the service itself. A district that
straddles a boundary is never guessed: the result says so and the resident or member of staff
is asked. A service another body is responsible for routes to that body as a referral.
"""

import csv
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
        return Route(
            referral_body=body, needs_council_choice=body is None and len(bodies) > 1, area=area
        )

    service = lookups.routable_service(service)
    resident_council = council or (area.council if area else None)
    if service.joint:
        responsible = resident_council or service.responsible_council
        needs_choice = council is None and area is not None and area.straddles
    else:
        responsible = service.responsible_council
        needs_choice = False
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
