"""A meeting as an iCalendar file (RFC 5545, methods of RFC 5546): no personal data.

The entry holds the time, a fixed summary and the link to Samplan: no place, no names, no
addresses, no notes. Its UID is stable per meeting and its SEQUENCE grows with every change, so a calendar
updates or removes the entry it already has.
"""

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

METHODS = ("REQUEST", "CANCEL")
DURATION = datetime.timedelta(hours=1)


def meeting_uid(meeting) -> str:
    return f"sip-meeting-{meeting.pk}@samplan"


def meeting_ics(
    meeting,
    *,
    method: str,
    sequence: int,
    link: str,
    summary: str,
    now: datetime.datetime | None = None,
) -> str:
    """The calendar file. No ATTENDEE: an address is personal data, and calendars accept a
    REQUEST without one (the e-mail's recipient is the attendee)."""
    if method not in METHODS:
        raise ValueError(f"unknown iCalendar method {method!r}")
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Samplan//SIP//SV")
    calendar.add("version", "2.0")
    calendar.add("method", method)

    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", sequence)
    event.add("dtstamp", now.astimezone(datetime.UTC))
    start = meeting.starts_at.astimezone(datetime.UTC)
    event.add("dtstart", start)
    event.add("dtend", start + DURATION)
    event.add("summary", summary)
    event.add("description", link)
    event.add("url", link)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    _name, organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if organizer:
        event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    calendar.add_component(event)
    return calendar.to_ical().decode()
