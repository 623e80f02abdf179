"""The evaluation's pages: the questionnaire (in Min SIP for the individual, a guardian or a
relative; under /utvardering/ for staff), one's own request only; and the figures for unit
managers (the acting unit) and organisation analysts (the whole organisation).

A request is found by its random id AND its owner: anyone else's, or an unknown id, is a 404.
The questionnaire names no plan and no person, and no page of a plan shows an answer.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.accounts.models import Unit
from samplan.evaluation import forms as f
from samplan.evaluation import services
from samplan.evaluation.models import EvaluationRequest
from samplan.evaluation.results import evaluation_results
from samplan.people.session import CitizenRequest, StaffRequest, citizen_required
from samplan.plans import rules
from samplan.plans.rules import RuleViolation

DECLINE = "nej"
# (code, the name in its own language, the link's lang): the questionnaire's languages.
LANGUAGE_LINKS = [
    ("sv", "På svenska", "sv"),
    ("easy", "På lätt svenska", "sv"),
    ("en", "In English", "en"),
]


def _questionnaire(request, evaluation_id, *, base: str) -> HttpResponse:
    asked = services.request_for(request.actor, evaluation_id)
    if asked is None:
        raise Http404
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    language = f.language_of(source.get("sprak"))
    is_open = services.request_open(asked)
    form = f.AnswerForm(
        request.POST if posted and source.get("beslut") != DECLINE else None,
        version=asked.version,
        language=language,
    )
    if posted and is_open:
        try:
            if source.get("beslut") == DECLINE:
                services.evaluation_decline(actor=request.actor, request=asked)
                return redirect(request.path)
            if form.is_valid():
                services.evaluation_answer(
                    actor=request.actor, request=asked, answers=form.answers()
                )
                return redirect(request.path)
        except RuleViolation as refusal:
            messages.warning(request, refusal.message)
            return redirect(request.path)
    elif posted:
        return redirect(request.path)
    context = {
        "base": base,
        "asked": asked,
        "is_open": is_open,
        "version": asked.version,
        "language": language,
        "title": asked.version.text("title", language),
        "intro": asked.version.text("intro", language),
        "form": form,
        "answered": asked.state == EvaluationRequest.State.ANSWERED,
        "declined": asked.state == EvaluationRequest.State.DECLINED,
        "ui_language": "en" if language == "en" else translation.get_language(),
        "languages": [lang for lang in LANGUAGE_LINKS if lang[0] != language],
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "evaluation/answer.html", context, status=status)


@require_http_methods(["GET", "POST"])
@policy.route("citizen.session")
@citizen_required
def citizen_answer(request: CitizenRequest, evaluation_id) -> HttpResponse:
    """The questionnaire in Min SIP."""
    return _questionnaire(request, evaluation_id, base="citizen/base.html")


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("evaluation.answer")
def staff_answer(request: StaffRequest, evaluation_id) -> HttpResponse:
    """The questionnaire for a staff member who took part."""
    return _questionnaire(request, evaluation_id, base="base.html")


@require_GET
@acting_unit_required
@policy.route("evaluation.results")
def results(request: StaffRequest) -> HttpResponse:
    """The figures of the occasions the acting unit took part in, for a period; fewer than 5
    answers show nothing."""
    actor = request.actor
    if policy.decide(actor, "evaluation.results", None) is not policy.Decision.ALLOW:
        raise Http404
    scopes = rules.figures_scopes(actor.role)
    if "organisation" in scopes:  # an organisation analyst: every unit of the organisation
        scope_name = actor.unit.organization.name
        units = Unit.objects.filter(organization=actor.unit.organization).values("pk")
    elif "units" in scopes:
        scope_name, units = actor.unit.name, [actor.unit]
    else:  # a joint-area analyst: the joint area's figures are in the statistics
        return redirect("statistics:index")
    form = f.PeriodForm(request.GET or None, today=timezone.localdate())
    figures = None
    if not form.is_bound or form.is_valid():
        start, end = form.period()
        figures = evaluation_results(units, start, end)
    context = {"form": form, "figures": figures, "unit": actor.unit, "scope_name": scope_name}
    return render(
        request, "evaluation/results.html", context, status=200 if figures is not None else 400
    )
