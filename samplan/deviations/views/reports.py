"""The reports of collaboration failures under /brister/: the list with Samplan's proposals,
the report form, the joint handling page, and the exports for each organisation's own
deviation system.

Only the reporter and the handlers open a report (policy `_decide_deviation`); others get 404.
The individual is named only to those who may read the SIP, everyone else sees the report's
pseudonym; every page that names an individual writes the access log first."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.audit.services import access_log_record_many
from samplan.deviations import export, services
from samplan.deviations import forms as f
from samplan.deviations.models import Deviation, DeviationAction
from samplan.people.session import StaffRequest
from samplan.plans import rules
from samplan.plans.access import plan_for_request
from samplan.plans.models import Plan
from samplan.plans.rules import RuleViolation
from samplan.plans.services.base import StaleEdit
from samplan.plans.views.base import attempt, render_form

PAGE_SIZE = 25
# The tabs of the list (`visa`) and what each shows.
SHOW = {"oppna": "open", "avslutade": "concluded", "mina": "mine"}


# --- The list ---------------------------------------------------------------------------------


@require_GET
@acting_unit_required
@policy.route("deviation.list")
def deviation_list(request: StaffRequest) -> HttpResponse:
    """The reports the acting unit follows or handles, and the reports Samplan proposes."""
    actor = request.actor
    show = request.GET.get("visa") if request.GET.get("visa") in SHOW else "oppna"
    reports = services.deviations_for(actor, show=SHOW[show]).prefetch_related("plan__participants")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("sida"))
    today = timezone.localdate()
    rows = [_row(actor, deviation, today) for deviation in page.object_list]
    suggestions = services.suggestions_for(actor)
    access_log_record_many(
        request=request,
        action="deviation.list",
        items=[(d.plan.person, d) for d in rows if d.shown]
        + [(s.plan.person, s.plan) for s in suggestions],
    )
    context = {
        "rows": rows,
        "page": page,
        "page_query": f"visa={show}",
        "show": show,
        "suggestions": suggestions,
        "may_learn": bool(policy.decide(actor, "deviation.learn", None)),
    }
    return render(request, "deviations/list.html", context)


def _individual(deviation: Deviation) -> str:
    """The individual's name where it may be shown, else the pseudonym; nothing without a SIP."""
    if deviation.plan_id is None:
        return ""
    return deviation.plan.person.full_name if deviation.shown else services.pseudonym(deviation)


def _row(actor: policy.Staff, deviation: Deviation, today) -> Deviation:
    deviation.shown = services.individual_shown(actor, deviation)
    deviation.individual = _individual(deviation)
    deviation.overdue = bool(
        rules.failure_open(deviation) and deviation.level_due and deviation.level_due < today
    )
    return deviation


# --- Reporting --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("deviation.report")
def deviation_report(request: StaffRequest) -> HttpResponse:
    """Report a failure, about a SIP (`sip`) or, for a unit manager, without one; from a
    proposal (`forslag`) the form is filled in from Samplan's data."""
    actor = request.actor
    posted = request.method == "POST"
    suggestion = None
    if not posted and request.GET.get("forslag"):
        suggestion = services.suggestion_find(actor, request.GET["forslag"])
        if suggestion is None:
            messages.warning(request, _("The proposal is no longer open."))
            return redirect("deviations:list")
    if suggestion is not None:
        sip = str(suggestion.plan.pk)
    else:
        sip = (request.POST if posted else request.GET).get("sip", "")
    plan = _linked_plan(request, sip)
    form = f.ReportForm(
        request.POST if posted else None,
        actor=actor,
        plan=plan,
        initial={"plan": plan, **_prefilled(suggestion)},
    )
    if form.is_bound and form.is_valid():
        done: list[Deviation] = []
        if attempt(form, lambda: done.append(_report(request, plan, form.cleaned_data))):
            return _reported(request, done[0])
    elif form.is_bound and plan is None and not rules.reports_failure_without_plan(actor.role):
        # Said with the other mistakes, not only once they are corrected (the service refuses
        # it too).
        form.add_error(
            "plan", _("Link the SIP it is about: without a SIP, only a unit manager reports.")
        )
    context = {
        "form": form,
        "plan": plan,
        "suggestion": suggestion or form["suggestion"].value(),
    }
    return render_form(request, "deviations/report.html", context, form)


def _linked_plan(request: StaffRequest, sip: str) -> Plan | None:
    """The SIP the report is about: one the acting unit may see (404 otherwise), its read
    logged, as every page that names the individual."""
    if not sip:
        return None
    try:
        plan_id = uuid.UUID(sip)
    except ValueError:
        raise Http404 from None
    return plan_for_request(request, plan_id)


def _prefilled(suggestion: services.Suggestion | None) -> dict:
    if suggestion is None:
        return {}
    return {
        "suggestion": suggestion.key,
        "kind": suggestion.kind,
        "happened_on": suggestion.happened_on,
        "what_happened": suggestion.what_happened,
        "units": [unit.pk for unit in suggestion.units],
    }


def _report(request: StaffRequest, plan: Plan | None, data: dict) -> Deviation:
    return services.deviation_report(
        actor=request.actor,
        kind=data["kind"],
        what_happened=data["what_happened"],
        happened_on=data["happened_on"],
        consequence=data["consequence"],
        units=list(data["units"]),
        plan=plan,
        suggestion=data["suggestion"],
    )


def _reported(request: StaffRequest, deviation: Deviation) -> HttpResponse:
    if not policy.decide(request.actor, "deviation.view", deviation):
        # A proposal a colleague in the organisation reported meanwhile: it is not made twice.
        messages.info(request, _("Your organisation has already reported this failure."))
        return redirect("deviations:list")
    messages.success(
        request,
        _("The failure is reported. The unit managers of the units concerned are told."),
    )
    return redirect("deviations:detail", deviation_id=deviation.pk)


@require_POST
@acting_unit_required
@policy.route("deviation.report")
def suggestion_dismiss(request: StaffRequest) -> HttpResponse:
    """The unit dismisses a proposal, with the reason; the list says how it went."""
    form = f.DismissForm(request.POST)
    dismiss = lambda: services.suggestion_dismiss(  # noqa: E731
        actor=request.actor, key=form.cleaned_data["key"], reason=form.cleaned_data["reason"]
    )
    if form.is_valid() and attempt(form, dismiss):
        messages.success(request, _("The proposal is dismissed. It is not proposed again."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("deviations:list")


# --- The joint handling -----------------------------------------------------------------------


def _deviation_for(request: StaffRequest, deviation_id, action: str) -> Deviation:
    """The report, for those who may see it (404 for everyone else); the read of the
    individual logged when he or she is named."""
    deviation = services.deviation_for_page(deviation_id)
    if deviation is None or not policy.decide(request.actor, "deviation.view", deviation):
        raise Http404
    deviation.shown = services.individual_shown(request.actor, deviation)
    if deviation.shown:
        access_log_record_many(
            request=request, action=action, items=[(deviation.plan.person, deviation)]
        )
    return deviation


# Each form of the handling page: the action it needs, its form class, and what success says.
FORMS = {
    "comment": ("deviation.handle", f.CommentForm),
    "action": ("deviation.handle", f.ActionForm),
    "conclude": ("deviation.handle", f.ConcludeForm),
    "reference": ("deviation.reference", f.ReferenceForm),
}
SUCCESS = {
    "comment": lambda: _("The comment is added."),
    "action": lambda: _("The action is agreed."),
    "conclude": lambda: _("The report is concluded."),
    "reference": lambda: _("The reference is recorded."),
}


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("deviation.view")
def deviation_detail(request: StaffRequest, deviation_id) -> HttpResponse:
    deviation = _deviation_for(request, deviation_id, "deviation.view")
    actor = request.actor
    may = {
        name: bool(policy.decide(actor, action, deviation)) for name, (action, _f) in FORMS.items()
    }
    bound = request.POST.get("form") if request.method == "POST" else None
    if bound == "action_done":
        return _action_done(request, deviation, may["action"])
    if bound is not None and bound not in FORMS:
        raise Http404
    forms = _forms(request, deviation, bound, may)
    status = None
    if bound is not None:
        form = forms[bound]
        if not may[bound]:
            # Concluded meanwhile, or never this actor's to do: the page says so and keeps
            # the text typed.
            form.is_valid()
            form.add_error(None, _("You cannot do this with the report (any more)."))
            status = 403
        elif form.is_valid() and attempt(form, lambda: _step(request, deviation, bound, form)):
            if bound == "conclude" and rules.failure_open(deviation):
                messages.success(request, _("The report is escalated to the next step."))
            else:
                messages.success(request, SUCCESS[bound]())
            return redirect("deviations:detail", deviation_id=deviation.pk)
    context = _detail_context(request, deviation, forms, may)
    if status is not None:
        return render(request, "deviations/detail.html", context, status=status)
    return render_form(request, "deviations/detail.html", context, forms.get(bound))


def _forms(request: StaffRequest, deviation: Deviation, bound: str | None, may: dict) -> dict:
    """The forms the actor may use, and the one posted (also when it is refused: the page shows
    why, with the text typed)."""
    made = {}
    for name, (_action, form_class) in FORMS.items():
        if not (may[name] or name == bound):
            continue
        data = request.POST if name == bound else None
        extra = {"deviation": deviation} if form_class is f.ActionForm else {}
        if form_class is f.ConcludeForm:
            extra["initial"] = {"lock_version": deviation.lock_version}
        made[name] = form_class(data, **extra)
    return made


def _step(request: StaffRequest, deviation: Deviation, name: str, form) -> None:
    data, actor = form.cleaned_data, request.actor
    if name == "comment":
        services.deviation_comment(actor=actor, deviation=deviation, text=data["text"])
    elif name == "action":
        services.action_agree(
            actor=actor,
            deviation=deviation,
            what=data["what"],
            owner=data["owner"],
            due=data["due"],
        )
    elif name == "conclude":
        _conclude(actor, deviation, form)
    elif name == "reference":
        services.reference_record(actor=actor, deviation=deviation, reference=data["reference"])


def _conclude(actor: policy.Staff, deviation: Deviation, form) -> None:
    data = form.cleaned_data
    try:
        concluded = services.deviation_conclude(
            actor=actor,
            deviation=deviation,
            conclusion=data["conclusion"],
            text=data["conclusion_text"],
            lock_version=data["lock_version"],
        )
    except StaleEdit as stale:
        # The next send starts from the report as it is now, so sending again can succeed.
        form.data = form.data.copy()
        form.data["lock_version"] = stale.current.lock_version
        raise RuleViolation(
            _(
                "Someone else changed the report while you were writing: it was taken up, "
                "escalated or concluded meanwhile. Read the report and its history again; your "
                "text is kept in the form. Send it again if it still holds."
            )
        ) from None
    deviation.state = concluded.state


def _action_done(request: StaffRequest, deviation: Deviation, may_handle: bool) -> HttpResponse:
    action = next(
        (a for a in deviation.actions.all() if str(a.pk) == request.POST.get("action", "")), None
    )
    if action is None:
        raise Http404
    if not _may_mark_done(request, deviation, action, may_handle):
        raise PermissionDenied
    try:
        services.action_done(actor=request.actor, action=action)
    except RuleViolation as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The action is marked done."))
    return redirect("deviations:detail", deviation_id=deviation.pk)


def _may_mark_done(
    request: StaffRequest, deviation: Deviation, action: DeviationAction, may_handle: bool
) -> bool:
    """The owner or a handler marks an action done, while the report is open."""
    return (
        rules.failure_open(deviation)
        and action.done_at is None
        and (may_handle or action.owner_id == request.actor.user.pk)
    )


def _detail_context(request: StaffRequest, deviation: Deviation, forms: dict, may: dict) -> dict:
    actions = list(deviation.actions.all())
    for action in actions:
        action.may_mark_done = _may_mark_done(request, deviation, action, may["action"])
    return {
        "deviation": deviation,
        "individual": _individual(deviation),
        "ladder": _ladder(deviation),
        "actions": actions,
        "events": services.history(deviation),
        "forms": forms,
        "may": may,
        "is_open": rules.failure_open(deviation),
        "overdue": bool(
            rules.failure_open(deviation)
            and deviation.level_due
            and deviation.level_due < timezone.localdate()
        ),
    }


def _ladder(deviation: Deviation) -> dict:
    """The escalation ladder of the governing local agreement: step 1 (the unit managers of
    the units concerned) and the agreement's steps, the one the report is at marked."""
    agreement = services.agreement_of(deviation)
    steps = list(agreement.escalation_steps.all()) if agreement.pk is not None else []
    return {
        "organization": deviation.agreement_organization,
        "first_days": agreement.failure_first_step_days,
        "steps": steps,
    }


# --- Exports ----------------------------------------------------------------------------------

EXPORTS = {
    "json": ("application/json; charset=utf-8", export.report_json),
    "pdf": ("application/pdf", export.report_pdf),
}


@require_GET
@acting_unit_required
@policy.route("deviation.view")
def deviation_export(request: StaffRequest, deviation_id, fmt: str) -> HttpResponse:
    """The report for the organisation's own deviation system, as JSON or PDF."""
    if fmt not in EXPORTS:
        raise Http404
    deviation = _deviation_for(request, deviation_id, "deviation.export")
    content_type, write = EXPORTS[fmt]
    response = HttpResponse(
        write(export.report_data(request.actor, deviation)), content_type=content_type
    )
    filename = f"{export.short_name(deviation)}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
