"""The questionnaire as a form, built from the version's questions in the chosen language (Swedish,
English or easy-read Swedish); and the results page's period."""

import datetime
from contextlib import nullcontext

from django import forms
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samplan.core import dates
from samplan.evaluation.models import InstrumentVersion, Question

LANGUAGES = ("sv", "en", "easy")
FREE_TEXT_MAX = 2000
DATE_INVALID = _("Write the date as YYYY-MM-DD, for example 2026-03-01.")


def language_of(value: str | None, default: str = "sv") -> str:
    return value if value in LANGUAGES else default


class AnswerForm(forms.Form):
    """One field per question: a choice question is a radio group (a fieldset with its
    legend), free text a text area."""

    def __init__(self, data=None, *, version: InstrumentVersion, language: str):
        super().__init__(data)
        self.version, self.language = version, language
        # The messages in the questionnaire's own language (Swedish for easy-read).
        with translation.override("en") if language == "en" else nullcontext():
            for question in version.questions.all():
                self.fields[question.link_id] = self._field(question)

    def _field(self, question: Question) -> forms.Field:
        label = question.text(self.language)
        if question.kind == Question.Kind.TEXT:
            return forms.CharField(
                label=label,
                required=question.required,
                max_length=FREE_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": gettext("Write at most %(n)s characters.") % {"n": FREE_TEXT_MAX}
                },
            )
        choices = [
            (str(o["code"]), question.option_label(o, self.language)) for o in question.options
        ]
        return forms.ChoiceField(
            label=label,
            required=question.required,
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": gettext("Choose an answer, or “Don't know”."),
                "invalid_choice": gettext("Choose one of the answers."),
            },
        )

    def answers(self) -> dict:
        return {k: (v.strip() if isinstance(v, str) else v) for k, v in self.cleaned_data.items()}


class PeriodForm(forms.Form):
    """The period of the results page (GET); empty fields take the last 12 months."""

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

    def __init__(self, data, *, today: datetime.date):
        start, end = default_period(today)
        if data is not None:
            data = data.copy()
            for name, day in (("fran", start), ("till", end)):
                if not data.get(name, "").strip():
                    data[name] = day.isoformat()
        super().__init__(data, initial={"fran": start, "till": end})
        self.default = (start, end)

    def clean_fran(self):
        return self._sane("fran")

    def clean_till(self):
        return self._sane("till")

    def _sane(self, name: str):
        value = self.cleaned_data[name]
        problem = dates.date_problem("evaluation_period", value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("fran"), data.get("till")
        if start and end and end < start:
            self.add_error("till", _("The end of the period cannot be before its start."))
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        if not self.is_bound:
            return self.default
        return self.cleaned_data["fran"], self.cleaned_data["till"]


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last 12 months, from the first of the month a year ago to today."""
    start = today.replace(day=1)
    start = start.replace(year=start.year - 1)
    return start, today
