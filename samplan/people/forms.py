from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from samplan.core import dates
from samplan.people import identity
from samplan.people.models import Person
from samplan.people.services import listing_units


class IdentityNumberField(forms.CharField):
    """A personnummer or samordningsnummer, checked with a clear message for each mistake."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Personal identity or coordination number"))
        kwargs.setdefault("help_text", _("12 digits, for example 19811218-9876."))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        )

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        return identity.parse_identity_number(value)


class PersonSearchForm(forms.Form):
    """Find one individual by the exact identity number (sent by POST, never in the URL)."""

    identity_number = forms.CharField(
        label=_("Identity number"),
        help_text=_("Personal identity number, coordination number or reserve number."),
        max_length=20,
        error_messages={"required": _("Enter an identity number.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_identity_number(self):
        raw = self.cleaned_data["identity_number"]
        try:
            return identity.parse_identity_number(raw)
        except ValidationError as error:
            if any(ch.isalpha() for ch in raw):
                return identity.parse_reservnummer(raw)
            raise error


class PersonRegisterForm(forms.ModelForm):
    NUMBER = "number"
    RESERV = "reservnummer"

    number_kind = forms.ChoiceField(
        label=_("Kind of number"),
        choices=[
            (NUMBER, _("Personal identity number or coordination number")),
            (RESERV, _("Reserve number")),
        ],
        initial=NUMBER,
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        label=_("Identity number"),
        max_length=20,
        error_messages={"required": _("Enter an identity number.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("Only for a reserve number; read from the number otherwise."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "email",
            "phone",
            "street_address",
            "postal_code",
            "city",
            "listed_primary_care",
            "protected_identity",
        ]
        error_messages = {
            "given_name": {"required": _("Enter the given name.")},
            "family_name": {"required": _("Enter the family name.")},
        }

    field_order = ["number_kind", "number", "birth_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        listing_field(self.fields["listed_primary_care"])

    def clean(self):
        cleaned = super().clean()
        raw = cleaned.get("number")
        if not raw:
            return cleaned
        try:
            if cleaned.get("number_kind") == self.RESERV:
                parsed = identity.parse_reservnummer(raw)
                if not cleaned.get("birth_date"):
                    self.add_error("birth_date", _("Enter the date of birth for a reserve number."))
            else:
                parsed = identity.parse_identity_number(raw)
        except ValidationError as error:
            self.add_error("number", error)
            return cleaned
        given = cleaned.get("birth_date")
        if parsed.birth_date and given and given != parsed.birth_date:
            self.add_error(
                "birth_date",
                _("The number says %(day)s. Leave the date of birth empty, or correct it.")
                % {"day": dates.day(parsed.birth_date)},
            )
            return cleaned
        born = parsed.birth_date or given
        if problem := dates.date_problem("birth", born):
            self.add_error("birth_date" if parsed.birth_date is None else "number", problem)
            return cleaned
        if Person.objects.filter(identity_kind=parsed.kind, identity_number=parsed.value).exists():
            self.add_error(
                "number", _("An individual with this identity number is already registered.")
            )
        cleaned["parsed_identity"] = parsed
        return cleaned


def listing_field(field) -> None:
    """The primary care centres, named with their region."""
    field.queryset = listing_units()
    field.label = _("Listed at primary care centre")
    field.empty_label = _("Not known")
    field.label_from_instance = lambda unit: f"{unit.name} ({unit.organization.name})"


class ListingForm(forms.Form):
    """Where the individual is listed in primary care."""

    listed_primary_care = forms.ModelChoiceField(queryset=None, required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        listing_field(self.fields["listed_primary_care"])
