"""Establishing the plan, the individual's answer to a revision, and the versions."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import rules, services
from samplan.plans.access import item_limit, plan_view
from samplan.plans.models import (
    CopyGiven,
    Plan,
)
from samplan.plans.snapshot import comparison, plan_snapshot, snapshot_for, with_dates
from samplan.plans.views.base import (
    attempt,
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
        request, plan, "overview", form=form, content=content, **content_lists(request, plan)
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
    pending = services.pending_version(plan)
    context = workspace_context(request, plan, "versions", form=form, pending=pending)
    return done or render_form(request, "plans/approval.html", context, form)


@plan_view("plan.view", "plan.edit")
def versions(request: StaffRequest, plan: Plan) -> HttpResponse:
    recipients = services.copy_recipients(plan)
    copy_form = f.CopyGivenForm(request.POST or None, recipients=recipients)
    if copy_form.is_bound and copy_form.is_valid():
        data = copy_form.cleaned_data
        version = plan.versions.filter(number=data["version"]).first()
        if version is None:
            copy_form.add_error(None, _("Unknown version."))
        else:
            call = lambda: services.copy_given_record(  # noqa: E731
                actor=request.actor,
                plan=plan,
                version=version,
                **{k: data[k] for k in ("given_to", "given_on", "method")},
            )
            if attempt(copy_form, call):
                messages.success(request, _("The copy is recorded."))
                return redirect(reverse("plans:versions", args=[plan.pk]) + "#copies")
    items = list(
        plan.versions.select_related(
            "created_by", "created_unit", "approval_recorded_by"
        ).prefetch_related(
            Prefetch(
                "copies_given", queryset=CopyGiven.objects.select_related("given_to", "recorded_by")
            )
        )
    )
    numbers = [v.number for v in items]
    limit = item_limit(request.actor, plan)  # the consent may keep some items from the unit
    try:
        a, b = int(request.GET.get("a", 0)), int(request.GET.get("b", 0))
    except ValueError:
        a = b = 0
    in_force = next((v for v in items if v.number == plan.current_version), None)
    draft = in_force is not None and (
        request.GET.get("utkast") == "1" or (plan.unapproved_changes and "a" not in request.GET)
    )
    if len(numbers) >= 2 and not (a in numbers and b in numbers):
        a, b = numbers[-2], numbers[-1]
    diff = None
    labels = {}
    if draft:
        # The working draft against the version in force: what the individual has not approved.
        a, b = in_force.number, 0
        diff = comparison(
            snapshot_for(in_force.snapshot, limit), snapshot_for(plan_snapshot(plan), limit)
        )
        labels = {
            "old": _("Version %(n)s (in force)") % {"n": a},
            "new": _("Working draft, not approved"),
        }
    elif a in numbers and b in numbers:
        old = next(v for v in items if v.number == a)
        new = next(v for v in items if v.number == b)
        diff = comparison(snapshot_for(old.snapshot, limit), snapshot_for(new.snapshot, limit))
        labels = {"old": _("Version %(n)s") % {"n": a}, "new": _("Version %(n)s") % {"n": b}}
    copy_version = plan.current_version or (numbers[-1] if numbers else 0)
    if copy_form.is_bound:
        copy_version = (
            copy_form.cleaned_data.get("version", copy_version)
            if copy_form.is_valid()
            else copy_version
        )
    else:
        copy_form.initial = {
            "version": copy_version,
            "given_on": timezone.localdate(),
            "given_to": plan.person_id,
        }
    context = workspace_context(
        request,
        plan,
        "versions",
        versions=items,
        a=a,
        b=b,
        diff=diff,
        draft=draft,
        labels=labels,
        in_force=in_force,
        copy_form=copy_form,
        copies=[c for v in items for c in v.copies_given.all()],
        copy_version=copy_version,
    )
    return render_form(request, "plans/versions.html", context, copy_form)


@plan_view("plan.view", "plan.edit", methods=("GET",))
def version_detail(request: StaffRequest, plan: Plan, number: int) -> HttpResponse:
    version = get_object_or_404(
        plan.versions.select_related("created_by", "approval_recorded_by"), number=number
    )
    return render(
        request,
        "plans/version_detail.html",
        workspace_context(
            request,
            plan,
            "versions",
            version=version,
            snap=with_dates(snapshot_for(version.snapshot, item_limit(request.actor, plan))),
        ),
    )
