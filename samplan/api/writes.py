"""The API's writes: a record system starts an initiative, records a follow-up, reports an
intervention's status and answers its unit's invitation, each through the same service as
the pages (the client's service user as actor, a plan event written).

A write to a plan needs `If-Match` with the plan's ETag from the client's last read (428
without it): a write based on an older state gets 412 with the plan as it is now, so a record
system never overwrites what it has not seen, and a request sent twice is refused the second
time instead of recording twice. The check and the write hold the plan's row lock."""

import datetime
import json
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema

from samplan import policy
from samplan.api import problems
from samplan.api.api import _plan_for_client, api, plan_etag, plan_payload
from samplan.audit.services import access_log_record
from samplan.people import identity
from samplan.people.models import Person
from samplan.plans import services
from samplan.plans.access import interventions_seen
from samplan.plans.models import FollowUp, Invitee, Plan

TEXT_MAX = 10_000


# --- Schemas --------------------------------------------------------------------------------


class InitiativeIn(Schema):
    identity_number: str = Field(
        ...,
        min_length=1,
        max_length=20,
        description="Personnummer, samordningsnummer or reservnummer.",
    )
    reasons: list[Plan.Reason] = Field(default_factory=list)
    reason_text: str = Field("", max_length=TEXT_MAX)
    source: Plan.Source = Plan.Source.STAFF
    source_detail: str = Field("", max_length=200)


class InitiativeOut(Schema):
    id: uuid.UUID
    state: str
    location: str


class JoinRequestOut(Schema):
    status: str
    detail: str


class FollowUpIn(Schema):
    how_it_went: str = Field(..., max_length=TEXT_MAX)
    helped_hindered: str = Field(..., max_length=TEXT_MAX)
    coordination_needed: bool
    continue_interventions: str = Field(..., max_length=TEXT_MAX)
    decision: FollowUp.Decision
    next_follow_up: datetime.date | None = None
    closing_reason: str = Field("", max_length=30)
    closing_text: str = Field("", max_length=TEXT_MAX)
    child_view: str = Field("", max_length=TEXT_MAX)


class WrittenOut(Schema):
    plan: uuid.UUID
    state: str
    next_follow_up: datetime.date | None


class ProgressIn(Schema):
    status: str = Field(..., max_length=30)
    note: str = Field("", max_length=TEXT_MAX)


class AnswerIn(Schema):
    response: str = Field(..., max_length=20)
    reason: str = Field("", max_length=TEXT_MAX)


# --- Preconditions --------------------------------------------------------------------------


def _written(request, plan: Plan, status: int = 200) -> JsonResponse:
    """What changed, with the plan's new ETag for the next write (nothing of its content)."""
    plan.refresh_from_db()
    body = WrittenOut(plan=plan.pk, state=plan.state, next_follow_up=plan.next_follow_up)
    response = JsonResponse(body.model_dump(mode="json"), status=status)
    response["ETag"] = plan_etag(plan, plan_payload(request, plan))
    return response


class PreconditionRequired(Exception):
    """A write to a plan without If-Match."""


class PlanChanged(Exception):
    """If-Match names an older state of the plan than the client sees now."""

    def __init__(self, plan: Plan, current, etag: str):
        super().__init__(etag)
        self.plan, self.current, self.etag = plan, current, etag


def plan_locked(request, plan_id: str, action: str) -> Plan:
    """The plan, locked, when the policy allows the action and If-Match names what the
    client sees of it now; else 404/403, PreconditionRequired or PlanChanged. Shared by the
    REST and FHIR writes (samplan.api.fhir_writes), so both answer the same ETag."""
    wanted = request.headers.get("If-Match", "")
    plan = _plan_for_client(request, plan_id, log=False)
    if policy.decide(request.actor, action, plan) is not policy.Decision.ALLOW:
        raise PermissionDenied
    if not wanted.strip():
        raise PreconditionRequired
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    current = plan_payload(request, plan)
    etag = plan_etag(plan, current)
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",") if tag.strip()}
    if etag in tags or "*" in tags:
        return plan
    raise PlanChanged(plan, current, etag)


def intervention_for(request, plan: Plan, intervention_uid: str):
    """The intervention the client's unit sees in the plan (404) and may report on (403)."""
    try:
        uid = uuid.UUID(intervention_uid)
    except ValueError:
        raise Http404 from None
    item = interventions_seen(request.actor, plan).filter(uid=uid).first()
    if item is None:
        raise Http404
    if policy.decide(request.actor, "intervention.progress", item) is not policy.Decision.ALLOW:
        raise PermissionDenied
    return item


def invitee_for(request, plan: Plan, meeting_id: int) -> Invitee:
    """The client's unit's own invitation to a meeting of the plan (404 without one)."""
    invitee = Invitee.objects.filter(
        meeting__plan=plan, meeting_id=meeting_id, unit=request.actor.unit
    ).first()
    if invitee is None:
        raise Http404
    return invitee


def _matching(request, plan_id: str, action: str) -> Plan | HttpResponse:
    """plan_locked, or the problem to answer (428 without If-Match, 412 with the current
    plan)."""
    try:
        return plan_locked(request, plan_id, action)
    except PreconditionRequired:
        return problems.problem(
            request,
            428,
            "precondition-required",
            _("Precondition required"),
            _("A write to a plan needs If-Match with the ETag of the plan as last read."),
        )
    except PlanChanged as changed:
        plan, current, etag = changed.plan, changed.current, changed.etag
    # The client is shown the plan as it is: a read, logged as any other.
    access_log_record(request=request, action="api:plan", person=plan.person, obj=plan)
    refused = problems.problem(
        request,
        412,
        "precondition-failed",
        _("The plan has changed"),
        _("The plan has changed since the client read it. Read it again (below) and decide."),
    )
    body = {**_json(refused), "current": current.model_dump(mode="json")}
    response = JsonResponse(body, status=412, content_type=problems.CONTENT_TYPE)
    response["ETag"] = etag
    response["Content-Language"] = refused["Content-Language"]
    return response


def _json(response: JsonResponse) -> dict:
    return json.loads(response.content)


# --- Endpoints ------------------------------------------------------------------------------


@api.post(
    "/plans",
    response={201: InitiativeOut, 202: JoinRequestOut},
    url_name="plans",
    summary="Start an initiative",
)
def plan_create(request, payload: InitiativeIn):
    """A SIP initiative for a registered individual, as the unit's caseworker would start it.
    The individual's open SIP the unit sees: 409 naming it. An open SIP the unit does not see:
    202, a request to take part sent to that plan's units (nothing more is told)."""
    if policy.decide(request.actor, "plan.initiate", None) is not policy.Decision.ALLOW:
        raise Http404
    person = _person(request, payload.identity_number)
    if isinstance(person, HttpResponse):
        return person
    try:
        outcome = services.plan_initiate(
            actor=request.actor,
            person=person,
            source=payload.source,
            source_detail=payload.source_detail,
            reasons=[str(reason) for reason in payload.reasons],
            reason_text=payload.reason_text,
        )
    except services.OpenPlanExists as known:
        refused = problems.problem(
            request,
            409,
            "open-plan-exists",
            _("The individual already has an open SIP"),
            str(known.message),
        )
        body = {**_json(refused), "plan": str(known.plan.pk)}
        return JsonResponse(body, status=409, content_type=problems.CONTENT_TYPE)
    if not isinstance(outcome, Plan):
        return 202, {
            "status": "request-to-take-part",
            "detail": _(
                "The initiative is sent as a request to take part in an existing SIP. Its "
                "units answer it."
            ),
        }
    location = reverse("api:plan", args=[outcome.pk])
    response = JsonResponse(
        InitiativeOut(id=outcome.pk, state=outcome.state, location=location).model_dump(
            mode="json"
        ),
        status=201,
    )
    response["Location"] = location
    return response


class UnknownPerson(Exception):
    """No registered individual has the number (or it is not a number)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def person_for_number(raw: str) -> Person:
    """The registered individual with a personnummer, samordningsnummer or reservnummer in
    any form Swedes write it; UnknownPerson otherwise."""
    try:
        number = identity.parse_identity_number(raw)
    except ValidationError as error:
        if not any(ch.isalpha() for ch in raw):
            raise UnknownPerson(" ".join(error.messages)) from None
        try:
            number = identity.parse_reservnummer(raw)
        except ValidationError as reserve_error:
            raise UnknownPerson(" ".join(reserve_error.messages)) from None
    person = Person.objects.filter(identity_kind=number.kind, identity_number=number.value).first()
    if person is None:
        raise UnknownPerson(_("No individual with that number is registered in Samplan."))
    return person


def _person(request, raw: str) -> Person | HttpResponse:
    try:
        return person_for_number(raw)
    except UnknownPerson as unknown:
        return problems.problem(
            request,
            422,
            "rule-violation",
            _("Refused by a rule"),
            unknown.detail,
            errors=[
                {
                    "in": "body",
                    "name": "identity_number",
                    "pointer": "#/identity_number",
                    "detail": unknown.detail,
                }
            ],
        )


@api.post(
    "/plans/{plan_id}/follow-ups",
    response={201: WrittenOut},
    url_name="plan_follow_ups",
    summary="Record a follow-up (If-Match)",
)
def follow_up_create(request, plan_id: str, payload: FollowUpIn):
    """The guideline's follow-up questions and the decision: continue, revise or close."""
    with transaction.atomic():
        plan = _matching(request, plan_id, "plan.edit")
        if isinstance(plan, HttpResponse):
            return plan
        services.followup_record(
            actor=request.actor,
            plan=plan,
            how_it_went=payload.how_it_went,
            helped_hindered=payload.helped_hindered,
            coordination_needed=payload.coordination_needed,
            continue_interventions=payload.continue_interventions,
            decision=payload.decision,
            next_follow_up=payload.next_follow_up,
            closing_reason=payload.closing_reason,
            closing_text=payload.closing_text,
            child_view=payload.child_view,
        )
    return _written(request, plan, 201)


@api.post(
    "/plans/{plan_id}/interventions/{intervention_uid}/status",
    response={200: WrittenOut},
    url_name="intervention_status",
    summary="Report an intervention's status (If-Match)",
)
def intervention_status(request, plan_id: str, intervention_uid: str, payload: ProgressIn):
    """The unit responsible for the intervention reports its status and a short note."""
    with transaction.atomic():
        plan = _matching(request, plan_id, "plan.view")
        if isinstance(plan, HttpResponse):
            return plan
        item = intervention_for(request, plan, intervention_uid)
        services.intervention_progress(
            actor=request.actor, intervention=item, status=payload.status, note=payload.note
        )
    return _written(request, plan)


@api.post(
    "/plans/{plan_id}/meetings/{meeting_id}/answer",
    response={200: WrittenOut},
    url_name="invitation_answer",
    summary="Answer the unit's invitation to a meeting (If-Match)",
)
def invitation_answer(request, plan_id: str, meeting_id: int, payload: AnswerIn):
    """Accept or decline (with a reason) the invitation of the client's unit."""
    with transaction.atomic():
        plan = _matching(request, plan_id, "plan.respond")
        if isinstance(plan, HttpResponse):
            return plan
        invitee = invitee_for(request, plan, meeting_id)
        services.invitation_respond(
            actor=request.actor, invitee=invitee, response=payload.response, reason=payload.reason
        )
    return _written(request, plan)
