"""What the discharge app hears from the plans app."""

from django.utils import timezone

from samplan.discharge import services


def meeting_booked(sender, *, meeting, method, **kwargs) -> None:
    """Invitations to a meeting of a SIP started at discharge: the deadline is met or late."""
    if method == "REQUEST":
        services.invitations_sent(meeting.plan_id, timezone.localdate())
