"""What the individual sees of a plan, as plain data. The Min SIP page and the PDF copy are both
rendered from `plan_for_citizen`, so they can never say different things."""

import enum
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan.plans import rules
from samplan.plans.models import Meeting, Plan, PlanVersion, RelativeAccess

ALL_SECTIONS = tuple(RelativeAccess.Section.values)
KIND_HEADINGS = {
    "municipality": _("What the municipality does"),
    "region": _("What the region (health care) does"),
    "other": _("What others do"),
}


class Role(enum.StrEnum):
    """Who the viewer is to the plan in Min SIP."""

    INDIVIDUAL = "individual"
    GUARDIAN = "guardian"  # of a child (rules.acts_for_child)
    RELATIVE = "relative"

    @property
    def is_individual(self) -> bool:
        return self is Role.INDIVIDUAL

    @property
    def is_guardian(self) -> bool:
        return self is Role.GUARDIAN

    @property
    def is_relative(self) -> bool:
        return self is Role.RELATIVE


@dataclass
class CitizenPlan:
    plan: Plan
    role: Role
    sections: tuple[str, ...]
    version: PlanVersion | None
    pending: PlanVersion | None
    snapshot: dict
    who_does_what: list[dict] = field(default_factory=list)
    next_meeting: Meeting | None = None
    lead_contact: dict | None = None

    def shows(self, section: str) -> bool:
        return section in self.sections

    @property
    def is_individual(self) -> bool:
        return self.role.is_individual

    @property
    def is_relative(self) -> bool:
        return self.role.is_relative

    @property
    def can_act(self) -> bool:
        return not self.role.is_relative and not self.plan.is_closed


def role_of(plan: Plan, viewer) -> Role:
    if plan.person_id == viewer.pk:
        return Role.INDIVIDUAL
    if rules.acts_for_child(viewer, plan):
        return Role.GUARDIAN
    return Role.RELATIVE


def plan_for_citizen(plan: Plan, viewer) -> CitizenPlan:
    role = role_of(plan, viewer)
    if role.is_relative:
        access = plan.relative_accesses.filter(relative=viewer, revoked_at__isnull=True).first()
        sections = tuple(access.sections) if access else ()
    else:
        sections = ALL_SECTIONS
    versions = list(plan.versions.order_by("-number"))
    approved = next((v for v in versions if v.approval == PlanVersion.Approval.APPROVED), None)
    pending = next(
        (
            v
            for v in versions
            if v.approval == PlanVersion.Approval.PENDING
            and rules.may_start("version.approve", plan)
        ),
        None,
    )
    snapshot = approved.snapshot if approved else {}
    view = CitizenPlan(plan, role, sections, approved, pending, snapshot)
    view.who_does_what = _who_does_what(snapshot)
    view.next_meeting = (
        plan.meetings.filter(status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if plan.lead:
        view.lead_contact = {
            "name": plan.lead.get_full_name(),
            "title": plan.lead.title,
            "phone": plan.lead.phone,
            "email": plan.lead.email,
        }
    return view


def _who_does_what(snapshot: dict) -> list[dict]:
    """Interventions grouped by the law's headings, each with the unit's contact person."""
    contacts = {p["unit"]: p.get("contact_person", "") for p in snapshot.get("participants", [])}
    groups = []
    for kind, heading in KIND_HEADINGS.items():
        items = [
            {**item, "contact_person": contacts.get(item.get("unit"), "")}
            for item in snapshot.get("interventions", [])
            if item.get("organization_kind") == kind
        ]
        none = kind == "other" and snapshot.get("no_other_actors")
        groups.append({"kind": kind, "heading": heading, "items": items, "none": none})
    return groups
