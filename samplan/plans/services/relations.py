"""The people around the individual, registered from the plan: guardians, relatives and other
close persons, representatives. The relation itself is the person's (samplan.people); the
plan's history records who registered or ended it, through which plan."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samplan.people.identity import IdentityNumber
from samplan.people.models import Person, Relation
from samplan.people.services import person_register, relation_add, relation_end
from samplan.plans.models import Plan, PlanEvent
from samplan.plans.rules import RuleViolation, refuse_unless
from samplan.plans.services.base import actor_user, event_record
from samplan.policy import Staff

Kind = PlanEvent.Kind


def _refused(error: ValidationError) -> RuleViolation:
    """The first of a model's field errors, as a refusal tied to that field."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        return RuleViolation(str(errors[0].messages[0]), None if field == "__all__" else field)
    return RuleViolation(str(error.messages[0]))


@transaction.atomic
def plan_relation_add(
    *,
    actor: Staff,
    plan: Plan,
    number: IdentityNumber,
    given_name: str = "",
    family_name: str = "",
    kind: str,
    description: str = "",
    basis: str = "",
    scope: str = "",
    min_sip: str = Relation.MinSip.NONE,
    valid_until=None,
) -> Relation:
    """Register someone around the individual, by identity number: a person not yet in
    Samplan is registered at the same time (the names are then required)."""
    related = Person.objects.filter(identity_kind=number.kind, identity_number=number.value).first()
    if related is None:
        refuse_unless(
            bool(given_name.strip()),
            _("The person is not registered: write the given name."),
            "given_name",
        )
        refuse_unless(
            bool(family_name.strip()),
            _("The person is not registered: write the family name."),
            "family_name",
        )
        try:
            related = person_register(
                actor=actor.user, number=number, given_name=given_name, family_name=family_name
            )
        except ValidationError as error:
            raise _refused(error) from None
    try:
        relation = relation_add(
            actor=actor.user,
            unit=actor.unit,
            person=plan.person,
            related=related,
            kind=kind,
            description=description,
            basis=basis,
            scope=scope,
            min_sip=min_sip,
            valid_until=valid_until,
        )
    except ValidationError as error:
        raise _refused(error) from None
    event_record(
        plan,
        actor=actor,
        kind=Kind.RELATION_ADDED,
        summary=_("%(kind)s registered: %(name)s")
        % {"kind": relation.get_kind_display(), "name": related.full_name},
        after={
            "relation": relation.pk,
            "kind": kind,
            "related": str(related.pk),
            "basis": basis,
            "min_sip": relation.min_sip,
        },
    )
    return relation


@transaction.atomic
def plan_relation_end(*, actor: Staff, plan: Plan, relation: Relation) -> None:
    """End a relation (a guardianship that has ended, a power of attorney withdrawn). What it
    was is kept in the plan's history, with who ended it."""
    refuse_unless(relation.person_id == plan.person_id, _("Unknown relation."))
    kind, name = relation.get_kind_display(), relation.related.full_name
    record = relation_end(relation)
    event_record(
        plan,
        actor=actor,
        kind=Kind.RELATION_ENDED,
        summary=_("%(kind)s ended: %(name)s") % {"kind": kind, "name": name},
        before={**record, "ended_by": str(actor_user(actor) or "")},
    )
