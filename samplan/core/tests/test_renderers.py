"""The form renderer writes out Django's widget templates in Python: its output must be
exactly Django's, for every kind of widget, value and attribute the forms use."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy

from samplan.core.renderers import WidgetRenderer

AWKWARD = "Ö & <b>\"'quoted'\"</b>"
CHOICES = [("", "–"), ("a", "Alfa"), ("b", AWKWARD), (3, gettext_lazy("Goals"))]
GROUPED = [("Kommun", [("k1", "Hemtjänst"), ("k2", AWKWARD)]), ("r", "Region"), ("Tom", [])]


class EveryWidget(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": AWKWARD}))
    empty = forms.CharField(required=False)
    number = forms.IntegerField(min_value=1)
    email = forms.EmailField()
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    when = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    secret = forms.CharField(widget=forms.PasswordInput)
    hidden = forms.CharField(widget=forms.HiddenInput)
    agree = forms.BooleanField(required=False)
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    select = forms.ChoiceField(choices=CHOICES)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=CHOICES[1:])
    radios = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(choices=GROUPED, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


VALUES = [
    {},  # unbound, no initial values
    {
        "text": AWKWARD,
        "number": "7",
        "email": "a@b.se",
        "date": "2026-12-05",
        "when": "2026-12-05T10:30",
        "secret": "hemligt",
        "hidden": AWKWARD,
        "agree": "on",
        "search": "fjärran",
        "select": "b",
        "grouped": "k2",
        "many": ["a", "3"],
        "radios": "3",
        "boxes": ["k1", "r"],
        "notes": AWKWARD,
    },
]


def rendered(form: forms.Form) -> list[str]:
    out = []
    for field in form:
        out.append(str(field))
        out.append(str(field.as_widget(attrs={"aria-describedby": "x_helptext x_errors"})))
        for widget in getattr(field, "subwidgets", []):
            out.append(widget.tag())
            out.append(widget.tag(wrap_label=True))
    return out


@pytest.mark.parametrize("data", VALUES)
def test_the_widgets_come_out_exactly_as_from_djangos_templates(data):
    ours = EveryWidget(data or None, initial={"date": datetime.date(2026, 1, 2)})
    ours.renderer = WidgetRenderer()
    theirs = EveryWidget(data or None, initial={"date": datetime.date(2026, 1, 2)})
    theirs.renderer = DjangoTemplates()
    assert rendered(ours) == rendered(theirs)


def test_the_project_uses_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), WidgetRenderer)
