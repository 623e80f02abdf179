"""The REST API, /api/v1/ (django-ninja): the same policy, queries and access log as the
pages, for a record system acting for its unit (docs/api.md)."""

import datetime
import hashlib
import uuid

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer

from samplan import policy
from samplan.accounts.models import Membership
from samplan.api import problems, services
from samplan.audit.services import access_log_record, access_log_record_many
from samplan.plans import rules
from samplan.plans.access import goals_seen, interventions_seen, plans_visible_to
from samplan.plans.models import Participant, Plan, PlanEvent

PAGE_MAX = 100


class ClientToken(HttpBearer):
    """A bearer token from /api/oauth/token. The request then acts as the client's service
    user for the client's unit, exactly as a caseworker of that unit on the pages."""

    def authenticate(self, request, token):
        row = services.token_client(token)
        if row is None:
            return None
        needed = "read" if request.method in ("GET", "HEAD") else "write"
        if needed not in row.scope.split():
            raise problems.ScopeMissing(needed)
        client = row.client
        request.api_client = client
        request.user = client.user
        request.acting_unit = client.unit
        request.citizen = None
        request.actor = policy.Staff(
            user=client.user, unit=client.unit, role=Membership.Role.SYSTEM
        )
        return client


api = NinjaAPI(
    title="Samplan API",
    version="1",
    description="SIP plans for record systems. See docs/api.md.",
    urls_namespace="api",
    auth=ClientToken(),
    docs=Swagger(),  # served from django-ninja's own static files (no CDN, no inline script)
)
problems.register(api)


# --- Schemas --------------------------------------------------------------------------------


class PersonOut(Schema):
    name: str
    identity_number: str
    protected_identity: bool


class PlanSummary(Schema):
    id: uuid.UUID
    state: str
    state_display: str
    person: PersonOut
    initiated_at: datetime.datetime
    current_version: int
    deadline_due: datetime.date | None


class PlanPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PlanSummary]


class NamedOut(Schema):
    name: str


class GoalOut(Schema):
    uid: uuid.UUID
    parent: uuid.UUID | None
    term: str
    text: str
    topic: str
    status: str


class InterventionOut(Schema):
    uid: uuid.UUID
    what: str
    topic: str
    organization: str | None
    unit: str | None
    responsible_person: str
    start: datetime.date | None
    frequency: str
    status: str
    goals: list[uuid.UUID]


class MeetingOut(Schema):
    id: int
    kind: str
    status: str
    starts_at: datetime.datetime
    place: str


class VersionOut(Schema):
    number: int
    approval: str
    created_at: datetime.datetime
    approved_at: datetime.datetime | None


class ConsentOut(Schema):
    number: int
    decision: str
    decided_on: datetime.date
    valid_until: datetime.date | None
    units: list[str]


class PlanOut(PlanSummary):
    initiating_unit: str
    lead: str
    overall_responsibility: str | None
    next_follow_up: datetime.date | None
    closed_at: datetime.datetime | None
    participants: list[str]
    consent: ConsentOut | None
    goals: list[GoalOut]
    interventions: list[InterventionOut]
    meetings: list[MeetingOut]
    versions: list[VersionOut]


class PlanFilters(Schema):
    state: Plan.State | None = Field(None, description="Only plans in this state.")
    changed_since: datetime.datetime | None = Field(
        None, description="Only plans with a change (an event) at or after this time (ISO 8601)."
    )
    limit: int = Field(50, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=1_000_000)


# --- Responses ------------------------------------------------------------------------------


def etag_of(body: bytes) -> str:
    """A strong ETag: a hash of the JSON the client is given (what it sees of the plan, so a
    change it cannot see does not make its copy stale)."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def plan_etag(plan: Plan, payload: Schema) -> str:
    """A plan's ETag: what the client sees, and its newest event (every change writes one,
    also a follow-up the plan's JSON does not show), so any change makes a copy stale."""
    newest = plan.events.order_by("-pk").values_list("pk", flat=True).first()
    return etag_of(payload.model_dump_json().encode() + f"/{newest}".encode())


def _etag_response(request, payload: Schema, etag: str | None = None) -> HttpResponse:
    """The JSON body with a strong ETag (a hash of the body unless given); If-None-Match
    answers 304."""
    body = payload.model_dump_json().encode()
    etag = etag or etag_of(body)
    wanted = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",") if tag.strip()}
    if etag in tags or "*" in tags:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    return response


def _person(plan: Plan) -> dict:
    # The pages show every unit that sees the plan the name and identity number (protected
    # identity keeps the address and contact details, which the API does not give).
    person = plan.person
    return {
        "name": person.full_name,
        "identity_number": person.identity_display,
        "protected_identity": person.protected_identity,
    }


def _summary(plan: Plan) -> dict:
    return {
        "id": plan.pk,
        "state": plan.state,
        "state_display": plan.get_state_display(),
        "person": _person(plan),
        "initiated_at": plan.initiated_at,
        "current_version": plan.current_version,
        "deadline_due": plan.deadline_due,
    }


def _view_name(request, fallback: str) -> str:
    match = request.resolver_match
    return match.view_name if match else fallback


# --- Endpoints ------------------------------------------------------------------------------


@api.get("/plans", response=PlanPage, url_name="plans", summary="The unit's plans")
def plan_list(request, filters: Query[PlanFilters]):
    """The plans the client's unit sees (as its worklist does), newest first."""
    plans = plans_visible_to(request.actor)
    if filters.state:
        plans = plans.filter(state=filters.state)
    if filters.changed_since:
        since = filters.changed_since
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        changed = PlanEvent.objects.filter(at__gte=since).order_by().values("plan_id")
        plans = plans.filter(pk__in=changed)
    count = plans.count()
    page = list(
        plans.select_related("person").order_by("-initiated_at", "pk")[
            filters.offset : filters.offset + filters.limit
        ]
    )
    access_log_record_many(
        request=request,
        action=_view_name(request, "api:plans"),
        items=[(plan.person, plan) for plan in page],
    )
    payload = PlanPage(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        items=[PlanSummary(**_summary(plan)) for plan in page],
    )
    return _etag_response(request, payload)


def _plan_for_client(request, plan_id: str, *, log: bool = True) -> Plan:
    """The plan if the client's unit sees it (else 404), its read logged unless `log` is
    False (a write that only checks what the client saw)."""
    try:
        pk = uuid.UUID(plan_id)
    except ValueError:
        raise Http404 from None
    plan = (
        Plan.objects.filter(pk=pk)
        .select_related("person", "initiating_unit", "overall_responsibility", "lead")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("unit")),
            "consents",
        )
        .first()
    )
    if plan is None or policy.decide(request.actor, "plan.view", plan) is not (
        policy.Decision.ALLOW
    ):
        raise Http404
    if log:
        access_log_record(
            request=request, action=_view_name(request, "api:plan"), person=plan.person, obj=plan
        )
    return plan


def _consent(plan: Plan) -> dict | None:
    consent = rules.limiting_consent(plan)
    if consent is None:
        consent = max(plan.consents.all(), key=lambda c: c.number, default=None)
    if consent is None:
        return None
    return {
        "number": consent.number,
        "decision": consent.decision,
        "decided_on": consent.decided_on,
        "valid_until": consent.valid_until,
        "units": sorted(unit.name for unit in consent.units.all()),  # one order: the ETag
    }


@api.get("/plans/{plan_id}", response=PlanOut, url_name="plan", summary="One plan")
def plan_detail(request, plan_id: str):
    """The plan as the unit's pages show it: the goals and interventions the consent lets the
    unit see, the meetings, versions and the consent in force. Its ETag is what a write's
    If-Match names."""
    plan = _plan_for_client(request, plan_id)
    payload = plan_payload(request, plan)
    return _etag_response(request, payload, plan_etag(plan, payload))


def plan_payload(request, plan: Plan) -> PlanOut:
    """What the client sees of the plan (nothing logged here: the caller logs a read)."""
    actor = request.actor
    goals = list(goals_seen(actor, plan).select_related("parent").order_by("position", "pk"))
    seen_goals = {goal.pk: goal.uid for goal in goals}
    interventions = (
        interventions_seen(actor, plan)
        .select_related("organization", "unit")
        .prefetch_related("goals")
        .order_by("position", "pk")
    )
    lead = plan.lead.get_full_name() if plan.lead else plan.lead_name
    data = _summary(plan) | {
        "initiating_unit": plan.initiating_unit.name,
        "lead": lead or "",
        "overall_responsibility": (
            plan.overall_responsibility.name if plan.overall_responsibility else None
        ),
        "next_follow_up": plan.next_follow_up,
        "closed_at": plan.closed_at,
        # Sorted, so the ETag does not depend on the order the database happens to return.
        "participants": sorted(p.unit.name for p in plan.participants.all() if p.is_active),
        "consent": _consent(plan),
        "goals": [
            {
                "uid": goal.uid,
                "parent": seen_goals.get(goal.parent_id),
                "term": goal.term,
                "text": goal.text,
                "topic": goal.topic,
                "status": goal.status,
            }
            for goal in goals
        ],
        "interventions": [
            {
                "uid": item.uid,
                "what": item.what,
                "topic": item.topic,
                "organization": item.organization.name if item.organization else None,
                "unit": item.unit.name if item.unit else None,
                "responsible_person": item.responsible_person,
                "start": item.start,
                "frequency": item.frequency,
                "status": item.status,
                "goals": sorted((g.uid for g in item.goals.all() if g.pk in seen_goals), key=str),
            }
            for item in interventions
        ],
        "meetings": [
            {
                "id": m.pk,
                "kind": m.kind,
                "status": m.status,
                "starts_at": m.starts_at,
                "place": m.place,
            }
            for m in plan.meetings.order_by("starts_at", "pk")
        ],
        "versions": [
            {
                "number": v.number,
                "approval": v.approval,
                "created_at": v.created_at,
                "approved_at": v.approved_at,
            }
            for v in plan.versions.order_by("number").only(
                "number", "approval", "created_at", "approved_at"
            )
        ],
    }
    return PlanOut(**data)
