"""The demo world's notifications: invitations to its meetings, the closed SIPs' notices and
today's reminders, written through the services. Idempotent: a meeting that already has its
calendar entry is not invited again, and every other notification has its dedupe key.

E-mails go to the outbox like any other; `make run` starts the worker, which prints them
(the console e-mail backend in development).
"""

from django.db import transaction
from django.utils import timezone

from samplan.notifications import reminders, services
from samplan.notifications.models import Notification
from samplan.plans.models import Meeting, Plan


@transaction.atomic
def load_demo_notifications() -> int:
    """Returns how many notifications were written now."""
    before = Notification.objects.count()
    meetings = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now(), calendar__isnull=True
    ).select_related("plan__person")
    for meeting in meetings:
        services.meeting_invitations_queue(meeting=meeting, method="REQUEST")
    for plan in Plan.objects.filter(state=Plan.State.CLOSED).select_related("person"):
        services.plan_closed_queue(plan=plan)
    reminders.reminders_send()
    return Notification.objects.count() - before
