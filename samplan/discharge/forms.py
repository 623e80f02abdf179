"""The ward's forms for an admission, and the forms of the units concerned."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan.discharge import services
from samplan.discharge.models import Admission
from samplan.people.forms import IdentityNumberField
from samplan.plans.forms import DATE, REQUIRED
from samplan.plans.models import Consent, Plan


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit) -> str:
        return f"{unit.name} ({unit.organization.name})"


class AdmissionForm(forms.Form):
    identity_number = IdentityNumberField(
        error_messages={"required": _("Enter the patient's identity number.")}
    )
    admitted_on = forms.DateField(label=_("Admitted on"), widget=DATE, error_messages=REQUIRED)
    expected_needs = forms.CharField(
        label=_("Which interventions is the patient expected to need after discharge?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _(
                "Write which interventions the patient is expected to need after discharge."
            )
        },
    )
    units = UnitChoiceField(
        label=_("Send the notice of admission to"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The municipality's unit and the outpatient care (often the patient's primary "
            "care centre). Only these units see the patient."
        ),
        error_messages={"required": _("Choose at least one unit to send the notice to.")},
    )
    reasons = forms.MultipleChoiceField(
        label=_("Other reasons for a SIP after discharge"),
        choices=[c for c in Plan.Reason.choices if c[0] != Plan.Reason.INPATIENT],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    planned_discharge = forms.DateField(label=_("Planned discharge"), widget=DATE, required=False)

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = services.recipient_units(ward)
        self.fields["admitted_on"].initial = timezone.localdate()


class InformForm(forms.Form):
    form = forms.CharField(widget=forms.HiddenInput, initial="inform")
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    planned_discharge = forms.DateField(
        label=_("Planned discharge"), widget=DATE, error_messages=REQUIRED
    )
    information = forms.CharField(
        label=_("Information to the units concerned"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What they need to prepare: aids, home care, medicines, who to call."),
    )


class ReadyForm(forms.Form):
    form = forms.CharField(widget=forms.HiddenInput, initial="ready")
    ready_on = forms.DateField(
        label=_("Ready for discharge on"), widget=DATE, error_messages=REQUIRED
    )


class CareContactForm(forms.Form):
    form = forms.CharField(widget=forms.HiddenInput, initial="care_contact")
    care_contact = forms.ModelChoiceField(
        label=_("Designated care contact"),
        queryset=None,
        empty_label=_("Choose a person"),
        error_messages={"required": _("Choose the designated care contact.")},
    )

    def __init__(self, *args, admission: Admission, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["care_contact"]
        field.queryset = services.care_contact_candidates(admission)
        field.label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.title})" if user.title else user.get_full_name()
        )


class DischargeForm(forms.Form):
    form = forms.CharField(widget=forms.HiddenInput, initial="discharge")
    discharged_on = forms.DateField(label=_("Discharged on"), widget=DATE, error_messages=REQUIRED)
    sip_decision = forms.ChoiceField(
        label=_("Does the patient need a SIP after the discharge?"),
        choices=Admission.SipDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the patient needs a SIP after the discharge.")},
    )
    consent = forms.BooleanField(
        label=_("The patient consents to a SIP, and to the units that got the notices taking part"),
        required=False,
    )
    consent_mode = forms.ChoiceField(
        label=_("How was the consent given?"),
        choices=Consent.Mode.choices,
        initial=Consent.Mode.ORAL,
        widget=forms.RadioSelect,
        required=False,
    )
