"""Interventions followed through: the responsible unit's report on its own intervention, and
"Våra insatser", the interventions the acting unit answers for across its plans."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.audit.services import access_log_record_many
from samplan.people.session import StaffRequest
from samplan.plans import access, rules, services
from samplan.plans import forms as f
from samplan.plans.models import ConsentLimit, Intervention, Plan
from samplan.plans.views.base import attempt, gone, render_form, workspace_context
from samplan.plans.views.worklist import _counted_page, _query_without_page


@access.plan_view("plan.view", "plan.view", methods=("POST",))
def intervention_progress(request: StaffRequest, plan: Plan, intervention_id: int) -> HttpResponse:
    """The responsible unit reports the status and a short note of its own intervention. The
    route only reads the plan; the policy decides the report on the intervention itself."""
    item = plan.interventions.select_related("plan", "unit").filter(pk=intervention_id).first()
    if item is None:
        return gone(
            request,
            plan,
            _("The intervention is no longer in the plan; someone may have removed it."),
        )
    item.plan = plan  # the plan as loaded through the policy, with its participants
    if policy.decide(request.actor, "intervention.progress", item) is not policy.Decision.ALLOW:
        raise PermissionDenied
    form = f.InterventionProgressForm(request.POST, prefix=f"progress-{item.pk}")
    if form.is_valid():
        data = form.cleaned_data
        if attempt(
            form,
            lambda: services.intervention_progress(
                actor=request.actor, intervention=item, status=data["status"], note=data["note"]
            ),
        ):
            messages.success(request, _("The progress is reported."))
            return redirect("plans:content", plan_id=plan.pk)
    context = workspace_context(request, plan, "content", form=form, item=item)
    return render_form(request, "plans/intervention_progress.html", context, form)


OUR_INTERVENTIONS_PAGE_SIZE = 50


def _hide_kept_from(items: list[Intervention], unit) -> list[Intervention]:
    """Leave out an intervention whose topic a later consent keeps from the unit (two queries
    for the page: the plans' consents and their limits on this unit)."""
    plans = {item.plan_id: item.plan for item in items}
    for item in items:  # one plan object per plan, which remembers the unit's limit
        item.plan = plans[item.plan_id]
    consents = {}
    for plan in plans.values():
        consent = rules.limiting_consent(plan)
        if consent is not None:
            consents[consent.pk] = plan
    rows = ConsentLimit.objects.filter(consent_id__in=list(consents), unit=unit)
    for row in rows:
        plan = consents[row.consent_id]
        plan.__dict__.setdefault("_item_limits", {})[unit.pk] = rules.limit_of(row, unit)
    for plan in plans.values():
        plan.__dict__.setdefault("_item_limits", {}).setdefault(unit.pk, None)
    return [
        item
        for item in items
        if not rules.intervention_hidden(
            rules.item_limit(item.plan, unit),
            topic=item.topic,
            unit_id=item.unit_id,
            organization_id=item.organization_id,
        )
    ]


@require_GET
@acting_unit_required
@policy.route("plan.list")
def our_interventions(request: StaffRequest) -> HttpResponse:
    """ "Våra insatser": the interventions the acting unit is responsible for in the open plans
    it takes part in, the overdue first, a bounded page at a time."""
    unit = request.acting_unit
    today = timezone.localdate()
    plans = access.plans_of_unit(unit).exclude(state=Plan.State.CLOSED)
    overdue = rules.intervention_overdue_q(today)
    ordered = (
        Intervention.objects.filter(unit=unit, plan__in=plans.values("pk"))
        .annotate(
            late=Case(When(overdue, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("late", F("start").asc(nulls_last=True), "pk")
    )
    page, ids = _counted_page(ordered, request.GET.get("sida"), OUR_INTERVENTIONS_PAGE_SIZE)
    by_id = {
        item.pk: item
        for item in Intervention.objects.filter(pk__in=ids)
        .select_related("plan__person")
        .prefetch_related("plan__consents")
    }
    items = _hide_kept_from([by_id[pk] for pk in ids if pk in by_id], unit)
    for item in items:
        item.overdue = rules.intervention_overdue(item, today)
    listed = {item.plan.pk: item.plan for item in items}
    access_log_record_many(
        request=request,
        action="interventions.list",
        items=[(plan.person, plan) for plan in listed.values()],
    )
    return render(
        request,
        "plans/our_interventions.html",
        {"items": items, "page": page, "page_query": _query_without_page(request)},
    )
