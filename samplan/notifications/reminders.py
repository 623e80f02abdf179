"""Reminders, each sent once per occasion: the occasion (a due date, a version, a meeting's
time) is part of the dedupe key, so the scan may run every minute and still write each
reminder once.

- A deadline of the local agreement (consent, first meeting, follow-up; plans.rules.deadline)
  that is near or has passed: the responsible staff member (the lead, or whoever initiated
  the SIP before there is a lead) in the inbox, and the functional e-mail of his or her units
  that take part.
- A revised plan waiting for the individual's approval: the individual in Min SIP (and the
  guardians of a child, where the policy lets them see the plan).
- An invitation a unit has not answered, for a meeting within three days: the unit's members
  in the inbox and its functional e-mail.
- An invitation a unit (a principal) has not answered within the answer time
  (plans.rules.invitation_unanswered_too_long): the inviter (inbox, and the functional e-mail
  of the inviter's units in the SIP) and the invited unit's managers (inbox), once per
  invitation and meeting time. A decline is told at once (outbox.principal_declined_queue).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samplan.accounts.models import Membership
from samplan.notifications import outbox
from samplan.notifications.models import Notification
from samplan.notifications.texts import day_text, email_body, sender_name, staff_texts, when_text
from samplan.plans import rules
from samplan.plans.models import Invitee, Meeting, Participant, Plan

Kind = Notification.Kind
State = Plan.State
DEADLINE_CODES = {
    State.INITIATED: "consent",
    State.CONSENTED: "first_meeting",
    State.INVITED: "first_meeting",
    State.ACTIVE: "follow_up",
    State.FOLLOW_UP: "follow_up",
    State.REVISION: "follow_up",
}
UNANSWERED_WITHIN = datetime.timedelta(days=3)


def reminders_send(*, now: datetime.datetime | None = None) -> list[Notification]:
    """Write every reminder that is due and not yet written; return the new ones."""
    now = now or timezone.now()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        drafts = [
            *_deadline_drafts(timezone.localdate(now)),
            *_approval_drafts(),
            *_unanswered_drafts(now),
            *_principal_not_answered_drafts(timezone.localdate(now)),
        ]
        return outbox.write(drafts, only_new=True)


def _deadline_drafts(today: datetime.date) -> list[outbox.Draft]:
    plans = list(
        Plan.objects.filter(state__in=DEADLINE_CODES)
        .select_related("lead", "initiated_by", "initiating_unit__organization__local_agreement")
        .prefetch_related(
            "consents",
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(is_active=True).select_related("unit"),
            ),
        )
    )
    due = []
    for plan in plans:
        deadline = rules.deadline(plan, today)
        if deadline is not None and deadline.status in {"due_soon", "overdue"}:
            due.append((plan, deadline))
    if not due:
        return []
    responsible_ids = {(plan.lead or plan.initiated_by).pk for plan, _d in due}
    units_of: dict[int, set[int]] = {}
    memberships = Membership.objects.filter(
        user_id__in=responsible_ids, is_active=True, unit__is_active=True
    ).values_list("user_id", "unit_id")
    for user_id, unit_id in memberships:
        units_of.setdefault(user_id, set()).add(unit_id)

    drafts = []
    for plan, deadline in due:
        user = plan.lead or plan.initiated_by
        kind = Kind.DEADLINE_OVERDUE if deadline.status == "overdue" else Kind.DEADLINE_DUE_SOON
        subject, line = staff_texts(kind)
        key = f"{kind}:plan:{plan.pk}:{DEADLINE_CODES[plan.state]}:{deadline.due.isoformat()}"
        if deadline.status == "overdue":
            body = _("%(deadline)s was due on %(day)s.")
        else:
            body = _("%(deadline)s is due on %(day)s.")
        body %= {"deadline": deadline.label, "day": day_text(deadline.due)}
        link = reverse("plans:overview", args=[plan.pk])
        if user.is_active:
            drafts.append(
                outbox.Draft(
                    dedupe_key=f"{key}:user:{user.pk}",
                    channel=outbox.INBOX,
                    kind=kind,
                    subject=subject,
                    body=body,
                    link=link,
                    user=user,
                    plan=plan,
                )
            )
        if rules.before_consent(plan):
            units = [plan.initiating_unit]
        else:
            units = [p.unit for p in plan.participants.all()]
        for unit in units:
            address = outbox.email_address(unit.email)
            if unit.pk not in units_of.get(user.pk, set()) or not address:
                continue
            path = reverse("notifications:inbox")
            drafts.append(
                outbox.Draft(
                    dedupe_key=f"{key}:email:{address}",
                    channel=outbox.EMAIL,
                    kind=kind,
                    subject=subject,
                    body=email_body(line, path),
                    link=path,
                    unit=unit,
                    email=address,
                    plan=plan,
                )
            )
    return drafts


def _approval_drafts() -> list[outbox.Draft]:
    drafts = []
    waiting = (
        Plan.objects.filter(state=State.REVISION)
        .select_related("person", "overall_responsibility", "initiating_unit__organization")
        .annotate(pending=Max("versions__number"))
    )
    for plan in waiting:
        key = f"{Kind.APPROVAL_WAITING}:plan:{plan.pk}:v{plan.pending}"
        for person in outbox.citizens_of(plan):
            drafts += outbox.person_drafts(
                person,
                key=key,
                kind=Kind.APPROVAL_WAITING,
                sender=sender_name(plan),
                inbox_body=_("Version %(n)s of the plan is waiting for your answer.")
                % {"n": plan.pending},
                plan=plan,
            )
    return drafts


def _unanswered_drafts(now: datetime.datetime) -> list[outbox.Draft]:
    invitees = (
        Invitee.objects.filter(
            response=Invitee.Response.PENDING,
            unit__isnull=False,
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + UNANSWERED_WITHIN,
        )
        .exclude(meeting__plan__state=State.CLOSED)
        .select_related("unit", "meeting__plan")
    )
    drafts = []
    for invitee in invitees:
        meeting = invitee.meeting
        occasion = meeting.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%MZ")
        drafts += outbox.unit_drafts(
            invitee.unit,
            key=f"{Kind.INVITATION_UNANSWERED}:meeting:{meeting.pk}:{occasion}:unit:{invitee.unit_id}",
            kind=Kind.INVITATION_UNANSWERED,
            sender="",
            inbox_body=_("%(meeting)s, %(when)s: your unit has not answered the invitation.")
            % {"meeting": meeting.get_kind_display(), "when": when_text(meeting.starts_at)},
            staff_link=reverse("plans:meetings", args=[meeting.plan_id]),
            plan=meeting.plan,
        )
    return drafts


def _principal_not_answered_drafts(today: datetime.date) -> list[outbox.Draft]:
    invitees = (
        Invitee.objects.filter(
            response=Invitee.Response.PENDING,
            unit__isnull=False,
            meeting__status=Meeting.Status.SCHEDULED,
        )
        .exclude(meeting__plan__state=State.CLOSED)
        .select_related("unit", "meeting__plan", "meeting__invited_by")
    )
    drafts = []
    for invitee in invitees:
        if rules.invitation_unanswered_too_long(invitee, today):
            drafts += outbox.principal_drafts(invitee, Kind.PRINCIPAL_NOT_ANSWERED)
    return drafts
