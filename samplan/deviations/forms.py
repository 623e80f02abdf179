"""The forms of the report pages: reporting a failure, dismissing a proposal, and the joint
handling (comment, agreed action, conclusion, reference). They parse; the services decide and
refuse at the field (samplan.deviations.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samplan.core import choices
from samplan.deviations import services
from samplan.deviations.models import Deviation
from samplan.plans.forms import DATE, REQUIRED, unit_label


class UnitChoiceField(choices.ModelMultipleChoiceField):
    def label_from_instance(self, unit) -> str:
        return unit_label(unit)


class OwnerChoiceField(choices.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name() or user.username
        return f"{name} ({user.title})" if user.title else name


class ReportForm(forms.Form):
    # The SIP is chosen by the page it was reported from (`sip`), never typed: the field is
    # here only so that a refusal about it ("a caseworker links the SIP") is shown at it.
    plan = forms.Field(label=_("SIP"), required=False, disabled=True, widget=forms.HiddenInput)
    suggestion = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("What kind of failure was it?"),
        choices=Deviation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of failure it was.")},
    )
    what_happened = forms.CharField(
        label=_("What happened?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Describe the failure between the units, not the individual. Write no identity "
            "number: the link to the SIP tells those who may see it whom it is about."
        ),
        error_messages={"required": _("Describe what happened.")},
    )
    happened_on = forms.DateField(
        label=_("When did it happen?"), widget=DATE, error_messages=REQUIRED
    )
    consequence = forms.CharField(
        label=_("What was the consequence for the individual?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _(
                "Describe the consequence for the individual (or write that there was none)."
            )
        },
    )
    units = UnitChoiceField(
        label=_("Which units does the failure concern?"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Your own unit is always concerned. The unit managers of the units you choose "
            "handle the report together."
        ),
        error_messages={"required": _("Choose at least one other unit that the failure concerns.")},
    )

    def __init__(self, *args, actor, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = services.unit_choices(actor, plan)


class DismissForm(forms.Form):
    key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why is it not a failure to report?"),
        max_length=500,
        error_messages={"required": _("Write why it is not a failure to report.")},
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the comment.")},
    )


class ActionForm(forms.Form):
    what = forms.CharField(
        label=_("What is to be done?"),
        max_length=500,
        error_messages={"required": _("Write what is to be done.")},
    )
    owner = OwnerChoiceField(
        label=_("Owner"),
        queryset=None,
        error_messages={
            "required": _("Choose an owner among the staff of the units concerned."),
            "invalid_choice": _("Choose an owner among the staff of the units concerned."),
        },
    )
    due = forms.DateField(label=_("To be done by"), widget=DATE, error_messages=REQUIRED)

    def __init__(self, *args, deviation: Deviation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = services.owner_choices(deviation)


class ConcludeForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    conclusion = forms.ChoiceField(
        label=_("Conclusion"),
        choices=Deviation.Conclusion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the report is concluded.")},
    )
    conclusion_text = forms.CharField(
        label=_("What did you conclude, and why?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Escalated: you cannot agree, and the report moves to the next step of the local "
            "agreement's escalation ladder."
        ),
        error_messages={"required": _("Write what you concluded, and why.")},
    )


class ReferenceForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference in your organisation's own deviation system"),
        max_length=100,
        error_messages={"required": _("Write the reference.")},
    )
