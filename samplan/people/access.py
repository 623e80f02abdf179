"""Showing an individual to staff: what the policy lets them see, and the access log entry."""

from django.http import HttpRequest

from samplan import policy
from samplan.audit.services import access_log_record
from samplan.people.models import Person


def person_card(request: HttpRequest, person: Person) -> dict:
    """Context for the person card. Showing it is a disclosure, so it is logged."""
    actor = policy.Staff.from_request(request)
    match = request.resolver_match
    access_log_record(
        request=request,
        action=match.view_name if match else "person.card",
        person=person,
        obj=person,
    )
    return {
        "person": person,
        "show_contact": policy.decide(actor, "person.contact", person) is policy.Decision.ALLOW,
        "guardians": list(person.guardians) if person.is_child() else [],
    }
