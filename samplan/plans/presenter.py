"""What the individual sees of a plan, as plain data. The Min SIP page and the PDF copy are both
rendered from `plan_for_citizen`, so they can never say different things."""

import datetime
import enum
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan import policy
from samplan.core import dates
from samplan.people.models import Relation
from samplan.plans import rules
from samplan.plans.models import Meeting, Plan, PlanVersion, RelativeAccess
from samplan.plans.snapshot import comparison, quoted, snapshot_for

ALL_SECTIONS = tuple(RelativeAccess.Section.values)
KIND_HEADINGS = {
    "municipality": _("What the municipality does"),
    "region": _("What the region (health care) does"),
    "other": _("What others do"),
}


class Role(enum.StrEnum):
    """Who the viewer is to the plan in Min SIP."""

    INDIVIDUAL = "individual"  # an adult, about his or her own plan
    CHILD = "child"  # a child reading his or her own plan (rules.child_reads_own)
    GUARDIAN = "guardian"  # of a child (rules.acts_for_child)
    REPRESENTATIVE = "representative"  # god man, förvaltare or ombud (rules.represents)
    RELATIVE = "relative"

    @property
    def is_individual(self) -> bool:
        """The plan is the reader's own ("din plan"), a child's included."""
        return self in (Role.INDIVIDUAL, Role.CHILD)

    @property
    def is_child(self) -> bool:
        return self is Role.CHILD

    @property
    def is_guardian(self) -> bool:
        return self is Role.GUARDIAN

    @property
    def is_representative(self) -> bool:
        return self is Role.REPRESENTATIVE

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
    # What a pending revision changes, in plain words, for the one who answers it.
    changes: list[str] = field(default_factory=list)
    next_meeting: Meeting | None = None
    lead_contact: dict | None = None
    # Printed by a unit the consent limits: the copy leaves out what is kept from it.
    limited: bool = False

    def shows(self, section: str) -> bool:
        return section in self.sections

    @property
    def is_individual(self) -> bool:
        return self.role.is_individual

    @property
    def is_relative(self) -> bool:
        return self.role.is_relative

    @property
    def is_child(self) -> bool:
        return self.role.is_child

    @property
    def standing(self) -> dict:
        """Where the plan stands, for the top of the copy: closed, a proposal waiting for the
        reader's answer, the plan in force, or not written yet. A label, a plain sentence and
        a kind (for the look only)."""
        version, pending = self.version, self.pending
        if self.plan.is_closed:
            day = dates.day(self.plan.closed_at)
            if version:
                text = _(
                    "The SIP was ended on %(day)s. This copy shows version %(n)s, the last one "
                    "in force."
                ) % {"day": day, "n": version.number}
            else:
                text = _("The SIP was ended on %(day)s, before a plan was written.") % {"day": day}
            return {"kind": "closed", "label": _("Closed"), "text": text}
        if pending:
            if version:
                text = _(
                    "This is a proposal for version %(n)s. Until you approve it, version %(m)s "
                    "applies."
                ) % {"n": pending.number, "m": version.number}
            else:
                text = _(
                    "This is a proposal for version %(n)s. It applies when you approve it."
                ) % {"n": pending.number}
            return {"kind": "proposal", "label": _("Proposal, not approved"), "text": text}
        if version:
            text = _("Version %(n)s, approved on %(day)s.") % {
                "n": version.number,
                "day": dates.day(version.approved_at or version.created_at),
            }
            return {"kind": "current", "label": _("In force"), "text": text}
        consent = self.plan.current_consent
        if rules.consent_refused(consent):
            refused = _("The consent to a SIP was refused on %(day)s.") % {
                "day": dates.day(consent.decided_on)
            }
            text = f"{refused} {_('Without consent no plan is made, and no meeting is booked.')}"
            return {"kind": "unwritten", "label": _("Consent refused"), "text": text}
        if self.next_meeting:
            text = _("The plan is not written yet. It is written at the meeting on %(when)s.") % {
                "when": dates.weekday_time(self.next_meeting.starts_at)
            }
        else:
            text = _("The plan is not written yet. It is written together with you at a meeting.")
        return {"kind": "unwritten", "label": _("Not written yet"), "text": text}

    # What the viewer may do, as the policy decides (samplan.policy): answer a new version,
    # write to those responsible, manage the SIP (invite relatives, end it).
    may_answer: bool = False
    may_write: bool = False
    may_manage: bool = False
    # A representative's relation to the individual: the kind and what it covers in Min SIP.
    representation: Relation | None = None


def role_of(plan: Plan, viewer) -> Role:
    if plan.person_id == viewer.pk:
        return Role.INDIVIDUAL if rules.acts_for_self(viewer, plan) else Role.CHILD
    if rules.acts_for_child(viewer, plan):
        return Role.GUARDIAN
    if rules.represents(viewer, plan):
        return Role.REPRESENTATIVE
    return Role.RELATIVE


def plan_for_citizen(plan: Plan, viewer, *, limit=None) -> CitizenPlan:
    """The plan as `viewer` reads it in Min SIP and on the PDF copy. Staff print the same copy,
    without what the consent keeps from their unit (`limit`, a rules.ItemLimit)."""
    prefetch_related_objects([plan], "person__relations")
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
    citizen = policy.Citizen(person=viewer)
    may_answer = not plan.is_closed and bool(policy.decide(citizen, "plan.approve", plan))
    if not may_answer:
        pending = None  # only those who answer read the proposal; others the plan in force
    # The one who answers a revision reads the proposal; everyone else the plan in force.
    snapshot = pending.snapshot if pending else (approved.snapshot if approved else {})
    snapshot = snapshot_for(snapshot, limit)
    view = CitizenPlan(plan, role, sections, approved, pending, snapshot)
    view.limited = limit is not None
    view.may_answer = may_answer
    view.may_write = bool(policy.decide(citizen, "plan.comment", plan))
    view.may_manage = not plan.is_closed and bool(policy.decide(citizen, "plan.manage", plan))
    if role.is_representative:
        view.representation = next(
            r
            for r in plan.person.relations.all()
            if r.related_id == viewer.pk and r.kind in Relation.REPRESENTATIVES
        )
    view.who_does_what = _who_does_what(snapshot)
    if pending and approved:
        view.changes = changes_in_words(
            snapshot_for(approved.snapshot, limit), snapshot_for(pending.snapshot, limit)
        )
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


def changes_in_words(old: dict, new: dict) -> list[str]:
    """What a new version changes, one plain sentence each, for the individual to read before
    answering (the plan may not change without his or her approval): each changed field of a
    goal or an intervention with its new and its old value."""
    diff = comparison(old, new)
    lines = [
        _("%(what)s: now “%(new)s” (before: “%(old)s”).")
        % {"what": row["label"], "new": _stated(row["new"]), "old": _stated(row["old"])}
        for row in diff["scalars"]
        if row["change"] == "changed"
    ]
    for row in diff["goals"]:
        if row["change"] == "added":
            lines.append(_("New goal: “%(text)s”.") % {"text": row["new"]["text"]})
        elif row["change"] == "removed":
            lines.append(_("The goal “%(text)s” is taken away.") % {"text": row["old"]["text"]})
        elif row["change"] == "changed":
            lines.append(
                _("The goal “%(text)s” changes: %(fields)s.")
                % {"text": row["old"]["text"], "fields": _fields_in_words(row["fields"])}
            )
    for row in diff["interventions"]:
        if row["change"] == "added":
            lines.append(
                _("New intervention: %(what)s (%(who)s).")
                % {"what": row["new"]["what"], "who": row["new"]["organization"]}
            )
        elif row["change"] == "removed":
            lines.append(
                _("The intervention %(what)s (%(who)s) is taken away.")
                % {"what": row["old"]["what"], "who": row["old"]["organization"]}
            )
        elif row["change"] == "changed":
            lines.append(
                _("The intervention %(what)s changes: %(fields)s.")
                % {"what": row["old"]["what"], "fields": _fields_in_words(row["fields"])}
            )
    return lines


def _fields_in_words(fields: list[dict]) -> str:
    return "; ".join(
        _("%(what)s now %(new)s (before: %(old)s)")
        % {
            "what": str(f["label"]).lower(),
            "new": _quoted(f["new"], f["key"]),
            "old": _quoted(f["old"], f["key"]),
        }
        for f in fields
    )


def _quoted(value: str, key: str) -> str:
    """A value in quotation marks (the goals an intervention serves have theirs already), or
    "not stated"."""
    if not value:
        return str(_("not stated"))
    return value if key == "goals" else quoted(value)


def _stated(value: str) -> str:
    return value or str(_("not stated"))


def _who_does_what(snapshot: dict) -> list[dict]:
    """Interventions grouped by the law's headings, each with the unit's contact person."""
    contacts = {p["unit"]: p.get("contact_person", "") for p in snapshot.get("participants", [])}
    groups = []
    for kind, heading in KIND_HEADINGS.items():
        items = [
            {
                **item,
                "contact_person": contacts.get(item.get("unit"), ""),
                "starts": datetime.date.fromisoformat(item["start"]) if item.get("start") else None,
            }
            for item in snapshot.get("interventions", [])
            if item.get("organization_kind") == kind
        ]
        none = kind == "other" and snapshot.get("no_other_actors")
        groups.append({"kind": kind, "heading": heading, "items": items, "none": none})
    return groups
