"""The statistics page's filters (GET): the unit and the period, in whole months."""

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import Membership, Organization, Unit
from samplan.core.dates import date_problem
from samplan.plans import rules
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


def units_for(actor) -> list[Unit]:
    """The units whose figures the acting role reads one by one: the units a unit manager
    manages, every active unit of an analyst's organisation, none for a joint-area analyst."""
    scopes = rules.figures_scopes(actor.role)
    if "organisation" in scopes:
        units = Unit.objects.filter(organization=actor.unit.organization, is_active=True)
        return list(units.select_related("organization").order_by("name"))
    if "units" in scopes:
        return managed_units(actor.user)
    return []


class StatisticsForm(forms.Form):
    """Empty fields take the defaults: the acting unit (an analyst: the whole organisation; a
    joint-area analyst: the first joint area), the last twelve months."""

    enhet = forms.TypedChoiceField(
        label=_("Unit"),
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the units in the list.")},
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

    def __init__(self, data, *, actor, today: datetime.date):
        scopes = rules.figures_scopes(actor.role)
        self.whole = "organisation" in scopes  # the whole organisation is a choice
        self.joint_only = scopes == frozenset({"joint"})
        self.organization = actor.unit.organization
        self.units = {unit.pk: unit for unit in units_for(actor)}
        self.default = default_period(today)
        self.acting_unit = actor.unit
        counterpart = COUNTERPART.get(self.organization.kind)
        self.others = {}
        if counterpart is not None:
            others = Organization.objects.filter(kind=counterpart).order_by("name")
            self.others = {o.pk: o for o in others}
        default_unit = None if self.whole else actor.unit.pk
        if data is not None and not self.whole and not data.get("enhet"):
            data = data.copy()
            data["enhet"] = str(actor.unit.pk)
        if data is not None and self.joint_only and not data.get("omrade") and self.others:
            data = data.copy()
            data["omrade"] = str(next(iter(self.others)))
        initial = {
            "enhet": default_unit,
            "fran": self.default.start.strftime("%Y-%m"),
            "till": self.default.end.strftime("%Y-%m"),
        }
        super().__init__(data, initial=initial)
        if self.joint_only:
            del self.fields["enhet"]
        else:
            choices = [(pk, unit.name) for pk, unit in self.units.items()]
            if self.whole:
                everything = _("All of %(organization)s") % {"organization": self.organization}
                choices = [("", everything), *choices]
                self.fields["enhet"].required = False
            self.fields["enhet"].choices = choices
        if not self.others:
            del self.fields["omrade"]
        elif self.joint_only:
            self.fields["omrade"].required = True
            self.fields["omrade"].choices = [(pk, o.name) for pk, o in self.others.items()]
        else:
            alone = _("No: the organisation only") if self.whole else _("No: the unit only")
            self.fields["omrade"].choices = [("", alone)] + [
                (pk, o.name) for pk, o in self.others.items()
            ]

    @property
    def has_scope(self) -> bool:
        """False for a joint-area analyst whose organisation has no other principal."""
        return not self.joint_only or bool(self.others)

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
            if self.joint_only:
                return Scope(organization=self.organization, other=self._first_other()), (
                    self.default
                )
            if self.whole:
                return Scope(organization=self.organization), self.default
            return Scope(unit=self.acting_unit), self.default
        period = self.cleaned_data["period"]
        other = self.others.get(self.cleaned_data.get("omrade"))
        unit = self.units.get(self.cleaned_data.get("enhet"))
        if other is not None:
            own = unit.organization if unit is not None else self.organization
            return Scope(organization=own, other=other), period
        if unit is None:
            return Scope(organization=self.organization), period
        return Scope(unit=unit), period

    def _first_other(self) -> Organization:
        return next(iter(self.others.values()))
