"""The catalogue the queue page shows: councils, offices, teams and services.

The filter menus list them and every row names its service, team and council. They change a
few times a year, so the queue reads them from the ``catalogue`` cache (``services.lookups``:
cleared in this process whenever a catalogue row is saved or deleted, other processes within
``PORTAL_CATALOGUE_CACHE_SECONDS``) instead of making four queries on every page view.

Nothing here decides who may see what: the permission filter is applied in SQL, against the
live ``services_service`` table, by ``desk.queue``. A stale menu can at worst offer a
team that was just renamed under its old name for a minute.
"""

from dataclasses import dataclass

from services import lookups
from services.models import Council, Office, Service, Team

CACHE_KEY = "desk-catalogue"


@dataclass(frozen=True)
class Catalogue:
    """Each kind of row by primary key, in the model's own order (the menus' order)."""

    councils: dict[int, Council]
    offices: dict[int, Office]
    teams: dict[int, Team]
    services: dict[int, Service]

    def for_relation(self) -> dict[str, dict]:
        """Case relation name → rows, for ``desk.queue.attach_catalogue``."""
        return {
            "service": self.services,
            "team": self.teams,
            "office": self.offices,
            "delivering_council": self.councils,
        }


def fetch() -> Catalogue:
    """Four small queries, straight from the database."""
    return Catalogue(
        councils={c.pk: c for c in Council.objects.all()},
        offices={o.pk: o for o in Office.objects.all()},
        # Team.__str__ names its council: load it with the team.
        teams={t.pk: t for t in Team.objects.select_related("council")},
        services={s.pk: s for s in Service.objects.all()},
    )


def load() -> Catalogue:
    return lookups.remember(CACHE_KEY, fetch)
