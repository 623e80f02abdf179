"""The unit manager's review of the access log, and the individual's extract (staff printout)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.audit import services as audit
from samplan.audit.models import AccessReview
from samplan.audit.services import access_log_record, access_log_record_many
from samplan.core.parsing import parse_ids
from samplan.people.forms import PersonSearchForm
from samplan.people.models import Person
from samplan.review import sampling
from samplan.review.forms import PeriodForm, ReviewForm


def _require_reviewer(request: HttpRequest) -> None:
    actor = policy.Staff.from_request(request)
    if policy.decide(actor, "log.review", request.acting_unit) is not policy.Decision.ALLOW:
        raise Http404


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("log.review")
def log_review(request: HttpRequest) -> HttpResponse:
    """A random sample of the unit's accesses, the flagged ones, and a recorded review."""
    _require_reviewer(request)
    unit = request.acting_unit
    period = PeriodForm(request.GET or None)
    days = (period.cleaned_data.get("days") if period.is_valid() else None) or 30
    form = ReviewForm(request.POST or None, initial={"days": days})
    if request.method == "POST" and form.is_valid():
        ids = parse_ids(form.cleaned_data["sample_ids"].split(","))
        start, end = sampling.period(form.cleaned_data["days"])
        AccessReview.objects.create(
            unit=unit,
            reviewer=request.user,
            period_start=start,
            period_end=end,
            sample=ids,
            conclusion=form.cleaned_data["conclusion"].strip(),
        )
        messages.success(request, _("The review is recorded."))
        return redirect("audit:review")
    result = sampling.review_sample(unit, days=days)
    form.initial["sample_ids"] = ",".join(str(i) for i in result["sample_ids"])
    flagged = Paginator(result["flagged"], FLAGGED_PAGE_SIZE).get_page(request.GET.get("sida"))
    shown = {r.entry.pk: r.entry for r in [*result["sample"], *flagged.object_list]}
    access_log_record_many_people(request, shown.values())
    reviews = AccessReview.objects.filter(unit=unit).select_related("reviewer")[:10]
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "audit/review.html",
        {
            "result": result,
            "flagged": flagged,
            "page": flagged,
            "page_query": _query_without_page(request),
            "form": form,
            "period": period,
            "days": days,
            "reviews": reviews,
        },
        status=status,
    )


FLAGGED_PAGE_SIZE = 50


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("sida", None)
    return query.urlencode()


def access_log_record_many_people(request, entries) -> None:
    """Showing who read whom discloses that the individual is in the system: log it too."""

    seen = {}
    for entry in entries:
        seen.setdefault(entry.person_id, entry)
    access_log_record_many(
        request=request,
        action="audit:review",
        items=[(entry.person, entry.person) for entry in seen.values()],
    )


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("log.review")
def person_extract(request: HttpRequest) -> HttpResponse:
    """Which units read an individual's data, and when: a printout to give the individual."""
    _require_reviewer(request)
    form = PersonSearchForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["identity_number"]
        person = Person.objects.filter(
            identity_kind=number.kind, identity_number=number.value
        ).first()
        context["searched"] = True
        if person is not None:
            access_log_record(request=request, action="audit:extract", person=person, obj=person)
            context.update(person=person, rows=list(audit.person_extract(person)))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "audit/extract.html", context, status=status)
