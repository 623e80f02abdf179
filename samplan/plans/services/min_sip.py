"""What the individual, a guardian or a relative does in Min SIP, and staff handling it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.people.models import Person
from samplan.plans import rules
from samplan.plans.models import (
    CitizenMessage,
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


@transaction.atomic
def citizen_message_send(*, actor: Citizen, plan: Plan, kind: str, text: str) -> CitizenMessage:
    """A comment, a proposed change or a request for a new SIP, for the staff to handle."""
    refuse_unless(
        kind
        in {CitizenMessage.Kind.COMMENT, CitizenMessage.Kind.CHANGE, CitizenMessage.Kind.NEW_SIP},
        _("Choose what kind of message it is."),
    )
    refuse_unless(bool(text.strip()), _("Write your message."))
    refuse_unless(len(text) <= 4000, _("The message is too long (at most 4,000 characters)."))
    message = CitizenMessage.objects.create(
        plan=plan, author=actor.person, kind=kind, text=text.strip()
    )
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
