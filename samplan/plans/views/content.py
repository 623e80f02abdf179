"""The plan's content: preparation, goals, interventions, contact persons."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import rules, services
from samplan.plans.access import goals_seen, interventions_seen, item_limit, plan_view
from samplan.plans.models import Participant, Plan
from samplan.plans.views.base import (
    attempt,
    back_url,
    content_lists,
    gone,
    render_form,
    workspace_context,
)


@plan_view("plan.view", "plan.edit")
def plan_content(request: StaffRequest, plan: Plan) -> HttpResponse:
    """The plan: details, goals and interventions. The meeting mode posts here too."""
    details = f.PlanDetailsForm(
        request.POST if request.POST.get("form") == "details" else None,
        plan=plan,
        prefix="details",
        initial={
            "lock_version": plan.lock_version,
            "overall_responsibility": plan.overall_responsibility,
            "lead": plan.lead,
            "next_follow_up": plan.next_follow_up,
            "self_actions": plan.self_actions,
            "no_other_actors": plan.no_other_actors,
        },
    )
    limit = item_limit(request.actor, plan)
    goal_form = f.GoalForm(
        request.POST if request.POST.get("form") == "goal" else None,
        plan=plan,
        limit=limit,
        prefix="goal",
        initial={"lock_version": 0},
    )
    intervention_form = f.InterventionForm(
        request.POST if request.POST.get("form") == "intervention" else None,
        plan=plan,
        limit=limit,
        prefix="intervention",
        initial={"lock_version": 0},
    )
    bound = next((form for form in (details, goal_form, intervention_form) if form.is_bound), None)
    if bound is not None and bound.is_valid():
        data = bound.cleaned_data
        if bound is details:
            fields = {k: data[k] for k in services.CONTENT_FIELDS}
            ok = attempt(
                bound,
                lambda: services.plan_update(
                    actor=request.actor,
                    plan=plan,
                    expected_version=data["lock_version"],
                    **fields,
                ),
            )
        elif bound is goal_form:
            ok = attempt(
                bound,
                lambda: services.goal_save(
                    actor=request.actor,
                    plan=plan,
                    term=data["term"],
                    text=data["text"],
                    topic=data["topic"],
                    parent=data["parent"],
                    follow_up_by=data["follow_up_by"],
                    status=data["status"],
                ),
            )
        else:
            ok = attempt(
                bound,
                lambda: services.intervention_save(
                    actor=request.actor,
                    plan=plan,
                    **_intervention_fields(data),
                ),
            )
        if ok:
            messages.success(request, _("Saved."))
            return redirect(back_url(request, reverse("plans:content", args=[plan.pk])))
    context = workspace_context(
        request,
        plan,
        "content",
        details=details,
        goal_form=goal_form,
        intervention_form=intervention_form,
        content=rules.legal_content_check(plan),
        **content_lists(request, plan),
    )
    return render_form(request, "plans/content.html", context, bound)


def _intervention_fields(data: dict) -> dict:
    return {
        k: data[k]
        for k in (
            "what",
            "topic",
            "organization",
            "responsible_unit",
            "responsible_person",
            "start",
            "frequency",
            "depends_on",
            "status",
            "goals",
        )
    }


@plan_view("plan.edit", "plan.edit")
def goal_edit(request: StaffRequest, plan: Plan, goal_id: int) -> HttpResponse:
    goal = goals_seen(request.actor, plan).filter(pk=goal_id).first()
    if goal is None:
        return gone(
            request, plan, _("The goal is no longer in the plan; someone may have removed it.")
        )
    form = f.GoalForm(
        request.POST or None,
        plan=plan,
        goal=goal,
        limit=item_limit(request.actor, plan),
        initial={
            "lock_version": goal.lock_version,
            "term": goal.term,
            "text": goal.text,
            "topic": goal.topic,
            "parent": goal.parent,
            "follow_up_by": goal.follow_up_by,
            "status": goal.status,
        },
    )
    if request.POST.get("remove"):
        if attempt(
            form,
            lambda: services.goal_remove(actor=request.actor, plan=plan, goal=goal),
        ):
            messages.success(request, _("The goal is removed."))
            return redirect("plans:content", plan_id=plan.pk)
        return render_form(
            request,
            "plans/goal_edit.html",
            workspace_context(request, plan, "content", form=form, goal=goal),
            form,
        )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.goal_save(
                actor=request.actor,
                plan=plan,
                goal=goal,
                expected_version=d["lock_version"],
                term=d["term"],
                text=d["text"],
                topic=d["topic"],
                parent=d["parent"],
                follow_up_by=d["follow_up_by"],
                status=d["status"],
            ),
        ):
            messages.success(request, _("The goal is saved."))
            return redirect(back_url(request, reverse("plans:content", args=[plan.pk])))
    return render_form(
        request,
        "plans/goal_edit.html",
        workspace_context(request, plan, "content", form=form, goal=goal),
        form,
    )


@plan_view("plan.edit", "plan.edit")
def intervention_edit(request: StaffRequest, plan: Plan, intervention_id: int) -> HttpResponse:
    item = interventions_seen(request.actor, plan).filter(pk=intervention_id).first()
    if item is None:
        return gone(
            request,
            plan,
            _("The intervention is no longer in the plan; someone may have removed it."),
        )
    form = f.InterventionForm(
        request.POST or None,
        plan=plan,
        intervention=item,
        limit=item_limit(request.actor, plan),
        initial={
            "lock_version": item.lock_version,
            "what": item.what,
            "topic": item.topic,
            "organization": item.organization,
            "responsible_unit": item.unit,
            "responsible_person": item.responsible_person,
            "start": item.start,
            "frequency": item.frequency,
            "depends_on": item.depends_on,
            "status": item.status,
            "goals": list(item.goals.all()),
        },
    )
    if request.POST.get("remove"):
        if attempt(
            form,
            lambda: services.intervention_remove(actor=request.actor, plan=plan, intervention=item),
        ):
            messages.success(request, _("The intervention is removed."))
            return redirect("plans:content", plan_id=plan.pk)
        return render_form(
            request,
            "plans/intervention_edit.html",
            workspace_context(request, plan, "content", form=form, item=item),
            form,
        )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.intervention_save(
                actor=request.actor,
                plan=plan,
                intervention=item,
                expected_version=d["lock_version"],
                **_intervention_fields(d),
            ),
        ):
            messages.success(request, _("The intervention is saved."))
            return redirect(back_url(request, reverse("plans:content", args=[plan.pk])))
    return render_form(
        request,
        "plans/intervention_edit.html",
        workspace_context(request, plan, "content", form=form, item=item),
        form,
    )


@plan_view("plan.view", "plan.edit", methods=("POST",))
def contact_person(request: StaffRequest, plan: Plan, participant_id: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=participant_id, plan=plan)
    form = f.ContactPersonForm(request.POST, unit=participant.unit)
    if form.is_valid() and attempt(
        form,
        lambda: services.contact_person_set(
            actor=request.actor,
            plan=plan,
            participant=participant,
            person=form.cleaned_data["contact_person"],
        ),
    ):
        messages.success(request, _("The contact person is saved."))
    else:
        messages.error(
            request,
            " ".join(form.non_field_errors()) or _("Choose someone who works in that unit."),
        )
    return redirect(back_url(request, reverse("plans:overview", args=[plan.pk])))


@plan_view("plan.edit", "plan.edit")
def preparation(request: StaffRequest, plan: Plan) -> HttpResponse:
    initial = {name: getattr(plan, name) for name in services.PREPARATION_FIELDS}
    form = f.PreparationForm(
        request.POST or None, initial={**initial, "lock_version": plan.lock_version}
    )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        fields = {k: d[k] for k in services.PREPARATION_FIELDS}
        if attempt(
            form,
            lambda: services.plan_update(
                actor=request.actor,
                plan=plan,
                expected_version=d["lock_version"],
                **fields,
            ),
        ):
            messages.success(request, _("The preparation is saved."))
            return redirect(back_url(request, reverse("plans:overview", args=[plan.pk])))
    return render_form(
        request,
        "plans/preparation.html",
        workspace_context(request, plan, "overview", form=form),
        form,
    )
