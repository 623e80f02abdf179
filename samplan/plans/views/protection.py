"""Protected identity: the individual's contact details for the units granted them, and the
unit manager's grants (samplan.plans.services.protection)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from samplan import policy
from samplan.core.parsing import parse_id
from samplan.people.models import ContactGrant
from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import rules, services
from samplan.plans.access import plan_view
from samplan.plans.models import Plan
from samplan.plans.rules import RuleViolation
from samplan.plans.views.base import attempt, render_form, workspace_context


@plan_view("plan.view", "plan.edit")
def protected_details(request: StaffRequest, plan: Plan) -> HttpResponse:
    here = reverse("plans:protected", args=[plan.pk])
    person = plan.person
    units = [p.unit for p in plan.participants.all() if p.is_active]
    form = f.ContactGrantForm(request.POST if "grant" in request.POST else None, units=units)
    if "revoke" in request.POST:
        grant = ContactGrant.objects.filter(
            person=person, pk=parse_id(request.POST["revoke"]) or 0
        ).first()
        try:
            if grant is None:
                raise RuleViolation(_("Unknown grant."))
            services.contact_grant_revoke(actor=request.actor, plan=plan, grant=grant)
        except RuleViolation as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The grant is revoked."))
        return redirect(here)
    if form.is_bound and form.is_valid():
        call = lambda: services.contact_grant_give(  # noqa: E731
            actor=request.actor, plan=plan, **form.cleaned_data
        )
        if attempt(form, call):
            messages.success(request, _("The unit may now see the contact details."))
            return redirect(here)
    shown = policy.decide(request.actor, "person.contact", person) is policy.Decision.ALLOW
    grants = person.contact_grants.select_related("unit", "user", "granted_by").order_by(
        "-created_at"
    )
    context = workspace_context(
        request,
        plan,
        "protected",
        form=form,
        person=person,
        shown=shown,
        grants=list(grants[:100]),
        active_ids=set(person.contact_grants.active().values_list("pk", flat=True)),
        may_grant=person.protected_identity and rules.grants_contact_access(request.actor.role),
    )
    return render_form(request, "plans/protected.html", context, form)
