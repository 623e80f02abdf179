"""Establishing the plan, revisions as new versions, and the individual's approval."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.core import dates
from samplan.people.models import Person
from samplan.plans import rules, signals
from samplan.plans.models import (
    CitizenMessage,
    CopyGiven,
    Meeting,
    Plan,
    PlanEvent,
    PlanVersion,
)
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import (
    actor_user,
    draft_refresh,
    event_record,
    plan_lock,
    state_set,
)
from samplan.plans.services.min_sip import lead_units, message_address
from samplan.plans.snapshot import plan_snapshot
from samplan.policy import Actor, Citizen

State = Plan.State
Kind = PlanEvent.Kind


# --- Establishing, versions and approval ----------------------------------------------------


def version_new(
    plan: Plan, *, actor: Actor, approval: str, method: str = "", comment: str = ""
) -> PlanVersion:
    """The working draft frozen as the next version. An approved version is in force at once
    (current_version); a pending one waits for the individual's answer."""
    unit = actor.unit
    latest = plan.versions.aggregate(n=Max("number"))["n"] or 0
    number = latest + 1
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
    if approved:
        in_force(plan, number)
    return version


def in_force(plan: Plan, number: int) -> None:
    """The approved version `number` becomes the plan; the draft then has no unapproved
    changes (it is that version)."""
    Plan.objects.filter(pk=plan.pk).update(current_version=number)
    plan.current_version = number
    draft_refresh(plan)


def pending_version(plan: Plan) -> PlanVersion | None:
    """The revision waiting for the individual's answer, if any."""
    return (
        plan.versions.filter(approval=PlanVersion.Approval.PENDING, number__gt=plan.current_version)
        .order_by("-number")
        .first()
    )


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
    signals.plan_established.send(sender=Plan, plan=plan, version=version, actor=actor)
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
    version = pending_version(plan)
    refuse_unless(version is not None, waiting)
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
    if approved:
        in_force(plan, version.number)
    else:
        # The version approved before stays in force; the draft keeps the declined changes,
        # to be talked over and changed before a new revision.
        draft_refresh(plan)
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
        declined = CitizenMessage.objects.create(
            plan=plan, author=actor.person, kind=CitizenMessage.Kind.CHANGE, text=comment.strip()
        )
        message_address(declined, lead_units(plan))
    signals.version_answered.send(sender=PlanVersion, plan=plan, version=version)
    return version


# --- Copies given (the individual's right to a copy; the guideline: the individual first) ----


def copy_recipients(plan: Plan) -> list[Person]:
    """Who may be recorded as having got a copy: the individual, a guardian, a relative or a
    representative registered around him or her."""
    around = Person.objects.filter(relations_as_related__person=plan.person).distinct()
    return [plan.person, *around.order_by("family_name", "given_name")]


@transaction.atomic
def copy_given_record(
    *, actor: Actor, plan: Plan, version: PlanVersion, given_to: Person, given_on, method: str
) -> CopyGiven:
    """Record that someone got a copy of a version, when and how."""
    refuse_unless(version.plan_id == plan.pk, _("Unknown version."))
    refuse_unless(
        method in CopyGiven.Method.values and method != CopyGiven.Method.MIN_SIP,
        _("Say how the copy was given."),
        "method",
    )
    refuse_unless(given_on is not None, _("Enter the date."), "given_on")
    made = timezone.localtime(version.created_at).date()
    refuse_unless(
        made <= given_on <= timezone.localdate(),
        _("The date must be between the day the version was made (%(day)s) and today.")
        % {"day": dates.day(made)},
        "given_on",
    )
    refuse_unless(
        any(p.pk == given_to.pk for p in copy_recipients(plan)),
        _("Choose the individual or someone registered around him or her."),
        "given_to",
    )
    copy = CopyGiven.objects.create(
        version=version,
        given_to=given_to,
        given_on=given_on,
        method=method,
        recorded_by=actor_user(actor),
        recorded_unit=actor.unit,
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.COPY_GIVEN,
        summary=_("Copy of version %(n)s given to %(name)s (%(how)s)")
        % {
            "n": version.number,
            "name": given_to.full_name,
            "how": copy.get_method_display().lower(),
        },
        after={"version": version.number, "given_to": str(given_to.pk), "method": method},
    )
    return copy


def copy_taken_in_min_sip(*, actor: Citizen, plan: Plan, version: PlanVersion | None) -> None:
    """The individual (or a guardian, a relative) downloaded the copy of the version in
    force in Min SIP: recorded once per version and person."""
    if version is None:
        return
    with transaction.atomic():
        copy, created = CopyGiven.objects.get_or_create(
            version=version,
            given_to=actor.person,
            method=CopyGiven.Method.MIN_SIP,
            defaults={"given_on": timezone.localdate()},
        )
        if created:
            event_record(
                plan,
                actor=actor,
                kind=Kind.COPY_GIVEN,
                summary=_("Copy of version %(n)s taken in Min SIP by %(name)s")
                % {"n": version.number, "name": actor.person.full_name},
                after={"version": version.number, "method": CopyGiven.Method.MIN_SIP},
            )
