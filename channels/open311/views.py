"""Open311 GeoReport v2 endpoints (``/open311/v2/``), XML or JSON by suffix.

One base view does what every endpoint needs, in order: the format from the suffix, the
partner from ``api_key`` (a key that is given and wrong is a 403 everywhere; POSTs and
``servicerequestupdates`` need one), the partner's rate limit (``Partner.rate_limit`` per
minute; anonymous GETs per address), the endpoint's own work, errors in the spec's shape, and
a ``PartnerCall`` row for every call, refused ones too. Views only read and answer; every
write is ``services.actions`` (intake, partner call log) called from ``channels.open311.receive``.

Partners authenticate with their key, not a session, so these views are exempt from CSRF
(there is no cookie to ride on).
"""

import datetime

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from channels.open311 import catalogue, formats, public, receive
from channels.open311.errors import Open311Error
from services import reference as references
from services.actions import partners, ratelimit
from services.models import Partner, TimelineEvent

ANONYMOUS_RATE = 120  # requests per minute per address, without a key (GET services, requests)


@method_decorator(csrf_exempt, name="dispatch")
class Open311View(View):
    http_method_names = ["get", "post"]
    key_required_for = ("POST",)

    def dispatch(self, request, *args, **kwargs):
        self.fmt = kwargs.pop("fmt", None) or formats.XML
        self.partner: Partner | None = None
        self.detail: dict = {"format": self.fmt}
        try:
            if request.method.lower() not in self.http_method_names:
                raise Open311Error(405, f"{request.method} is not allowed here.")
            self.authenticate(request)
            self.limit(request)
            response = super().dispatch(request, *args, **kwargs)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            text = f"The request is larger than {limit} bytes."
            self.detail["errors"] = [text]
            response = formats.errors(self.fmt, 400, [text])
        except Open311Error as error:
            self.detail["errors"] = [text[:300] for text in error.descriptions]
            response = formats.errors(self.fmt, error.status, error.descriptions)
            if error.status == 405:
                response["Allow"] = ", ".join(m.upper() for m in self.http_method_names)
        except Exception:
            # Not swallowed: logged as the 500 it becomes, then raised for Django to report.
            partners.log_call(
                self.partner,
                method=request.method,
                path=request.path,
                status_code=500,
                remote_addr=request.META.get("REMOTE_ADDR"),
                detail=self.detail,
            )
            raise
        response["Cache-Control"] = "no-store"
        partners.log_call(
            self.partner,
            method=request.method,
            path=request.path,
            status_code=response.status_code,
            remote_addr=request.META.get("REMOTE_ADDR"),
            detail=self.detail,
        )
        return response

    def authenticate(self, request) -> None:
        data = request.POST if request.method == "POST" else request.GET
        key = data.get("api_key", "")
        if key:
            self.partner = partners.authenticate(key)
            if self.partner is None:
                raise Open311Error(403, "api_key is not valid.")
        elif request.method in self.key_required_for:
            raise Open311Error(403, "api_key is required.")

    def limit(self, request) -> None:
        if self.partner is not None:
            allowed = ratelimit.allow(
                "partner", str(self.partner.pk), limit=self.partner.rate_limit, window=60
            )
        else:
            allowed = ratelimit.allow(
                "open311_ip",
                request.META.get("REMOTE_ADDR", "") or "unknown",
                limit=getattr(settings, "OPEN311_ANONYMOUS_RATE", ANONYMOUS_RATE),
                window=60,
            )
        if not allowed:
            raise Open311Error(429, "Too many requests: try again in a minute.")

    def params(self, request):
        return request.POST if request.method == "POST" else request.GET

    def council(self, request):
        council = catalogue.jurisdiction(self.params(request).get("jurisdiction_id"), self.partner)
        self.detail["jurisdiction"] = council.code
        return council


class ServiceList(Open311View):
    http_method_names = ["get"]

    def get(self, request):
        council = self.council(request)
        items = [catalogue.service_item(s) for s in catalogue.public_services(council)]
        return formats.respond(self.fmt, "services", "service", items)


class ServiceDefinition(Open311View):
    http_method_names = ["get"]

    def get(self, request, code):
        council = self.council(request)
        service = catalogue.service(council, code)
        self.detail["service_code"] = service.slug
        return formats.respond(
            self.fmt, "service_definition", "service_definition", catalogue.definition(service)
        )


class Requests(Open311View):
    def get(self, request):
        council = self.council(request)
        data = request.GET
        cases = public.cases_for(council)
        ids = [i.strip() for i in data.get("service_request_id", "").split(",") if i.strip()]
        if ids:
            if len(ids) > public.MAX_PAGE:
                raise Open311Error(400, f"At most {public.MAX_PAGE} service_request_id values.")
            digits = []
            for value in ids:
                try:
                    digits.append(references.normalise(value))
                except references.InvalidReference:
                    continue  # not ours: simply not found, like any unknown id
            cases = cases.filter(reference__in=digits)
        else:
            start, end = receive.date_range(data)
            if start is None and end is None:
                start = public_default_start()
            if start:
                cases = cases.filter(created_at__gte=start)
            if end:
                cases = cases.filter(created_at__lte=end)
        if data.get("service_code"):
            cases = cases.filter(service__slug=data["service_code"][:160])
        statuses = [s.strip().lower() for s in data.get("status", "").split(",") if s.strip()]
        if statuses:
            if not set(statuses) <= {"open", "closed"}:
                raise Open311Error(400, "status must be open, closed or both (comma-separated).")
            if statuses == ["open"]:
                cases = cases.filter(status__in=public.OPEN_STATUSES)
            elif statuses == ["closed"]:
                cases = cases.exclude(status__in=public.OPEN_STATUSES)
        page = page_number(data)
        size = public.MAX_PAGE
        found = list(cases.order_by("-created_at", "-pk")[(page - 1) * size : page * size])
        self.detail["count"] = len(found)
        return formats.respond(self.fmt, "service_requests", "request", public.request_items(found))

    def post(self, request):
        accepted = receive.submit_request(self.partner, request.POST, request.FILES)
        self.detail.update(
            service_request_id=accepted.case.reference,
            created=accepted.created,
            service_code=accepted.case.service.slug,
        )
        items = [
            {
                "service_request_id": accepted.case.reference,
                "service_notice": "",
                "account_id": request.POST.get("account_id", "")[:100],
            }
        ]
        return formats.respond(
            self.fmt, "service_requests", "request", items, status=201 if accepted.created else 200
        )


class RequestDetail(Open311View):
    http_method_names = ["get"]

    def get(self, request, service_request_id):
        council = self.council(request)
        case = receive.case_for(council, service_request_id)
        self.detail["service_request_id"] = case.reference
        return formats.respond(
            self.fmt, "service_requests", "request", public.request_items([case])
        )


class ServiceRequestUpdates(Open311View):
    key_required_for = ("GET", "POST")

    def get(self, request):
        council = self.council(request)
        start, end = receive.date_range(request.GET)
        events = TimelineEvent.objects.filter(
            public.is_public_event(), case__in=public.cases_for(council)
        ).select_related("case")
        if start:
            events = events.filter(created_at__gte=start)
        if end:
            events = events.filter(created_at__lte=end)
        found = list(events.order_by("created_at", "pk")[: public.MAX_UPDATES])
        self.detail["count"] = len(found)
        return formats.respond(
            self.fmt, "service_request_updates", "request_update", public.update_items(found)
        )

    def post(self, request):
        update_id, created = receive.submit_update(self.partner, request.POST, request.FILES)
        self.detail.update(update_id=update_id, created=created)
        return formats.respond(
            self.fmt,
            "service_request_updates",
            "request_update",
            [{"update_id": str(update_id)}],
            status=201 if created else 200,
        )


def page_number(data) -> int:
    raw = data.get("page", "1").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise Open311Error(400, "page must be a whole number from 1.")
    return int(raw)


def public_default_start():
    """GeoReport v2: without dates, the last 90 days."""
    return timezone.now() - datetime.timedelta(days=90)
