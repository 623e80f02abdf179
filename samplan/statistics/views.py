"""The statistics section, under /statistik/: a unit, an organisation or a joint area in
figures for a period, its charts (SVG, one view each) and the same figures as CSV and XLSX.
Unit managers (the units they manage and their joint areas), organisation analysts (their
organisation and its units) and joint-area analysts (the joint areas alone), by policy
`statistics.view` and rules.figures_scopes; nobody else learns the pages exist.
Figures only, never an individual, so nothing here is written to the access log."""

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.deviations.views.learning import EXPORTS
from samplan.statistics import charts, indicators
from samplan.statistics.forms import StatisticsForm
from samplan.statistics.indicators import Indicators


def _manager(request) -> policy.Staff:
    actor = policy.Staff.from_request(request)
    if policy.decide(actor, "statistics.view", None) is not policy.Decision.ALLOW:
        raise Http404
    return actor


def _form(request, actor: policy.Staff) -> StatisticsForm:
    return StatisticsForm(request.GET or None, actor=actor, today=timezone.localdate())


def _indicators(form: StatisticsForm) -> Indicators | None:
    if not form.has_scope or (form.is_bound and not form.is_valid()):
        return None
    scope, period = form.chosen()
    return indicators.indicators(scope, period, timezone.localdate())


@require_GET
@acting_unit_required
@policy.route("statistics.view")
def statistics(request):
    """The unit's SIPs in figures: key figures, durations, shares, breakdowns and trends,
    each chart with its table and a sentence; small numbers hidden."""
    actor = _manager(request)
    form = _form(request, actor)
    result = _indicators(form)
    context = {"form": form, "result": result, "query": request.GET.urlencode()}
    if result is not None:
        context["summary"] = indicators.summary(result)
        drawn = {table.key for table in charts.chart_tables(result)}
        context["tables"] = [
            (
                table,
                table.key in drawn,
                # A table with its own sentence (the evaluation's) says it; others the largest count.
                getattr(table, "sentence", "") or indicators.chart_summary(table),
            )
            for table in result.tables
        ]
    invalid = form.is_bound and not form.is_valid()
    return render(request, "statistics/index.html", context, status=400 if invalid else 200)


@require_GET
@acting_unit_required
@policy.route("statistics.view")
def statistics_export(request, fmt: str):
    """The page's figures as CSV (semicolons, UTF-8 with BOM) or XLSX; invalid filters go
    back to the page, which says what is wrong."""
    actor = _manager(request)
    if fmt not in EXPORTS:
        raise Http404
    result = _indicators(_form(request, actor))
    if result is None:
        return redirect(f"{reverse('statistics:index')}?{request.GET.urlencode()}")
    content_type, write = EXPORTS[fmt]
    response = HttpResponse(write(indicators.export_rows(result)), content_type=content_type)
    name = f"sip-statistik-{result.period.start:%Y-%m}-{result.period.end:%Y-%m}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@acting_unit_required
@policy.route("statistics.view")
@csp_replace({"default-src": [NONE], "style-src": [UNSAFE_INLINE], "script-src": [NONE]})
def statistics_chart(request, chart: str):
    """One chart as an SVG image. Its own styles are inline in the SVG, so this response alone
    allows inline styles; it allows no script (and pygal's is cut out)."""
    actor = _manager(request)
    if chart not in charts.CHARTS:
        raise Http404
    form = _form(request, actor)
    if not form.has_scope or (form.is_bound and not form.is_valid()):
        raise Http404
    table = indicators.one_table(*form.chosen(), chart)
    if table is None:
        raise Http404
    return HttpResponse(charts.chart_svg(table), content_type="image/svg+xml")
