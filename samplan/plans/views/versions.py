"""Establishing the plan, the individual's answer to a revision, and the versions."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import rules, services
from samplan.plans.access import plan_view
from samplan.plans.models import (
    Plan,
)
from samplan.plans.snapshot import snapshot_diff
from samplan.plans.views.base import (
    content_lists,
    render_form,
    submit,
    workspace_context,
)


@plan_view("plan.edit", "plan.edit")
def establish(request: StaffRequest, plan: Plan) -> HttpResponse:
    form = f.EstablishForm(request.POST or None)
    done = submit(
        request,
        form,
        services.plan_establish,
        plan=plan,
        success=_("The plan is established as version 1. Give the individual a copy."),
        target=reverse("plans:overview", args=[plan.pk]),
    )
    content = rules.legal_content_check(plan)
    context = workspace_context(
        request, plan, "overview", form=form, content=content, **content_lists(plan)
    )
    return done or render_form(request, "plans/establish.html", context, form)


@plan_view("plan.edit", "plan.edit")
def approval(request: StaffRequest, plan: Plan) -> HttpResponse:
    form = f.ApprovalForm(request.POST or None)
    done = submit(
        request,
        form,
        services.version_approval_record,
        plan=plan,
        success=_("The individual's answer is recorded."),
        target=reverse("plans:overview", args=[plan.pk]),
    )
    context = workspace_context(request, plan, "versions", form=form)
    return done or render_form(request, "plans/approval.html", context, form)


@plan_view("plan.view", "plan.edit", methods=("GET",))
def versions(request: StaffRequest, plan: Plan) -> HttpResponse:
    items = list(plan.versions.select_related("created_by", "created_unit", "approval_recorded_by"))
    numbers = [v.number for v in items]
    try:
        a, b = int(request.GET.get("a", 0)), int(request.GET.get("b", 0))
    except ValueError:
        a = b = 0
    if len(numbers) >= 2 and not (a in numbers and b in numbers):
        a, b = numbers[-2], numbers[-1]
    diff = None
    if a in numbers and b in numbers:
        old = next(v for v in items if v.number == a)
        new = next(v for v in items if v.number == b)
        diff = snapshot_diff(old.snapshot, new.snapshot)
    return render(
        request,
        "plans/versions.html",
        workspace_context(request, plan, "versions", versions=items, a=a, b=b, diff=diff),
    )


@plan_view("plan.view", "plan.edit", methods=("GET",))
def version_detail(request: StaffRequest, plan: Plan, number: int) -> HttpResponse:
    version = get_object_or_404(
        plan.versions.select_related("created_by", "approval_recorded_by"), number=number
    )
    return render(
        request,
        "plans/version_detail.html",
        workspace_context(request, plan, "versions", version=version, snap=version.snapshot),
    )
