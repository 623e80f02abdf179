"""The people around the individual: guardians, relatives and other close persons,
representatives (god man, förvaltare, ombud), registered and ended from the plan."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from samplan import policy
from samplan.core.parsing import parse_id
from samplan.people.models import Relation
from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import services
from samplan.plans.access import plan_view
from samplan.plans.models import Plan
from samplan.plans.views.base import attempt, render_form, workspace_context


@plan_view("plan.view", "plan.edit")
def relations(request: StaffRequest, plan: Plan) -> HttpResponse:
    here = reverse("plans:relations", args=[plan.pk])
    person = plan.person
    # A protected individual's relations are shown only to those granted his or her details.
    shown = policy.decide(request.actor, "person.contact", person) is policy.Decision.ALLOW
    form = f.RelationForm(request.POST if "add" in request.POST else None)
    if "end" in request.POST and shown:
        ending = (
            person.relations.select_related("related")
            .filter(pk=parse_id(request.POST["end"]) or 0)
            .first()
        )
        if ending is None:
            messages.error(request, _("The relation was already ended."))
            return redirect(here)
        done = attempt(
            form,
            lambda: services.plan_relation_end(actor=request.actor, plan=plan, relation=ending),
        )
        if done:
            messages.success(request, _("The relation is ended. The history keeps what it was."))
            return redirect(here)
    if form.is_bound and shown and form.is_valid():
        data = form.cleaned_data
        call = lambda: services.plan_relation_add(actor=request.actor, plan=plan, **data)  # noqa: E731
        if attempt(form, call):
            messages.success(request, _("The person is registered."))
            return redirect(here)
    rows = (
        list(person.relations.select_related("related", "created_by", "created_unit"))
        if shown
        else []
    )
    context = workspace_context(
        request,
        plan,
        "relations",
        form=form,
        relations=rows,
        shown=shown,
        person=person,
        representatives=Relation.REPRESENTATIVES,
    )
    return render_form(request, "plans/relations.html", context, form)
