"""``manage.py partner_staff_account SLUG --council MKC --role caseworker --team mk-waste``:
give a partner the staff account it acts as in the case API (or reshape the one it has).

What the system may see and do is then exactly what a member of staff with that council,
office, teams and role may (``services.permissions``). The account has no usable password.
"""

from django.core.management.base import BaseCommand, CommandError

from services.actions.partners import set_staff_account
from services.models import Council, Office, Partner, Role, Team


class Command(BaseCommand):
    help = "Give a partner the staff account (council, role, teams) it acts as in the case API."

    def add_arguments(self, parser):
        parser.add_argument("partner", help="The partner's slug (see the admin, Partners).")
        parser.add_argument("--council", required=True, metavar="CODE")
        parser.add_argument("--role", default=Role.CASEWORKER, choices=Role.values)
        parser.add_argument("--team", action="append", default=[], metavar="SLUG")
        parser.add_argument("--office", default="", metavar="SLUG")

    def handle(self, *args, **options):
        partner = Partner.objects.filter(slug=options["partner"]).first()
        if partner is None:
            raise CommandError(f"No partner {options['partner']!r}.")
        council = Council.objects.filter(code__iexact=options["council"].strip()).first()
        if council is None:
            raise CommandError(f"No such council: {options['council']}")
        teams = list(Team.objects.filter(slug__in=options["team"]))
        unknown = sorted(set(options["team"]) - {t.slug for t in teams})
        if unknown:
            raise CommandError("No such team: " + ", ".join(unknown))
        office = None
        if options["office"]:
            office = Office.objects.filter(slug=options["office"]).first()
            if office is None:
                raise CommandError(f"No such office: {options['office']}")
        user = set_staff_account(
            partner, council=council, role=options["role"], teams=teams, office=office
        )
        self.stdout.write(
            f"{partner.name} acts as {user.get_username()}: {options['role']} at {council.code}"
            + (f", teams {', '.join(t.slug for t in teams)}" if teams else "")
            + (f", office {office.slug}" if office else "")
            + "."
        )
