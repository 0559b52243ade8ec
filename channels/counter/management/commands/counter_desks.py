"""Set up numbered desks at one-stop shops (idempotent): ``manage.py counter_desks --count 4``.

Desks are data: an office adds or retires desks in the admin later; this only makes sure the
first ``--count`` exist so a new office (or the demo) can start calling tickets at once.
"""

from django.core.management.base import BaseCommand, CommandError

from channels.counter.models import Desk
from services.models import Office


class Command(BaseCommand):
    help = "Create desks 1…N at one-stop shops that lack them."

    def add_arguments(self, parser):
        parser.add_argument("--office", help="Office slug (default: every one-stop shop).")
        parser.add_argument("--count", type=int, default=4)

    def handle(self, *args, office=None, count=4, **options):
        if not 1 <= count <= 99:
            raise CommandError("--count must be between 1 and 99.")
        offices = Office.objects.filter(kind=Office.Kind.ONE_STOP_SHOP)
        if office:
            offices = offices.filter(slug=office)
            if not offices.exists():
                raise CommandError(f"No one-stop shop {office!r}.")
        for office_obj in offices:
            created = 0
            for number in range(1, count + 1):
                _desk, made = Desk.objects.get_or_create(office=office_obj, number=number)
                created += made
            self.stdout.write(f"{office_obj.slug}: {created} desk(s) added")
