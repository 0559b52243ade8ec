"""``manage.py load_demo``: both councils, offices, catalogue, site pages and demo staff.

Idempotent: safe to run again, it only adds what is missing. Demo staff get the documented
demo password unless ``--random-passwords`` (the default outside DEBUG) is given; passwords are
printed once, when the accounts are created.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.demo.loader import DemoLoader
from portal.demo.prompts import load_placeholder_prompts


class Command(BaseCommand):
    help = "Load the demonstration councils, services, pages and staff (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--random-passwords",
            action="store_true",
            default=None,
            help="Give demo staff random passwords (default when DEBUG is off).",
        )
        parser.add_argument(
            "--skip-pages",
            action="store_true",
            help="Only the councils, catalogue and staff, not the CMS pages (fast, for tests).",
        )

    def handle(self, *args, random_passwords=None, skip_pages=False, **options):
        if random_passwords is None:
            random_passwords = not settings.DEBUG
        loader = DemoLoader(self.stdout, random_passwords=random_passwords, pages=not skip_pages)
        credentials = loader.run()
        if not skip_pages:  # the demo's placeholder Urdu prompts (not in tests' catalogue)
            loader.created += load_placeholder_prompts()
        if loader.created == 0:
            self.stdout.write("Demo data already loaded: nothing to do.")
            return
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({loader.created} new records)."))
        if credentials:
            self.stdout.write("Demo staff (shown once):")
            for email, password, role, council in credentials:
                self.stdout.write(f"  {email:36} {password:20} {role} ({council})")
