"""/api/fhir/R4/ writes: the REST API's four writes (samplan.api.writes) as FHIR interactions
(docs/api.md, "FHIR R4", "Writes").

Each calls the same service as the REST write and the pages, with the client's service user
as actor (a plan event written), and the same If-Match rule: a plan's version is its REST
ETag, which every FHIR read gives as `meta.versionId` and `ETag: W/"…"`, so a record system
can mix the two APIs. Every refusal is an OperationOutcome; a resource is checked with
fhir.resources' R4B models before Samplan reads anything from it.

The operations register on `fhir_api` from here (imported by samplan.api.urls before its URL
patterns are built); on a path the read side serves too, django-ninja merges them into one
view that answers each method (405 OperationOutcome for any other).
"""

import datetime
import json
import uuid

from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError as PydanticError

from samplan import policy
from samplan.api import fhir, writes
from samplan.api import fhir_api as reads
from samplan.api.api import plan_etag, plan_payload
from samplan.api.fhir_api import FhirError, fhir_api, fhir_response, outcome, read
from samplan.plans import services
from samplan.plans.models import FollowUp, Intervention, Invitee, Meeting, Plan
from samplan.plans.rules import OpenPlanExists, RuleViolation

EXTENSION = "urn:samplan:fhir:StructureDefinition/"
REASON_EXTENSION = EXTENSION + "initiative-reason"
SOURCE_EXTENSION = EXTENSION + "initiative-source"
SOURCE_DETAIL_EXTENSION = EXTENSION + "initiative-source-detail"
REASON = "urn:samplan:fhir:initiative-reason"
SOURCE = "urn:samplan:fhir:initiative-source"
FOLLOW_UP = "$follow-up"
FOLLOW_UP_DEFINITION = "urn:samplan:fhir:OperationDefinition/CarePlan-follow-up"

# The ServiceRequest.status a client may set -> Intervention.Status (docs/api.md). `draft`
# is the planned intervention a read shows as active, as every open one.
PROGRESS = {
    "draft": Intervention.Status.PLANNED,
    "active": Intervention.Status.ONGOING,
    "completed": Intervention.Status.DONE,
    "revoked": Intervention.Status.CANCELLED,
}
ANSWERS = {"accepted": Invitee.Response.ACCEPTED, "declined": Invitee.Response.DECLINED}

# The $follow-up parameters: name -> (value[x] type, required).
FOLLOW_UP_PARAMS = {
    "how_it_went": ("valueString", True),
    "helped_hindered": ("valueString", True),
    "coordination_needed": ("valueBoolean", True),
    "continue_interventions": ("valueString", True),
    "decision": ("valueCode", True),
    "next_follow_up": ("valueDate", False),
    "closing_reason": ("valueCode", False),
    "closing_text": ("valueString", False),
    "child_view": ("valueString", False),
}
# Where a rule's field is in the FHIR request.
FIELD_PATHS = {
    "status": "ServiceRequest.status",
    "note": "ServiceRequest.note",
    "reasons": "CarePlan.extension",
    "reason_text": "CarePlan.description",
}


# --- Reading the request ----------------------------------------------------------------------


def _invalid(text: str, expression: str | None = None, status: int = 400) -> FhirError:
    return FhirError(status, "invalid", text, expression)


def _json_body(request):
    try:
        return json.loads(request.body or b"")
    except (UnicodeDecodeError, ValueError):
        raise _invalid(_("The body is not valid JSON.")) from None


def _resource(request, resource_type: str) -> dict:
    """The body as a resource of the type, valid for the R4B model (400 otherwise)."""
    body = _json_body(request)
    if not isinstance(body, dict) or body.get("resourceType") != resource_type:
        raise _invalid(
            _("The body must be a %(type)s resource.") % {"type": resource_type}, "resourceType"
        )
    try:
        get_fhir_model_class(resource_type).model_validate(body)
    except PydanticError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in (resource_type, *first.get("loc", ())))
        raise _invalid(
            _("The %(type)s is not valid FHIR R4: %(error)s")
            % {"type": resource_type, "error": first.get("msg", "")},
            where,
        ) from None
    return body


def _refused(refused: RuleViolation, paths: dict | None = None) -> FhirError:
    where = (paths or FIELD_PATHS).get(refused.field or "")
    return FhirError(422, "business-rule", str(refused.message), where)


def _code(value, allowed, expression: str) -> str:
    if value not in allowed:
        raise FhirError(
            422,
            "code-invalid",
            _("%(value)s is not a known code here.") % {"value": value},
            expression,
        )
    return value


# --- Answers ----------------------------------------------------------------------------------


def _version(request, plan: Plan) -> str:
    """The plan's version as an ETag (weak, as FHIR writes it)."""
    plan.refresh_from_db()
    return "W/" + plan_etag(plan, plan_payload(request, plan))


def _minimal(request) -> bool:
    return "return=minimal" in request.headers.get("Prefer", "").replace(" ", "")


def _answer(request, plan: Plan, resource_type: str, resource_id: str, status: int):
    """The changed resource as a read gives it (logged as a read), or with
    `Prefer: return=minimal` no body; the plan's new version as ETag either way."""
    if _minimal(request):
        response = HttpResponse(status=status)
        response["ETag"] = _version(request, plan)
        return response
    response = read(request, resource_type, resource_id)
    response.status_code = status
    return response


def _preconditions(request, plan_id, action: str) -> Plan:
    """writes.plan_locked, its refusals as OperationOutcomes (428, 412 with the ETag)."""
    try:
        return writes.plan_locked(request, str(plan_id), action)
    except writes.PreconditionRequired:
        raise FhirError(
            428,
            "required",
            _("A write needs If-Match with the version (ETag) of the plan as last read."),
        ) from None
    except writes.PlanChanged as changed:
        raise _Stale(changed.etag) from None


class _Stale(Exception):
    def __init__(self, etag: str):
        super().__init__(etag)
        self.etag = etag


def _stale(request, exc: _Stale):
    response = outcome(
        request,
        412,
        "conflict",
        _("The plan has changed since the client read it. Read it again and decide."),
    )
    response["ETag"] = "W/" + exc.etag
    return response


fhir_api.add_exception_handler(_Stale, _stale)


def _served(resource_type: str) -> bool:
    return resource_type in reads.RESOURCE_TYPES or resource_type in getattr(
        reads, "OTHER_TYPES", ()
    )


def _unsupported(resource_type: str) -> FhirError:
    return FhirError(
        404,
        "not-supported",
        _("The resource type %(type)s is not supported.") % {"type": resource_type},
    )


def capabilities(statement: dict, base_url: str) -> None:
    """The writes in the CapabilityStatement: create, patch and the $follow-up operation."""
    rest = statement["rest"][0]
    rest["documentation"] += " " + _(
        "Writes (the scope write, If-Match with the plan's version): an initiative as a "
        "CarePlan create, a follow-up with CarePlan/{id}/$follow-up, an intervention's status "
        "with a JSON Patch of its ServiceRequest, the unit's answer to an invitation as an "
        "AppointmentResponse create."
    )
    by_type = {entry["type"]: entry for entry in rest["resource"]}
    care_plan = by_type["CarePlan"]
    care_plan["interaction"].append({"code": "create"})
    care_plan["conditionalCreate"] = False
    care_plan["operation"] = [
        {
            "name": "follow-up",
            "definition": FOLLOW_UP_DEFINITION,
            "documentation": _(
                "POST CarePlan/{id}/$follow-up with Parameters: how_it_went, "
                "helped_hindered, continue_interventions, closing_text, child_view "
                "(valueString), coordination_needed (valueBoolean), decision (valueCode: "
                "continue, revise, close), next_follow_up (valueDate), closing_reason "
                "(valueCode). A Samplan operation; see docs/api.md."
            ),
        }
    ]
    by_type["ServiceRequest"]["interaction"].append({"code": "patch"})
    by_type["ServiceRequest"]["documentation"] = _(
        "The responsible unit patches status (draft, active, completed, revoked) and may add "
        "a note; nothing else."
    )
    rest["resource"].append(
        {
            "type": "AppointmentResponse",
            "documentation": _(
                "The client's unit answers its invitation to an Appointment: accepted, or "
                "declined with a comment. Not read back: the answer is the unit's "
                "participant status in the Appointment."
            ),
            "interaction": [{"code": "create"}],
        }
    )
    statement["patchFormat"] = ["application/json-patch+json"]


reads.CAPABILITY_ADDITIONS.append(capabilities)


# --- Create: an initiative (CarePlan) and an invitation's answer (AppointmentResponse) ----------


@fhir_api.post("/{resource_type}", url_name="fhir-create", summary="Create")
def create(request, resource_type: str):
    if resource_type == "CarePlan":
        return _initiative(request)
    if resource_type == "AppointmentResponse":
        return _invitation_answer(request)
    if _served(resource_type):
        raise FhirError(
            405,
            "not-supported",
            _("A %(type)s cannot be created here.") % {"type": resource_type},
        )
    raise _unsupported(resource_type)


def _initiative(request):
    """A SIP initiative: services.plan_initiate, as POST /api/v1/plans."""
    if policy.decide(request.actor, "plan.initiate", None) is not policy.Decision.ALLOW:
        raise Http404
    body = _resource(request, "CarePlan")
    if body["status"] != "draft" or body["intent"] != "proposal":
        raise FhirError(
            422,
            "value",
            _("An initiative is a CarePlan with status draft and intent proposal."),
            "CarePlan.status",
        )
    categories = [c for cat in body.get("category", []) for c in cat.get("coding", [])]
    if categories and not any(
        c.get("system") == fhir.CATEGORY and c.get("code") == "sip" for c in categories
    ):
        raise FhirError(
            422,
            "value",
            _("An initiative's category is %(system)s|sip.") % {"system": fhir.CATEGORY},
            "CarePlan.category",
        )
    person = _subject(body)
    extensions = body.get("extension", [])
    reasons = [
        _code((ext.get("valueCoding") or {}).get("code"), Plan.Reason.values, "CarePlan.extension")
        for ext in extensions
        if ext["url"] == REASON_EXTENSION
    ]
    sources = [
        (ext.get("valueCoding") or {}).get("code")
        for ext in extensions
        if ext["url"] == SOURCE_EXTENSION
    ]
    source = _code(
        sources[0] if sources else Plan.Source.STAFF, Plan.Source.values, "CarePlan.extension"
    )
    detail = "".join(
        ext.get("valueString", "") for ext in extensions if ext["url"] == SOURCE_DETAIL_EXTENSION
    )
    if len(detail) > 200 or len(body.get("description", "")) > writes.TEXT_MAX:
        raise FhirError(422, "too-long", _("The text is too long."), "CarePlan.description")
    try:
        started = services.plan_initiate(
            actor=request.actor,
            person=person,
            source=source,
            source_detail=detail,
            reasons=reasons,
            reason_text=body.get("description", ""),
        )
    except OpenPlanExists as known:
        # As REST's 409: the open SIP the unit sees is named (expression), nothing started.
        body = fhir.operation_outcome(
            "duplicate", str(known.message), expression=f"CarePlan/{known.plan.pk}"
        )
        return fhir_response(request, body, 409)
    except RuleViolation as refused:
        raise _refused(refused) from None
    if not isinstance(started, Plan):
        return fhir_response(
            request,
            fhir.operation_outcome(
                "informational",
                _(
                    "The initiative is sent as a request to take part in an existing SIP. Its "
                    "units answer it."
                ),
                severity="information",
            ),
            202,
        )
    response = _answer(request, started, "CarePlan", str(started.pk), 201)
    response["Location"] = request.build_absolute_uri(f"/api/fhir/R4/CarePlan/{started.pk}")
    return response


def _subject(body: dict):
    """The individual the CarePlan is about: subject.identifier, or a reference to a contained
    Patient with an identifier (personnummer, samordningsnummer or Samplan's reservnummer)."""
    subject = body["subject"]
    identifiers = [subject["identifier"]] if subject.get("identifier") else []
    reference = subject.get("reference") or ""
    if reference.startswith("#"):
        for contained in body.get("contained", []):
            if contained.get("resourceType") == "Patient" and contained.get("id") == reference[1:]:
                identifiers += contained.get("identifier", [])
    known = [i for i in identifiers if i.get("system") in fhir.IDENTITY_SYSTEMS.values()]
    if not known or not known[0].get("value"):
        raise FhirError(
            422,
            "value",
            _(
                "The subject must be the individual's personnummer, samordningsnummer or "
                "reservnummer (an identifier, or a contained Patient with one)."
            ),
            "CarePlan.subject",
        )
    try:
        person = writes.person_for_number(known[0]["value"])
    except writes.UnknownPerson as unknown:
        raise FhirError(422, "not-found", unknown.detail, "CarePlan.subject") from None
    if fhir.IDENTITY_SYSTEMS.get(person.identity_kind) != known[0]["system"]:
        raise FhirError(
            422,
            "not-found",
            _("No individual with that number is registered in Samplan."),
            "CarePlan.subject",
        )
    return person


def _invitation_answer(request):
    """The unit's answer to its invitation: services.invitation_respond (If-Match)."""
    body = _resource(request, "AppointmentResponse")
    reference = body["appointment"].get("reference") or ""
    meeting_id = reference.removeprefix("Appointment/")
    if not reference.startswith("Appointment/") or not meeting_id.isdigit() or len(meeting_id) > 18:
        raise _invalid(
            _("appointment must reference Appointment/{id}."), "AppointmentResponse.appointment"
        )
    answer = ANSWERS.get(body["participantStatus"])
    if answer is None:
        raise FhirError(
            422,
            "code-invalid",
            _("participantStatus must be accepted or declined."),
            "AppointmentResponse.participantStatus",
        )
    plan_id = Meeting.objects.filter(pk=int(meeting_id)).values_list("plan_id", flat=True).first()
    if plan_id is None:
        raise Http404
    with transaction.atomic():
        plan = _preconditions(request, plan_id, "plan.respond")
        invitee = writes.invitee_for(request, plan, int(meeting_id))
        try:
            services.invitation_respond(
                actor=request.actor,
                invitee=invitee,
                response=answer,
                reason=body.get("comment", ""),
            )
        except RuleViolation as refused:
            raise _refused(refused, {"": "AppointmentResponse"}) from None
    invitee.refresh_from_db()
    resource = {
        "resourceType": "AppointmentResponse",
        "id": str(invitee.pk),
        "appointment": {"reference": f"Appointment/{meeting_id}"},
        "actor": fhir.unit_ref(request.actor.unit),
        "participantStatus": body["participantStatus"],
    }
    if invitee.decline_reason:
        resource["comment"] = invitee.decline_reason
    version = _version(request, plan)
    response = (
        HttpResponse(status=201) if _minimal(request) else fhir_response(request, resource, 201)
    )
    response["ETag"] = version
    return response


# --- Update: an intervention's status (ServiceRequest, JSON Patch) ------------------------------


@fhir_api.patch("/{resource_type}/{resource_id}", url_name="fhir-patch", summary="Patch")
def patch(request, resource_type: str, resource_id: str):
    """The responsible unit reports its intervention's status and a note:
    services.intervention_progress, as POST /api/v1/plans/{id}/interventions/{uid}/status."""
    if resource_type != "ServiceRequest":
        if not _served(resource_type):
            raise _unsupported(resource_type)
        raise FhirError(
            405,
            "not-supported",
            _("A %(type)s cannot be changed here.") % {"type": resource_type},
        )
    status, note = _progress_patch(_json_body(request))
    key = fhir_uuid(resource_id)
    plan_id = Intervention.objects.filter(uid=key).values_list("plan_id", flat=True).first()
    if plan_id is None:
        raise Http404
    with transaction.atomic():
        plan = _preconditions(request, plan_id, "plan.view")
        item = writes.intervention_for(request, plan, resource_id)
        try:
            services.intervention_progress(
                actor=request.actor, intervention=item, status=status, note=note
            )
        except RuleViolation as refused:
            raise _refused(refused) from None
    return _answer(request, plan, "ServiceRequest", resource_id, 200)


def fhir_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None


def _progress_patch(operations) -> tuple[str, str]:
    """A JSON Patch (RFC 6902) that sets `status` and may add a note; anything else is 422."""
    if not isinstance(operations, list) or not all(isinstance(op, dict) for op in operations):
        raise _invalid(
            _("The body must be a JSON Patch: a list of operations (application/json-patch+json).")
        )
    status, notes = None, []
    for op in operations:
        kind, path, value = op.get("op"), op.get("path"), op.get("value")
        if kind in {"replace", "add"} and path == "/status" and isinstance(value, str):
            status = _code(value, PROGRESS, "ServiceRequest.status")
        elif kind == "add" and path in {"/note", "/note/-", "/note/0"}:
            items = value if isinstance(value, list) else [value]
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    raise _invalid(
                        _("A note is an Annotation with text."), "ServiceRequest.note", 422
                    )
                notes.append(item["text"])
        else:
            raise FhirError(
                422,
                "not-supported",
                _("Only the status (and a note) of a ServiceRequest can be changed."),
                "ServiceRequest",
            )
    if status is None:
        raise FhirError(
            422, "required", _("The patch must set the status."), "ServiceRequest.status"
        )
    return PROGRESS[status], "\n".join(notes)


# --- Operation: $follow-up (Parameters) ---------------------------------------------------------


@fhir_api.post(
    "/{resource_type}/{resource_id}/{path:rest}", url_name="fhir-operation", summary="Operation"
)
def operation(request, resource_type: str, resource_id: str, rest: str):
    """CarePlan/{id}/$follow-up: services.followup_record, as POST
    /api/v1/plans/{id}/follow-ups."""
    if resource_type != "CarePlan" or rest != FOLLOW_UP:
        raise FhirError(404, "not-supported", _("This interaction is not supported."))
    values = _follow_up_values(_resource(request, "Parameters"))
    with transaction.atomic():
        plan = _preconditions(request, resource_id, "plan.edit")
        try:
            services.followup_record(actor=request.actor, plan=plan, **values)
        except RuleViolation as refused:
            paths = {name: f"Parameters.parameter.where(name='{name}')" for name in values}
            raise _refused(refused, paths) from None
    return _answer(request, plan, "CarePlan", str(plan.pk), 200)


def _follow_up_values(parameters: dict) -> dict:
    values = {}
    for index, parameter in enumerate(parameters.get("parameter", [])):
        name = parameter.get("name")
        where = f"Parameters.parameter[{index}]"
        if name not in FOLLOW_UP_PARAMS:
            raise _invalid(_("Unknown parameter %(name)s.") % {"name": name}, where)
        if name in values:
            raise _invalid(_("The parameter %(name)s is repeated.") % {"name": name}, where)
        kind = FOLLOW_UP_PARAMS[name][0]
        if kind not in parameter:
            raise _invalid(
                _("The parameter %(name)s needs %(kind)s.") % {"name": name, "kind": kind}, where
            )
        value = parameter[kind]
        if isinstance(value, str) and len(value) > writes.TEXT_MAX:
            raise FhirError(422, "too-long", _("The text is too long."), where)
        values[name] = value
    missing = [
        name for name, (_kind, needed) in FOLLOW_UP_PARAMS.items() if needed and name not in values
    ]
    if missing:
        raise _invalid(
            _("Missing parameters: %(names)s.") % {"names": ", ".join(missing)}, "Parameters"
        )
    _code(values["decision"], FollowUp.Decision.values, "Parameters.parameter")
    if "next_follow_up" in values:
        try:
            values["next_follow_up"] = datetime.date.fromisoformat(values["next_follow_up"])
        except ValueError:
            raise _invalid(
                _("next_follow_up must be a full date (YYYY-MM-DD)."), "Parameters.parameter"
            ) from None
    if "closing_reason" in values:
        _code(values["closing_reason"], Plan.ClosingReason.values, "Parameters.parameter")
    return values
