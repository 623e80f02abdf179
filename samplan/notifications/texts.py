"""The fixed texts of notifications: nothing personal goes into an e-mail (docs/notifications.md)."""

import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from samplan.core import dates
from samplan.notifications.models import Notification

Kind = Notification.Kind


def setting(name: str, default):
    return getattr(settings, name, default)


# --- Texts ----------------------------------------------------------------------------------
# Written in the site's language (Swedish) when queued. E-mail texts are fixed sentences.


def absolute_url(path: str) -> str:
    return setting("SAMPLAN_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def email_body(line: str, path: str) -> str:
    return "\n\n".join(
        [
            line,
            _("Log in to Samplan to read more: %(url)s") % {"url": absolute_url(path)},
            _("This message was sent automatically and cannot be answered."),
        ]
    )


def when_text(moment: datetime.datetime) -> str:
    return dates.weekday_time(moment)


def day_text(day: datetime.date) -> str:
    return dates.day(day)


def meeting_texts(kind: str) -> tuple[str, str]:
    """(e-mail subject, e-mail first line) for a meeting notification."""
    lines = {
        Kind.MEETING_INVITATION: _("You have a new invitation in Samplan."),
        Kind.MEETING_CHANGED: _("A SIP meeting has changed."),
        Kind.MEETING_CANCELLED: _("A SIP meeting is cancelled."),
    }
    return _("SIP meeting"), lines[kind]
