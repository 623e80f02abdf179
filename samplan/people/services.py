"""Registering individuals."""

from django.db import transaction

from samplan.accounts.models import User
from samplan.people.identity import IdentityNumber
from samplan.people.models import Person, Relation

CONTACT_FIELDS = ("email", "phone", "street_address", "postal_code", "city")


@transaction.atomic
def person_register(
    *,
    actor: User,
    number: IdentityNumber,
    given_name: str,
    family_name: str,
    birth_date=None,
    protected_identity: bool = False,
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
        **{key: value.strip() for key, value in contact.items()},
    )
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def relation_add(
    *, actor: User, person: Person, related: Person, kind: str, description: str = ""
) -> Relation:
    """Add a guardian (children only) or a relative."""
    relation = Relation(person=person, related=related, kind=kind, description=description)
    relation.full_clean()
    relation.save()
    return relation
