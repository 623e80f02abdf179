"""Protected identity: which units may see a protected individual's contact details. A unit
manager of a writing unit grants it to a named unit of the plan, with a reason and an end
date; the grant ends by itself. Every grant and revocation is in the plan's history, and
every page that shows the details is in the access log."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.core import dates
from samplan.people.models import ContactGrant
from samplan.plans import rules
from samplan.plans.models import Plan, PlanEvent
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import event_record
from samplan.policy import Staff

Kind = PlanEvent.Kind


def _may_grant(actor: Staff, plan: Plan) -> None:
    refuse_unless(plan.person.protected_identity, _("The individual has no protected identity."))
    refuse_unless(
        rules.grants_contact_access(actor.role),
        _("Only a unit manager grants access to a protected individual's contact details."),
    )


@transaction.atomic
def contact_grant_give(
    *, actor: Staff, plan: Plan, unit, reason: str, valid_until: datetime.date | None
) -> ContactGrant:
    _may_grant(actor, plan)
    refuse_unless(
        unit is not None and rules.takes_part(plan, unit),
        _("Choose a unit that takes part in the plan."),
        "unit",
    )
    refuse_unless(
        bool(reason.strip()), _("Write why the unit needs the contact details."), "reason"
    )
    today = timezone.localdate()
    last = today + datetime.timedelta(days=rules.CONTACT_GRANT_MAX_DAYS)
    refuse_unless(
        valid_until is not None and today <= valid_until <= last,
        _("Give an end date from today and at most a year ahead (%(day)s).")
        % {"day": dates.day(last)},
        "valid_until",
    )
    grant = ContactGrant.objects.create(
        person=plan.person,
        unit=unit,
        reason=reason.strip(),
        granted_by=actor.user,
        valid_until=valid_until,
    )
    event_record(
        plan,
        actor=actor,
        kind=Kind.CONTACT_GRANTED,
        summary=_("%(unit)s may see the protected contact details until %(day)s")
        % {"unit": unit.name, "day": dates.day(valid_until)},
        after={"grant": grant.pk, "unit": unit.pk, "valid_until": valid_until.isoformat()},
    )
    return grant


@transaction.atomic
def contact_grant_revoke(*, actor: Staff, plan: Plan, grant: ContactGrant) -> None:
    _may_grant(actor, plan)
    refuse_unless(grant.person_id == plan.person_id, _("Unknown grant."))
    refuse_unless(grant.revoked_at is None, _("The grant is already revoked."))
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    event_record(
        plan,
        actor=actor,
        kind=Kind.CONTACT_REVOKED,
        summary=_("Access to the protected contact details revoked for %(who)s")
        % {"who": grant.unit.name if grant.unit else str(grant.user)},
        before={"grant": grant.pk, "reason": grant.reason},
    )
