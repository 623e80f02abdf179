"""Requests for a SIP from Min SIP (issue 14): sent by the individual or a guardian, answered
by a receiving unit (Unit.receives_requests) of an organisation chosen, or of any organisation
when the individual does not know which. A staff member who wants another organisation to
start a SIP but does not know which unit refers it to that organisation's receiving unit the
same way (sip_request_refer). Accepting starts the SIP at the receiving unit or at another
unit of its organisation that it hands the SIP to (routing, part 2)."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Organization, Unit
from samplan.citizen.models import SipRequest
from samplan.people.models import Person
from samplan.plans import rules, services, signals
from samplan.plans.models import Plan
from samplan.plans.rules import refuse_unless
from samplan.policy import Citizen, Staff, decide

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


def unit_receives(unit: Unit, request: SipRequest) -> bool:
    """The unit receives this request (as requests_to_unit, read from the request's
    prefetched organisations)."""
    if not unit.receives_requests or not unit.is_active:
        return False
    organizations = [o.pk for o in request.organizations.all()]
    return not organizations or unit.organization_id in organizations


def requests_readable_by(unit: Unit) -> QuerySet:
    """The requests a unit may read: those it receives, and the referrals it sent."""
    received = requests_to_unit(unit).values("pk")
    return SipRequest.objects.filter(Q(pk__in=received) | Q(referring_unit=unit))


def handover_units(unit: Unit, person: Person | None = None) -> QuerySet:
    """The units a receiving unit may hand a SIP to: the active units of its own
    organisation, the individual's listed primary care centre first, then by name."""
    units = Unit.objects.filter(organization=unit.organization_id, is_active=True)
    listed = person.listed_primary_care_id if person is not None else None
    return units.annotate(
        listed_first=Case(When(pk=listed, then=Value(0)), default=Value(1))
    ).order_by("listed_first", "name", "pk")


def referral_organizations(person: Person | None = None) -> list[Organization]:
    """The organisations a staff member can refer to: those with an active receiving unit,
    the organisation of the individual's listed primary care centre first."""
    offered = list(
        Organization.objects.filter(units__receives_requests=True, units__is_active=True)
        .distinct()
        .order_by("name", "pk")
    )
    listed = person.listed_primary_care if person is not None else None
    if listed is not None:
        offered.sort(key=lambda o: o.pk != listed.organization_id)
    return offered


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
    waiting = SipRequest.objects.filter(
        person=person, state=State.SENT, asked_by__isnull=False
    ).exists()
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


@transaction.atomic
def sip_request_refer(
    *, actor: Staff, person: Person, organization: Organization, text: str
) -> SipRequest:
    """A staff member who wants another organisation to start a SIP, but does not know which
    unit, refers it to that organisation's receiving units with the reason in his or her own
    words. The contact is the referring unit; nothing is asked of the individual here."""
    refuse_unless(bool(text.strip()), _("Write why a SIP is needed."), "text")
    refuse_unless(
        organization is not None and receiving_units([organization]).exists(),
        _("No one can receive the request there yet. Choose another organisation."),
        "organization",
    )
    # Only a plan the referring unit sees may be named (docs/security.md, finding 2); a plan
    # it does not see is found when the request is accepted (a request to take part).
    seen = any(
        decide(actor, "plan.view", plan) for plan in person.plans.exclude(state__in=rules.NOT_OPEN)
    )
    refuse_unless(not seen, _("%(name)s already has an open SIP.") % {"name": person.full_name})
    waiting = SipRequest.objects.filter(
        person=person, state=State.SENT, referring_unit=actor.unit, organizations=organization
    ).exists()
    refuse_unless(
        not waiting,
        _(
            "Your unit has already sent a request for this individual there. It waits for an answer."
        ),
    )
    request = SipRequest.objects.create(
        person=person,
        referred_by=actor.user,
        referring_unit=actor.unit,
        text=text.strip(),
    )
    request.organizations.set([organization])
    signals.sip_request_sent.send(
        sender=SipRequest, sip_request=request, units=list(receiving_units([organization]))
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
def sip_request_accept(
    *, actor: Staff, request: SipRequest, unit: Unit | None = None
) -> Plan | None:
    """The receiving unit accepts the request and starts the SIP, with the request's words as
    the reason: at itself, or at `unit`, another active unit of its own organisation that it
    hands the SIP to (that unit is told). The source is the individual, or for a staff
    referral the referring staff (rules.referral_source). When the individual has an open SIP
    the unit starting it does not see, the initiative becomes a request to take part
    (plan_initiate) and no plan is linked."""
    request = _handled(request, actor)
    chosen = unit or actor.unit
    refuse_unless(
        chosen.organization_id == actor.unit.organization_id and chosen.is_active,
        _("Choose an active unit of your own organisation."),
        "unit",
    )
    if request.is_referral:
        source, source_detail = rules.referral_source(request.referring_unit)
    else:
        source, source_detail = Plan.Source.INDIVIDUAL, ""
    # The receiving unit hands the SIP over: it is started at the chosen unit, by the
    # accepting staff member, and from then on is that unit's before the consent.
    starter = Staff(user=actor.user, unit=chosen, role=actor.role)
    started = services.plan_initiate(
        actor=starter,
        person=request.person,
        source=source,
        source_detail=source_detail,
        reasons=[Plan.Reason.REQUESTED],
        reason_text=request.text,
    )
    request.state = State.ACCEPTED
    request.plan = started if isinstance(started, Plan) else None
    request.handled_unit = actor.unit
    request.handed_to = chosen
    request.handled_by = actor.user
    request.handled_at = timezone.now()
    request.save(
        update_fields=["state", "plan", "handled_unit", "handed_to", "handled_by", "handled_at"]
    )
    signals.sip_request_answered.send(sender=SipRequest, sip_request=request)
    if request.plan is not None and chosen.pk != actor.unit.pk:
        signals.sip_handed_over.send(sender=SipRequest, sip_request=request, plan=request.plan)
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
