"""``manage.py add_partner NAME --council MKC [--council NCC] [--service slug …]``.

Council IT adds a partner system from the shell; its API key (and the secret that signs its
event feed) is printed once and never again — only a digest is kept. Running it again for a
name that exists is refused (rotate the key in the admin instead), so it cannot silently hand
out a second key.
"""

from django.core.management.base import BaseCommand, CommandError

from services.actions.partners import create_partner
from services.models import Council, Feed, Partner, Service


class Command(BaseCommand):
    help = "Add a partner system (FixMyStreet, a council back office) and print its key once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Shown as the origin of its cases, e.g. FixMyStreet.")
        parser.add_argument(
            "--council",
            action="append",
            required=True,
            metavar="CODE",
            help="A council (jurisdiction) it may send to; repeat for several.",
        )
        parser.add_argument(
            "--service",
            action="append",
            default=[],
            metavar="SLUG",
            help="A service it may send (repeat); none: every public service of its councils.",
        )
        parser.add_argument(
            "--feed",
            action="append",
            default=[],
            choices=Feed.values,
            help="An event it receives on its feed (repeat).",
        )
        parser.add_argument("--feed-url", default="", help="HTTPS address that receives events.")
        parser.add_argument(
            "--rate-limit", type=int, default=120, help="Requests allowed per minute."
        )

    def handle(self, *args, **options):
        name = options["name"].strip()
        if not name:
            raise CommandError("The partner needs a name.")
        if Partner.objects.filter(name__iexact=name).exists():
            raise CommandError(f"A partner called {name!r} exists: rotate its key in the admin.")
        codes = [code.strip().upper() for code in options["council"]]
        councils = list(Council.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {c.code for c in councils})
        if missing:
            raise CommandError("No such council: " + ", ".join(missing))
        slugs = options["service"]
        services = list(Service.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {s.slug for s in services})
        if unknown:
            raise CommandError("No such service: " + ", ".join(unknown))
        feed_url = options["feed_url"].strip()
        if options["feed"] and not feed_url.startswith("https://"):
            raise CommandError("Events need --feed-url, an https:// address.")
        if options["rate_limit"] < 1:
            raise CommandError("--rate-limit must be at least 1.")
        new = create_partner(
            name,
            councils,
            services=services,
            feeds=list(dict.fromkeys(options["feed"])),
            feed_url=feed_url,
            rate_limit=options["rate_limit"],
        )
        partner = new.partner
        self.stdout.write(f"Partner {partner.name} ({partner.slug}) for {', '.join(codes)}.")
        self.stdout.write("API key (shown once; keep it in the partner's configuration):")
        self.stdout.write(new.api_key)
        if feed_url:
            self.stdout.write("Feed signing secret (shown once):")
            self.stdout.write(new.feed_secret)
