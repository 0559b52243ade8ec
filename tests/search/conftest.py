"""The search world: two councils, joint and restricted services, residents with awkward names.

``backend`` is parametrised: every behavioural test runs against the database backend, and
against Elasticsearch when ``ELASTICSEARCH_URL`` points at a server (skipped otherwise). The
data is indexed the way production indexes it: saved in a transaction, indexed by the tasks
the signals enqueue when it commits. Nothing about either backend is patched.
"""

import os
import uuid
from dataclasses import dataclass

import pytest

from search.backends.base import SearchBackend, _backend
from services.models import Role
from tests.factories import (
    CouncilFactory,
    OfficeFactory,
    ResidentFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
    make_case,
    make_staff,
)

DATABASE = "search.backends.database.DatabaseBackend"
ELASTICSEARCH = "search.backends.elasticsearch.ElasticsearchBackend"


@pytest.fixture(params=["database", "elasticsearch"])
def backend(request, db, settings) -> SearchBackend:
    if request.param == "database":
        settings.PORTAL_SEARCH_BACKEND = DATABASE
        _backend.cache_clear()
        yield _backend(DATABASE)
        _backend.cache_clear()
        return
    url = os.environ.get("ELASTICSEARCH_URL", "")
    if not url:
        pytest.skip("set ELASTICSEARCH_URL to run the suite against Elasticsearch")
    settings.ELASTICSEARCH_URL = url
    settings.PORTAL_SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:8]}"
    settings.PORTAL_SEARCH_BACKEND = ELASTICSEARCH
    _backend.cache_clear()
    engine = _backend(ELASTICSEARCH)
    engine.create_indices()
    yield engine
    engine.drop_indices()
    _backend.cache_clear()


@dataclass
class World:
    mkc: object
    ncc: object
    bins: object
    roads: object
    joint: object
    social: object
    social_team: object
    mohammed: object
    katherine: object
    smith: object
    hidden_resident: object
    bin_case: object
    road_case: object
    joint_case: object
    social_case: object
    mk_staff: object
    ncc_staff: object
    social_worker: object
    joint_agent: object
    auditor: object
    resident_user: object


@pytest.fixture
def world(backend, django_capture_on_commit_callbacks) -> World:
    with django_capture_on_commit_callbacks(execute=True):
        mkc = CouncilFactory(code="MKC", name="Milton Keynes City Council")
        ncc = CouncilFactory(code="NCC", name="Northamptonshire County Council")
        bins = ServiceFactory(name="Missed bin collection", responsible_council=mkc)
        roads = ServiceFactory(name="Report a pothole", responsible_council=ncc)
        joint = ServiceFactory(name="Blue badge", responsible_council=ncc, joint=True)
        social_team = TeamFactory(council=mkc, name="Adult social care")
        social = ServiceFactory(
            name="Adult social care assessment",
            responsible_council=mkc,
            delivering_team=social_team,
            restricted=True,
        )
        mohammed = ResidentFactory(
            name="Mohammed Khan",
            phone="+447400111222",
            email="m.khan@example.com",
            postcode="MK9 3EJ",
            address="12 Silbury Boulevard, Milton Keynes",
        )
        katherine = ResidentFactory(
            name="Katherine Jones",
            phone="+441604555666",
            email="kjones@example.org",
            postcode="NN1 1AA",
            address="3 Guildhall Road, Northampton",
        )
        smith = ResidentFactory(
            name="Peter Smith",
            phone="+447400333444",
            postcode="MK6 2LX",
            address="7 Saxon Gate, Milton Keynes",
        )
        hidden_resident = ResidentFactory(
            name="Zebedee Quarrington",
            phone="+447400222333",
            postcode="NN4 5EE",
            address="1 Hidden Lane",
        )
        bin_case = make_case(
            bins,
            mohammed,
            summary="Green bin not emptied",
            description="The garden waste bin was missed again on Tuesday.",
        )
        road_case = make_case(
            roads,
            katherine,
            summary="Pothole outside the school",
            description="A deep pothole on Guildhall Road damaged my tyre.",
            postcode="NN1 1DE",
        )
        joint_case = make_case(joint, smith, summary="Blue badge renewal")
        social_case = make_case(
            social,
            hidden_resident,
            summary="Carer assessment request",
            description="Needs help with washing and dressing; daughter is the carer.",
        )
        mk_staff = make_staff(mkc, role=Role.AGENT)
        ncc_staff = make_staff(ncc, role=Role.AGENT)
        social_worker = make_staff(mkc, teams=[social_team])
        # Joint working: an agent of the MKC contact centre, which serves both councils.
        joint_centre = OfficeFactory(council=mkc, kind="contact_centre")
        joint_centre.serves.set([ncc])
        joint_agent = make_staff(mkc, role=Role.AGENT, office=joint_centre)
        auditor = UserFactory(is_staff=True, is_superuser=True)
        resident_user = UserFactory()
    if hasattr(backend, "refresh"):
        backend.refresh()
    return World(**{k: v for k, v in locals().items() if k in World.__dataclass_fields__})
