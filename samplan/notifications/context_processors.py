from functools import cached_property

from samplan.notifications.models import Notification
from samplan.people.session import CITIZEN_SESSION_KEY


class UnreadCount:
    """The number of unread inbox items, counted (one query) only if a template asks."""

    def __init__(self, **recipient):
        self.recipient = recipient

    @cached_property
    def count(self) -> int:
        return Notification.objects.filter(
            channel=Notification.Channel.INBOX, read_at__isnull=True, **self.recipient
        ).count()

    def __int__(self) -> int:
        return self.count

    def __str__(self) -> str:
        return str(self.count)


def inbox(request) -> dict:
    """`inbox_unread` for the header: a staff member's, or the citizen's in Min SIP."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"inbox_unread": UnreadCount(user_id=user.pk)}
    session = getattr(request, "session", None)
    if session is not None and CITIZEN_SESSION_KEY in session:
        person_id = (session.get(CITIZEN_SESSION_KEY) or {}).get("person")
        if person_id:
            return {"inbox_unread": UnreadCount(person_id=person_id)}
    return {}
