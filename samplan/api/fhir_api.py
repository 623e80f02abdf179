"""/api/fhir/R4/: the plans as HL7 FHIR R4 resources, read and search (docs/api.md).

The REST API's twin (samplan.api.api): the same bearer token (ClientToken), policy
(`plan.view`, `plans_visible_to`), consent limits on goals and interventions and access log
(one entry per plan whose data an answer holds, channel api). Every error is an
OperationOutcome (application/fhir+json), in Swedish or (Accept-Language: en) English.
The resources are built by samplan.api.fhir; the tests validate them with fhir.resources'
R4B models (wire-compatible with R4 for these resources).
"""

import datetime
import uuid
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Min, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, ValidationError

from samplan import policy
from samplan.api import fhir, problems
from samplan.api.api import ClientToken, plan_etag, plan_payload
from samplan.audit.models import AccessLogEntry
from samplan.audit.services import AccessLogUnavailable, access_log_record_many, plan_reads
from samplan.core.parsing import parse_id, parse_ids
from samplan.evaluation.models import InstrumentVersion
from samplan.evaluation.results import answers_for, evaluation_results
from samplan.evaluation.services import OPEN_DAYS
from samplan.people import identity
from samplan.plans import rules
from samplan.plans.access import goals_seen, interventions_seen, plans_visible_to
from samplan.plans.models import (
    Consent,
    Goal,
    Intervention,
    Invitee,
    Meeting,
    Participant,
    Plan,
    PlanEvent,
    PlanVersion,
)

PAGE_DEFAULT = 50
PAGE_MAX = 100
OFFSET_MAX = 1_000_000
RESOURCE_TYPES = (
    "CarePlan",
    "Goal",
    "ServiceRequest",
    "CareTeam",
    "Consent",
    "Appointment",
    "Provenance",
)
COMMON_PARAMS = {"_id", "patient", "_lastUpdated", "_count", "_offset", "_format", "_total"}
# Each type's own search parameters; any other is refused (400), not silently ignored.
SEARCH_PARAMS = {
    "CarePlan": {"status", "category", "_include"},
    "Goal": {"lifecycle-status", "category"},
    "ServiceRequest": {"status"},
    "CareTeam": {"status"},
    "Consent": {"status"},
    "Appointment": {"status"},
    "Provenance": set(),
}
# Types not of one plan each: the evaluation (a questionnaire, answers in aggregate only) and
# the access log's reads of a plan (the end of this module). Read and search only.
OTHER_TYPES = ("Questionnaire", "QuestionnaireResponse", "AuditEvent")
PAGING_PARAMS = {"_count", "_offset", "_format", "_total"}
OTHER_PARAMS = {
    "Questionnaire": {"_id", "url", "version", "status"} | PAGING_PARAMS,
    "QuestionnaireResponse": {"_id", "questionnaire", "authored"} | PAGING_PARAMS,
    "AuditEvent": {"_id", "patient", "entity", "date", "_lastUpdated"} | PAGING_PARAMS,
}
INCLUDES = {"CarePlan:goal"}
JSON_FORMATS = {"json", "application/json", "application/fhir+json"}


class FhirError(Exception):
    """An OperationOutcome answer: HTTP status, issue code, text in the reader's language."""

    def __init__(self, status: int, code: str, text: str, expression: str | None = None):
        super().__init__(text)
        self.status, self.code, self.text, self.expression = status, code, text, expression


def fhir_response(request, body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        body,
        status=status,
        content_type=fhir.CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Language"] = getattr(request, "LANGUAGE_CODE", "sv")
    return response


def outcome(request, status: int, code: str, text: str, expression=None) -> JsonResponse:
    return fhir_response(request, fhir.operation_outcome(code, text, expression=expression), status)


# --- Errors as OperationOutcomes ---------------------------------------------------------------


def _fhir_error(request, exc: FhirError):
    return outcome(request, exc.status, exc.code, exc.text, exc.expression)


def _unauthenticated(request, exc):
    response = outcome(
        request,
        401,
        "login",
        _("A valid bearer access token is needed (it may have expired or been revoked)."),
    )
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _scope_missing(request, exc: problems.ScopeMissing):
    response = outcome(
        request,
        403,
        "forbidden",
        _("The access token does not have the scope %(scope)s.") % {"scope": exc.scope},
    )
    response["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{exc.scope}"'
    return response


def _forbidden(request, exc):
    return outcome(request, 403, "forbidden", _("The client may see this but not do this."))


def _not_found(request, exc):
    return outcome(
        request, 404, "not-found", _("There is no such resource, or the client may not see it.")
    )


def _invalid(request, exc):
    return outcome(request, 400, "invalid", _("One or more parameters are not valid."))


def _unavailable(request, exc):
    response = outcome(
        request,
        503,
        "transient",
        _("The service is temporarily unavailable. Try again in a moment."),
    )
    response["Retry-After"] = "60"
    return response


def _server_error(request, exc):
    problems.logger.exception("FHIR API error at %s", request.path, exc_info=exc)
    return outcome(
        request, 500, "exception", _("Something went wrong in Samplan. The error has been logged.")
    )


fhir_api = NinjaAPI(
    title="Samplan FHIR R4",
    version="R4",
    description="SIP plans as FHIR R4 resources. See docs/api.md.",
    urls_namespace="fhir",
    auth=ClientToken(),
    openapi_url=None,
    docs_url=None,
)
for _exception, _handler in (
    (FhirError, _fhir_error),
    (AuthenticationError, _unauthenticated),
    (problems.ScopeMissing, _scope_missing),
    (AuthorizationError, _forbidden),
    (PermissionDenied, _forbidden),
    (Http404, _not_found),
    (ValidationError, _invalid),
    (AccessLogUnavailable, _unavailable),
    (Exception, _server_error),
):
    fhir_api.add_exception_handler(_exception, _handler)


def outcome_for_wrong_method(view):
    """ninja answers a method an operation lacks with a plain 405; FHIR says so as an
    OperationOutcome (used by samplan.api.urls.classified)."""

    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            refused = outcome(
                request,
                405,
                "not-supported",
                _("This resource does not answer the method %(method)s.")
                % {"method": request.method},
            )
            refused["Allow"] = response.get("Allow", "")
            return refused
        return response

    wrapper.csrf_exempt = getattr(view, "csrf_exempt", False)
    wrapper.__wrapped__ = view
    return wrapper


# --- Parameters --------------------------------------------------------------------------------


def _bad(name: str, text: str) -> FhirError:
    return FhirError(400, "invalid", text, expression=name)


def _int_param(request, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(
            name, _("The parameter %(name)s must be a whole number.") % {"name": name}
        ) from None
    if value < 0:
        raise _bad(name, _("The parameter %(name)s may not be negative.") % {"name": name})
    return min(value, maximum)


def _moment(raw: str, name: str) -> tuple[datetime.datetime, datetime.datetime]:
    """A FHIR date or dateTime as the half-open range of instants it covers."""
    value = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    if value is not None:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value, value + datetime.timedelta(seconds=1)
    try:
        date = parse_date(raw)
    except ValueError:
        date = None
    if date is None:
        raise _bad(name, _("%(value)s is not a date or a time (ISO 8601).") % {"value": raw})
    start = timezone.make_aware(datetime.datetime.combine(date, datetime.time()))
    return start, start + datetime.timedelta(days=1)


def _last_updated_q(request) -> Q:
    """_lastUpdated with the prefixes eq (none), ge, gt, le, lt; repeated for a range."""
    return _date_q("last_updated", _date_conditions(request, "_lastUpdated"))


def _patient_q(raw: str) -> Q:
    """`patient`: an identifier token (system|value, or a bare identity number in any form
    Swedes write it) or the id of Samplan's person record."""
    system, bar, value = raw.rpartition("|")
    if not bar:
        system, value = "", raw
    value = value.strip()
    if system == fhir.PERSON or (not system and _uuid(value)):
        person_id = _uuid(value)
        return Q(person_id=person_id) if person_id else Q(pk__in=[])
    kinds = {v: k for k, v in fhir.IDENTITY_SYSTEMS.items()}
    if system and system not in kinds:
        raise _bad("patient", _("Unknown identifier system %(system)s.") % {"system": system})
    try:
        number = identity.parse_identity_number(value)
        kind, normalized = number.kind, number.value
    except DjangoValidationError:  # not a personnummer: compared as written (reservnummer)
        kind, normalized = None, value
    condition = Q(person__identity_number=normalized)
    if system:
        condition &= Q(person__identity_kind=kinds[system])
    elif kind:
        condition &= Q(person__identity_kind=kind)
    return condition


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _tokens(request, name: str) -> list[str]:
    """A token parameter's codes (comma = or), the system part dropped."""
    codes = []
    for raw in request.GET.getlist(name):
        codes += [part.rpartition("|")[2] for part in raw.split(",") if part]
    return codes


def _check_params(request, resource_type: str, allowed: set | None = None) -> None:
    if allowed is None:
        allowed = COMMON_PARAMS | SEARCH_PARAMS[resource_type]
    for name in request.GET:
        if name not in allowed:
            raise FhirError(
                400,
                "not-supported",
                _("The search parameter %(name)s is not supported for %(type)s.")
                % {"name": name, "type": resource_type},
                expression=name,
            )
    fmt = request.GET.get("_format")
    if fmt is not None and fmt not in JSON_FORMATS:
        raise FhirError(400, "not-supported", _("Only JSON is supported."), expression="_format")
    for value in request.GET.getlist("_include"):
        if value not in INCLUDES:
            raise FhirError(
                400,
                "not-supported",
                _("The include %(value)s is not supported.") % {"value": value},
                expression="_include",
            )


# --- Loading -----------------------------------------------------------------------------------


def _with_parts(plans):
    return plans.select_related(
        "person", "initiating_unit", "overall_responsibility", "lead"
    ).prefetch_related(
        Prefetch(
            "participants",
            queryset=Participant.objects.select_related("unit", "contact_person"),
        ),
        "consents",
    )


def _annotated(plans):
    """Each plan's last change (its latest event): meta.lastUpdated of all its resources."""
    latest = PlanEvent.objects.filter(plan=OuterRef("pk")).order_by("-at").values("at")[:1]
    return plans.annotate(last_updated=Subquery(latest))


def _last(plan) -> datetime.datetime:
    return getattr(plan, "last_updated", None) or plan.initiated_at


def _visible_plan(request, plan_id) -> Plan:
    """The plan if the client's unit sees it; 404 otherwise, whether or not it exists."""
    plan = _with_parts(_annotated(Plan.objects.filter(pk=plan_id))).first()
    if plan is None or policy.decide(request.actor, "plan.view", plan) is not (
        policy.Decision.ALLOW
    ):
        raise Http404
    return plan


def _log(request, plans) -> None:
    """One access-log entry per plan whose data the answer holds, before it is sent."""
    unique = list({plan.pk: plan for plan in plans}.values())
    if unique:
        access_log_record_many(
            request=request,
            action=request.resolver_match.view_name if request.resolver_match else "fhir",
            items=[(plan.person, plan) for plan in unique],
        )


def _goals(actor, plan):
    return list(
        goals_seen(actor, plan).select_related("parent", "follow_up_by").order_by("position", "pk")
    )


def _interventions(actor, plan):
    return list(
        interventions_seen(actor, plan)
        .select_related("organization", "unit")
        .prefetch_related("goals")
        .order_by("position", "pk")
    )


def _consents(plan):
    return list(
        plan.consents.select_related("recorded_unit")
        .prefetch_related("units", "limits", "guardians")
        .order_by("number")
    )


def _meetings(plan):
    return list(
        plan.meetings.select_related("chair")
        .prefetch_related(
            Prefetch("invitees", queryset=Invitee.objects.select_related("unit", "person"))
        )
        .order_by("starts_at", "pk")
    )


def _versions(plan):
    return list(
        plan.versions.defer("snapshot")
        .select_related("created_by", "created_unit", "approval_recorded_by")
        .order_by("number")
    )


def _goal_resources(actor, plan, goals) -> list[dict]:
    seen = {goal.pk for goal in goals}
    return [
        fhir.goal(plan, goal, _last(plan), parent_seen=goal.parent_id in seen) for goal in goals
    ]


def _items(actor, plan, resource_type: str, request=None) -> list:
    """The rows of one type the unit sees in the plan, each as a function building its
    resource (built only for the page answered), and its search status."""
    last = _last(plan)
    if resource_type == "CarePlan":
        return [(fhir.careplan_status(plan)[0], lambda: fhir.careplan(actor, plan, last))]
    if resource_type == "Goal":
        goals = _goals(actor, plan)
        seen = {goal.pk for goal in goals}
        return [
            (
                fhir.GOAL_STATUS[goal.status][0],
                lambda goal=goal: fhir.goal(plan, goal, last, parent_seen=goal.parent_id in seen),
                goal,
            )
            for goal in goals
        ]
    if resource_type == "ServiceRequest":
        seen = {goal.pk: goal.uid for goal in goals_seen(actor, plan).only("pk", "uid")}
        return [
            (
                fhir.INTERVENTION_STATUS[item.status],
                lambda item=item: fhir.service_request(
                    plan,
                    item,
                    last,
                    goal_uids=[seen[g.pk] for g in item.goals.all() if g.pk in seen],
                ),
            )
            for item in _interventions(actor, plan)
        ]
    if resource_type == "CareTeam":
        resource = fhir.careteam(plan, last)
        return [(resource["status"], lambda: resource)]
    if resource_type == "Consent":
        rows = _consents(plan)
        latest = rows[-1] if rows else None
        return [
            (
                fhir.consent_status(row, latest),
                lambda row=row: fhir.consent(actor, plan, row, last, latest=latest),
            )
            for row in rows
        ]
    if resource_type == "Appointment":
        return [
            (fhir.MEETING_STATUS[m.status], lambda m=m: fhir.appointment(plan, m, last))
            for m in _meetings(plan)
        ]
    return [(None, lambda v=v: fhir.provenance(plan, v, last)) for v in _versions(plan)]


def _one_item(actor, plan, resource_type: str, key: uuid.UUID):
    """One goal or intervention, if the consent lets the unit see it (404 otherwise)."""
    seen = goals_seen(actor, plan)
    last = _last(plan)
    if resource_type == "Goal":
        goal = seen.filter(uid=key).select_related("parent", "follow_up_by").first()
        if goal is None:
            raise Http404
        parent_seen = bool(goal.parent_id) and seen.filter(pk=goal.parent_id).exists()
        return lambda: fhir.goal(plan, goal, last, parent_seen=parent_seen)
    item = (
        interventions_seen(actor, plan)
        .filter(uid=key)
        .select_related("organization", "unit")
        .prefetch_related("goals")
        .first()
    )
    if item is None:
        raise Http404
    uids = dict(seen.values_list("pk", "uid"))
    goal_uids = [uids[g.pk] for g in item.goals.all() if g.pk in uids]
    return lambda: fhir.service_request(plan, item, last, goal_uids=goal_uids)


# --- Endpoints ---------------------------------------------------------------------------------


def _base_url(request) -> str:
    return request.build_absolute_uri("/api/fhir/R4/")


@fhir_api.get("/metadata", url_name="fhir-metadata", summary="CapabilityStatement")
def metadata(request):
    """What this server answers. Needs a token, as every other route here: it holds no data,
    but the server lists nothing to anyone it does not know."""
    return fhir_response(request, capability_statement(_base_url(request)))


@fhir_api.get("/{resource_type}", url_name="fhir-search", summary="Search")
def search(request, resource_type: str):
    if resource_type in OTHER_TYPES:
        return _search_other(request, resource_type)
    if resource_type not in RESOURCE_TYPES:
        raise _unknown_type(resource_type)
    _check_params(request, resource_type)
    actor = request.actor
    count = _int_param(request, "_count", PAGE_DEFAULT, PAGE_MAX)
    offset = _int_param(request, "_offset", 0, OFFSET_MAX)
    plans = _annotated(plans_visible_to(actor)).filter(_last_updated_q(request))
    for raw in request.GET.getlist("patient"):
        plans = plans.filter(_patient_q(raw))
    ids = request.GET.get("_id")
    statuses = set(_tokens(request, "status") + _tokens(request, "lifecycle-status"))

    if resource_type == "CarePlan":
        if ids is not None:
            plans = plans.filter(pk__in=[u for u in map(_uuid, ids.split(",")) if u])
        if statuses:
            plans = plans.filter(_careplan_status_q(statuses))
        categories = set(_tokens(request, "category"))
        if categories:
            states = categories & set(Plan.State.values)
            plans = plans if "sip" in categories else plans.filter(state__in=states)
        total = plans.count()
        page = list(_with_parts(plans).order_by("-initiated_at", "pk")[offset : offset + count])
        _log(request, page)
        resources, included = [], []
        include_goals = "CarePlan:goal" in request.GET.getlist("_include")
        for plan in page:
            goals = _goals(actor, plan)
            resources.append(fhir.careplan(actor, plan, _last(plan), goals=goals))
            if include_goals:
                included += _goal_resources(actor, plan, goals)
    else:
        plan_list = list(_with_parts(plans).order_by("-initiated_at", "pk"))
        wanted_ids = set(ids.split(",")) if ids is not None else None
        categories = set(_tokens(request, "category"))
        matches = []
        for plan in plan_list:
            for row in _items(actor, plan, resource_type):
                status, build = row[0], row[1]
                if statuses and status not in statuses:
                    continue
                if categories and not _goal_in_categories(row[2], categories):
                    continue
                matches.append((plan, build))
        if wanted_ids is not None:
            matches = [(plan, build) for plan, build in matches if build()["id"] in wanted_ids]
        total = len(matches)
        chosen = matches[offset : offset + count]
        _log(request, [plan for plan, _build in chosen])
        resources = [build() for _plan, build in chosen]
        included = []

    links = _links(request, resource_type, offset, count, total)
    bundle = fhir.searchset(
        resources, included, total=total, links=links, base_url=_base_url(request)
    )
    return fhir_response(request, bundle)


def _goal_in_categories(goal, categories: set) -> bool:
    return goal is not None and bool({goal.term, goal.topic} & categories)


def _careplan_status_q(statuses: set) -> Q:
    condition = Q(pk__in=[])
    revoking = fhir.REVOKING_CLOSES
    for state, (status, _intent) in fhir.CAREPLAN_STATUS.items():
        if state == Plan.State.CLOSED:
            if "completed" in statuses:
                condition |= Q(state=state) & ~Q(closing_reason__in=revoking)
            if "revoked" in statuses:
                condition |= Q(state=state, closing_reason__in=revoking)
        elif status in statuses:
            condition |= Q(state=state)
    return condition


def _links(request, resource_type, offset, count, total) -> list[dict]:
    params = [(k, v) for k, v in request.GET.lists() if k not in {"_offset", "_count"}]
    flat = [(k, value) for k, values in params for value in values]

    def url(at: int) -> str:
        query = urlencode(flat + [("_count", count), ("_offset", at)])
        return f"{_base_url(request)}{resource_type}?{query}"

    links = [{"relation": "self", "url": url(offset)}]
    if count and offset + count < total:
        links.append({"relation": "next", "url": url(offset + count)})
    if offset > 0:
        links.append({"relation": "previous", "url": url(max(0, offset - count))})
    return links


def _unknown_type(resource_type: str) -> FhirError:
    return FhirError(
        404,
        "not-supported",
        _("The resource type %(type)s is not supported.") % {"type": resource_type},
    )


@fhir_api.get("/{resource_type}/{resource_id}", url_name="fhir-read", summary="Read")
def read(request, resource_type: str, resource_id: str):
    if resource_type in OTHER_TYPES:
        return _read_other(request, resource_type, resource_id)
    if resource_type not in RESOURCE_TYPES:
        raise _unknown_type(resource_type)
    actor = request.actor
    plan, build = _find(request, actor, resource_type, resource_id)
    _log(request, [plan])
    # The plan's version (its REST ETag) is every resource's: what a write's If-Match names.
    version = plan_etag(plan, plan_payload(request, plan))
    resource = build()
    resource.setdefault("meta", {})["versionId"] = version.strip('"')
    response = fhir_response(request, resource)
    response["ETag"] = f"W/{version}"
    return response


@fhir_api.get(
    "/{resource_type}/{resource_id}/{path:rest}", url_name="fhir-other", summary="Not supported"
)
def other(request, resource_type: str, resource_id: str, rest: str):
    """_history, operations and compartments are not served (yet)."""
    raise FhirError(404, "not-supported", _("This interaction is not supported."))


def _find(request, actor, resource_type: str, resource_id: str):
    """The plan a resource belongs to and its builder; 404 unless the unit sees both."""
    key = _uuid(resource_id)
    if resource_type in {"CarePlan", "CareTeam"}:
        if key is None:
            raise Http404
        plan = _visible_plan(request, key)
        return plan, _items(actor, plan, resource_type)[0][1]
    if resource_type in {"Goal", "ServiceRequest"}:
        model = Goal if resource_type == "Goal" else Intervention
        plan_id = (
            model.objects.filter(uid=key).values_list("plan_id", flat=True).first() if key else None
        )
        plan = _visible_plan(request, plan_id) if plan_id else None
        if plan is None:
            raise Http404
        return plan, _one_item(actor, plan, resource_type, key)
    model = {"Consent": Consent, "Appointment": Meeting, "Provenance": PlanVersion}[resource_type]
    if parse_id(resource_id) is None or resource_id.strip() != resource_id:
        raise Http404
    plan_id = model.objects.filter(pk=int(resource_id)).values_list("plan_id", flat=True).first()
    if plan_id is None:
        raise Http404
    plan = _visible_plan(request, plan_id)
    for row in _items(actor, plan, resource_type):
        resource = row[1]()
        if resource["id"] == resource_id:
            return plan, lambda resource=resource: resource
    raise Http404


# --- CapabilityStatement -------------------------------------------------------------------------


PARAM_DOCS = {
    "_id": "token",
    "patient": "reference",
    "_lastUpdated": "date",
    "status": "token",
    "lifecycle-status": "token",
    "category": "token",
    "url": "uri",
    "version": "token",
    "questionnaire": "reference",
    "authored": "date",
    "entity": "reference",
    "date": "date",
}


# Each adds its interactions to the statement (samplan.api.fhir_writes registers the writes).
CAPABILITY_ADDITIONS: list = []


def capability_statement(base_url: str) -> dict:
    resources = []
    for resource_type in RESOURCE_TYPES:
        names = ["_id", "patient", "_lastUpdated"] + sorted(
            name for name in SEARCH_PARAMS[resource_type] if not name.startswith("_")
        )
        entry = {
            "type": resource_type,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": name, "type": PARAM_DOCS[name]} for name in names],
        }
        if resource_type == "CarePlan":
            entry["searchInclude"] = sorted(INCLUDES)
        resources.append(entry)
    for resource_type in OTHER_TYPES:
        names = sorted(name for name in OTHER_PARAMS[resource_type] if name not in PAGING_PARAMS)
        resources.append(
            {
                "type": resource_type,
                "documentation": OTHER_DOCS[resource_type](),
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": [{"name": name, "type": PARAM_DOCS[name]} for name in names],
            }
        )
    statement = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.localdate().isoformat(),
        "publisher": "Samplan",
        "kind": "instance",
        "software": {"name": "Samplan"},
        "implementation": {
            "description": _("Samplan: SIP plans for record systems"),
            "url": base_url,
        },
        "fhirVersion": fhir.FHIR_VERSION,
        "format": [fhir.CONTENT_TYPE],
        "rest": [
            {
                "mode": "server",
                "documentation": _(
                    "Read and search. OAuth 2.0 client credentials with a signed client "
                    "assertion (private_key_jwt); the scope read. See docs/api.md."
                ),
                "security": {
                    "service": [
                        fhir.concept(
                            "http://terminology.hl7.org/CodeSystem/restful-security-service",
                            "OAuth",
                            "OAuth",
                        )
                    ],
                },
                "resource": resources,
                "searchParam": [
                    {"name": "_count", "type": "number"},
                    {"name": "_offset", "type": "number"},
                ],
            }
        ],
    }
    for addition in CAPABILITY_ADDITIONS:
        addition(statement, base_url)
    return statement


# --- The evaluation and the access log ----------------------------------------------------------


OTHER_DOCS = {
    "Questionnaire": lambda: _("The evaluation's questionnaires, each version."),
    "QuestionnaireResponse": lambda: _(
        "The evaluation's answers for the client's unit, in aggregate only: one per "
        "questionnaire version and calendar quarter, once the quarter's answers are all in; "
        "counts from 1 to 4 are never sent. Never one person's answers."
    ),
    "AuditEvent": lambda: _(
        "The reads of a plan the client's unit sees, from the access log: which unit and "
        "organisation, when and through which channel; never the staff member. Search by "
        "patient or entity."
    ),
}


def _search_other(request, resource_type: str):
    _check_params(request, resource_type, OTHER_PARAMS[resource_type])
    count = _int_param(request, "_count", PAGE_DEFAULT, PAGE_MAX)
    offset = _int_param(request, "_offset", 0, OFFSET_MAX)
    if resource_type == "AuditEvent":
        resources, total = _audit_events(request, count, offset)
    else:
        if resource_type == "Questionnaire":
            matches = _questionnaires(request)
        else:
            matches = _evaluation_responses(request)
        total = len(matches)
        resources = [build() for build in matches[offset : offset + count]]
    links = _links(request, resource_type, offset, count, total)
    bundle = fhir.searchset(resources, [], total=total, links=links, base_url=_base_url(request))
    return fhir_response(request, bundle)


def _read_other(request, resource_type: str, resource_id: str):
    if resource_type == "AuditEvent":
        return fhir_response(request, _audit_event(request, resource_id))
    if resource_type == "Questionnaire":
        key = parse_id(resource_id)
        version = InstrumentVersion.objects.filter(pk=key).first() if key else None
        if version is None:
            raise Http404
        return fhir_response(request, fhir.questionnaire_resource(version))
    return fhir_response(request, _evaluation_response(request, resource_id))


def _date_conditions(request, name: str) -> list[tuple[str, datetime.datetime, datetime.datetime]]:
    """A date parameter's (prefix, start, end): eq (none), ge, gt, le, lt; repeated: and."""
    conditions = []
    for raw in request.GET.getlist(name):
        prefix, rest = raw[:2], raw[2:]
        if prefix not in {"eq", "ge", "gt", "le", "lt", "ne", "sa", "eb", "ap"}:
            prefix, rest = "eq", raw
        if prefix not in {"eq", "ge", "gt", "le", "lt"}:
            raise _bad(
                name,
                _("The prefix %(prefix)s is not supported; use eq, ge, gt, le or lt.")
                % {"prefix": prefix},
            )
        conditions.append((prefix, *_moment(rest, name)))
    return conditions


def _date_matches(value: datetime.datetime, conditions) -> bool:
    return all(
        {
            "eq": start <= value < end,
            "ge": value >= start,
            "gt": value >= end,
            "le": value < end,
            "lt": value < start,
        }[prefix]
        for prefix, start, end in conditions
    )


def _date_q(field: str, conditions) -> Q:
    condition = Q()
    for prefix, start, end in conditions:
        condition &= {
            "eq": Q(**{f"{field}__gte": start, f"{field}__lt": end}),
            "ge": Q(**{f"{field}__gte": start}),
            "gt": Q(**{f"{field}__gte": end}),
            "le": Q(**{f"{field}__lt": end}),
            "lt": Q(**{f"{field}__lt": start}),
        }[prefix]
    return condition


# Questionnaire: every version of every instrument; no personal data, so no access-log entry.


def _questionnaires(request) -> list:
    versions = InstrumentVersion.objects.select_related("instrument").order_by(
        "instrument__name", "-created_at", "-pk"
    )
    ids = request.GET.get("_id")
    if ids is not None:
        versions = versions.filter(pk__in=parse_ids(ids.split(","))[:100])
    matches = []
    urls = {raw.partition("|")[0] for raw in request.GET.getlist("url")}
    numbers = set(_tokens(request, "version"))
    statuses = set(_tokens(request, "status"))
    for version in versions:
        url = fhir.evaluation_fhir.canonical_url(version.instrument)
        status = "active" if version.in_use else "draft"
        if (urls and url not in urls) or (numbers and version.version not in numbers):
            continue
        if statuses and status not in statuses:
            continue
        matches.append(lambda version=version: fhir.questionnaire_resource(version))
    return matches


# QuestionnaireResponse: the evaluation's figures for the client's unit.


def _evaluation_unit(request):
    """The unit whose figures the client reads: its own, under the policy's evaluation.results
    (rules.reads_evaluation_results, figures_scopes "units"); 404 for anyone else."""
    actor = request.actor
    allowed = policy.decide(actor, "evaluation.results", None) is policy.Decision.ALLOW
    if not allowed or "units" not in rules.figures_scopes(actor.role):
        raise Http404
    return actor.unit


def _quarter(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = day.replace(month=first_month, day=1)
    following = (
        start.replace(year=start.year + 1, month=1)
        if first_month == 10
        else start.replace(month=first_month + 3)
    )
    return start, following - datetime.timedelta(days=1)


def _quarter_final(end: datetime.date, today: datetime.date) -> bool:
    """A quarter's figures are served once its answers are all in: an answer belongs to the
    month its request was made, and a request stays open OPEN_DAYS. Figures that never change
    cannot be compared from one day to the next to single out a late answer; and the periods
    are fixed calendar quarters, which never overlap, so no two periods differ by one answer."""
    return end + datetime.timedelta(days=OPEN_DAYS) < today


def _response_id(unit, version, start: datetime.date) -> str:
    return f"{unit.pk}-{version.pk}-{start.year}-q{(start.month - 1) // 3 + 1}"


def _quarter_responses(unit, start, end) -> list:
    """The quarter's figures, one builder per questionnaire version answered, only for a
    questionnaire at least five answered (evaluation_results, the page's own figures)."""
    figures = evaluation_results([unit], start, end)
    builders = []
    for section in figures.instruments:
        if not section.shown:
            continue
        for result in section.versions:
            id_ = _response_id(unit, result.version, start)
            builders.append(
                (
                    id_,
                    result.version,
                    lambda id_=id_, result=result: fhir.evaluation_response(
                        id_, unit, result, start, end
                    ),
                )
            )
    return builders


def _evaluation_responses(request) -> list:
    unit = _evaluation_unit(request)
    ids = set(request.GET.get("_id", "").split(",")) - {""} if "_id" in request.GET else None
    wanted = [raw.split("|") for raw in request.GET.getlist("questionnaire")]
    authored = _date_conditions(request, "authored")
    today = timezone.localdate()
    first = answers_for([unit], datetime.date(1900, 1, 1), today).aggregate(first=Min("month"))
    if first["first"] is None:
        return []
    start, end = _quarter(today)
    matches = []
    while end >= first["first"]:
        if _quarter_final(end, today):
            moment = timezone.make_aware(datetime.datetime.combine(end, datetime.time()))
            if _date_matches(moment, authored):
                for id_, version, build in _quarter_responses(unit, start, end):
                    url = fhir.evaluation_fhir.canonical_url(version.instrument)
                    if ids is not None and id_ not in ids:
                        continue
                    if wanted and not any(
                        w[0] == url and (len(w) == 1 or w[1] == version.version) for w in wanted
                    ):
                        continue
                    matches.append(build)
        start, end = _quarter(start - datetime.timedelta(days=1))
    return matches


def _evaluation_response(request, resource_id: str) -> dict:
    """One quarter's figures by id (unit-version-year-quarter): the client's own unit only,
    a quarter whose answers are all in, a questionnaire at least five answered; else 404."""
    unit = _evaluation_unit(request)
    parts = resource_id.split("-")
    if (
        len(parts) != 4
        or not all(parse_id(p) is not None for p in parts[:3])
        or parts[3] not in {"q1", "q2", "q3", "q4"}
        or int(parts[0]) != unit.pk
        or not 1900 < int(parts[2]) < 3000
    ):
        raise Http404
    start, end = _quarter(datetime.date(int(parts[2]), (int(parts[3][1]) - 1) * 3 + 1, 1))
    if not _quarter_final(end, timezone.localdate()):
        raise Http404
    for id_, _version, build in _quarter_responses(unit, start, end):
        if id_ == resource_id:
            return build()
    raise Http404


# AuditEvent: the reads of a plan the client's unit sees (audit.services.plan_reads).


def _entity_ids(raw: str) -> list[uuid.UUID]:
    """`entity`: a plan as CarePlan/<id> (or its full URL) or the bare id."""
    head, _slash, value = raw.strip().rstrip("/").rpartition("/")
    if head and not head.endswith("CarePlan"):
        raise _bad("entity", _("The entity must be a CarePlan (CarePlan/<id>)."))
    key = _uuid(value)
    if key is None:
        raise _bad("entity", _("%(value)s is not a plan's id.") % {"value": value})
    return [key]


def _audit_events(request, count: int, offset: int) -> tuple[list[dict], int]:
    if not (request.GET.getlist("patient") or request.GET.getlist("entity")):
        raise FhirError(
            400,
            "required",
            _("Search AuditEvent by patient or entity (a plan): the log is read one "
            "individual at a time."),
            expression="patient",
        )  # fmt: skip
    when = _date_q(
        "at", _date_conditions(request, "date") + _date_conditions(request, "_lastUpdated")
    )
    plans = plans_visible_to(request.actor)
    for raw in request.GET.getlist("patient"):
        plans = plans.filter(_patient_q(raw))
    for raw in request.GET.getlist("entity"):
        plans = plans.filter(pk__in=_entity_ids(raw))
    found = {str(plan.pk): plan for plan in plans.select_related("person")}
    if not found:
        return [], 0
    entries = plan_reads(found.values()).filter(when)
    ids = request.GET.get("_id")
    if ids is not None:
        entries = entries.filter(pk__in=parse_ids(ids.split(","))[:100])
    total = entries.count()
    # Oldest first: the reads this search adds come last, so paging does not shift.
    page = list(
        entries.select_related("unit", "organization").order_by("at", "pk")[offset : offset + count]
    )
    _log(request, [found[entry.object_id] for entry in page])
    return [fhir.audit_event(entry, found[entry.object_id]) for entry in page], total


def _audit_event(request, resource_id: str) -> dict:
    """One read, if it is a staff read of a plan the client's unit sees; 404 otherwise."""
    key = parse_id(resource_id)
    if key is None:
        raise Http404
    entry = AccessLogEntry.objects.filter(pk=key, object_type="plan").only("object_id").first()
    plan_id = _uuid(entry.object_id) if entry is not None else None
    if plan_id is None:
        raise Http404
    plan = _visible_plan(request, plan_id)
    entry = plan_reads([plan]).filter(pk=key).select_related("unit", "organization").first()
    if entry is None:
        raise Http404
    _log(request, [plan])
    return fhir.audit_event(entry, plan)
