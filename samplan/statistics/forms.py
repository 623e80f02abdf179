"""The statistics page's filters (GET): the unit and the period, in whole months."""

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import Membership, Organization, Unit
from samplan.core.dates import date_problem
from samplan.statistics.indicators import LONGEST_PERIOD_MONTHS, Period, Scope, default_period

Kind = Organization.Kind
# A joint area is a municipality and a region: the other principal of the unit's own.
COUNTERPART = {Kind.MUNICIPALITY: Kind.REGION, Kind.REGION: Kind.MUNICIPALITY}

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """A month written YYYY-MM (the browser's month picker sends that), as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})
    default_error_messages = {"invalid": _("Write the month as YYYY-MM, for example 2026-03.")}

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        found = MONTH.match(value)
        if not found or not 1 <= int(found[2]) <= 12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        month = datetime.date(int(found[1]), int(found[2]), 1)
        problem = date_problem("statistics_month", month)
        if problem:
            raise forms.ValidationError(problem, code="range")
        return month


def managed_units(user) -> list[Unit]:
    """The active units the user manages (an active unit-manager membership)."""
    return list(
        Unit.objects.filter(
            memberships__user=user,
            memberships__role=Membership.Role.UNIT_MANAGER,
            memberships__is_active=True,
            is_active=True,
        )
        .select_related("organization")
        .order_by("name")
        .distinct()
    )


class StatisticsForm(forms.Form):
    """Empty fields take the defaults: the acting unit, the last twelve months."""

    enhet = forms.TypedChoiceField(
        label=_("Unit"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose one of the units you manage.")},
    )
    omrade = forms.TypedChoiceField(
        label=_("Joint area with"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )
    fran = MonthField(label=_("From month"), required=False)
    till = MonthField(label=_("To month"), required=False)

    def __init__(self, data, *, units: list[Unit], acting_unit: Unit, today: datetime.date):
        self.units = {unit.pk: unit for unit in units}
        self.default = default_period(today)
        self.acting_unit = acting_unit
        if data is not None and not data.get("enhet"):
            data = data.copy()
            data["enhet"] = str(acting_unit.pk)
        initial = {
            "enhet": acting_unit.pk,
            "fran": self.default.start.strftime("%Y-%m"),
            "till": self.default.end.strftime("%Y-%m"),
        }
        super().__init__(data, initial=initial)
        self.fields["enhet"].choices = [(pk, unit.name) for pk, unit in self.units.items()]
        counterpart = COUNTERPART.get(acting_unit.organization.kind)
        if counterpart is None:
            del self.fields["omrade"]
            self.others = {}
        else:
            self.others = {
                o.pk: o for o in Organization.objects.filter(kind=counterpart).order_by("name")
            }
            self.fields["omrade"].choices = [("", _("No: the unit only"))] + [
                (pk, o.name) for pk, o in self.others.items()
            ]

    def clean(self):
        data = super().clean()
        start = data.get("fran") or self.default.start
        end = data.get("till") or self.default.end.replace(day=1)
        if "fran" in self.errors or "till" in self.errors:
            return data
        if end < start:
            self.add_error("till", _("The last month cannot be before the first."))
        elif (end.year - start.year) * 12 + end.month - start.month >= LONGEST_PERIOD_MONTHS:
            self.add_error(
                "fran",
                _("Choose a period of at most %(months)s months.")
                % {"months": LONGEST_PERIOD_MONTHS},
            )
        unit, other = self.units.get(data.get("enhet")), self.others.get(data.get("omrade"))
        if unit and other and other.kind != COUNTERPART.get(unit.organization.kind):
            self.add_error(
                "omrade", _("A joint area is a municipality and a region: choose the other one.")
            )
        data["period"] = Period.of_months(start, end)
        return data

    def chosen(self) -> tuple[Scope, Period]:
        """The scope and the period: the cleaned ones, or the defaults for an unbound form.
        With a joint area, the scope is the plans of both organisations (the unit's own and
        the one chosen), not the unit's alone."""
        if not self.is_bound:
            return Scope(unit=self.acting_unit), self.default
        unit = self.units[self.cleaned_data["enhet"]]
        other = self.others.get(self.cleaned_data.get("omrade"))
        if other is not None and other.kind == COUNTERPART.get(unit.organization.kind):
            return Scope(organization=unit.organization, other=other), self.cleaned_data["period"]
        return Scope(unit=unit), self.cleaned_data["period"]
