"""SIP meetings: scheduling, answers to invitations, holding, cancelling."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Unit, User
from samplan.core import dates
from samplan.people.models import Person
from samplan.plans import rules, signals
from samplan.plans.models import (
    Invitee,
    Meeting,
    Plan,
    PlanEvent,
)
from samplan.plans.rules import RuleViolation, refuse_unless
from samplan.plans.services.base import (
    actor_user,
    event_record,
    meeting_lock,
    plain_value,
    plan_lock,
    save_locked,
    state_set,
)
from samplan.policy import Actor, Citizen, decide

State = Plan.State
Kind = PlanEvent.Kind


# --- Meetings -------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    actor: Actor,
    plan: Plan,
    kind: str,
    starts_at: datetime.datetime,
    place: str = "",
    video_link: str = "",
    chair: User | None = None,
    recorder: User | None = None,
    chair_chosen_by_individual: bool = False,
    chair_name: str = "",
    interpreter: str = "",
    invited_units: Iterable[tuple[Unit, str]] = (),
    invited_people: Iterable[tuple[Person, str]] = (),
) -> Meeting:
    """Invite to a SIP meeting. By default the inviter chairs and writes the plan (the regional guideline)."""
    plan = plan_lock(plan)
    rules.consent_required(plan)
    transition = (
        "meeting.schedule_first" if kind == Meeting.Kind.FIRST else "meeting.schedule_follow_up"
    )
    refuse_unless(
        rules.may_start(transition, plan),
        _("A first meeting is for a new SIP; a follow-up meeting is for an established one."),
    )
    refuse_unless(starts_at > timezone.now(), _("The meeting must be in the future."), "starts_at")
    rules.date_sane("meeting", timezone.localtime(starts_at).date(), "starts_at")
    refuse_unless(
        bool(place.strip()) or bool(video_link.strip()), _("Give a place or a video link.")
    )
    consent = plan.current_consent
    scope_units = set(consent.units.values_list("pk", flat=True))
    invited_units, invited_people = list(invited_units), list(invited_people)
    refuse_unless(bool(invited_units), _("Invite at least one unit."))
    refuse_unless(
        all(u.pk in scope_units for u, _mode in invited_units),
        _("Only units covered by the consent can be invited."),
    )
    refuse_unless(
        all(rules.may_invite_to_meeting(plan, p) for p, _mode in invited_people),
        _("Only the individual, guardians and relatives covered by the consent can be invited."),
    )
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                plan=plan,
                kind=kind,
                starts_at=starts_at,
                place=place.strip(),
                video_link=video_link.strip(),
                # A chair who is not staff (named) replaces the staff chair.
                chair=None if chair_name.strip() else chair or actor_user(actor),
                chair_name=chair_name.strip(),
                interpreter=interpreter.strip(),
                recorder=recorder or actor_user(actor),
                invited_by=actor_user(actor),
                chair_chosen_by_individual=chair_chosen_by_individual,
            )
    except IntegrityError:  # the table's last word; the plan's row lock keeps this rare
        raise RuleViolation(_("The SIP already has a first meeting."), "starts_at") from None
    Invitee.objects.bulk_create(
        [Invitee(meeting=meeting, unit=u, mode=mode) for u, mode in invited_units]
        + [Invitee(meeting=meeting, person=p, mode=mode) for p, mode in invited_people]
    )
    state = {}
    if kind == Meeting.Kind.FIRST and plan.state == State.CONSENTED:
        state = state_set(plan, State.INVITED)
    elif kind == Meeting.Kind.FOLLOW_UP and plan.state == State.ACTIVE:
        state = state_set(plan, State.FOLLOW_UP)
    event_record(
        plan,
        actor=actor,
        kind=Kind.MEETING_SCHEDULED,
        summary=_("%(kind)s scheduled for %(when)s")
        % {
            "kind": meeting.get_kind_display(),
            "when": dates.day_time(starts_at),
        },
        after={"meeting": meeting.pk, "invited": [u.name for u, _m in invited_units], **state},
    )
    signals.meeting_changed.send(sender=Meeting, meeting=meeting, method="REQUEST")
    return meeting


@transaction.atomic
def meeting_reschedule(
    *,
    actor: Actor,
    meeting: Meeting,
    expected_version: int,
    starts_at: datetime.datetime,
    place: str = "",
    video_link: str = "",
) -> Meeting:
    """Move a scheduled meeting or change where it is held. The invitees get the change in
    their calendars (the same UID, a higher SEQUENCE); a new time asks them to answer again."""
    meeting = meeting_lock(meeting)
    plan = meeting.plan
    rules.meeting_changeable(plan, meeting)
    refuse_unless(starts_at > timezone.now(), _("The meeting must be in the future."), "starts_at")
    rules.date_sane("meeting", timezone.localtime(starts_at).date(), "starts_at")
    place, video_link = place.strip(), video_link.strip()
    refuse_unless(bool(place) or bool(video_link), _("Give a place or a video link."))
    before = {
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "video_link": meeting.video_link,
    }
    after = {"starts_at": starts_at, "place": place, "video_link": video_link}
    changed = {
        k: [plain_value(before[k]), plain_value(v)] for k, v in after.items() if before[k] != v
    }
    # A stale form is told so by _save_locked, not that nothing changed.
    refuse_unless(
        bool(changed) or meeting.lock_version != expected_version, _("Nothing was changed.")
    )
    save_locked(meeting, expected=expected_version, fields=after)
    if "starts_at" in changed:
        meeting.invitees.update(response=Invitee.Response.PENDING, decline_reason="")
    event_record(
        plan,
        actor=actor,
        kind=Kind.MEETING_CHANGED,
        summary=_("%(kind)s moved to %(when)s")
        % {
            "kind": meeting.get_kind_display(),
            "when": dates.day_time(starts_at),
        }
        if "starts_at" in changed
        else _("%(kind)s: place changed") % {"kind": meeting.get_kind_display()},
        before={k: v[0] for k, v in changed.items()},
        after={"meeting": meeting.pk, **{k: v[1] for k, v in changed.items()}},
    )
    signals.meeting_changed.send(sender=Meeting, meeting=meeting, method="REQUEST")
    return meeting


@transaction.atomic
def invitation_respond(
    *, actor: Actor, invitee: Invitee, response: str, reason: str = ""
) -> Invitee:
    """A unit answers its own invitation; staff record the answer of the individual or a
    relative (who answers in person or by phone). A decline needs a reason."""
    unit = actor.unit
    meeting = meeting_lock(invitee.meeting)
    invitee = Invitee.objects.get(pk=invitee.pk, meeting=meeting)
    invitee.meeting = meeting
    refuse_unless(
        invitee.unit_id == unit.pk or invitee.person_id is not None,
        _("Only the invited unit can answer its invitation."),
    )
    refuse_unless(
        invitee.meeting.status == Meeting.Status.SCHEDULED, _("The meeting is no longer scheduled.")
    )
    refuse_unless(
        response in {Invitee.Response.ACCEPTED, Invitee.Response.DECLINED},
        _("Choose accept or decline."),
    )
    refuse_unless(
        response == Invitee.Response.ACCEPTED or bool(reason.strip()),
        _("Say why the invitation is declined."),
    )
    invitee.response, invitee.decline_reason = response, reason.strip()
    invitee.save(update_fields=["response", "decline_reason"])
    event_record(
        invitee.meeting.plan,
        actor=actor,
        kind=Kind.INVITATION_ANSWERED,
        summary=_("%(unit)s: %(answer)s")
        % {"unit": str(invitee), "answer": invitee.get_response_display()},
        after={"response": response, "reason": invitee.decline_reason},
    )
    signals.invitation_answered.send(sender=Invitee, invitee=invitee)
    return invitee


@transaction.atomic
def meeting_held(
    *,
    actor: Actor,
    meeting: Meeting,
    attended: Iterable[int],
    opening_notes: str = "",
    summary_notes: str = "",
    child_view: str = "",
) -> Meeting:
    """Record that the meeting took place and who attended (and, for a child, the child's
    own view, heard at each meeting)."""
    meeting = meeting_lock(meeting)
    plan = meeting.plan
    refuse_unless(not plan.is_closed, _("The SIP is closed and can no longer be changed."))
    refuse_unless(meeting.status == Meeting.Status.SCHEDULED, _("The meeting is already recorded."))
    refuse_unless(
        rules.meeting_started(meeting),
        _("The meeting starts %(when)s and can be recorded as held once it has started.")
        % {"when": dates.day_time(meeting.starts_at)},
    )
    attended = set(attended)
    for invitee in meeting.invitees.all():
        invitee.attended = invitee.pk in attended
        invitee.save(update_fields=["attended"])
    meeting.status = Meeting.Status.HELD
    meeting.opening_notes, meeting.summary_notes = opening_notes.strip(), summary_notes.strip()
    meeting.child_view = child_view.strip() if plan.person.is_child() else ""
    meeting.lock_version += 1
    meeting.save(
        update_fields=["status", "opening_notes", "summary_notes", "child_view", "lock_version"]
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.MEETING_HELD,
        summary=_("%(kind)s held") % {"kind": meeting.get_kind_display()},
        after={"meeting": meeting.pk, "attended": len(attended)},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Actor, meeting: Meeting) -> Meeting:
    """Cancel a scheduled meeting; the invitees get the cancellation in their calendars."""
    meeting = meeting_lock(meeting)  # two cancellations, or one and a closing, queue up
    plan = meeting.plan
    refuse_unless(
        meeting.status == Meeting.Status.SCHEDULED, _("Only a scheduled meeting can be cancelled.")
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.CANCELLED, lock_version=F("lock_version") + 1
    )
    meeting.status = Meeting.Status.CANCELLED
    event_record(
        plan,
        actor=actor,
        kind=Kind.MEETING_CANCELLED,
        summary=_("%(kind)s cancelled") % {"kind": meeting.get_kind_display()},
    )
    signals.meeting_changed.send(sender=Meeting, meeting=meeting, method="CANCEL")
    return meeting


# --- The individual's own invitations (issue 14, part 5) ------------------------------------


def _refuse_unless_manages(actor: Actor, plan: Plan) -> None:
    """Only those the policy lets manage the plan in Min SIP (the individual, or a guardian
    for a child) invite people of their own choosing."""
    refuse_unless(
        isinstance(actor, Citizen) and bool(decide(actor, "plan.manage", plan)),
        _("Only the individual, or a guardian for a child, can invite to the meeting."),
    )


@transaction.atomic
def meeting_invite_person(*, actor: Citizen, meeting: Meeting, person: Person) -> Invitee:
    """The individual (or a guardian for a child) invites a person of his or her own choosing
    to a booked meeting, within the consent (rules.may_invite_to_meeting). The person is told
    through the outbox, with a calendar file. Inviting someone already invited writes
    nothing and returns the invitation there is."""
    meeting = meeting_lock(meeting)
    plan = meeting.plan
    _refuse_unless_manages(actor, plan)
    rules.meeting_open_to_invitations(plan, meeting)
    refuse_unless(
        rules.may_invite_to_meeting(plan, person),
        _(
            "%(name)s is not covered by your consent. Ask your contact person to change the "
            "consent first."
        )
        % {"name": person.full_name},
        "person",
    )
    existing = meeting.invitees.filter(person=person).first()
    if existing is not None:
        return existing
    invitee = Invitee.objects.create(meeting=meeting, person=person, mode=Invitee.Mode.DIGITAL)
    event_record(
        plan,
        actor=actor,
        kind=Kind.MEETING_CHANGED,
        summary=_("%(name)s invited to the meeting on %(when)s by %(by)s")
        % {
            "name": person.full_name,
            "when": dates.day_time(meeting.starts_at),
            "by": actor.person.full_name,
        },
        after={"meeting": meeting.pk, "invited": str(person.pk)},
    )
    signals.meeting_changed.send(sender=Meeting, meeting=meeting, method="REQUEST", person=person)
    return invitee


@transaction.atomic
def meeting_invitation_withdraw(*, actor: Citizen, meeting: Meeting, person: Person) -> None:
    """The individual (or a guardian) withdraws an invitation he or she made in Min SIP,
    before the meeting begins. The person gets the cancellation in his or her calendar.
    Invitations staff made are theirs to change."""
    meeting = meeting_lock(meeting)
    plan = meeting.plan
    _refuse_unless_manages(actor, plan)
    rules.meeting_open_to_invitations(plan, meeting)
    invitee = meeting.invitees.filter(person=person).first()
    refuse_unless(
        invitee is not None and (meeting.pk, str(person.pk)) in rules.invited_in_min_sip(plan),
        _("You can only withdraw an invitation you made yourself."),
    )
    # Told before the invitation goes: the outbox finds the person among the invitees.
    signals.meeting_changed.send(sender=Meeting, meeting=meeting, method="CANCEL", person=person)
    invitee.delete()
    event_record(
        plan,
        actor=actor,
        kind=Kind.MEETING_CHANGED,
        summary=_("%(by)s withdrew the invitation of %(name)s to the meeting on %(when)s")
        % {
            "name": person.full_name,
            "when": dates.day_time(meeting.starts_at),
            "by": actor.person.full_name,
        },
        after={"meeting": meeting.pk, "withdrawn": str(person.pk)},
    )
