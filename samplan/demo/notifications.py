"""The demo world's notifications: what its history sent, and today's reminders.

The services queued the invitations, changes, cancellations and closing notices at the moments
the history was lived (samplan.demo.timeline); here the invitations still missing (a meeting
without its calendar entry) and the closed SIPs' notices are queued, and the reminders that are
due today are written. Idempotent: every notification has its dedupe key.

The history is then tidied as the people in it would have left it: the worker sent its e-mails
back then, the invitations to meetings that have since been held are no longer in anyone's
inbox, and what came more than a week ago has been read. Today's reminders wait for the worker
(`make run` starts it; in development it writes the e-mails as files in var/mail/).
"""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from samplan.notifications import reminders, services
from samplan.notifications.models import Notification
from samplan.plans.models import Meeting, Plan

Kind, Channel, Status = Notification.Kind, Notification.Channel, Notification.Status
MEETING_KINDS = [Kind.MEETING_INVITATION, Kind.MEETING_CHANGED]
READ_AFTER = datetime.timedelta(days=7)


@transaction.atomic
def load_demo_notifications(clock=None, *, after_id: int | None = None, leave_out=None) -> int:
    """Returns how many notifications were written now. With `after_id`, the notifications
    written since (by the history, before `clock.now`) are tidied as described above. The
    closed SIPs of `leave_out` (a queryset of plans: the generated history, whose notices went
    out long ago) are not notified again."""
    before = Notification.objects.count()
    meetings = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now(), calendar__isnull=True
    ).select_related("plan__person")
    for meeting in meetings:
        services.meeting_invitations_queue(meeting=meeting, method="REQUEST")
    closed = Plan.objects.filter(state=Plan.State.CLOSED)
    if leave_out is not None:
        closed = closed.exclude(pk__in=leave_out.values("pk"))
    for plan in closed.select_related("person"):
        services.plan_closed_queue(plan=plan)
    reminders.reminders_send()
    written = Notification.objects.count() - before
    if after_id is not None:
        history_tidy(Notification.objects.filter(id__gt=after_id, created_at__lt=clock.now))
    return written


def history_tidy(history) -> None:
    history.filter(channel=Channel.EMAIL, status=Status.PENDING).update(
        status=Status.SENT,
        attempts=1,
        sent_at=F("created_at") + datetime.timedelta(minutes=1),
        next_attempt_at=None,
        enqueued_at=None,
    )
    held = set(Meeting.objects.filter(status=Meeting.Status.HELD).values_list("pk", flat=True))
    invitations = history.filter(channel=Channel.INBOX, kind__in=MEETING_KINDS)
    stale = [
        pk for pk, key in invitations.values_list("pk", "dedupe_key") if meeting_of(key) in held
    ]
    Notification.objects.filter(pk__in=stale).delete()
    cutoff = timezone.now() - READ_AFTER
    history.filter(channel=Channel.INBOX, read_at__isnull=True, created_at__lt=cutoff).update(
        read_at=F("created_at") + datetime.timedelta(hours=3)
    )


def meeting_of(dedupe_key: str) -> int | None:
    """The meeting an invitation is about: its dedupe key is
    '<kind>:meeting:<pk>:seq<n>:<recipient>' (samplan.notifications.outbox)."""
    parts = dedupe_key.split(":")
    if len(parts) > 2 and parts[1] == "meeting" and parts[2].isdigit():
        return int(parts[2])
    return None
