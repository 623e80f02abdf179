from django import forms
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import Unit
from samplan.core import choices
from samplan.plans import services
from samplan.plans.models import CitizenMessage, RelativeAccess


class AnswerForm(forms.Form):
    approved = forms.TypedChoiceField(
        label=_("Do you approve the new plan?"),
        choices=[("yes", _("Yes, I approve it")), ("no", _("No, I want changes"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    comment = forms.CharField(
        label=_("Your comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("If you say no: write what you want changed."),
    )


class MessageForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=[
            (CitizenMessage.Kind.COMMENT, _("Write a comment")),
            (CitizenMessage.Kind.CHANGE, _("Propose a change")),
            (CitizenMessage.Kind.NEW_SIP, _("Ask for a new SIP")),
        ],
        widget=forms.RadioSelect,
        initial=CitizenMessage.Kind.COMMENT,
        error_messages={"required": _("Choose what you want to do.")},
    )
    text = forms.CharField(
        label=_("Your message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _("Write at most 4,000 characters."),
        },
    )
    to_units = choices.ModelMultipleChoiceField(
        label=_("Who should get it?"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only those you choose read the message. Your contact person is chosen."),
        error_messages={"required": _("Choose who should get the message.")},
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        units = services.message_units(plan)
        self.fields["to_units"].queryset = Unit.objects.filter(
            pk__in=[u.pk for u in units]
        ).select_related("organization")
        self.fields["to_units"].label_from_instance = lambda u: f"{u.name} ({u.organization.name})"
        if not self.is_bound:
            self.initial["to_units"] = [u.pk for u in services.lead_units(plan)]


class RelativeForm(forms.Form):
    relative = choices.ModelChoiceField(
        label=_("Relative"), queryset=None, error_messages={"required": _("Choose a relative.")}
    )
    sections = forms.MultipleChoiceField(
        label=_("What may he or she see?"),
        choices=RelativeAccess.Section.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one part.")},
    )

    def __init__(self, *args, relatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relative"].queryset = relatives
        self.fields["relative"].label_from_instance = lambda person: person.full_name


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I want to end my SIP."),
        error_messages={"required": _("Tick the box if you want to end your SIP.")},
    )
