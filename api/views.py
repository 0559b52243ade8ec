"""The case API's views: thin. Each reads through ``services.permissions`` (in the query) and
changes state only through ``services.actions.cases``, as the desk's views do.

Every call — refused ones too — is logged as a ``PartnerCall`` (``finalize_response``), and
rate limited per partner (``api.throttling``). Answers are JSON only (no browsable API: its
pages carry inline script, which our CSP forbids).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.authentication import PartnerKeyAuthentication
from api.errors import Conflict, exception_handler
from api.permissions import ActsAsStaff
from api.throttling import PartnerRateThrottle
from desk.queue import encode_cursor, filtered_cases
from services import permissions, reference, workflow
from services.actions import cases as actions
from services.actions import partners
from services.models import Case, Partner, TimelineEvent

ERRORS = {
    400: OpenApiResponse(s.Error, description="The request has errors (see errors)."),
    401: OpenApiResponse(s.Error, description="No API key, or a wrong one."),
    403: OpenApiResponse(s.Error, description="This system may not do this."),
    404: OpenApiResponse(s.Error, description="No such case that this system may see."),
    406: OpenApiResponse(s.Error, description="Only application/json is offered."),
    429: OpenApiResponse(s.Error, description="Over the partner's rate limit."),
}
READ_ERRORS = {code: ERRORS[code] for code in (400, 401, 403, 404, 406, 429)}
WRITE_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(s.Error, description="The case's status does not allow it."),
    415: OpenApiResponse(s.Error, description="Send application/json."),
}

CASE_RELATIONS = (
    "service",
    "responsible_council",
    "delivering_council",
    "team",
    "office",
)


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class PartnerView(APIView):
    """A partner's call: key authentication, staff permission, rate limit, logged."""

    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [ActsAsStaff]
    throttle_classes = [PartnerRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        try:
            partner = request.auth
        except exceptions.APIException:
            partner = None
        partners.log_call(
            partner if isinstance(partner, Partner) else None,
            method=request.method,
            path=request.get_full_path(),
            status_code=response.status_code,
            remote_addr=_client_ip(request),
            detail={"view": type(self).__name__},
        )
        return response

    def case(self, text: str, *relations) -> Case:
        """The case with this reference if this system may see it; a 404 otherwise."""
        try:
            ref = reference.normalise(text)
        except reference.InvalidReference as error:
            raise Http404(str(error)) from error
        case = (
            permissions.visible_cases(self.request.user)
            .select_related(*CASE_RELATIONS, *relations)
            .filter(reference=ref)
            .first()
        )
        if case is None:
            raise Http404(
                _("There is no case %(reference)s that you may see.") % {"reference": ref}
            )
        return case

    def act(self, function, *args, **kwargs):
        """Run a case action; its refusals become 403 (permission) and 409 (workflow)."""
        try:
            return function(*args, **kwargs)
        except workflow.TransitionNotAllowed as error:
            raise Conflict(str(error)) from error
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        except ValueError as error:
            raise exceptions.ValidationError({"detail": [str(error)]}) from error

    def detail(self, case: Case, *, code=status.HTTP_200_OK) -> Response:
        case = self.case(case.reference, "resident", "referral_body", "merged_into")
        return Response(
            s.CaseDetail(case, context={"request": self.request}).data,
            status=code,
        )


class Me(PartnerView):
    @extend_schema(
        operation_id="me",
        summary="Who this key is",
        description="The partner, and the staff account (council, role, teams) it acts as.",
        responses={200: s.Me, **{c: ERRORS[c] for c in (401, 403, 406, 429)}},
        tags=["partner"],
    )
    def get(self, request):
        partner = request.auth
        profile = permissions.staff_profile(request.user)
        return Response(
            s.Me(
                {
                    "partner": partner.name,
                    "slug": partner.slug,
                    "council": profile.council.code if profile else "",
                    "role": profile.role if profile else "",
                    "teams": list(profile.teams.values_list("slug", flat=True)) if profile else [],
                    "rate_limit": partner.rate_limit,
                    "feeds": [str(f) for f in partner.feeds or []],
                }
            ).data
        )


class CaseList(PartnerView):
    @extend_schema(
        operation_id="cases_list",
        summary="List and filter cases",
        description=(
            "The cases this system may see, most urgent first (due soonest; cases without a "
            "due time last), with the desk queue's filters. Pages are cut by a keyset cursor: "
            "pass `next_cursor` as `after` for the next page."
        ),
        parameters=[s.CaseFilter],
        responses={200: s.CasePage, **READ_ERRORS},
        tags=["cases"],
    )
    def get(self, request):
        query = s.CaseFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        limit, cursor = data.pop("limit"), data.pop("after", None)
        now = timezone.now()
        cases = filtered_cases(request.user, data, now).select_related(*CASE_RELATIONS)
        want = limit + 1
        rows: list[Case] = []
        if cursor is None or cursor[0] is not None:
            dated = cases.filter(due_at__isnull=False)
            if cursor is not None:
                due, last_id = cursor
                # As the desk: due_at >= d narrows the index range; the OR trims the ties.
                dated = dated.filter(Q(due_at__gte=due), Q(due_at__gt=due) | Q(id__gt=last_id))
            rows = list(dated.order_by("due_at", "id")[:want])
        if len(rows) < want:
            undated = cases.filter(due_at__isnull=True)
            if cursor is not None and cursor[0] is None:
                undated = undated.filter(id__gt=cursor[1])
            rows += list(undated.order_by("id")[: want - len(rows)])
        next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
        rows = rows[:limit]
        next_url = None
        if next_cursor:
            params = request.query_params.copy()
            params["after"] = next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        context = {"request": request, "now": now}
        return Response(
            {
                "results": s.CaseSummary(rows, many=True, context=context).data,
                "next_cursor": next_cursor,
                "next": next_url,
            }
        )


class CaseDetail(PartnerView):
    @extend_schema(
        operation_id="cases_read",
        summary="Read a case",
        description=(
            "One case, with the resident as the desk shows them to the same staff account. "
            "The read is recorded as a view of the case, as the desk's case page is."
        ),
        responses={200: s.CaseDetail, **{c: ERRORS[c] for c in (401, 403, 404, 406, 429)}},
        tags=["cases"],
    )
    def get(self, request, reference: str):
        case = self.case(reference)
        actions.record_view(request.user, case)
        return self.detail(case)


class CaseTimeline(PartnerView):
    @extend_schema(
        operation_id="cases_timeline",
        summary="A case's public timeline",
        description="What the resident sees on their case page, oldest first.",
        parameters=[s.TimelineFilter],
        responses={200: s.TimelinePage, **READ_ERRORS},
        tags=["cases"],
    )
    def get(self, request, reference: str):
        case = self.case(reference)
        query = s.TimelineFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        events = TimelineEvent.objects.filter(case=case, visible_to_resident=True)
        if "after" in query.validated_data:
            events = events.filter(id__gt=query.validated_data["after"])
        rows = list(events.order_by("id")[: limit + 1])
        next_cursor = str(rows[limit - 1].pk) if len(rows) > limit else None
        return Response(
            {"results": s.PublicEvent(rows[:limit], many=True).data, "next_cursor": next_cursor}
        )


class CaseStatus(PartnerView):
    @extend_schema(
        operation_id="cases_status",
        summary="Change a case's status",
        description=(
            "Along the workflow's transitions (a move it does not allow is a 409). The "
            "resident is told of the changes they hear about, with the note."
        ),
        request=s.StatusChange,
        responses={200: s.CaseDetail, **WRITE_ERRORS},
        tags=["cases"],
    )
    def post(self, request, reference: str):
        case = self.case(reference)
        body = s.StatusChange(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = self.act(
            actions.change_status,
            request.user,
            case,
            data["status"],
            note=data["note"],
            notify=data["notify"],
        )
        return self.detail(case)


class CaseOutcome(PartnerView):
    @extend_schema(
        operation_id="cases_outcome",
        summary="Record the outcome",
        description=(
            "The back-office system's result: the case moves to resolved (or closed) and "
            "the resident is sent the outcome in these words."
        ),
        request=s.Outcome,
        responses={200: s.CaseDetail, **WRITE_ERRORS},
        tags=["cases"],
    )
    def post(self, request, reference: str):
        case = self.case(reference)
        body = s.Outcome(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = self.act(
            actions.change_status,
            request.user,
            case,
            data["status"],
            note=data["outcome"].strip(),
            visible_to_resident=True,
        )
        return self.detail(case)


class CaseNote(PartnerView):
    @extend_schema(
        operation_id="cases_note",
        summary="Add an internal note",
        description="On the case's timeline for staff; the resident does not see it.",
        request=s.Note,
        responses={201: s.NoteCreated, **WRITE_ERRORS},
        tags=["cases"],
    )
    def post(self, request, reference: str):
        case = self.case(reference)
        body = s.Note(data=request.data)
        body.is_valid(raise_exception=True)
        text = body.validated_data["text"].strip()
        self.act(actions.add_note, request.user, case, text)
        return Response(
            s.NoteCreated(
                {"reference": case.reference, "text": text, "created_at": timezone.now()}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class CaseTransfer(PartnerView):
    @extend_schema(
        operation_id="cases_transfer",
        summary="Transfer a case",
        description=(
            "To another team, office or council; the reference stays. Afterwards this "
            "system may no longer see the case (`visible`)."
        ),
        request=s.Transfer,
        responses={200: s.Transferred, **WRITE_ERRORS},
        tags=["cases"],
    )
    def post(self, request, reference: str):
        case = self.case(reference)
        body = s.Transfer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = self.act(
            actions.transfer,
            request.user,
            case,
            team=data.get("team"),
            office=data.get("office"),
            council=data.get("council"),
            note=data["note"],
        )
        return Response(
            s.Transferred(
                {
                    "reference": case.reference,
                    "delivering_council": case.delivering_council.code
                    if case.delivering_council
                    else None,
                    "team": case.team.slug if case.team else None,
                    "office": case.office.slug if case.office else None,
                    "visible": permissions.can_view_case(request.user, case),
                }
            ).data
        )
