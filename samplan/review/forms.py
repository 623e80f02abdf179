from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion of the review"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you checked, what you found and what you did about it."),
        error_messages={"required": _("Write the conclusion of the review.")},
    )
    sample_ids = forms.CharField(widget=forms.HiddenInput, required=False, max_length=5000)
    days = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=366)


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        initial=30,
        choices=[(7, _("Last 7 days")), (30, _("Last 30 days")), (90, _("Last 90 days"))],
        required=False,
    )
