"""Notifications: who is told what, written to the outbox in the caller's transaction.

Entry points for the other apps (keyword-only, called INSIDE the transaction of the change
that causes them, so the outbox rows commit or roll back with the change):

- `meeting_invitations_queue(meeting=..., method="REQUEST" | "CANCEL")`
- `plan_closed_queue(plan=...)`
- `join_request_queue(join_request=...)`, `join_request_accepted_queue(join_request=...)`
- `inbox_for_user(user)`, `inbox_for_person(person)`, `inbox_mark_read(...)`
- `email_preference_set(person=..., email_ok=...)`

Delivery (`notification_deliver`) and the sweeper (`notifications_sweep`) run in the worker
(samplan.notifications.tasks); reminders are in samplan.notifications.reminders.

Nothing personal goes into an e-mail: the subject and text are fixed, the link leads to the
inbox in Samplan, and the calendar file holds only the time, "SIP-möte" and that link.
Inbox items carry no names either: their link leads to the plan, which the policy guards.
"""

import datetime
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.mime.text import MIMEText
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from samplan import policy
from samplan.accounts.models import Unit, User
from samplan.notifications import ics
from samplan.notifications.models import MeetingCalendar, Notification, NotificationPreference
from samplan.people.models import Person

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Status = Notification.Status
EMAIL, INBOX = Notification.Channel.EMAIL, Notification.Channel.INBOX

MAX_ATTEMPTS = 8
SWEEP_BATCH = 500
# A delivery task still waiting after this long is taken to be lost and enqueued again.
REQUEUE_AFTER = datetime.timedelta(minutes=5)


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- Texts ----------------------------------------------------------------------------------
# Written in the site's language (Swedish) when queued. E-mail texts are fixed sentences.


def _absolute(path: str) -> str:
    return _setting("SAMPLAN_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def _email_body(line: str, path: str) -> str:
    return "\n\n".join(
        [
            line,
            _("Log in to Samplan to read more: %(url)s") % {"url": _absolute(path)},
            _("This message was sent automatically and cannot be answered."),
        ]
    )


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _meeting_texts(kind: str) -> tuple[str, str]:
    """(e-mail subject, e-mail first line) for a meeting notification."""
    lines = {
        Kind.MEETING_INVITATION: _("You have a new invitation in Samplan."),
        Kind.MEETING_CHANGED: _("A SIP meeting has changed."),
        Kind.MEETING_CANCELLED: _("A SIP meeting is cancelled."),
    }
    return _("SIP meeting"), lines[kind]


# --- Writing to the outbox ------------------------------------------------------------------


@dataclass
class Draft:
    """One notification to write, unless its dedupe key is already there."""

    dedupe_key: str
    channel: str
    kind: str
    subject: str
    body: str = ""
    link: str = ""
    ics: str = ""
    user: User | None = None
    person: Person | None = None
    unit: Unit | None = None
    email: str = ""
    plan: object = None

    def build(self, now: datetime.datetime) -> Notification:
        email = self.channel == EMAIL
        return Notification(
            dedupe_key=self.dedupe_key[:255],
            channel=self.channel,
            kind=self.kind,
            subject=self.subject[:200],
            body=self.body,
            link=self.link[:300],
            ics=self.ics,
            user=self.user,
            person=self.person,
            unit=self.unit,
            email=self.email,
            plan=self.plan,
            status=Status.PENDING if email else Status.DELIVERED,
            next_attempt_at=now if email else None,
            enqueued_at=now if email else None,  # on commit
        )


def _enqueue_delivery(notification_id: int) -> None:
    """After the commit: hand the e-mail to the worker. If that fails the sweeper finds it."""
    from samplan.notifications.tasks import deliver_notification

    try:
        deliver_notification.enqueue(notification_id)
    except Exception:  # the row is safe in the outbox; the sweeper re-enqueues it
        logger.exception("could not enqueue notification %s; the sweeper will", notification_id)


def _write(drafts: Iterable[Draft], *, only_new: bool = False) -> list[Notification]:
    """Write the drafts whose dedupe key is new. Returns every notification they stand for
    (existing ones too, so a repeated call returns the same rows), or with `only_new` just
    the ones written now."""
    drafts = list({d.dedupe_key[:255]: d for d in drafts}.values())
    keys = [d.dedupe_key[:255] for d in drafts]
    existing = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing.update(
            (n.dedupe_key, n) for n in Notification.objects.filter(dedupe_key__in=chunk)
        )
    now = timezone.now()
    result = []
    for draft, key in zip(drafts, keys, strict=True):
        if key in existing:
            if not only_new:
                result.append(existing[key])
            continue
        notification, created = Notification.objects.get_or_create(
            dedupe_key=key, defaults=_fields(draft.build(now))
        )
        if created and notification.channel == EMAIL:
            transaction.on_commit(partial(_enqueue_delivery, notification.pk))
        if created or not only_new:
            result.append(notification)
    return result


def _fields(notification: Notification) -> dict:
    return {
        f.name: getattr(notification, f.name)
        for f in Notification._meta.concrete_fields
        if f.name not in {"id", "dedupe_key", "created_at"}
    }


# --- Recipients -----------------------------------------------------------------------------


def unit_members(unit: Unit) -> QuerySet:
    """The active staff of a unit: they get the unit's inbox items."""
    return User.objects.filter(
        is_active=True, memberships__unit=unit, memberships__is_active=True
    ).distinct()


def _email_address(address: str) -> str:
    return (address or "").strip().lower()


def person_email_ok(person: Person) -> bool:
    """E-mail only to a person with an address who agreed to e-mail."""
    if not _email_address(person.email):
        return False
    return NotificationPreference.objects.filter(person=person, email_ok=True).exists()


def _citizen_link(person: Person, plan) -> str:
    """The plan in Min SIP if the person may see it, else the start of Min SIP."""
    if plan is not None and policy.decide(policy.Citizen(person=person), "plan.view", plan):
        return reverse("citizen:plan", args=[plan.pk])
    return reverse("citizen:home")


def _unit_drafts(
    unit: Unit,
    *,
    key: str,
    kind: str,
    subject: str,
    line: str,
    inbox_body: str,
    staff_link: str,
    plan,
    ics_for=None,
) -> list[Draft]:
    """The unit's functional mailbox gets one e-mail, each active member an inbox item."""
    drafts = []
    address = _email_address(unit.email)
    if address:
        drafts.append(
            Draft(
                dedupe_key=f"{key}:email:{address}",
                channel=EMAIL,
                kind=kind,
                subject=subject,
                body=_email_body(line, reverse("notifications:inbox")),
                link=reverse("notifications:inbox"),
                ics=ics_for(_absolute(reverse("notifications:inbox"))) if ics_for else "",
                unit=unit,
                email=address,
                plan=plan,
            )
        )
    for user in unit_members(unit):
        drafts.append(
            Draft(
                dedupe_key=f"{key}:user:{user.pk}",
                channel=INBOX,
                kind=kind,
                subject=subject,
                body=inbox_body,
                link=staff_link,
                user=user,
                unit=unit,
                plan=plan,
            )
        )
    return drafts


def _person_drafts(
    person: Person,
    *,
    key: str,
    kind: str,
    subject: str,
    line: str,
    inbox_body: str,
    plan,
    ics_for=None,
) -> list[Draft]:
    """A Min SIP inbox item, and an e-mail when the person agreed to e-mail."""
    drafts = [
        Draft(
            dedupe_key=f"{key}:person:{person.pk}",
            channel=INBOX,
            kind=kind,
            subject=subject,
            body=inbox_body,
            link=_citizen_link(person, plan),
            person=person,
            plan=plan,
        )
    ]
    if person_email_ok(person):
        address = _email_address(person.email)
        path = reverse("notifications:citizen_inbox")
        drafts.append(
            Draft(
                dedupe_key=f"{key}:email:{address}",
                channel=EMAIL,
                kind=kind,
                subject=subject,
                body=_email_body(line, path),
                link=path,
                ics=ics_for(_absolute(path)) if ics_for else "",
                person=person,
                email=address,
                plan=plan,
            )
        )
    return drafts


def _citizens_of(plan) -> list[Person]:
    """The individual and, for a child, the guardians the policy lets see the plan (never
    for a protected individual)."""
    people = [plan.person]
    for guardian in plan.person.guardians:
        if policy.decide(policy.Citizen(person=guardian), "plan.view", plan):
            people.append(guardian)
    return people


# --- Entry points: meetings and closing -----------------------------------------------------


@transaction.atomic
def meeting_invitations_queue(*, meeting, method: str) -> list[Notification]:
    """Tell everyone invited to the meeting that it is new or changed (REQUEST) or cancelled
    (CANCEL), with a calendar file. Each call raises the meeting's SEQUENCE by one.

    A unit: one e-mail to its functional address, an inbox item for each active member. The
    individual or a relative: a Min SIP inbox item, and an e-mail if he or she has an address
    and agreed to e-mail. Returns every notification written.
    """
    if method not in ics.METHODS:
        raise ValueError(f"method must be one of {ics.METHODS}, not {method!r}")
    calendar, created = MeetingCalendar.objects.select_for_update().get_or_create(
        meeting=meeting, defaults={"sequence": 0, "method": method}
    )
    if not created:
        calendar.sequence += 1
        calendar.method = method
        calendar.save(update_fields=["sequence", "method", "updated_at"])
    if method == "CANCEL":
        kind = Kind.MEETING_CANCELLED
    elif calendar.sequence == 0:
        kind = Kind.MEETING_INVITATION
    else:
        kind = Kind.MEETING_CHANGED
    plan = meeting.plan
    key = f"{kind}:meeting:{meeting.pk}:seq{calendar.sequence}"
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        subject, line = _meeting_texts(kind)
        inbox_body = _("The meeting is on %(when)s.") % {"when": _when(meeting.starts_at)}

        def ics_for(link: str) -> str:
            return ics.meeting_ics(
                meeting, method=method, sequence=calendar.sequence, link=link, summary=subject
            )

        for invitee in meeting.invitees.select_related("unit", "person"):
            if invitee.unit_id:
                drafts += _unit_drafts(
                    invitee.unit,
                    key=key,
                    kind=kind,
                    subject=subject,
                    line=line,
                    inbox_body=inbox_body,
                    staff_link=reverse("plans:meetings", args=[plan.pk]),
                    plan=plan,
                    ics_for=ics_for,
                )
            else:
                drafts += _person_drafts(
                    invitee.person,
                    key=key,
                    kind=kind,
                    subject=subject,
                    line=line,
                    inbox_body=inbox_body,
                    plan=plan,
                    ics_for=ics_for,
                )
    return _write(drafts)


@transaction.atomic
def plan_closed_queue(*, plan) -> list[Notification]:
    """Tell every participating unit (functional e-mail, inbox items for its members) and the
    individual in Min SIP (and the guardians of a child, where the policy lets them see the
    plan) that the SIP is closed. Returns those notifications, from which the lead's record
    of who was informed can be written: e-mails to units carry `unit`, Min SIP items `person`.

    Meetings the closing cancelled, whose invitations went out with a calendar file, also get
    their CANCEL (not in the list returned).
    """
    occasion = plan.closed_at.isoformat() if plan.closed_at else "closed"
    key = f"{Kind.PLAN_CLOSED}:plan:{plan.pk}:{occasion}"
    kind = Kind.PLAN_CLOSED
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        subject, line = _("SIP closed"), _("A SIP has been closed.")
        inbox_body = _("The SIP is closed. The plan can still be read.")
        participants = plan.participants.filter(is_active=True).select_related("unit")
        for participant in participants:
            drafts += _unit_drafts(
                participant.unit,
                key=key,
                kind=kind,
                subject=subject,
                line=line,
                inbox_body=inbox_body,
                staff_link=reverse("plans:overview", args=[plan.pk]),
                plan=plan,
            )
        for person in _citizens_of(plan):
            drafts += _person_drafts(
                person,
                key=key,
                kind=kind,
                subject=subject,
                line=line,
                inbox_body=inbox_body,
                plan=plan,
            )
    notifications = _write(drafts)
    from samplan.plans.models import Meeting

    cancelled = Meeting.objects.filter(
        plan=plan, status=Meeting.Status.CANCELLED, calendar__method="REQUEST"
    )
    for meeting in cancelled.select_related("plan__person"):
        meeting_invitations_queue(meeting=meeting, method="CANCEL")
    return notifications


# --- Entry points: requests to take part -----------------------------------------------------


def _writing_units(plan) -> list[Unit]:
    """The units that may change the plan (the initiating unit before consent, else the
    writing participants): the policy decides, so nobody else hears of the plan."""
    candidates = [plan.initiating_unit] + [
        p.unit for p in plan.participants.filter(is_active=True).select_related("unit")
    ]
    units = {}
    for unit in candidates:
        staff = policy.Staff(user=None, unit=unit, role="")
        if unit.is_active and policy.decide(staff, "plan.edit", plan):
            units.setdefault(unit.pk, unit)
    return list(units.values())


@transaction.atomic
def join_request_queue(*, join_request) -> list[Notification]:
    """Tell the plan's lead (inbox) and its writing units (functional e-mail, inbox items for
    their members) that a unit asks to take part. Fixed texts without names; the link leads to
    the plan, which the policy guards. The requesting unit is told nothing here."""
    plan = join_request.plan
    kind = Kind.JOIN_REQUEST
    key = f"{kind}:request:{join_request.pk}"
    link = reverse("plans:overview", args=[plan.pk])
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        subject, line = _("Request to take part in a SIP"), _("A unit asks to take part in a SIP.")
        inbox_body = _("A unit asks to take part in the SIP. Open the SIP to answer the request.")
        lead = plan.lead
        lead_sees = lead is not None and lead.is_active
        if lead_sees:
            lead_units = lead.memberships.filter(is_active=True).values_list("unit", flat=True)
            lead_sees = any(
                policy.decide(policy.Staff(user=lead, unit=u, role=""), "plan.view", plan)
                for u in Unit.objects.filter(pk__in=lead_units)
            )
        if lead_sees:
            drafts.append(
                Draft(
                    dedupe_key=f"{key}:user:{lead.pk}",
                    channel=INBOX,
                    kind=kind,
                    subject=subject,
                    body=inbox_body,
                    link=link,
                    user=lead,
                    plan=plan,
                )
            )
        for unit in _writing_units(plan):
            drafts += _unit_drafts(
                unit,
                key=key,
                kind=kind,
                subject=subject,
                line=line,
                inbox_body=inbox_body,
                staff_link=link,
                plan=plan,
            )
    return _write(drafts)


@transaction.atomic
def join_request_accepted_queue(*, join_request) -> list[Notification]:
    """Tell the requesting unit (functional e-mail, inbox items for its members) that it now
    takes part in the SIP its initiative reached. Only once the consent lets it take part: a
    unit that may not see the plan is never told (a declined request is never told at all)."""
    plan = join_request.plan
    unit = join_request.unit
    if not policy.decide(policy.Staff(user=None, unit=unit, role=""), "plan.view", plan):
        return []
    kind = Kind.JOIN_ACCEPTED
    with translation.override(settings.LANGUAGE_CODE):
        subject, line = _("Your unit takes part in a SIP"), _("Your unit now takes part in a SIP.")
        inbox_body = _(
            "Your initiative has been answered: your unit now takes part in the SIP, within "
            "the individual's consent."
        )
        drafts = _unit_drafts(
            unit,
            key=f"{kind}:request:{join_request.pk}",
            kind=kind,
            subject=subject,
            line=line,
            inbox_body=inbox_body,
            staff_link=reverse("plans:overview", args=[plan.pk]),
            plan=plan,
        )
    return _write(drafts)


# --- Inboxes --------------------------------------------------------------------------------


def inbox_for_user(user) -> QuerySet:
    """A staff member's inbox items, newest first."""
    return Notification.objects.filter(channel=INBOX, user=user).order_by("-created_at", "-id")


def inbox_for_person(person) -> QuerySet:
    """A person's Min SIP inbox items, newest first."""
    return Notification.objects.filter(channel=INBOX, person=person).order_by("-created_at", "-id")


def inbox_mark_read(
    *, user=None, person=None, notification_ids: Iterable[int] | None = None
) -> int:
    """Mark the recipient's own items read (the given ones, or all). Others' items are never
    touched, whatever ids are given. Returns how many changed."""
    if (user is None) == (person is None):
        raise ValueError("give exactly one of user and person")
    items = inbox_for_user(user) if user is not None else inbox_for_person(person)
    items = items.filter(read_at__isnull=True)
    if notification_ids is not None:
        items = items.filter(pk__in=list(notification_ids))
    return items.update(read_at=timezone.now())


@transaction.atomic
def email_preference_set(*, person: Person, email_ok: bool) -> NotificationPreference:
    """The person's own choice (Min SIP): e-mail when there is news, or not."""
    preference, _created = NotificationPreference.objects.update_or_create(
        person=person, defaults={"email_ok": bool(email_ok)}
    )
    return preference


# --- Delivery (runs in the worker) ----------------------------------------------------------


def retry_delay(attempts: int) -> datetime.timedelta:
    """1 minute after the first failure, then 2, 4, 8, ... capped."""
    base = _setting("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
    cap = _setting("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)
    return datetime.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=_setting("NOTIFICATIONS_SEND_LEASE_SECONDS", 300))


def describe_error(error: BaseException) -> tuple[str, bool]:
    """(a description without personal data, whether it is permanent). SMTP replies may echo
    the address, so only the class and reply codes are kept."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _msg in error.recipients.values()})
        return f"{name}: {', '.join(map(str, codes))}", all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{name}: {error.smtp_code}", error.smtp_code >= 500
    if isinstance(error, OSError) and error.strerror:
        return f"{name}: {error.strerror}", False
    return name, False


def _email_message(notification: Notification, connection) -> EmailMessage:
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
        headers={"Message-ID": notification.message_id, "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    if notification.ics:
        method = "CANCEL" if notification.kind == Kind.MEETING_CANCELLED else "REQUEST"
        part = MIMEText(notification.ics, "calendar", "utf-8")
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename="sip-mote.ics")
        message.attach(part)
    return message


def notification_deliver(notification_id: int) -> str:
    """Send one e-mail from the outbox, at most once per claim. Returns what happened.

    1. Claim: under a row lock, a pending e-mail that is due (or one whose earlier claim has
       expired) becomes "sending" with a lease and a claim token; the attempt is counted.
    2. Send over SMTP with a Message-ID derived from the dedupe key (outside any transaction).
    3. Mark it sent; or, on failure, pending again with exponential backoff, and
       failed_permanently after MAX_ATTEMPTS attempts or at a permanent (5xx) refusal.

    A worker killed before the server accepted the message leaves the claim to expire; the
    sweeper then hands it to a worker again. Killed between the server's acceptance and step
    3, the message is sent again after the lease, with the same Message-ID (docs/
    notifications.md: the one at-least-once window).
    """
    now = timezone.now()
    token = get_random_string(32)
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, channel=EMAIL)
            .first()
        )
        if notification is None:
            return "missing"
        if notification.status in {Status.SENT, Status.FAILED}:
            return "done"
        if notification.status == Status.PENDING and (notification.next_attempt_at or now) > now:
            return "not due"
        if notification.status == Status.SENDING and (notification.claimed_until or now) > now:
            return "claimed"
        if notification.attempts >= MAX_ATTEMPTS:  # the last claim expired: give up
            notification.status, notification.next_attempt_at = Status.FAILED, None
            notification.claim, notification.claimed_until = "", None
            notification.last_error = notification.last_error or "no answer from the worker"
            notification.save(
                update_fields=["status", "next_attempt_at", "claim", "claimed_until", "last_error"]
            )
            return "failed"
        notification.status = Status.SENDING
        notification.claim = token
        notification.claimed_until = now + _lease()
        notification.attempts += 1
        notification.enqueued_at = None  # this task is the one that was queued
        notification.save(
            update_fields=["status", "claim", "claimed_until", "attempts", "enqueued_at"]
        )

    try:
        timeout = _setting("EMAIL_TIMEOUT", None) or 60
        with get_connection(timeout=timeout) as connection:
            _email_message(notification, connection).send()
    except Exception as error:  # SMTP and network errors; anything else counts as one too
        return _delivery_failed(notification, token, error)

    Notification.objects.filter(pk=notification.pk).exclude(status=Status.SENT).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        claim="",
        claimed_until=None,
        next_attempt_at=None,
        last_error="",
    )
    return "sent"


def _delivery_failed(notification: Notification, token: str, error: BaseException) -> str:
    description, permanent = describe_error(error)
    logger.warning(
        "e-mail notification %s failed (attempt %s): %s",
        notification.pk,
        notification.attempts,
        description,
    )
    with transaction.atomic():
        current = Notification.objects.select_for_update().get(pk=notification.pk)
        if current.status != Status.SENDING or current.claim != token:
            return "claim lost"
        current.last_error = description[:300]
        current.claim, current.claimed_until = "", None
        if permanent or current.attempts >= MAX_ATTEMPTS:
            current.status, current.next_attempt_at = Status.FAILED, None
            outcome = "failed"
        else:
            current.status = Status.PENDING
            current.next_attempt_at = timezone.now() + retry_delay(current.attempts)
            outcome = "retry"
        current.save(
            update_fields=["last_error", "claim", "claimed_until", "status", "next_attempt_at"]
        )
    return outcome


def notifications_due(now: datetime.datetime | None = None) -> QuerySet:
    """E-mails a worker should try now: pending and due, or claimed by a worker whose lease
    has run out (it died or hung mid-delivery)."""
    now = now or timezone.now()
    return Notification.objects.filter(channel=EMAIL).filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_until__lte=now)
    )


def notifications_sweep(now: datetime.datetime | None = None) -> int:
    """Hand every due e-mail to the worker again, so none waits forever for a lost task:
    those without a task on the queue (a retry that has come due, a claim that expired) and
    those whose task has waited longer than REQUEUE_AFTER. A duplicate task does nothing
    (the claim decides)."""
    now = now or timezone.now()
    due = notifications_due(now).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER)
    )
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    Notification.objects.filter(pk__in=ids).update(enqueued_at=now)
    for notification_id in ids:
        _enqueue_delivery(notification_id)
    return len(ids)


def notification_retry(*, notification: Notification) -> None:
    """An administrator tries a permanently failed e-mail again (the admin's action)."""
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=now, enqueued_at=now, last_error=""
    )
    transaction.on_commit(partial(_enqueue_delivery, notification.pk))
