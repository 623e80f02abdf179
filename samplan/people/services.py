"""Registering individuals."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from samplan.accounts.models import Unit, User
from samplan.people.identity import IdentityNumber
from samplan.people.models import Person, Relation

CONTACT_FIELDS = ("email", "phone", "street_address", "postal_code", "city")


def listing_units():
    """The primary care centres an individual can be listed at."""
    return (
        Unit.objects.filter(kind=Unit.Kind.PRIMARY_CARE, is_active=True)
        .select_related("organization")
        .order_by("organization__name", "name")
    )


@transaction.atomic
def person_listing_set(*, actor: User, person: Person, unit: Unit | None) -> Person:
    """Record where the individual is listed in primary care (or that it is not known). It
    is offered first where a unit is chosen for him or her (consent, requests, notices)."""
    if unit is not None and not listing_units().filter(pk=unit.pk).exists():
        raise ValidationError({"listed_primary_care": _("Choose an active primary care centre.")})
    Person.objects.filter(pk=person.pk).update(listed_primary_care=unit)
    person.listed_primary_care = unit
    return person


@transaction.atomic
def person_register(
    *,
    actor: User,
    number: IdentityNumber,
    given_name: str,
    family_name: str,
    birth_date=None,
    protected_identity: bool = False,
    listed_primary_care: Unit | None = None,
    **contact: str,
) -> Person:
    """Register an individual. The birth date comes from the number unless it is a reservnummer."""
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    person = Person(
        identity_kind=number.kind,
        identity_number=number.value,
        birth_date=number.birth_date or birth_date,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        protected_identity=protected_identity,
        listed_primary_care=listed_primary_care,
        **{key: value.strip() for key, value in contact.items()},
    )
    person.full_clean()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Registered at the same moment by someone else (full_clean saw no one yet).
        raise ValidationError(
            {"number": _("The person is already registered. Search for him or her instead.")}
        ) from None
    return person


@transaction.atomic
def relation_add(
    *,
    actor: User | None,
    person: Person,
    related: Person,
    kind: str,
    description: str = "",
    basis: str = "",
    scope: str = "",
    min_sip: str = Relation.MinSip.NONE,
    valid_until=None,
    unit=None,
) -> Relation:
    """Register a guardian (of a child), a relative or a representative, validated by
    `Relation.clean` (ValidationError by field) and attributed to who registered it."""
    relation = Relation(
        person=person,
        related=related,
        kind=kind,
        description=description.strip(),
        basis=basis,
        scope=scope.strip(),
        min_sip=min_sip,
        valid_until=valid_until,
        created_by=actor,
        created_unit=unit,
    )
    relation.full_clean()
    relation.save()
    return relation


def relation_end(relation: Relation) -> dict:
    """End a relation. Returns what it was, for the record of who ended it (the caller's
    event): the row itself goes, so that no rule keeps reading an ended guardianship."""
    record = {
        "person": str(relation.person),
        "related": str(relation.related),
        "kind": relation.kind,
        "description": relation.description,
        "basis": relation.basis,
        "scope": relation.scope,
        "min_sip": relation.min_sip,
        "valid_until": relation.valid_until.isoformat() if relation.valid_until else "",
        "created_at": relation.created_at.isoformat(),
        "created_by": str(relation.created_by or ""),
    }
    relation.delete()
    return record
