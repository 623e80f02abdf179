"""What the individual, a guardian or a relative does in Min SIP, and staff handling it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Unit
from samplan.people.models import Person
from samplan.plans import rules
from samplan.plans.models import (
    CitizenMessage,
    Participant,
    Plan,
    PlanEvent,
    RelativeAccess,
)
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import actor_user, event_record
from samplan.policy import Actor, Citizen

State = Plan.State
Kind = PlanEvent.Kind


# --- Min SIP: what the individual, a guardian or a relative does -----------------------------
# The policy (samplan.policy) decides who may do what; these functions check the SIP's rules.


def message_units(plan: Plan) -> list[Unit]:
    """The units a message from Min SIP may go to: those taking part in the plan."""
    return [p.unit for p in plan.participants.all() if p.is_active]  # prefetched on pages


def lead_units(plan: Plan) -> list[Unit]:
    """The lead's units taking part; without a lead, the writing units taking part (the
    initiating unit before anyone takes part)."""
    taking_part = [p for p in plan.participants.all() if p.is_active]
    if plan.lead_id:
        theirs = set(plan.lead.memberships.filter(is_active=True).values_list("unit_id", flat=True))
        units = [p.unit for p in taking_part if p.unit_id in theirs]
        if units:
            return units
    writers = [p.unit for p in taking_part if p.access == Participant.Access.EDIT]
    return writers or [plan.initiating_unit]


def message_address(message: CitizenMessage, units) -> None:
    message.to_units.set(list(units))


@transaction.atomic
def citizen_message_send(
    *, actor: Citizen, plan: Plan, kind: str, text: str, to_units=None
) -> CitizenMessage:
    """A comment, a proposed change or a request for a new SIP, for the staff to handle. It
    goes to the units the writer chose among those taking part (the lead's unit unless he
    or she chose otherwise); only they see it."""
    refuse_unless(
        kind
        in {CitizenMessage.Kind.COMMENT, CitizenMessage.Kind.CHANGE, CitizenMessage.Kind.NEW_SIP},
        _("Choose what kind of message it is."),
    )
    refuse_unless(bool(text.strip()), _("Write your message."))
    refuse_unless(len(text) <= 4000, _("The message is too long (at most 4,000 characters)."))
    allowed = {u.pk for u in message_units(plan)}
    units = list(to_units) if to_units is not None else lead_units(plan)
    refuse_unless(
        bool(units) and all(u.pk in allowed for u in units),
        _("Choose who should get the message."),
        "to_units",
    )
    message = CitizenMessage.objects.create(
        plan=plan, author=actor.person, kind=kind, text=text.strip()
    )
    message_address(message, units)
    event_record(
        plan,
        actor=actor,
        kind=Kind(f"citizen_{kind}"),
        summary=_("%(kind)s from %(name)s in Min SIP")
        % {"kind": message.get_kind_display(), "name": actor.person.full_name},
    )
    return message


@transaction.atomic
def citizen_message_handle(*, actor: Actor, message: CitizenMessage) -> CitizenMessage:
    refuse_unless(message.handled_at is None, _("The message is already handled."))
    message.handled_at, message.handled_by = timezone.now(), actor_user(actor)
    message.save(update_fields=["handled_at", "handled_by"])
    event_record(
        message.plan,
        actor=actor,
        kind=Kind.CITIZEN_MESSAGE_HANDLED,
        summary=_("Message from Min SIP handled: %(kind)s") % {"kind": message.get_kind_display()},
    )
    return message


@transaction.atomic
def relative_access_grant(
    *, actor: Citizen, plan: Plan, relative: Person, sections: list[str]
) -> RelativeAccess:
    """The individual lets a relative see chosen parts of the plan, within the consent."""
    refuse_unless(not plan.is_closed, _("The SIP is closed."))
    consent = plan.current_consent
    refuse_unless(
        rules.consent_given(consent) and consent.relatives.filter(pk=relative.pk).exists(),
        _(
            "Only a relative covered by your consent can be invited. Ask your contact person to add him or her."
        ),
    )
    refuse_unless(
        bool(sections) and set(sections) <= set(RelativeAccess.Section.values),
        _("Choose what the relative may see."),
    )
    RelativeAccess.objects.filter(plan=plan, relative=relative, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    access = RelativeAccess.objects.create(
        plan=plan, relative=relative, sections=sorted(set(sections)), granted_by=actor.person
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.RELATIVE_INVITED,
        summary=_("%(relative)s invited to Min SIP by %(name)s")
        % {"relative": relative.full_name, "name": actor.person.full_name},
        after={"sections": access.sections},
    )
    return access


@transaction.atomic
def relative_access_revoke(*, actor: Citizen, plan: Plan, relative: Person) -> None:
    updated = RelativeAccess.objects.filter(
        plan=plan, relative=relative, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    refuse_unless(bool(updated), _("The relative has no access to remove."))
    event_record(
        plan,
        actor=actor,
        kind=Kind.RELATIVE_REMOVED,
        summary=_("%(relative)s removed from Min SIP by %(name)s")
        % {"relative": relative.full_name, "name": actor.person.full_name},
    )
