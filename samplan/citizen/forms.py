from django import forms
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import Organization, Unit
from samplan.citizen import services as citizen_services
from samplan.citizen.models import SipRequest
from samplan.core import choices
from samplan.people.models import Person
from samplan.plans import services
from samplan.plans.forms import needed_when
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


class MeetingInviteForm(forms.Form):
    """Invite someone of one's own choosing to the meeting: one of the people registered
    around the individual. Whether the consent covers him or her is the service's rule."""

    person = choices.ModelChoiceField(
        label=_("Whom do you want to invite?"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("Only people your consent covers can be invited."),
        error_messages={"required": _("Choose whom you want to invite.")},
    )

    def __init__(self, *args, relations, covered, **kwargs):
        """`relations`: the individual's relations (with `related`); `covered`: the ids of
        the people the consent lets be invited."""
        super().__init__(*args, **kwargs)
        by_person = {}
        for relation in relations:
            by_person.setdefault(relation.related_id, relation)
        self.fields["person"].queryset = Person.objects.filter(pk__in=list(by_person)).order_by(
            "given_name", "family_name"
        )

        def label(person):
            relation = by_person[person.pk]
            text = person.full_name
            if relation.description:
                text = f"{text} ({relation.description})"
            if person.pk not in covered:
                text = _("%(name)s – not in your consent") % {"name": text}
            return text

        self.fields["person"].label_from_instance = label


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I want to end my SIP."),
        error_messages={"required": _("Tick the box if you want to end your SIP.")},
    )


class SipRequestForm(forms.Form):
    """Ask for a SIP: where (or "I don't know"), why in one's own words, and how to be
    contacted."""

    organizations = choices.ModelMultipleChoiceField(
        label=_("Who should get your request?"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose the municipality, the region or both."),
    )
    dont_know = forms.BooleanField(label=_("I don't know"), required=False)
    text = forms.CharField(
        label=_("Why do you want a SIP?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Write in your own words. You do not need to write everything."),
        error_messages={
            "required": _("Write why you want a SIP."),
            "max_length": _("Write at most 4,000 characters."),
        },
    )
    contact_way = forms.ChoiceField(
        label=_("How do you want to be contacted?"),
        choices=SipRequest.ContactWay.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how we can contact you.")},
    )
    contact_detail = forms.CharField(
        label=_("Phone number, e-mail or address"),
        max_length=200,
        error_messages={"required": _("Write how we can contact you.")},
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        offered = list(
            Organization.objects.filter(
                units__receives_requests=True, units__is_active=True
            ).distinct()
        )
        # The organisation of the primary care centre where the individual is listed first.
        listed = person.listed_primary_care
        if listed is not None:
            offered.sort(key=lambda o: o.pk != listed.organization_id)
        self.fields["organizations"].queryset = Organization.objects.filter(
            pk__in=[o.pk for o in offered]
        )
        self.fields["organizations"].choices = [(o.pk, o.name) for o in offered]

    def clean(self):
        data = super().clean()
        if not data.get("organizations") and not data.get("dont_know"):
            self.add_error(
                "organizations", _("Choose who should get your request, or “I don't know”.")
            )
        if data.get("dont_know"):
            data["organizations"] = []
        return data


class SipRequestAnswerForm(forms.Form):
    """The receiving unit accepts a request for a SIP, or declines it with a reason."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("accept", _("Accept and start the SIP")),
            ("decline", _("Decline")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to accept or decline.")},
    )
    unit = needed_when(
        choices.ModelChoiceField(
            label=_("Which unit should take care of the SIP?"),
            queryset=Unit.objects.none(),
            required=False,
            empty_label=None,
            help_text=_(
                "Your unit, or another unit of your organisation that you hand the SIP to. "
                "That unit is told and asks for the consent."
            ),
            error_messages={"invalid_choice": _("Choose a unit of your own organisation.")},
        ),
        _("when you accept"),
    )
    reason = forms.CharField(
        label=_("Reason for declining"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The individual reads it in Min SIP. Write it plainly."),
    )

    def __init__(self, *args, unit: Unit, person, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = citizen_services.handover_units(unit, person)
        listed = person.listed_primary_care_id
        field.label_from_instance = lambda u: (
            _("%(unit)s (listed primary care centre)") % {"unit": u.name}
            if u.pk == listed
            else u.name
        )
        self.initial.setdefault("unit", unit.pk)

    def clean(self):
        data = super().clean()
        if data.get("answer") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Write why the request is declined."))
        return data


class SipReferralForm(forms.Form):
    """A staff member refers a SIP to another organisation's receiving unit: which
    organisation, and why in his or her own words."""

    organization = choices.ModelChoiceField(
        label=_("Which organisation should start the SIP?"),
        queryset=Organization.objects.none(),
        help_text=_("The request goes to the organisation's receiving unit."),
        error_messages={
            "required": _("Choose an organisation."),
            "invalid_choice": _("Choose an organisation."),
        },
    )
    text = forms.CharField(
        label=_("Why is a SIP needed?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Write in your own words. The receiving unit reads it and contacts your unit."),
        error_messages={
            "required": _("Write why a SIP is needed."),
            "max_length": _("Write at most 4,000 characters."),
        },
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        offered = citizen_services.referral_organizations(person)
        field = self.fields["organization"]
        field.queryset = Organization.objects.filter(pk__in=[o.pk for o in offered])
        field.choices = [("", choices.EMPTY_LABEL)] + [(o.pk, o.name) for o in offered]
