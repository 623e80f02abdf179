"""Establishing the plan, revisions as new versions, and the individual's approval."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.plans import rules
from samplan.plans.models import (
    CitizenMessage,
    Meeting,
    Plan,
    PlanEvent,
    PlanVersion,
)
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import actor_user, event_record, plan_lock, state_set
from samplan.plans.snapshot import plan_snapshot
from samplan.policy import Actor, Citizen

State = Plan.State
Kind = PlanEvent.Kind


# --- Establishing, versions and approval ----------------------------------------------------


def version_new(
    plan: Plan, *, actor: Actor, approval: str, method: str = "", comment: str = ""
) -> PlanVersion:
    unit = actor.unit
    number = plan.current_version + 1
    approved = approval == PlanVersion.Approval.APPROVED
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        created_by=actor_user(actor),
        created_unit=unit,
        snapshot=plan_snapshot(plan),
        approval=approval,
        approval_method=method if approved else "",
        approved_at=timezone.now() if approved else None,
        approval_recorded_by=actor_user(actor) if approved else None,
        approval_comment=comment.strip(),
    )
    Plan.objects.filter(pk=plan.pk).update(current_version=number)
    plan.current_version = number
    return version


def content_complete(plan: Plan) -> None:
    check = rules.legal_content_check(plan)
    refuse_unless(
        check.complete,
        _("The plan is missing: %(missing)s.") % {"missing": "; ".join(check.missing)},
    )


@transaction.atomic
def plan_establish(
    *, actor: Actor, plan: Plan, approval_method: str, approval_comment: str = ""
) -> PlanVersion:
    """Establish the plan at the meeting, with the individual's approval (003: nothing without it)."""
    plan = plan_lock(plan)
    refuse_unless(
        rules.may_start("plan.establish", plan),
        _("Only an invited SIP, after its first meeting, can be established."),
    )
    refuse_unless(
        plan.meetings.filter(kind=Meeting.Kind.FIRST, status=Meeting.Status.HELD).exists(),
        _("Record the first meeting as held before establishing the plan."),
    )
    rules.consent_required(plan)
    rules.both_principals_take_part(plan)
    content_complete(plan)
    refuse_unless(plan.lead_id is not None, _("Appoint the lead (huvudansvarig) first."))
    refuse_unless(
        approval_method in PlanVersion.Method.values, _("Say how the individual approved the plan.")
    )
    version = version_new(
        plan,
        actor=actor,
        approval=PlanVersion.Approval.APPROVED,
        method=approval_method,
        comment=approval_comment,
    )
    state = state_set(plan, State.ACTIVE)
    event_record(
        plan,
        actor=actor,
        kind=Kind.ESTABLISHED,
        summary=_("Plan established as version %(n)s, approved by the individual")
        % {"n": version.number},
        after={"version": version.number, "approval_method": approval_method, **state},
    )
    return version


@transaction.atomic
def plan_revise(
    *, actor: Actor, plan: Plan, approval_method: str = "", approval_comment: str = ""
) -> PlanVersion:
    """A revision is a new version; it stands only when the individual approves it (the citizen information)."""
    plan = plan_lock(plan)
    refuse_unless(
        rules.may_start("plan.follow_up", plan), _("Only an established SIP can be revised.")
    )
    content_complete(plan)
    if approval_method:
        refuse_unless(
            approval_method in PlanVersion.Method.values,
            _("Say how the individual approved the plan."),
        )
        version = version_new(
            plan,
            actor=actor,
            approval=PlanVersion.Approval.APPROVED,
            method=approval_method,
            comment=approval_comment,
        )
        state = state_set(plan, State.ACTIVE)
        summary = _("Plan revised to version %(n)s, approved by the individual")
    else:
        version = version_new(plan, actor=actor, approval=PlanVersion.Approval.PENDING)
        state = state_set(plan, State.REVISION)
        summary = _("Plan revised to version %(n)s, awaiting the individual's approval")
    event_record(
        plan,
        actor=actor,
        kind=Kind.REVISED,
        summary=summary % {"n": version.number},
        after={"version": version.number, **state},
    )
    return version


@transaction.atomic
def version_approval_record(
    *, actor: Actor, plan: Plan, approved: bool, method: str = "", comment: str = ""
) -> PlanVersion:
    """The individual's answer to a pending revision: the plan may not change without it (the
    citizen information). Staff record an answer given at a meeting, by phone or on paper; the
    individual (or a guardian of a child) answers digitally in Min SIP, and a decline there
    reaches the lead as a message."""
    by_citizen = isinstance(actor, Citizen)
    plan = plan_lock(plan)
    if by_citizen:
        method = PlanVersion.Method.DIGITAL
        waiting, explain = (
            _("No version is waiting for your approval."),
            _("Write what you want changed."),
        )
    else:
        waiting = _("No version is waiting for approval.")
        explain = _("Write what the individual wants changed.")
    refuse_unless(rules.may_start("version.approve", plan), waiting)
    refuse_unless(method in PlanVersion.Method.values, _("Say how the individual answered."))
    refuse_unless(approved or bool(comment.strip()), explain)
    version = plan.versions.get(number=plan.current_version)
    version.approval = PlanVersion.Approval.APPROVED if approved else PlanVersion.Approval.DECLINED
    version.approval_method, version.approved_at = method, timezone.now()
    version.approval_recorded_by, version.approval_comment = actor_user(actor), comment.strip()
    version.save(
        update_fields=[
            "approval",
            "approval_method",
            "approved_at",
            "approval_recorded_by",
            "approval_comment",
        ]
    )
    state = state_set(plan, State.ACTIVE)
    if by_citizen:
        summary = (
            _("Version %(n)s approved in Min SIP by %(name)s")
            if approved
            else _("Version %(n)s declined in Min SIP by %(name)s")
        ) % {"n": version.number, "name": actor.person.full_name}
        after = {"version": version.number, "method": "digital", **state}
    else:
        summary = (
            _("Version %(n)s approved by the individual")
            if approved
            else _("Version %(n)s declined by the individual")
        ) % {"n": version.number}
        after = {"version": version.number, **state}
    event_record(
        plan,
        actor=actor,
        kind=Kind.VERSION_APPROVED if approved else Kind.VERSION_DECLINED,
        summary=summary,
        after=after,
    )
    if by_citizen and not approved:
        CitizenMessage.objects.create(
            plan=plan, author=actor.person, kind=CitizenMessage.Kind.CHANGE, text=comment.strip()
        )
    return version
