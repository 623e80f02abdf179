"""The fixed texts of notifications: nothing personal goes into an e-mail (docs/notifications.md).

An e-mail says who sent it (an organisation, never a person) and what to do (log in at the
link), and nothing more. The subject of an e-mail to the individual, a guardian or a relative
never says SIP: it shows on a locked phone ("Meddelande från Åsby kommun"), and so may the
first line of the text, which therefore does not say it either.
"""

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


def sender_name(plan) -> str:
    """The organisation a message about the plan comes from: the principal with the overall
    responsibility, or before there is one, the organisation that initiated the SIP. An
    organisation's name is not personal data; a unit's name could say too much, so it is
    never used."""
    if plan is None:
        return ""
    organization = plan.overall_responsibility or plan.initiating_unit.organization
    return organization.name


def email_body(line: str, path: str, *, sender: str = "", citizen: bool = False) -> str:
    """What happened (`line`, naming the sender), what to do, and who sent it."""
    if citizen:
        what_to_do = _(
            "What to do: log in to Min SIP with your e-identification and read the message in "
            "your inbox: %(url)s"
        )
    else:
        what_to_do = _("What to do: log in to Samplan and read the message in the inbox: %(url)s")
    if sender:
        signature = _(
            "This e-mail was sent automatically by Samplan for %(sender)s and cannot be answered."
        ) % {"sender": sender}
    else:
        signature = _("This e-mail was sent automatically by Samplan and cannot be answered.")
    paragraphs = [line, what_to_do % {"url": absolute_url(path)}, signature]
    if citizen and sender:
        paragraphs.append(_("Questions? Contact %(sender)s.") % {"sender": sender})
    return "\n\n".join(paragraphs)


def when_text(moment: datetime.datetime) -> str:
    return dates.weekday_time(moment)


def day_text(day: datetime.date) -> str:
    return dates.day(day)


# What a staff member reads in the subject, after "Message from ...: ".
STAFF_SUBJECTS = {
    Kind.MEETING_INVITATION: lambda: _("invitation to a meeting"),
    Kind.MEETING_CHANGED: lambda: _("a meeting has changed"),
    Kind.MEETING_CANCELLED: lambda: _("a meeting is cancelled"),
    Kind.PLAN_CLOSED: lambda: _("a plan is closed"),
    Kind.JOIN_REQUEST: lambda: _("a unit asks to take part"),
    Kind.JOIN_ACCEPTED: lambda: _("your unit takes part"),
    Kind.PRINCIPAL_DECLINED: lambda: _("a unit declined a meeting"),
    Kind.PRINCIPAL_NOT_ANSWERED: lambda: _("an invitation is not answered in time"),
    Kind.SIP_REQUEST: lambda: _("a new request"),
    Kind.SIP_REQUEST_ANSWERED: lambda: _("your request is answered"),
    Kind.SIP_HANDED_OVER: lambda: _("a SIP for your unit"),
    Kind.DISCHARGE_NOTICE: lambda: _("a notice about discharge from hospital"),
    Kind.COLLABORATION_FAILURE: lambda: _("a collaboration failure"),
}
REMINDERS = {
    Kind.DEADLINE_DUE_SOON,
    Kind.DEADLINE_OVERDUE,
    Kind.APPROVAL_WAITING,
    Kind.INVITATION_UNANSWERED,
}


def staff_texts(kind: str, sender: str = "") -> tuple[str, str]:
    """(subject, first line) of an e-mail to a unit's functional mailbox. The subject names
    the sender and the kind of message, not SIP; the text may say SIP."""
    who = sender or "Samplan"
    if kind in REMINDERS:
        return _("Reminder from Samplan"), _("You have a reminder about a SIP in Samplan.")
    lines = {
        Kind.MEETING_INVITATION: _("%(sender)s has invited your unit to a SIP meeting."),
        Kind.MEETING_CHANGED: _("%(sender)s has changed a SIP meeting your unit is invited to."),
        Kind.MEETING_CANCELLED: _(
            "%(sender)s has cancelled a SIP meeting your unit was invited to."
        ),
        Kind.PLAN_CLOSED: _("%(sender)s has closed a SIP your unit took part in."),
        Kind.JOIN_REQUEST: _("A unit asks to take part in a SIP."),
        Kind.JOIN_ACCEPTED: _("Your unit now takes part in a SIP."),
        Kind.PRINCIPAL_DECLINED: _("An invited unit has declined a SIP meeting."),
        Kind.PRINCIPAL_NOT_ANSWERED: _(
            "An invited unit has not answered the invitation to a SIP meeting in time."
        ),
        Kind.SIP_REQUEST: _("Someone asks for a SIP through Min SIP."),
        Kind.SIP_REQUEST_ANSWERED: _("%(sender)s has answered your unit's request for a SIP."),
        Kind.SIP_HANDED_OVER: _("A SIP has been handed to your unit."),
        Kind.DISCHARGE_NOTICE: _(
            "%(sender)s has sent a notice about a patient your unit is named for."
        ),
        Kind.COLLABORATION_FAILURE: _(
            "A reported failure of collaboration that you handle has moved on (%(sender)s)."
        ),
    }
    subject = _("Message from %(sender)s: %(what)s") % {
        "sender": who,
        "what": STAFF_SUBJECTS[kind](),
    }
    return subject, lines[kind] % {"sender": who}


def citizen_texts(kind: str, sender: str = "") -> tuple[str, str]:
    """(subject, first line) of an e-mail to the individual, a guardian or a relative: both
    may show on a locked phone, so neither says SIP, plan or anything else about the person."""
    who = sender or "Samplan"
    lines = {
        Kind.MEETING_INVITATION: _("%(sender)s has sent you an invitation to a meeting."),
        Kind.MEETING_CHANGED: _("%(sender)s has changed a meeting you are invited to."),
        Kind.MEETING_CANCELLED: _("%(sender)s has cancelled a meeting you were invited to."),
        Kind.APPROVAL_WAITING: _("You have a message from %(sender)s that waits for your answer."),
    }
    line = lines.get(kind, _("You have a new message from %(sender)s."))
    return _("Message from %(sender)s") % {"sender": who}, line % {"sender": who}


def calendar_summary(*, citizen: bool, sender: str = "") -> str:
    """The calendar entry's title: it shows in the recipient's calendar, so for a citizen it
    says only whom the meeting is with."""
    if citizen:
        return _("Meeting with %(sender)s") % {"sender": sender or "Samplan"}
    return _("SIP meeting")


def meeting_texts(kind: str, sender: str = "") -> tuple[str, str]:
    """(e-mail subject, e-mail first line) of a meeting notification to a unit."""
    return staff_texts(kind, sender)


def meeting_line(kind: str, meeting) -> str:
    """The inbox item's text: which meeting (its kind) and when. No place: it may be a home."""
    texts = {
        Kind.MEETING_INVITATION: _("%(meeting)s on %(when)s."),
        Kind.MEETING_CHANGED: _("%(meeting)s has changed. It is now on %(when)s."),
        Kind.MEETING_CANCELLED: _("%(meeting)s on %(when)s is cancelled."),
    }
    return texts[kind] % {
        "meeting": meeting.get_kind_display(),
        "when": when_text(meeting.starts_at),
    }
