"""Requests for a SIP from Min SIP (issue 14): sent by the individual or a guardian, answered
by a receiving unit (Unit.receives_requests) of an organisation chosen, or of any organisation
when the individual does not know which."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Organization, Unit
from samplan.citizen.models import SipRequest
from samplan.people.models import Person
from samplan.plans import rules, services, signals
from samplan.plans.models import Plan
from samplan.plans.rules import refuse_unless
from samplan.policy import Citizen, Staff

State = SipRequest.State


def receiving_units(organizations: Iterable[Organization] = ()) -> QuerySet:
    """The active receiving units of the organisations; of all organisations for none."""
    units = Unit.objects.filter(receives_requests=True, is_active=True)
    organizations = list(organizations)
    if organizations:
        units = units.filter(organization__in=organizations)
    return units.select_related("organization")


def requests_to_unit(unit: Unit) -> QuerySet:
    """The requests a receiving unit gets: to its organisation, or to nobody in particular.
    A unit that is not receiving gets none."""
    if not unit.receives_requests or not unit.is_active:
        return SipRequest.objects.none()
    ids = SipRequest.objects.filter(
        Q(organizations=unit.organization_id) | Q(organizations__isnull=True)
    ).values("pk")
    return SipRequest.objects.filter(pk__in=ids)


def sip_request_due(request: SipRequest) -> datetime.date:
    """The "without delay" clock: as for the consent after an initiative."""
    days = rules.DEFAULT_AGREEMENT.consent_within_days
    return timezone.localdate(request.created_at) + datetime.timedelta(days)


def sip_request_deadline(request: SipRequest, today: datetime.date | None = None):
    if request.state != State.SENT:
        return None
    due = sip_request_due(request)
    soon_from = due - datetime.timedelta(rules.DEFAULT_AGREEMENT.due_soon_days)
    today = today or timezone.localdate()
    return rules.Deadline(
        str(rules.DEADLINE_LABELS["consent"]), due, rules.deadline_status(due, soon_from, today)
    )


@transaction.atomic
def sip_request_send(
    *,
    actor: Citizen,
    person: Person,
    organizations: Iterable[Organization] = (),
    text: str,
    contact_way: str,
    contact_detail: str,
) -> SipRequest:
    """The individual (or a guardian for a child) asks for a SIP in his or her own words."""
    asker = actor.person
    refuse_unless(
        rules.may_ask_for_sip(asker, person),
        _("Only the individual, or a guardian for a child, can ask for a SIP here."),
    )
    refuse_unless(
        not rules.has_open_plan(person),
        _("There is already a SIP. Ask the person who helps you with it."),
    )
    refuse_unless(bool(text.strip()), _("Write why you want a SIP."), "text")
    refuse_unless(
        contact_way in SipRequest.ContactWay.values,
        _("Choose how we can contact you."),
        "contact_way",
    )
    refuse_unless(
        bool(contact_detail.strip()), _("Write how we can contact you."), "contact_detail"
    )
    organizations = list(organizations)
    refuse_unless(
        receiving_units(organizations).exists(),
        _("No one can receive the request there yet. Choose another, or “I don't know”."),
        "organizations",
    )
    waiting = SipRequest.objects.filter(person=person, state=State.SENT).exists()
    refuse_unless(
        not waiting, _("A request for a SIP has already been sent and waits for an answer.")
    )
    request = SipRequest.objects.create(
        person=person,
        asked_by=asker,
        text=text.strip(),
        contact_way=contact_way,
        contact_detail=contact_detail.strip(),
    )
    request.organizations.set(organizations)
    signals.sip_request_sent.send(
        sender=SipRequest, sip_request=request, units=list(receiving_units(organizations))
    )
    return request


def _handled(request: SipRequest, actor: Staff) -> SipRequest:
    """Lock the request and check that the acting unit receives it and it waits."""
    request = SipRequest.objects.select_for_update().get(pk=request.pk)
    refuse_unless(
        requests_to_unit(actor.unit).filter(pk=request.pk).exists(),
        _("Your unit does not receive this request."),
    )
    refuse_unless(request.state == State.SENT, _("The request has already been answered."))
    return request


@transaction.atomic
def sip_request_accept(*, actor: Staff, request: SipRequest) -> Plan | None:
    """The receiving unit accepts the request and starts the SIP with the individual as its
    source and his or her own words as the reason. When the individual has an open SIP the
    unit does not see, the initiative becomes a request to take part (plan_initiate) and no
    plan is linked."""
    request = _handled(request, actor)
    started = services.plan_initiate(
        actor=actor,
        person=request.person,
        source=Plan.Source.INDIVIDUAL,
        reasons=[Plan.Reason.REQUESTED],
        reason_text=request.text,
    )
    request.state = State.ACCEPTED
    request.plan = started if isinstance(started, Plan) else None
    request.handled_unit = actor.unit
    request.handled_by = actor.user
    request.handled_at = timezone.now()
    request.save(update_fields=["state", "plan", "handled_unit", "handled_by", "handled_at"])
    signals.sip_request_answered.send(sender=SipRequest, sip_request=request)
    return request.plan


@transaction.atomic
def sip_request_decline(*, actor: Staff, request: SipRequest, reason: str) -> SipRequest:
    """The receiving unit declines, with a reason the individual reads in Min SIP."""
    refuse_unless(bool(reason.strip()), _("Write why the request is declined."), "reason")
    request = _handled(request, actor)
    request.state = State.DECLINED
    request.decline_reason = reason.strip()
    request.handled_unit = actor.unit
    request.handled_by = actor.user
    request.handled_at = timezone.now()
    request.save(
        update_fields=["state", "decline_reason", "handled_unit", "handled_by", "handled_at"]
    )
    signals.sip_request_answered.send(sender=SipRequest, sip_request=request)
    return request


def sip_request_waiting(request: SipRequest) -> bool:
    """The request waits for a receiving unit's answer."""
    return request.state == State.SENT
