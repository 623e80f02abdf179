"""What happens to a plan that others must hear of, sent inside the change's transaction.

The plans app does not know who tells whom: samplan.notifications connects to these signals
(NotificationsConfig.ready) and writes its outbox in the same transaction, so the messages
commit or roll back with the change. Receivers must not swallow errors: `send` is used, so a
failing receiver fails the change.
"""

from django.dispatch import Signal

# join_request: a unit asked to take part in the plan.
join_requested = Signal()
# join_request: the request was accepted.
join_accepted = Signal()
# meeting, method ("REQUEST" for a new or changed meeting, "CANCEL"); person (optional): only
# this invited person is told (invited, or the invitation withdrawn, in Min SIP).
meeting_changed = Signal()
# plan: the plan is closed. Receivers return the notifications they wrote (who was told).
plan_closed = Signal()
# invitee: the invitation was answered (accepted or declined): its inbox items are done.
invitation_answered = Signal()
# plan, version: the individual's answer to a new version is recorded: the reminders are done.
version_answered = Signal()

# Requests for a SIP from Min SIP (samplan.citizen.services), here so that notifications,
# which sits below citizen in the layers, can hear them.
# sip_request, units: the request was sent; `units` are the receiving units it went to.
sip_request_sent = Signal()
# sip_request: a receiving unit accepted or declined the request.
sip_request_answered = Signal()
# sip_request, plan: the receiving unit accepted the request and handed the SIP it started to
# another unit of its organisation (sip_request.handed_to), which must hear of it.
sip_handed_over = Signal()

# The occasions a SIP is evaluated after (samplan.evaluation asks those who took part).
# plan, version, actor: the plan was established.
plan_established = Signal()
# plan, followup, actor: a follow-up was recorded (sent before a closing decision closes it).
plan_followed_up = Signal()
