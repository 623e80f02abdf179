from functools import cached_property

from samplan.notifications.models import Notification


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
    person = getattr(request, "citizen", None)  # set by the actor middleware
    if person is not None:
        return {"inbox_unread": UnreadCount(person_id=person.pk)}
    return {}
