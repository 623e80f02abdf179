"""The notifications app's public entry points, in one place for callers: the outbox
(samplan.notifications.outbox: who is told what, in the caller's transaction) and delivery
(samplan.notifications.delivery: the worker's side). See docs/notifications.md."""

from samplan.notifications.delivery import (  # noqa: F401
    MAX_ATTEMPTS,
    REQUEUE_AFTER,
    SWEEP_BATCH,
    describe_error,
    notification_deliver,
    notification_retry,
    notifications_due,
    notifications_sweep,
    retry_delay,
)
from samplan.notifications.outbox import (  # noqa: F401
    Draft,
    email_preference_set,
    inbox_for_person,
    inbox_for_user,
    inbox_invitation_answered,
    inbox_mark_read,
    inbox_version_answered,
    join_request_accepted_queue,
    join_request_queue,
    meeting_invitations_queue,
    person_email_ok,
    plan_closed_queue,
    sender_name,
    unit_members,
)
