"""Loading plans for a request, through the access policy (samplan.policy).

Rule (docs/security.md): staff see and change a plan only while their acting unit takes part
and the consent covers that unit; before consent only the initiating unit. Others get 404, so
that a plan's existence does not leak; read-only participants get 403 on writes. Every plan
that is shown is written to the access log, in the same request, before the page is rendered.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from samplan import policy
from samplan.audit.services import access_log_record
from samplan.plans.models import Plan


def can(plan: Plan, unit, action: str) -> bool:
    """May the acting unit do this action on the plan? (For pages deciding what to offer.)"""
    actor = policy.Staff(user=None, unit=unit, role="")
    return policy.decide(actor, action, plan) is policy.Decision.ALLOW


def can_write(plan: Plan, unit) -> bool:
    return can(plan, unit, "plan.edit")


def plan_for_request(request: HttpRequest, plan_id, *, action: str = "plan.view") -> Plan:
    """Load a plan the acting unit may see (404 otherwise), check the action, log the read."""
    actor = policy.Staff.from_request(request)
    plan = (
        Plan.objects.filter(pk=plan_id)
        .select_related(
            "person",
            "initiating_unit__organization__local_agreement",
            "overall_responsibility",
            "lead",
        )
        .prefetch_related(
            "participants__unit__organization", "participants__contact_person", "consents"
        )
        .first()
    )
    decision = policy.decide(actor, action, plan) if plan is not None else policy.Decision.NOT_FOUND
    if decision is policy.Decision.NOT_FOUND:
        raise Http404
    if decision is policy.Decision.FORBIDDEN:
        raise PermissionDenied
    match = request.resolver_match
    disclosure = match.view_name if match else action
    access_log_record(request=request, action=disclosure, person=plan.person, obj=plan)
    return plan
