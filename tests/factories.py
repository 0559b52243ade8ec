"""factory_boy factories for the domain. Build what a test needs, nothing more."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from services import reference
from services.models import (
    Case,
    Channel,
    Council,
    Office,
    Resident,
    Role,
    Service,
    ServiceGroup,
    StaffProfile,
    Status,
    Team,
)
from services.sla import WorkingCalendar


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} Council")
    short_name = factory.LazyAttribute(lambda o: o.code)


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Office {n}")
    slug = factory.Sequence(lambda n: f"office-{n}")
    kind = Office.Kind.ONE_STOP_SHOP


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    council = factory.SubFactory(CouncilFactory)
    office = None
    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class ServiceGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceGroup
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    group = factory.SubFactory(ServiceGroupFactory)
    responsible_council = factory.SubFactory(CouncilFactory)
    delivering_team = factory.LazyAttribute(
        lambda o: TeamFactory(council=o.responsible_council) if o.responsible_council else None
    )
    sla_days = 5


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"resident{n}@example.com")
    email_verified = True
    phone = factory.Sequence(lambda n: f"+4474001{n:05d}")
    phone_verified = True
    postcode = "MK9 3EJ"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.LazyAttribute(lambda o: o.username)
    password = factory.PostGenerationMethodCall("set_password", "password")
    is_staff = False

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_staff(council, *, role=Role.CASEWORKER, teams=(), office=None, **user_fields):
    user = UserFactory(is_staff=True, **user_fields)
    profile = StaffProfile.objects.create(user=user, council=council, office=office, role=role)
    profile.teams.set(teams)
    return user


def make_case(service=None, resident=None, *, status=Status.RECEIVED, created_at=None, **fields):
    """A case written directly (bypassing intake), for tests of reading and permissions."""
    service = service or ServiceFactory()
    resident = resident or ResidentFactory()
    created_at = created_at or timezone.now()
    council = service.delivering_council or service.responsible_council
    case = Case(
        reference=reference.allocate(1)[0],
        service=service,
        responsible_council=service.responsible_council,
        delivering_council=council,
        resident=resident,
        origin_channel=fields.pop("origin_channel", Channel.WEB),
        status=status,
        team=fields.pop("team", service.delivering_team),
        summary=fields.pop("summary", "A test case"),
        created_at=created_at,
        due_at=WorkingCalendar.for_council(council).due(created_at, service.sla_days),
        **fields,
    )
    case.save()
    return case
