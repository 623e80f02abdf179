"""Recording and withdrawing the individual's consent."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import services
from samplan.plans.access import plan_view
from samplan.plans.models import (
    Plan,
)
from samplan.plans.views.base import (
    attempt,
    join_requests_to_answer,
    render_form,
    submit,
    workspace_context,
)


@plan_view("plan.view", "plan.edit")
def consent(request: StaffRequest, plan: Plan) -> HttpResponse:
    waiting = join_requests_to_answer(request, plan)
    asked = next((r for r in waiting if str(r.pk) == request.GET.get("forfragan")), None)
    add_units = [asked.unit] if asked else []
    if "find_units" in request.POST:
        # The unit search: the same form again, as typed, with the units found added (unticked);
        # nothing is recorded and nothing is refused yet.
        form = f.ConsentForm(
            plan=plan,
            add_units=add_units,
            initial=_as_typed(request.POST, f.ConsentForm.base_fields),
            unit_search=request.POST.get("unit_search", "")[:100],
        )
    else:
        form = f.ConsentForm(request.POST or None, plan=plan, add_units=add_units)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.consent_record(
                actor=request.actor,
                plan=plan,
                decision=d["decision"],
                decided_on=d["decided_on"],
                mode=d["mode"],
                given_by=form.given_by,
                guardians=list(d.get("guardians") or []),
                child_view=d.get("child_view", ""),
                units=list(d["units"]),
                relatives=list(d["relatives"]),
                exclusions=d["exclusions"],
                valid_until=d["valid_until"],
                limits=form.limits,
            ),
        ):
            messages.success(request, _("The consent is recorded."))
            return redirect("plans:overview", plan_id=plan.pk)
    consents = (
        plan.consents.select_related("recorded_by", "recorded_unit")
        .prefetch_related("units", "relatives", "guardians", "limits__unit")
        .order_by("-number")
    )
    return render_form(
        request,
        "plans/consent.html",
        workspace_context(
            request, plan, "consent", form=form, consents=consents, join_requests=waiting
        ),
        form,
    )


def _as_typed(data, fields) -> dict:
    """A posted form's values as the initial values of an unbound one (a list for a field of
    checkboxes, empty when none is ticked)."""
    typed = {}
    for name, field in fields.items():
        if getattr(field.widget, "allow_multiple_selected", False):
            typed[name] = data.getlist(name)
        elif name in data:
            typed[name] = data.get(name)
    return typed


@plan_view("plan.edit", "plan.edit")
def consent_withdraw(request: StaffRequest, plan: Plan) -> HttpResponse:
    form = f.WithdrawForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    done = submit(
        request,
        form,
        services.consent_withdraw,
        plan=plan,
        success=_("The consent is withdrawn and the SIP is closed. Inform every participant."),
        target=reverse("plans:overview", args=[plan.pk]),
    )
    context = workspace_context(request, plan, "consent", form=form)
    return done or render_form(request, "plans/consent_withdraw.html", context, form)
