"""Learning from collaboration failures: the figures of the acting unit's organisation, or of
its joint area with another organisation, for a period; and the same figures as CSV and XLSX.
Unit managers only (policy `deviation.learn`); nobody else learns the page exists. Figures
only, never an individual, so nothing here is written to the access log."""

import csv
import datetime
import io

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.deviations import learning as figures_of
from samplan.deviations.learning import Area, Figures
from samplan.plans import rules

DATE_INVALID = _("Write the date as YYYY-MM-DD, for example 2026-03-01.")


class PeriodForm(forms.Form):
    """The area and the period of the learning page (GET). Empty fields take the defaults:
    the acting unit's organisation alone, the last 12 months."""

    med = forms.TypedChoiceField(
        label=_("Joint area with"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )
    fran = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
    )
    till = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
    )

    def __init__(self, data, *, organization, today: datetime.date, joint_only: bool = False):
        self.others = {o.pk: o for o in figures_of.sharing_organizations(organization)}
        # A joint-area analyst reads the joint areas only, never the organisation alone.
        self.joint_only = joint_only
        first = next(iter(self.others), None)
        start, end = figures_of.default_period(today)
        if data is not None:  # a day left out is the default's
            data = data.copy()
            for name, day in (("fran", start), ("till", end)):
                if not data.get(name, "").strip():
                    data[name] = day.isoformat()
            if joint_only and not data.get("med") and first is not None:
                data["med"] = str(first)
        super().__init__(data, initial={"fran": start, "till": end, "med": first})
        own = _("Only %(organization)s") % {"organization": organization.name}
        others = [(pk, o.name) for pk, o in self.others.items()]
        self.fields["med"].choices = others if joint_only else [("", own), *others]
        self.fields["med"].required = joint_only
        self.default = (start, end)

    @property
    def has_scope(self) -> bool:
        return not self.joint_only or bool(self.others)

    def clean(self):
        data = super().clean()
        start, end = data.get("fran"), data.get("till")
        if start and end:
            if end < start:
                self.add_error("till", _("The end of the period cannot be before its start."))
            elif end.year - start.year > figures_of.LONGEST_PERIOD_YEARS:
                self.add_error(
                    "fran",
                    _("Choose a period of at most %(years)s years.")
                    % {"years": figures_of.LONGEST_PERIOD_YEARS},
                )
        return data

    def area(self, organization) -> Area:
        return Area(organization, self.others.get(self.cleaned_data.get("med")))


def _learner(request) -> policy.Staff:
    actor = policy.Staff.from_request(request)
    if policy.decide(actor, "deviation.learn", None) is not policy.Decision.ALLOW:
        raise Http404
    return actor


def _form(request, actor) -> PeriodForm:
    return PeriodForm(
        request.GET or None,
        organization=actor.unit.organization,
        today=timezone.localdate(),
        joint_only=rules.figures_scopes(actor.role) == frozenset({"joint"}),
    )


def _figures(form: PeriodForm, actor) -> Figures | None:
    if not form.has_scope or (form.is_bound and not form.is_valid()):
        return None
    if not form.is_bound:
        start, end = form.default
        other = form.others[form.initial["med"]] if form.joint_only else None
        return figures_of.figures(Area(actor.unit.organization, other), start, end)
    data = form.cleaned_data
    return figures_of.figures(form.area(actor.unit.organization), data["fran"], data["till"])


@require_GET
@acting_unit_required
@policy.route("deviation.learn")
def learning(request):
    """Where collaboration fails: counts by kind, by pair of units and by month, the time to
    conclusion and the escalations, small numbers suppressed."""
    actor = _learner(request)
    form = _form(request, actor)
    figures = _figures(form, actor)
    context = {"form": form, "figures": figures, "query": request.GET.urlencode()}
    if figures is not None:
        context["summary"] = figures_of.summary(figures)
    invalid = form.is_bound and not form.is_valid()
    return render(request, "deviations/learning.html", context, status=400 if invalid else 200)


@require_GET
@acting_unit_required
@policy.route("deviation.learn")
def learning_export(request, fmt: str):
    """The page's figures as CSV (semicolons, UTF-8 with BOM, as Swedish Excel reads it) or
    XLSX. Invalid input goes back to the page, which says what is wrong."""
    actor = _learner(request)
    if fmt not in EXPORTS:
        raise Http404
    form = _form(request, actor)
    figures = _figures(form, actor)
    if figures is None:
        return redirect(f"{reverse('deviations:learning')}?{request.GET.urlencode()}")
    content_type, write = EXPORTS[fmt]
    response = HttpResponse(write(figures_of.export_rows(figures)), content_type=content_type)
    filename = figures_of.export_filename(figures, fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _text_cell(value) -> str:
    """A text that a spreadsheet would run as a formula is kept as text."""
    value = str(value)
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_cell(value) -> str | int:
    if isinstance(value, float):
        return str(value).replace(".", ",")  # the decimal comma Swedish Excel reads
    return value if isinstance(value, int) else _text_cell(value)


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Figures"))[:31]
    for row in rows:
        sheet.append([v if isinstance(v, int | float) else str(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a name starting with "=" is text, not a formula
                cell.data_type = "s"
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", _csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
}
