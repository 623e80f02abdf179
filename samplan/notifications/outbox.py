"""The outbox: who is told what, written to the outbox in the caller's transaction.

Entry points for the other apps (keyword-only, called INSIDE the transaction of the change
that causes them, so the outbox rows commit or roll back with the change):

- `meeting_invitations_queue(meeting=..., method="REQUEST" | "CANCEL")`
- `plan_closed_queue(plan=...)`
- `join_request_queue(join_request=...)`, `join_request_accepted_queue(join_request=...)`
- `principal_declined_queue(invitee=...)`: an invited unit declined (part 7)
- `sip_request_sent_queue(sip_request=..., units=...)`, `sip_request_answered_queue(sip_request=...)`
- `sip_handed_over_queue(sip_request=..., plan=...)`: a receiving unit handed a SIP to a unit
- `evaluation_request_queue(requests=...)`: staff asked to evaluate a SIP (samplan.evaluation)
- `inbox_for_user(user)`, `inbox_for_person(person)`, `inbox_mark_read(...)`
- `email_preference_set(person=..., email_ok=...)`

Delivery (`notification_deliver`) and the sweeper (`notifications_sweep`) run in the worker
(samplan.notifications.tasks); reminders are in samplan.notifications.reminders.

Nothing personal goes into an e-mail: the subject and text are fixed sentences that name the
sending organisation (never SIP in what a citizen's locked phone shows), the link leads to the
inbox in Samplan, and the calendar file holds only the time, a fixed title and that link.
Inbox items store no names either: the inbox page names the plan for those the policy lets
see it, and their link leads to the plan, which the policy guards.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samplan import policy
from samplan.accounts.models import Membership, Unit, User
from samplan.core import dates
from samplan.notifications import ics
from samplan.notifications.delivery import enqueue_delivery
from samplan.notifications.models import MeetingCalendar, Notification, NotificationPreference
from samplan.notifications.texts import (
    absolute_url,
    calendar_summary,
    citizen_texts,
    email_body,
    meeting_line,
    sender_name,
    staff_texts,
    when_text,
)
from samplan.people.models import Person
from samplan.plans import rules
from samplan.plans.access import unit_may
from samplan.plans.models import EscalationStep, Meeting

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Status = Notification.Status
EMAIL, INBOX = Notification.Channel.EMAIL, Notification.Channel.INBOX


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


def write(drafts: Iterable[Draft], *, only_new: bool = False) -> list[Notification]:
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
            transaction.on_commit(partial(enqueue_delivery, notification.pk))
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
        is_active=True,
        memberships__unit=unit,
        memberships__is_active=True,
        memberships__role__in=rules.PLAN_ROLES,
    ).distinct()


def email_address(address: str) -> str:
    return (address or "").strip().lower()


def person_email_ok(person: Person) -> bool:
    """E-mail only to a person with an address who agreed to e-mail."""
    if not email_address(person.email):
        return False
    return NotificationPreference.objects.filter(person=person, email_ok=True).exists()


def _citizen_link(person: Person, plan) -> str:
    """The plan in Min SIP if the person may see it, else the start of Min SIP."""
    if plan is not None and policy.decide(policy.Citizen(person=person), "plan.view", plan):
        return reverse("citizen:plan", args=[plan.pk])
    return reverse("citizen:home")


def unit_drafts(
    unit: Unit,
    *,
    key: str,
    kind: str,
    sender: str,
    inbox_body: str,
    staff_link: str,
    plan,
    ics_for=None,
) -> list[Draft]:
    """The unit's functional mailbox gets one e-mail, each active member an inbox item.
    `ics_for(link, summary)` makes the calendar file of a meeting."""
    drafts = []
    subject, line = staff_texts(kind, sender)
    address = email_address(unit.email)
    if address:
        path = reverse("notifications:inbox")
        summary = calendar_summary(citizen=False, sender=sender)
        drafts.append(
            Draft(
                dedupe_key=f"{key}:email:{address}",
                channel=EMAIL,
                kind=kind,
                subject=subject,
                body=email_body(line, path, sender=sender),
                link=path,
                ics=ics_for(absolute_url(path), summary) if ics_for else "",
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


def person_drafts(
    person: Person,
    *,
    key: str,
    kind: str,
    sender: str,
    inbox_body: str,
    plan,
    ics_for=None,
) -> list[Draft]:
    """A Min SIP inbox item, and an e-mail when the person agreed to e-mail. Neither the
    e-mail's subject nor its first line says SIP (citizen_texts)."""
    subject, line = citizen_texts(kind, sender)
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
        address = email_address(person.email)
        path = reverse("notifications:citizen_inbox")
        drafts.append(
            Draft(
                dedupe_key=f"{key}:email:{address}",
                channel=EMAIL,
                kind=kind,
                subject=subject,
                body=email_body(line, path, sender=sender, citizen=True),
                link=path,
                ics=(
                    ics_for(absolute_url(path), calendar_summary(citizen=True, sender=sender))
                    if ics_for
                    else ""
                ),
                person=person,
                email=address,
                plan=plan,
            )
        )
    return drafts


def citizens_of(plan) -> list[Person]:
    """The individual and, for a child, the guardians: each one the policy lets see the plan
    (a child only from the age he or she reads it; never a guardian of a protected child)."""
    people = (
        [plan.person]
        if policy.decide(policy.Citizen(person=plan.person), "plan.view", plan)
        else []
    )
    for guardian in plan.person.guardians:
        if policy.decide(policy.Citizen(person=guardian), "plan.view", plan):
            people.append(guardian)
    return people


# --- Entry points: meetings and closing -----------------------------------------------------


@transaction.atomic
def meeting_invitations_queue(*, meeting, method: str, person=None) -> list[Notification]:
    """Tell everyone invited to the meeting that it is new or changed (REQUEST) or cancelled
    (CANCEL), with a calendar file. Each call raises the meeting's SEQUENCE by one.

    With `person`, only that invited person is told: invited (REQUEST) or that the invitation
    is withdrawn (CANCEL), as when the individual invites someone of his or her own choosing
    in Min SIP; the others' invitations have not changed.

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
    elif calendar.sequence == 0 or person is not None:
        kind = Kind.MEETING_INVITATION
    else:
        kind = Kind.MEETING_CHANGED
    plan = meeting.plan
    key = f"{kind}:meeting:{meeting.pk}:seq{calendar.sequence}"
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        sender = sender_name(plan)
        inbox_body = meeting_line(kind, meeting)

        def ics_for(link: str, summary: str) -> str:
            return ics.meeting_ics(
                meeting, method=method, sequence=calendar.sequence, link=link, summary=summary
            )

        invitees = meeting.invitees.select_related("unit", "person")
        if person is not None:
            invitees = invitees.filter(person=person)
        for invitee in invitees:
            if invitee.unit_id:
                drafts += unit_drafts(
                    invitee.unit,
                    key=key,
                    kind=kind,
                    sender=sender,
                    inbox_body=inbox_body,
                    staff_link=reverse("plans:meetings", args=[plan.pk]),
                    plan=plan,
                    ics_for=ics_for,
                )
            else:
                drafts += person_drafts(
                    invitee.person,
                    key=key,
                    kind=kind,
                    sender=sender,
                    inbox_body=inbox_body,
                    plan=plan,
                    ics_for=ics_for,
                )
    return write(drafts)


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
        sender = sender_name(plan)
        inbox_body = _("The SIP is closed. The plan can still be read.")
        participants = plan.participants.filter(is_active=True).select_related("unit")
        for participant in participants:
            drafts += unit_drafts(
                participant.unit,
                key=key,
                kind=kind,
                sender=sender,
                inbox_body=inbox_body,
                staff_link=reverse("plans:overview", args=[plan.pk]),
                plan=plan,
            )
        for person in citizens_of(plan):
            drafts += person_drafts(
                person,
                key=key,
                kind=kind,
                sender=sender,
                inbox_body=inbox_body,
                plan=plan,
            )
    notifications = write(drafts)
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
        if unit.is_active and unit_may(plan, unit, "plan.edit"):
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
        subject, _line = staff_texts(kind)
        inbox_body = _("A unit asks to take part in the SIP. Open the SIP to answer the request.")
        lead = plan.lead
        lead_sees = lead is not None and lead.is_active
        if lead_sees:
            lead_units = lead.memberships.filter(
                is_active=True, role__in=rules.PLAN_ROLES
            ).values_list("unit", flat=True)
            lead_sees = any(
                policy.decide(
                    policy.Staff(user=lead, unit=u, role=rules.Role.CASEWORKER), "plan.view", plan
                )
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
            drafts += unit_drafts(
                unit,
                key=key,
                kind=kind,
                sender="",
                inbox_body=inbox_body,
                staff_link=link,
                plan=plan,
            )
    return write(drafts)


@transaction.atomic
def join_request_accepted_queue(*, join_request) -> list[Notification]:
    """Tell the requesting unit (functional e-mail, inbox items for its members) that it now
    takes part in the SIP its initiative reached. Only once the consent lets it take part: a
    unit that may not see the plan is never told (a declined request is never told at all)."""
    plan = join_request.plan
    unit = join_request.unit
    if not unit_may(plan, unit, "plan.view"):
        return []
    kind = Kind.JOIN_ACCEPTED
    with translation.override(settings.LANGUAGE_CODE):
        inbox_body = _(
            "Your initiative has been answered: your unit now takes part in the SIP, within "
            "the individual's consent."
        )
        drafts = unit_drafts(
            unit,
            key=f"{kind}:request:{join_request.pk}",
            kind=kind,
            sender="",
            inbox_body=inbox_body,
            staff_link=reverse("plans:overview", args=[plan.pk]),
            plan=plan,
        )
    return write(drafts)


# --- Entry points: both principals attend (part 7) -------------------------------------------

PRINCIPAL_KINDS = (Kind.PRINCIPAL_DECLINED, Kind.PRINCIPAL_NOT_ANSWERED)


def unit_managers(unit: Unit) -> QuerySet:
    """The unit's active managers: they hear when their unit stays away from a SIP meeting."""
    return User.objects.filter(
        is_active=True,
        memberships__unit=unit,
        memberships__is_active=True,
        memberships__role=Membership.Role.UNIT_MANAGER,
    ).distinct()


def principal_drafts(invitee, kind: str) -> list[Draft]:
    """An invited unit declined (PRINCIPAL_DECLINED) or has not answered in time
    (PRINCIPAL_NOT_ANSWERED): the inviter (inbox, and the functional e-mail of the inviter's
    units that take part in the SIP) and the invited unit's managers (inbox) are told, once
    per invitee and meeting time. Fixed texts without names; the link leads to the meetings."""
    if kind not in PRINCIPAL_KINDS:
        raise ValueError(f"kind must be one of {PRINCIPAL_KINDS}, not {kind!r}")
    meeting = invitee.meeting
    plan = meeting.plan
    occasion = meeting.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%MZ")
    key = f"{kind}:meeting:{meeting.pk}:{occasion}:unit:{invitee.unit_id}"
    link = reverse("plans:meetings", args=[plan.pk])
    subject, line = staff_texts(kind)
    values = {"meeting": meeting.get_kind_display(), "when": when_text(meeting.starts_at)}
    if kind == Kind.PRINCIPAL_DECLINED:
        to_inviter = _(
            "%(meeting)s, %(when)s: an invited unit has declined. This may be a failure of "
            "collaboration."
        )
        to_manager = _(
            "%(meeting)s, %(when)s: your unit has declined to take part. This may be a failure "
            "of collaboration."
        )
    else:
        to_inviter = _(
            "%(meeting)s, %(when)s: an invited unit has not answered the invitation in time. "
            "This may be a failure of collaboration."
        )
        to_manager = _(
            "%(meeting)s, %(when)s: your unit has not answered the invitation in time. This "
            "may be a failure of collaboration."
        )
    drafts = []
    inviter = meeting.invited_by
    if inviter.is_active:
        drafts.append(
            Draft(
                dedupe_key=f"{key}:user:{inviter.pk}",
                channel=INBOX,
                kind=kind,
                subject=subject,
                body=to_inviter % values,
                link=link,
                user=inviter,
                plan=plan,
            )
        )
        inviting_units = Unit.objects.filter(
            is_active=True,
            memberships__user=inviter,
            memberships__is_active=True,
            participations__plan=plan,
            participations__is_active=True,
        ).distinct()
        path = reverse("notifications:inbox")
        for unit in inviting_units:
            address = email_address(unit.email)
            if address:
                drafts.append(
                    Draft(
                        dedupe_key=f"{key}:email:{address}",
                        channel=EMAIL,
                        kind=kind,
                        subject=subject,
                        body=email_body(line, path),
                        link=path,
                        unit=unit,
                        email=address,
                        plan=plan,
                    )
                )
    for manager in unit_managers(invitee.unit):
        if manager.pk == inviter.pk:
            continue  # told as the inviter
        drafts.append(
            Draft(
                dedupe_key=f"{key}:user:{manager.pk}",
                channel=INBOX,
                kind=kind,
                subject=subject,
                body=to_manager % values,
                link=link,
                user=manager,
                unit=invitee.unit,
                plan=plan,
            )
        )
    return drafts


@transaction.atomic
def principal_declined_queue(*, invitee) -> list[Notification]:
    """An invited unit declined the meeting: tell the inviter and the unit's managers at once."""
    if not invitee.unit_id or invitee.response != invitee.Response.DECLINED:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        return write(principal_drafts(invitee, Kind.PRINCIPAL_DECLINED))


# --- Entry points: requests for a SIP from Min SIP ------------------------------------------


@transaction.atomic
def sip_request_sent_queue(*, sip_request, units: Iterable[Unit]) -> list[Notification]:
    """Tell each receiving unit the request went to (functional e-mail, inbox items for its
    members) that someone asks for a SIP. Fixed texts without names; the link leads to the
    request, which only a receiving unit opens."""
    kind = Kind.SIP_REQUEST
    key = f"{kind}:request:{sip_request.pk}"
    link = reverse("requests:answer", args=[sip_request.pk])
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        inbox_body = _("Someone asks for a SIP through Min SIP. Open the request to answer it.")
        referral = sip_request.referring_unit_id is not None
        if referral:
            inbox_body = _(
                "A unit asks your organisation to start a SIP. Open the request to answer it."
            )
        for unit in units:
            drafts += unit_drafts(
                unit,
                key=key,
                kind=kind,
                sender="",
                inbox_body=inbox_body,
                staff_link=link,
                plan=None,
            )
        if referral:
            for draft in drafts:
                if draft.channel == EMAIL:
                    line = _("A unit asks your organisation to start a SIP.")
                    draft.body = email_body(line, draft.link)
    return write(drafts)


@transaction.atomic
def sip_request_answered_queue(*, sip_request) -> list[Notification]:
    """Tell the person who asked (a Min SIP inbox item, and an e-mail if he or she agreed to
    e-mail) that the request is accepted or declined. The e-mail comes from the answering
    unit's organisation and never says SIP (citizen_texts). A staff referral's referring unit
    is told instead (inbox items for its members)."""
    if sip_request.handled_unit_id is None:
        return []
    kind = Kind.SIP_REQUEST_ANSWERED
    accepted = sip_request.state == sip_request.State.ACCEPTED
    if sip_request.referring_unit_id is not None:
        return _referral_answered(sip_request, accepted)
    with translation.override(settings.LANGUAGE_CODE):
        sender = sip_request.handled_unit.organization.name
        if accepted:
            inbox_body = _(
                "Your request for a SIP has been accepted. %(sender)s will contact you."
            ) % {"sender": sender}
        else:
            inbox_body = _("Your request for a SIP has been declined. You can read why in Min SIP.")
        drafts = person_drafts(
            sip_request.asked_by,
            key=f"{kind}:request:{sip_request.pk}",
            kind=kind,
            sender=sender,
            inbox_body=inbox_body,
            plan=sip_request.plan if accepted else None,
        )
    return write(drafts)


def _referral_answered(sip_request, accepted: bool) -> list[Notification]:
    """The referring unit's active members get an inbox item: accepted or declined, by which
    organisation. The link leads to the referral, which the referring unit may read (with the
    reason for declining); no e-mail, and no name of the individual in the item."""
    kind = Kind.SIP_REQUEST_ANSWERED
    key = f"{kind}:request:{sip_request.pk}"
    unit = sip_request.referring_unit
    with translation.override(settings.LANGUAGE_CODE):
        sender = sip_request.handled_unit.organization.name
        subject, _line = staff_texts(kind, sender)
        if accepted:
            inbox_body = _(
                "%(sender)s has accepted your unit's request for a SIP and starts the SIP."
            ) % {"sender": sender}
        else:
            inbox_body = _(
                "%(sender)s has declined your unit's request for a SIP. Open it to read why."
            ) % {"sender": sender}
        link = reverse("requests:answer", args=[sip_request.pk])
        drafts = [
            Draft(
                dedupe_key=f"{key}:user:{user.pk}",
                channel=INBOX,
                kind=kind,
                subject=subject,
                body=inbox_body,
                link=link,
                user=user,
                unit=unit,
            )
            for user in unit_members(unit)
        ]
    return write(drafts)


@transaction.atomic
def sip_handed_over_queue(*, sip_request, plan) -> list[Notification]:
    """Tell the unit a receiving unit handed a SIP to (functional e-mail, inbox items for its
    members) that the SIP is started at it and waits for the consent. Fixed texts without
    names; the link leads to the plan, which the unit now sees."""
    unit = sip_request.handed_to
    if unit is None or unit.pk == sip_request.handled_unit_id:
        return []
    kind = Kind.SIP_HANDED_OVER
    with translation.override(settings.LANGUAGE_CODE):
        inbox_body = _(
            "A receiving unit in your organisation has accepted a request for a SIP and handed "
            "the SIP to your unit. Open the SIP and ask for the consent."
        )
        drafts = unit_drafts(
            unit,
            key=f"{kind}:request:{sip_request.pk}",
            kind=kind,
            sender="",
            inbox_body=inbox_body,
            staff_link=reverse("plans:overview", args=[plan.pk]),
            plan=plan,
        )
    return write(drafts)


# --- Entry point: discharge from inpatient care --------------------------------------------


@transaction.atomic
def admission_notice_queue(*, admission, step: str, event) -> list[Notification]:
    """Tell the units named in the notices (functional e-mail, inbox items for their members)
    of each step of the discharge, and the designated care contact personally when appointed
    and when the SIP he or she is to call starts. Fixed texts without the patient's name; the
    link leads to the admission, which only the ward and the units named open."""
    kind = Kind.DISCHARGE_NOTICE
    key = f"{kind}:admission:{admission.pk}:{event.pk}"
    link = reverse("discharge:detail", args=[admission.pk])
    drafts = []
    with translation.override(settings.LANGUAGE_CODE):
        sender = admission.ward.name
        what = event.get_kind_display()
        inbox_body = _("%(ward)s: %(what)s. Open the notice to read it.") % {
            "ward": sender,
            "what": what,
        }
        if step in {"admitted", "informed", "ready", "discharged"}:
            for recipient in admission.recipients.select_related("unit"):
                drafts += unit_drafts(
                    recipient.unit,
                    key=key,
                    kind=kind,
                    sender=sender,
                    inbox_body=inbox_body,
                    staff_link=link,
                    plan=None,
                )
        contact = admission.care_contact
        if contact is not None and step in {"care_contact", "sip_started"}:
            if step == "care_contact":
                body = _(
                    "You are the designated care contact of a patient at %(ward)s. You call "
                    "the SIP meeting after the discharge."
                ) % {"ward": sender}
                target = link
            else:
                body = _(
                    "A SIP has started at the discharge from %(ward)s. As the designated care "
                    "contact you send the invitations by %(day)s."
                ) % {"ward": sender, "day": dates.day(admission.invitation_due)}
                target = reverse("plans:overview", args=[admission.plan_id])
            drafts.append(
                Draft(
                    dedupe_key=f"{key}:user:{contact.pk}",
                    channel=INBOX,
                    kind=kind,
                    subject=staff_texts(kind, sender)[0],
                    body=body,
                    link=target,
                    user=contact,
                    plan=admission.plan if step == "sip_started" else None,
                )
            )
    return write(drafts)


def admission_notice_received(sender, *, admission, step, event, **kwargs) -> list[Notification]:
    return admission_notice_queue(admission=admission, step=step, event=event)


def deviation_notice_queue(*, deviation, event) -> list[Notification]:
    """Tell those who handle a collaboration failure of each step: the unit managers of the
    units concerned and the reporter (inbox), the members of each escalation step reached
    (inbox) and, when it reaches a step, the step's functional e-mail. Never the one who acted.
    Fixed texts without the individual; the link leads to the report, which only they open."""
    kind = Kind.COLLABORATION_FAILURE
    key = f"{kind}:deviation:{deviation.pk}:{event.pk}"
    link = reverse("deviations:detail", args=[deviation.pk])
    actor_id = event.actor_id
    with translation.override(settings.LANGUAGE_CODE):
        what = deviation.get_kind_display()
        body = _("A collaboration failure (%(what)s): %(step)s") % {
            "what": what,
            "step": event.summary,
        }
        subject = _("Collaboration failure: %(step)s") % {"step": event.get_kind_display()}
        users: dict[int, User] = {}
        for unit in deviation.units.all():
            for manager in unit_managers(unit):
                users.setdefault(manager.pk, manager)
        if deviation.reporter.is_active:
            users.setdefault(deviation.reporter_id, deviation.reporter)
        steps = EscalationStep.objects.filter(
            agreement__organization_id=deviation.agreement_organization_id,
            number__lte=deviation.level,
        ).prefetch_related("members")
        drafts = []
        for step in steps:
            for member in step.members.all():
                if member.is_active:
                    users.setdefault(member.pk, member)
            address = email_address(step.email)
            if address and event.kind == "escalated" and step.number == deviation.level:
                path = reverse("notifications:inbox")
                drafts.append(
                    Draft(
                        dedupe_key=f"{key}:email:{address}",
                        channel=EMAIL,
                        kind=kind,
                        subject=subject,
                        body=email_body(
                            _("A collaboration failure has reached %(step)s.")
                            % {"step": step.name},
                            link,
                        ),
                        link=path,
                        email=address,
                    )
                )
        for user in users.values():
            if user.pk == actor_id:
                continue
            drafts.append(
                Draft(
                    dedupe_key=f"{key}:user:{user.pk}",
                    channel=INBOX,
                    kind=kind,
                    subject=subject,
                    body=body,
                    link=link,
                    user=user,
                )
            )
    return write(drafts)


def deviation_changed_received(sender, *, deviation, event, **kwargs) -> list[Notification]:
    return deviation_notice_queue(deviation=deviation, event=event)


def evaluation_request_queue(*, requests: Iterable) -> list[Notification]:
    """Ask each staff member who took part in a SIP's occasion to evaluate it: one inbox item
    per request (samplan.evaluation's `EvaluationRequest`: `pk`, `user`, `plan`), linking to
    the questionnaire. A fixed text; the answer is never linked to the item."""
    kind = Kind.EVALUATION_REQUEST
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A request to evaluate a SIP")
        body = _(
            "You took part in a SIP. How did the collaboration work? The answer is anonymous "
            "and takes two minutes."
        )
        drafts = [
            Draft(
                dedupe_key=f"{kind}:request:{request.pk}",
                channel=INBOX,
                kind=kind,
                subject=subject,
                body=body,
                link=reverse("evaluation:answer", args=[request.pk]),
                user=request.user,
                plan=request.plan,
            )
            for request in requests
            if request.user is not None and request.user.is_active
        ]
    return write(drafts)


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


# The items that ask an invitee to answer: done once the invitee has answered.
ASKS_FOR_AN_ANSWER = (Kind.MEETING_INVITATION, Kind.MEETING_CHANGED, Kind.INVITATION_UNANSWERED)


@transaction.atomic
def inbox_invitation_answered(*, invitee) -> int:
    """The invitation is answered: the items that asked for the answer (the invitation, its
    changes, the reminder) are marked read, for every member of an invited unit, or for the
    individual or relative whose answer staff recorded. Returns how many changed."""
    meeting_id = invitee.meeting_id
    same_meeting = Q()
    for kind in ASKS_FOR_AN_ANSWER:  # the meeting is in the dedupe key, "<kind>:meeting:<id>:"
        same_meeting |= Q(kind=kind, dedupe_key__startswith=f"{kind}:meeting:{meeting_id}:")
    if invitee.unit_id:
        recipient = Q(unit_id=invitee.unit_id, user__isnull=False)
    else:
        recipient = Q(person_id=invitee.person_id)
    items = Notification.objects.filter(
        same_meeting, recipient, channel=INBOX, read_at__isnull=True
    )
    return items.update(read_at=timezone.now())


@transaction.atomic
def inbox_version_answered(*, plan) -> int:
    """The individual's answer to a new version is recorded (in Min SIP, or by staff): the
    items asking for it are marked read, for everyone they were sent to."""
    items = Notification.objects.filter(
        channel=INBOX, kind=Kind.APPROVAL_WAITING, plan=plan, read_at__isnull=True
    )
    return items.update(read_at=timezone.now())


@transaction.atomic
def email_preference_set(*, person: Person, email_ok: bool) -> NotificationPreference:
    """The person's own choice (Min SIP): e-mail when there is news, or not."""
    preference, _created = NotificationPreference.objects.update_or_create(
        person=person, defaults={"email_ok": bool(email_ok)}
    )
    return preference


# --- Receivers of samplan.plans.signals (connected in NotificationsConfig.ready) -------------


def join_request_received(sender, *, join_request, **kwargs) -> list[Notification]:
    return join_request_queue(join_request=join_request)


def join_request_accepted_received(sender, *, join_request, **kwargs) -> list[Notification]:
    return join_request_accepted_queue(join_request=join_request)


def meeting_changed_received(sender, *, meeting, method: str, **kwargs) -> list[Notification]:
    return meeting_invitations_queue(meeting=meeting, method=method, person=kwargs.get("person"))


def plan_closed_received(sender, *, plan, **kwargs) -> list[Notification]:
    return plan_closed_queue(plan=plan)


def invitation_answered_received(sender, *, invitee, **kwargs) -> int:
    principal_declined_queue(invitee=invitee)
    return inbox_invitation_answered(invitee=invitee)


def version_answered_received(sender, *, plan, **kwargs) -> int:
    return inbox_version_answered(plan=plan)


def sip_request_sent_received(sender, *, sip_request, units, **kwargs) -> list[Notification]:
    return sip_request_sent_queue(sip_request=sip_request, units=units)


def sip_request_answered_received(sender, *, sip_request, **kwargs) -> list[Notification]:
    return sip_request_answered_queue(sip_request=sip_request)


def sip_handed_over_received(sender, *, sip_request, plan, **kwargs) -> list[Notification]:
    return sip_handed_over_queue(sip_request=sip_request, plan=plan)
