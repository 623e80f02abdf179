"""GET /api/v1/careplans: the header of each plan the unit may read, shaped after the care-plan
header of the national GetCarePlans contract (RIV clinicalprocess:logistics), with SIP as the
type of care plan, so an integration platform can publish that a SIP exists and where it is
kept. Only plans with a version the individual approved; the content stays behind the plan's
own endpoints (REST or FHIR), with the consent's limits. Each plan listed is a read, written
to the access log as the plan list's are."""

import datetime
import uuid

from django.db.models import Prefetch
from django.utils import timezone
from ninja import Field, Query, Schema

from samplan.api.api import PAGE_MAX, _view_name, api
from samplan.api.fhir import IDENTITY_SYSTEMS, RESERVNUMMER
from samplan.audit.services import access_log_record_many
from samplan.plans.access import plans_visible_to
from samplan.plans.models import Plan, PlanEvent, PlanVersion

CARE_PLAN_TYPE = {"code": "SIP", "displayName": "Samordnad individuell plan"}


class CarePlanFilters(Schema):
    changed_since: datetime.datetime | None = Field(
        None, description="Only plans with a change (an event) at or after this time (ISO 8601)."
    )
    limit: int = Field(50, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=1_000_000)


class PatientId(Schema):
    id: str
    type: str = Field(description="The OID of the identity number's kind.")


class OrgUnit(Schema):
    orgUnitHSAId: str | None
    orgUnitName: str


class Author(Schema):
    authorTime: datetime.datetime
    healthcareProfessionalHSAId: str | None
    healthcareProfessionalName: str
    healthcareProfessionalOrgUnit: OrgUnit
    healthcareProfessionalCareGiverHSAId: str | None
    healthcareProfessionalCareGiverName: str


class LegalAuthenticator(Schema):
    signatureTime: datetime.datetime | None
    approvalMethod: str


class CarePlanHeader(Schema):
    documentId: str = Field(description="The plan's id and the approved version's number.")
    documentTitle: str
    documentTime: datetime.datetime
    patientId: PatientId
    accountableHealthcareProfessional: Author
    legalAuthenticator: LegalAuthenticator
    approvedForPatient: bool
    nullified: bool


class CarePlanBody(Schema):
    typeOfCarePlan: dict
    planId: uuid.UUID
    versionNumber: int
    state: str
    closedAt: datetime.datetime | None
    url: str = Field(description="The plan in this API (REST); FHIR: CarePlan/{planId}.")


class CarePlanOut(Schema):
    carePlanHeader: CarePlanHeader
    carePlanBody: CarePlanBody


class CarePlanPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CarePlanOut]


def _oid(system: str) -> str:
    return system.removeprefix("urn:oid:")


def care_plan(plan: Plan, version: PlanVersion) -> dict:
    unit = version.created_unit
    author = version.created_by
    person = plan.person
    return {
        "carePlanHeader": {
            "documentId": f"{plan.pk}/{version.number}",
            "documentTitle": CARE_PLAN_TYPE["displayName"],
            "documentTime": version.approved_at or version.created_at,
            "patientId": {
                "id": person.identity_number,
                "type": _oid(IDENTITY_SYSTEMS.get(person.identity_kind, RESERVNUMMER)),
            },
            "accountableHealthcareProfessional": {
                "authorTime": version.created_at,
                "healthcareProfessionalHSAId": (author.hsa_id or None) if author else None,
                "healthcareProfessionalName": author.get_full_name() if author else "",
                "healthcareProfessionalOrgUnit": {
                    "orgUnitHSAId": unit.hsa_id or None,
                    "orgUnitName": unit.name,
                },
                "healthcareProfessionalCareGiverHSAId": unit.organization.hsa_id or None,
                "healthcareProfessionalCareGiverName": unit.organization.name,
            },
            "legalAuthenticator": {
                "signatureTime": version.approved_at,
                "approvalMethod": version.approval_method,
            },
            "approvedForPatient": True,
            "nullified": False,
        },
        "carePlanBody": {
            "typeOfCarePlan": CARE_PLAN_TYPE,
            "planId": plan.pk,
            "versionNumber": version.number,
            "state": plan.state,
            "closedAt": plan.closed_at,
            "url": f"/api/v1/plans/{plan.pk}",
        },
    }


@api.get(
    "/careplans",
    response=CarePlanPage,
    url_name="careplans",
    summary="GetCarePlans-shaped headers of the unit's approved plans",
)
def care_plan_list(request, filters: Query[CarePlanFilters]):
    """The approved plans the unit sees, newest first, each with the header fields of the
    GetCarePlans contract (type SIP; HSA-ids, identity numbers' OIDs without urn:oid:)."""
    approved = PlanVersion.objects.filter(approval=PlanVersion.Approval.APPROVED)
    plans = plans_visible_to(request.actor).filter(pk__in=approved.values("plan_id"))
    if filters.changed_since:
        since = filters.changed_since
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        plans = plans.filter(pk__in=PlanEvent.objects.filter(at__gte=since).values("plan_id"))
    count = plans.count()
    page = list(
        plans.select_related("person")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=approved.select_related(
                    "created_by", "created_unit__organization"
                ).order_by("-number"),
                to_attr="approved_versions",
            )
        )
        .order_by("-initiated_at", "pk")[filters.offset : filters.offset + filters.limit]
    )
    access_log_record_many(
        request=request,
        action=_view_name(request, "api:careplans"),
        items=[(plan.person, plan) for plan in page],
    )
    items = [care_plan(plan, plan.approved_versions[0]) for plan in page]
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}
