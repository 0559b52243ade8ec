"""Council IT gives a partner its staff account from the shell; the API then acts as it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from services import permissions
from services.actions.partners import create_partner
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_a_partner_gets_a_staff_account_and_sees_what_it_would_see(world, cases):
    new = create_partner("Highways system", [world.ncc])
    api = Client(headers={"Authorization": f"Bearer {new.api_key}"})
    assert api.get("/api/v1/cases/").status_code == 403  # no staff account yet
    out = StringIO()
    call_command(
        "partner_staff_account",
        new.partner.slug,
        "--council",
        "ncc",
        "--team",
        "ncc-highways",
        stdout=out,
    )
    assert "caseworker at NCC, teams ncc-highways" in out.getvalue()
    new.partner.refresh_from_db()
    user = new.partner.user
    assert user.is_staff and not user.has_usable_password()
    listed = {row["reference"] for row in api.get("/api/v1/cases/").json()["results"]}
    assert listed == {cases.pothole.reference}
    assert listed == set(permissions.visible_cases(user).values_list("reference", flat=True))
    # Reshaped, not duplicated: into the social-care team it also sees the restricted case.
    call_command(
        "partner_staff_account",
        new.partner.slug,
        "--council",
        "NCC",
        "--team",
        "ncc-social-care",
        stdout=StringIO(),
    )
    new.partner.refresh_from_db()
    assert new.partner.user == user
    care = make_case(world.social)
    listed = {row["reference"] for row in api.get("/api/v1/cases/").json()["results"]}
    assert cases.social.reference in listed and care.reference in listed


@pytest.mark.parametrize(
    "args",
    [
        ["nobody", "--council", "MKC"],
        ["mk-waste-system", "--council", "XX"],
        ["mk-waste-system", "--council", "MKC", "--team", "nope"],
        ["mk-waste-system", "--council", "MKC", "--office", "nope"],
    ],
)
def test_unknown_names_are_refused(world, args):
    with pytest.raises(CommandError):
        call_command("partner_staff_account", *args, stdout=StringIO())
