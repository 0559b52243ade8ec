"""Write the demo data. Each ``ensure_*`` creates what is missing and leaves the rest alone."""

import secrets
from io import StringIO

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from channels.counter.models import Desk
from portal.apply.demo import ensure_apply_pages
from portal.demo import catalogue as data
from portal.demo import content
from portal.demo import translations as translated
from portal.demo.search import ensure_search_demo
from portal.pages.models import (
    CouncilPage,
    HomePage,
    OfficeIndexPage,
    OfficePage,
    ServicePage,
    StandardPage,
    TopicPage,
)
from services.models import (
    ContactPoint,
    Council,
    Office,
    OpeningHours,
    ReferralBody,
    Service,
    ServiceGroup,
    StaffProfile,
    Team,
)


class DemoLoader:
    def __init__(self, stdout, *, random_passwords: bool = False, pages: bool = True):
        self.out = stdout
        self.random_passwords = random_passwords
        self.pages = pages
        self.created = 0

    def say(self, text):
        self.out.write(text)

    def run(self):
        with transaction.atomic():
            self.ensure_councils()
            self.ensure_offices()
            self.ensure_teams()
            self.ensure_catalogue()
            self.ensure_contact_points()
            self.ensure_templates()
            self.ensure_translator_permissions()
            if self.pages:
                self.ensure_pages()
        ensure_search_demo(self.say)  # site search synonyms and promotions
        if not Desk.objects.exists():  # three numbered desks per one-stop shop
            call_command("counter_desks", "--count", "3", stdout=StringIO())
        credentials = self.ensure_staff()
        return credentials

    # --- catalogue -------------------------------------------------------------------------
    def _get_or_create(self, model, lookup, defaults):
        obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
        if created:
            self.created += 1
        return obj

    def ensure_councils(self):
        self.councils = {}
        for row in data.COUNCILS:
            council = self._get_or_create(
                Council, {"code": row["code"]}, {k: v for k, v in row.items() if k != "code"}
            )
            self.councils[row["code"]] = council

    def ensure_offices(self):
        self.offices = {}
        for row in data.OFFICES:
            defaults = {
                k: v for k, v in row.items() if k not in ("slug", "council", "hours", "serves")
            }
            defaults["council"] = self.councils[row["council"]]
            office = self._get_or_create(Office, {"slug": row["slug"]}, defaults)
            if not office.opening_hours.exists():
                OpeningHours.objects.bulk_create(
                    OpeningHours(office=office, weekday=d, opens=o, closes=c)
                    for d, o, c in row["hours"]
                )
            for code in row.get("serves", ()):
                office.serves.add(self.councils[code])  # adding twice changes nothing
            self.offices[row["slug"]] = office

    def ensure_teams(self):
        self.teams = {}
        for council, office, slug, name in data.TEAMS:
            self.teams[slug] = self._get_or_create(
                Team,
                {"slug": slug},
                {"council": self.councils[council], "office": self.offices[office], "name": name},
            )

    def ensure_catalogue(self):
        self.groups = {}
        for order, (slug, name, _intro) in enumerate(data.GROUPS):
            self.groups[slug] = self._get_or_create(
                ServiceGroup, {"slug": slug}, {"name": name, "order": order}
            )
        bodies = []
        for slug, name, districts, website, phone in data.REFERRAL_BODIES:
            body = self._get_or_create(
                ReferralBody,
                {"slug": slug},
                {"name": name, "postcode_districts": districts, "website": website, "phone": phone},
            )
            if not body.phone:  # a demo database from before the bodies had numbers
                body.phone = phone
                body.save(update_fields=["phone"])
            bodies.append(body)
        self.services = {}
        for (
            slug,
            name,
            group,
            responsible,
            delivering,
            team,
            joint,
            restricted,
            sla,
            channels,
            referral,
            keywords,
            summary,
        ) in data.SERVICES:
            service, created = Service.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "group": self.groups[group],
                    "summary": summary,
                    "responsible_council": self.councils.get(responsible),
                    "delivering_council": self.councils.get(delivering),
                    "delivering_team": self.teams.get(team),
                    "joint": joint,
                    "restricted": restricted,
                    "sla_days": sla,
                    "channels": channels,
                    "keywords": keywords,
                },
            )
            if created:
                self.created += 1
                if referral:
                    service.referral_bodies.set(bodies)
            self.services[slug] = service
        for one, other in data.COUNTERPARTS:
            service = self.services[one]
            if not service.counterparts.exists():  # editors' choices are kept
                service.counterparts.add(self.services[other])
        for office_slug, slugs in data.OFFICE_SERVICES.items():
            office = self.offices[office_slug]
            if office.services.exists():
                continue
            chosen = (
                [s for s in self.services.values() if s.active and not s.is_referral]
                if slugs is None
                else [self.services[s] for s in slugs]
            )
            office.services.set(chosen)

    def ensure_contact_points(self):
        for channel, address, council, service, label in data.CONTACT_POINTS:
            self._get_or_create(
                ContactPoint,
                {"channel": channel, "address": address},
                {
                    "council": self.councils[council],
                    "service": self.services.get(service),
                    "label": label,
                },
            )

    def ensure_templates(self):
        """Every shipped language's message templates; editors' changes are kept."""
        out = StringIO()
        call_command("load_message_templates", stdout=out)
        self.say(out.getvalue().strip().splitlines()[-1])

    # --- pages -----------------------------------------------------------------------------
    def _child(self, parent, model, slug, **fields):
        existing = Page.objects.child_of(parent).filter(slug=slug).first()
        if existing is not None:
            return existing.specific
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        self.created += 1
        return page

    def ensure_pages(self):
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.get_first_root_node()
        if root is None:  # a database flushed by tests, or built without Wagtail's data migration
            root = Page.add_root(
                instance=Page(
                    title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
                )
            )
        home = HomePage.objects.first()
        if home is None:
            home = HomePage(
                title=content.HOME["title"], slug="portal-home", intro=content.HOME["intro"]
            )
            root.add_child(instance=home)
            self.created += 1
            site = Site.objects.filter(is_default_site=True).first()
            old_root = site.root_page if site else None
            if site is None:
                Site.objects.create(
                    hostname="localhost",
                    port=80,
                    root_page=home,
                    is_default_site=True,
                    site_name="MK and Northamptonshire",
                )
            else:
                site.root_page = home
                site.site_name = "MK and Northamptonshire"
                site.save()
            if (
                old_root is not None
                and old_root.pk != home.pk
                and not isinstance(old_root.specific, HomePage)
            ):
                old_root.delete()
        for code, page_content in content.COUNCILS.items():
            self._child(
                home,
                CouncilPage,
                page_content["slug"],
                title=self.councils[code].name,
                council=self.councils[code],
                intro=page_content["intro"],
                body=page_content["body"],
            )
        for slug, name, intro in data.GROUPS:
            topic = self._child(
                home, TopicPage, slug, title=name, group=self.groups[slug], intro=intro
            )
            for service in self.services.values():
                if service.group_id != self.groups[slug].pk:
                    continue
                self._child(
                    topic,
                    ServicePage,
                    slugify(service.name),
                    title=service.name,
                    service=service,
                    summary=service.summary,
                    body=content.service_body(service),
                )
        offices_index = self._child(
            home,
            OfficeIndexPage,
            "offices",
            title="Contact us and opening hours",
            intro=content.OFFICES_INTRO,
        )
        for office in self.offices.values():
            if office.kind == Office.Kind.BACK_OFFICE:
                continue
            self._child(
                offices_index,
                OfficePage,
                office.slug,
                title=office.name,
                office=office,
                intro=content.office_intro(office),
            )
        for slug, page_content in content.STANDARD_PAGES.items():
            self._child(
                home,
                StandardPage,
                slug,
                title=page_content["title"],
                intro=page_content["intro"],
                body=page_content["body"],
            )
        if not home.top_tasks:
            tasks = []
            for slug, description in content.TOP_TASKS:
                page = ServicePage.objects.filter(service__slug=slug).first()
                if page:
                    tasks.append(("task", {"page": page, "description": description}))
            home.top_tasks = tasks
            home.save()
        self.created += ensure_apply_pages()
        self.ensure_translations(home)

    def ensure_translations(self, home):
        """The home page, one topic and one service page in every other language.

        Made as editors make them (``copy_for_translation``, then the translated text, then
        publish), so they are ordinary translations: editable, and with a revision history.
        Every other page stays English-only and shows the fallback notice.
        """
        topic = TopicPage.objects.filter(slug=translated.TOPIC_SLUG, locale=home.locale).first()
        service = ServicePage.objects.filter(
            service__slug=translated.SERVICE_SLUG, locale=home.locale
        ).first()
        for code, _name in settings.LANGUAGES:
            locale, _ = Locale.objects.get_or_create(language_code=code)
            if code not in translated.LANGUAGES:
                continue
            home_text = translated.HOME[code]
            descriptions = translated.TOP_TASKS[code]
            tasks = []
            for block in home.top_tasks:
                page = block.value["page"]
                slug = getattr(getattr(page.specific, "service", None), "slug", "")
                tasks.append(
                    (
                        "task",
                        {
                            "page": page,
                            "description": descriptions.get(slug, block.value["description"]),
                        },
                    )
                )
            self._translate(
                home, locale, title=home_text["title"], intro=home_text["intro"], top_tasks=tasks
            )
            if topic is not None:
                self._translate(topic, locale, **translated.TOPIC[code])
                if service is not None:
                    text = translated.SERVICE[code]
                    self._translate(
                        service,
                        locale,
                        title=text["title"],
                        summary=text["summary"],
                        body=translated.service_body(code),
                    )

    def ensure_translator_permissions(self):
        """Wagtail's editor groups may translate pages and edit message templates."""
        permissions = Permission.objects.filter(
            Q(content_type__app_label="simple_translation", codename="submit_translation")
            | Q(
                content_type__app_label="services",
                codename__in=[
                    "add_messagetemplate",
                    "change_messagetemplate",
                    "view_messagetemplate",
                ],
            )
        )
        for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
            group.permissions.add(*permissions)

    def _translate(self, page, locale, **fields):
        if page.get_translation_or_none(locale) is not None:
            return
        translation = page.copy_for_translation(locale).specific
        for name, value in fields.items():
            setattr(translation, name, value)
        translation.save_revision().publish()
        self.created += 1

    # --- staff -----------------------------------------------------------------------------
    def ensure_staff(self):
        User = get_user_model()
        credentials = []
        for email, first, last, council, office, teams, role, group in data.STAFF:
            if User.objects.filter(email__iexact=email).exists():
                continue
            password = secrets.token_urlsafe(12) if self.random_passwords else data.DEMO_PASSWORD
            with transaction.atomic():
                user = User.objects.create_user(
                    username=email,
                    email=email,
                    password=password,
                    first_name=first,
                    last_name=last,
                    is_staff=True,
                    is_superuser=group == "superuser",
                )
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                profile = StaffProfile.objects.create(
                    user=user,
                    council=self.councils[council],
                    office=self.offices[office],
                    role=role,
                )
                profile.teams.set([self.teams[t] for t in teams])
                if group and group != "superuser":
                    wagtail_group = Group.objects.filter(name=group).first()
                    if wagtail_group:
                        user.groups.add(wagtail_group)
            self.created += 1
            credentials.append((email, password, role, council))
        self.ensure_voice_agents()
        return credentials

    def ensure_voice_agents(self):
        """The demo agent's softphone row, speaking Polish (kept if it exists already)."""
        from channels.voice.agents import agent_for  # noqa: PLC0415 - the channel, at load time
        from channels.voice.models import Agent  # noqa: PLC0415

        User = get_user_model()
        for email, languages in data.VOICE_AGENTS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                continue
            agent = agent_for(user)
            if not agent.languages:
                Agent.objects.filter(pk=agent.pk).update(languages=languages)
