"""What Open311 shows of the catalogue: a jurisdiction's public services and their questions.

A jurisdiction is a council (``jurisdiction_id`` is its code, any case). Its services are the
active ones it is responsible for, and every joint service (offered to residents of both
councils). Restricted services (social care) are never listed, never accepted and never
reported on; referral services (another body's) are not this council's to take.

A service's Open311 attributes are the questions of its apply-online page
(``services.questions``), plus ``fixmystreet_id``, which FixMyStreet fills in itself
("server_set") with its own report id: that is what makes a repeated report find the first
case. Questions about the resident's email or phone are left out (Open311 sends those as
``email`` and ``phone``), and location questions are never required (a report's place comes as
``lat``/``long`` or ``address_string``).
"""

from django.db.models import Q, QuerySet

from channels.open311.errors import Open311Error
from services import lookups, questions
from services.models import Council, Partner, Service

# Attributes a partner sets itself to name its own report (the first one found is used).
PARTNER_ID_ATTRIBUTES = ("fixmystreet_id",)
NOT_ASKED = (questions.EMAIL, questions.PHONE, questions.FILE)
LOCATION = (questions.POSTCODE, questions.ADDRESS)
DATATYPES = {
    questions.TEXT: "string",
    questions.LONG_TEXT: "text",
    questions.NUMBER: "number",
    questions.DATE: "datetime",
    questions.CHOICE: "singlevaluelist",
    questions.POSTCODE: "string",
    questions.ADDRESS: "string",
}
# How long an answer may be, by kind (the same as the web form's fields).
MAX_LENGTHS = {questions.TEXT: 255, questions.LONG_TEXT: 5000, questions.ADDRESS: 500}


def jurisdiction(code: str | None, partner: Partner | None = None) -> Council:
    """The council named by ``jurisdiction_id``; when it is missing, the only one there is
    (the partner's only council, or the catalogue's)."""
    councils = lookups.councils_by_code()
    code = (code or "").strip().upper()
    if not code:
        own = list(partner.councils.all()) if partner is not None else list(councils.values())
        if len(own) == 1:
            return own[0]
        raise Open311Error(400, "jurisdiction_id is required: " + ", ".join(sorted(councils)))
    council = councils.get(code)
    if council is None:
        raise Open311Error(404, f"jurisdiction_id {code[:20]!r} is not a jurisdiction here.")
    if partner is not None and not partner.councils.filter(pk=council.pk).exists():
        raise Open311Error(403, f"This api_key may not be used for jurisdiction {council.code}.")
    return council


def public_services(council: Council) -> QuerySet[Service]:
    return (
        Service.objects.filter(active=True, restricted=False, responsible_council__isnull=False)
        .filter(Q(responsible_council=council) | Q(joint=True))
        .select_related("group")
        .order_by("group__order", "name")
    )


def allowed_services(council: Council, partner: Partner) -> QuerySet[Service]:
    """The public services ``partner`` may send to ``council`` (all of them when its list of
    services is empty)."""
    services = public_services(council)
    if partner.services.exists():
        services = services.filter(pk__in=partner.services.values("pk"))
    return services


def service(council: Council, code: str | None, partner: Partner | None = None) -> Service:
    code = (code or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required.")
    services = allowed_services(council, partner) if partner else public_services(council)
    found = services.filter(slug=code[:160]).first()
    if found is None:
        raise Open311Error(
            404 if partner is None else 400,
            f"service_code {code[:80]!r} is not a service of jurisdiction {council.code}"
            + (" that this api_key may send." if partner else "."),
        )
    return found


def service_item(service: Service) -> dict:
    return {
        "service_code": service.slug,
        "service_name": service.name,
        "description": service.summary,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(service.keywords.split()),
        "group": service.group.name,
    }


def asked(service: Service) -> list[questions.Question]:
    """The service's questions a partner answers as attributes."""
    return [q for q in questions.for_service(service) if q.kind not in NOT_ASKED]


def required(question: questions.Question) -> bool:
    return question.required and question.kind not in LOCATION


def definition(service: Service) -> dict:
    attributes = [
        {
            "variable": False,
            "code": PARTNER_ID_ATTRIBUTES[0],
            "datatype": "string",
            "required": False,
            "datatype_description": "The partner's own id for the report (set by FixMyStreet).",
            "order": 0,
            "description": "FixMyStreet report id",
            "automated": "server_set",
        }
    ]
    for question in asked(service):
        attribute = {
            "variable": True,
            "code": question.code,
            "datatype": DATATYPES[question.kind],
            "required": required(question),
            "datatype_description": question.help_text,
            "order": question.order,
            "description": question.label,
        }
        if question.kind == questions.CHOICE:
            attribute["values"] = [{"key": key, "name": name} for key, name in question.choices]
        attributes.append(attribute)
    return {"service_code": service.slug, "attributes": attributes}
