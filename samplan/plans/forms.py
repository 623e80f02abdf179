"""Forms for the SIP workspace. They parse and explain; the services decide."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import Organization, Unit, User
from samplan.core import choices
from samplan.people.forms import IdentityNumberField
from samplan.people.models import Person, Relation
from samplan.plans import rules
from samplan.plans.models import (
    Consent,
    ConsentLimit,
    CopyGiven,
    FollowUp,
    Goal,
    Intervention,
    Invitee,
    Meeting,
    Plan,
    PlanVersion,
    Topic,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REQUIRED = {"required": _("This field is required.")}


class LockedForm(forms.Form):
    """Carries the version the user started from, for optimistic concurrency."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class LockedModelForm(forms.ModelForm):
    """A form over a model's fields (named in Meta.fields) that only validates: the services
    save, so `save()` is never called; carries the version the user started from."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def save(self, commit=True):
        raise NotImplementedError("Changes go through samplan.plans.services.")


class SearchForm(forms.Form):
    query = forms.CharField(
        label=_("Name or identity number"),
        max_length=100,
        error_messages={"required": _("Enter a name or an identity number.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class WorklistFilterForm(forms.Form):
    STATE_CHOICES = [("", _("All open"))] + list(Plan.State.choices)
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    flag = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Everything")),
            ("overdue", _("Overdue")),
            ("due_soon", _("Due soon")),
            ("meetings", _("Upcoming meetings")),
            ("waiting", _("Waiting for consent or approval")),
        ],
    )
    role = forms.ChoiceField(
        label=_("My role"),
        required=False,
        choices=[
            ("", _("Any")),
            ("lead", _("I am the lead")),
            ("participant", _("My unit takes part")),
        ],
    )


def needed_when(field: forms.Field, when: str) -> forms.Field:
    """A field needed only in some cases says which next to its label, instead of being
    marked optional (includes/field.html); the service refuses it at the field."""
    field.needed_when = when
    return field


class InitiativeForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Who proposed the SIP?"),
        choices=Plan.Source.choices,
        initial=Plan.Source.STAFF,
        widget=forms.RadioSelect,
    )
    source_detail = needed_when(
        forms.CharField(
            label=_("Name of the person or organisation who proposed it"),
            required=False,
            max_length=200,
        ),
        _("needed when a relative or another actor proposed it"),
    )
    reasons = forms.MultipleChoiceField(
        label=_("Why is a SIP needed?"),
        choices=Plan.Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason_text = forms.CharField(
        label=_("Other reasons, in your own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class KeptElsewhereForm(forms.Form):
    """A SIP that already exists on paper or in another system (services.plan_register_elsewhere)."""

    kept_elsewhere = forms.ChoiceField(
        label=_("Where is the SIP kept?"),
        choices=Plan.KeptElsewhere.choices,
        initial=Plan.KeptElsewhere.PAPER,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    kept_where = forms.CharField(
        label=_("Where exactly"),
        max_length=200,
        help_text=_(
            "For example: the paper record at the needs assessment unit, or the system's name."
        ),
        error_messages=REQUIRED,
    )
    meets_law = needed_when(
        forms.BooleanField(
            label=_("The joint plan contains what the law requires of a SIP"),
            required=False,
        ),
        _("needed for a joint plan"),
    )
    made_on = forms.DateField(
        label=_("Date the SIP was made"), widget=DATE, error_messages=REQUIRED
    )
    principals = choices.ModelMultipleChoiceField(
        label=_("Units taking part"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages=REQUIRED,
        help_text=_(
            "Your own unit takes part. At least one municipality unit and one region unit."
        ),
    )
    lead_name = forms.CharField(
        label=_("Lead (huvudansvarig)"), max_length=200, error_messages=REQUIRED
    )
    next_follow_up = forms.DateField(
        label=_("Next follow-up"), widget=DATE, error_messages=REQUIRED
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = self.fields["principals"]
        units.queryset = Unit.objects.filter(is_active=True).select_related("organization")
        units.label_from_instance = unit_label


class ChosenPersonForm(forms.Form):
    """The individual chosen in the first step, carried as a hidden id to the initiative."""

    AGAIN = _("Find the individual again: the initiative did not say which individual it is for.")
    person = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": AGAIN, "invalid": AGAIN}
    )

    def clean_person(self) -> Person:
        person = Person.objects.filter(pk=self.cleaned_data["person"]).first()
        if person is None:
            raise forms.ValidationError(self.AGAIN, code="invalid_choice")
        return person


class JoinRequestAnswerForm(forms.Form):
    """The answer to a unit's request to take part in the plan."""

    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[("accept", _("Let the unit take part")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an answer."),
            "invalid_choice": _("Choose an answer."),
        },
    )
    reason = forms.CharField(
        label=_("Reason, if you decline"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# An installation with more active units than this lists only the units involved in the plan in
# the consent form and finds the others by a search (a national one has thousands).
UNITS_LISTED_IN_FULL = 100
UNIT_SEARCH_RESULTS = 30


def unit_label(unit: Unit) -> str:
    return f"{unit.name} ({unit.organization.name})"


class ConsentForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Consent"),
        choices=[(Consent.Decision.GIVEN, _("Given")), (Consent.Decision.REFUSED, _("Refused"))],
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    decided_on = forms.DateField(label=_("Date"), widget=DATE, error_messages=REQUIRED)
    mode = forms.ChoiceField(
        label=_("How"),
        choices=Consent.Mode.choices,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    guardians = choices.ModelMultipleChoiceField(
        label=_("Guardians who consented"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    child_view = forms.CharField(
        label=_("The child's own view"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    units = choices.ModelMultipleChoiceField(
        label=_("Units that may take part and share information"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    relatives = choices.ModelMultipleChoiceField(
        label=_("Relatives who may take part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exclusions = forms.CharField(
        label=_("What must the plan not cover?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ask the individual. For example: 'My addiction care must not be discussed.'"),
    )
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def __init__(self, *args, plan: Plan, add_units=(), unit_search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        person = plan.person
        self.is_child = person.is_child()
        self.fields["guardians"].queryset = person.guardians
        self.has_guardians = self.is_child and person.guardians.exists()
        self.fields["relatives"].queryset = Person.objects.filter(
            relations_as_related__person=person, relations_as_related__kind="relative"
        )
        active = Unit.objects.filter(is_active=True).select_related("organization")
        self.fields["units"].queryset = active  # what may be chosen: any active unit
        if not self.is_child:
            del self.fields["guardians"]
            del self.fields["child_view"]
        current = plan.current_consent
        typed = "units" in self.initial  # the form as posted, back from the unit search
        if rules.consent_given(current) and not self.is_bound and not typed:
            self.initial.update(
                units=list(current.units.all()),
                relatives=list(current.relatives.all()),
                exclusions=current.exclusions,
                valid_until=current.valid_until,
            )
        elif not self.is_bound and not typed:
            self.initial["units"] = [plan.initiating_unit]
        if add_units and not self.is_bound and not typed:  # a unit that asks, ticked in advance
            self.initial["units"] = list(dict.fromkeys([*self.initial["units"], *add_units]))
        self.initial.setdefault("decided_on", timezone.localdate())
        self.unit_search = unit_search.strip()
        self.units_found = None
        self.units_found_more = False
        self._units_offer(plan, active, add_units)
        self._limit_fields(current, typed)
        self.limits: list[tuple] = []

    def _limit_fields(self, current, typed: bool) -> None:
        """Rows limiting what a unit may take part in: the current consent's limits, and one
        empty row (more after a search keeps what was typed)."""
        given = rules.consent_given(current)
        existing = list(current.limits.select_related("unit")) if given else []
        source = self.data if self.is_bound else self.initial
        posted = [k for k in source if k.startswith("limit_unit_")]
        rows = max(len(existing) + 1, len(posted) if (self.is_bound or typed) else 0, 1)
        units = self.fields["units"]
        offered = units.widget.choices if self.units_searchable else None
        if offered is None:
            offered = [(u.pk, unit_label(u)) for u in units.queryset]
        for i in range(rows):
            self.fields[f"limit_unit_{i}"] = forms.ChoiceField(
                label=_("Unit"),
                choices=[("", _("– choose a unit –")), *offered],
                required=False,
            )
            self.fields[f"limit_reach_{i}"] = forms.ChoiceField(
                label=_("May take part in"),
                choices=ConsentLimit.Reach.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=ConsentLimit.Reach.WHOLE,
            )
            self.fields[f"limit_topics_{i}"] = forms.MultipleChoiceField(
                label=_("Must not see goals and interventions about"),
                choices=Topic.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            if i < len(existing) and not self.is_bound and not typed:
                row = existing[i]
                self.initial[f"limit_unit_{i}"] = row.unit_id
                self.initial[f"limit_reach_{i}"] = row.reach
                self.initial[f"limit_topics_{i}"] = list(row.topics)
        self.limit_count = rows

    @property
    def limit_rows(self) -> list[list]:
        return [
            [self[f"limit_{name}_{i}"] for name in ("unit", "reach", "topics")]
            for i in range(self.limit_count)
        ]

    def clean(self):
        data = super().clean()
        chosen = {u.pk: u for u in data.get("units") or []}
        seen = set()
        for i in range(self.limit_count):
            unit_id = data.get(f"limit_unit_{i}") or ""
            reach = data.get(f"limit_reach_{i}") or ConsentLimit.Reach.WHOLE
            topics = list(data.get(f"limit_topics_{i}") or [])
            limited = reach == ConsentLimit.Reach.SHARED or topics
            if not unit_id:
                if limited:
                    self.add_error(f"limit_unit_{i}", _("Choose which unit the limit is for."))
                continue
            unit = chosen.get(int(unit_id))
            if unit is None:
                self.add_error(
                    f"limit_unit_{i}",
                    _("Tick the unit among those that may take part, or leave the limit out."),
                )
            elif unit.pk in seen:
                self.add_error(f"limit_unit_{i}", _("The unit already has a limit above."))
            elif not limited:
                self.add_error(
                    f"limit_topics_{i}",
                    _("Choose what the unit may not take part in, or leave the unit out."),
                )
            else:
                seen.add(unit.pk)
                self.limits.append((unit, reach, topics))
        return data

    def _units_offer(self, plan: Plan, active, add_units) -> None:
        """What the unit list shows: every active unit in a small installation; at regional or
        national scale (thousands of units) the units already involved, the ticked ones and
        those found by the unit search, so the page never lists the whole country."""
        self.units_searchable = active.count() > UNITS_LISTED_IN_FULL
        self.fields["units"].label_from_instance = unit_label
        listed = plan.person.listed_primary_care_id
        if not self.units_searchable:
            if listed:
                self.fields["units"].widget.choices = self._listed_first(list(active), listed)
            return
        chosen = self.data.getlist("units") if self.is_bound else self.initial.get("units", [])
        chosen_ids = [getattr(u, "pk", u) for u in chosen if str(getattr(u, "pk", u)).isdigit()]
        involved = {plan.initiating_unit_id, *(u.pk for u in add_units), *map(int, chosen_ids)}
        involved.update(plan.participants.values_list("unit_id", flat=True))
        if plan.current_consent is not None:
            involved.update(plan.current_consent.units.values_list("pk", flat=True))
        offered = list(active.filter(pk__in=involved).order_by("organization__name", "name"))
        if self.unit_search:
            words = self.unit_search.split()[:5]
            match = Q()
            for word in words:
                match &= Q(name__icontains=word) | Q(organization__name__icontains=word)
            found = list(
                active.filter(match).exclude(pk__in=[u.pk for u in offered])
                .order_by("organization__name", "name")[: UNIT_SEARCH_RESULTS + 1]
            )  # fmt: skip
            self.units_found = found[:UNIT_SEARCH_RESULTS]
            self.units_found_more = len(found) > UNIT_SEARCH_RESULTS
            offered += self.units_found
        if listed and listed not in {u.pk for u in offered}:
            offered += list(active.filter(pk=listed))
        self.fields["units"].widget.choices = self._listed_first(offered, listed)

    @staticmethod
    def _listed_first(units, listed) -> list[tuple]:
        """The primary care centre where the individual is listed comes first, and says so."""
        units = sorted(units, key=lambda u: u.pk != listed)
        return [
            (
                u.pk,
                _("%(unit)s – listed here") % {"unit": unit_label(u)}
                if u.pk == listed
                else unit_label(u),
            )
            for u in units
        ]

    @property
    def given_by(self) -> str:
        return Consent.GivenBy.GUARDIANS if self.is_child else Consent.GivenBy.INDIVIDUAL


class WithdrawForm(forms.Form):
    confirmations = ("confirm",)
    decided_on = forms.DateField(
        label=_("Date the consent was withdrawn"), widget=DATE, error_messages=REQUIRED
    )
    mode = forms.ChoiceField(
        label=_("How"),
        choices=Consent.Mode.choices,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label=_("I understand that the SIP closes at once."),
        error_messages={"required": _("Confirm that the SIP will close.")},
    )


class PreparationForm(LockedModelForm):
    own_words = forms.CharField(
        label=_("What is important to you?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    works_well = forms.CharField(
        label=_("What works well?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    works_badly = forms.CharField(
        label=_("What does not work?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    questions = forms.CharField(
        label=_("Questions for the meeting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    interpreter_language = forms.CharField(
        label=_("Interpreter needed, language"), required=False, max_length=100
    )
    easy_read = forms.BooleanField(label=_("Easy-to-read material"), required=False)
    meeting_place_wish = forms.CharField(
        label=_("Wishes for the meeting place"), required=False, max_length=200
    )
    digital_participation = forms.BooleanField(
        label=_("Wants to take part digitally"), required=False
    )

    class Meta:
        model = Plan
        fields = [
            "own_words",
            "works_well",
            "works_badly",
            "questions",
            "interpreter_language",
            "easy_read",
            "meeting_place_wish",
            "digital_participation",
        ]


class PlanDetailsForm(LockedModelForm):
    overall_responsibility = choices.ModelChoiceField(
        label=_("Principal with overall responsibility"),
        queryset=None,
        required=False,
        help_text=_("A municipality or a region, never another actor."),
    )
    lead = choices.ModelChoiceField(
        label=_("Lead (huvudansvarig)"),
        queryset=None,
        required=False,
        help_text=_("Preferably the person who will have most contact with the individual."),
    )
    next_follow_up = forms.DateField(label=_("Next follow-up"), required=False, widget=DATE)
    self_actions = forms.CharField(
        label=_("What the individual and relatives do themselves"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    no_other_actors = forms.BooleanField(
        label=_("No actions by other actors than the municipality and region"), required=False
    )

    class Meta:
        model = Plan
        fields = [
            "overall_responsibility",
            "lead",
            "next_follow_up",
            "self_actions",
            "no_other_actors",
        ]

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        units = [p.unit for p in plan.participants.all() if p.is_active]
        self.fields["overall_responsibility"].queryset = Organization.objects.filter(
            kind__in=[Organization.Kind.MUNICIPALITY, Organization.Kind.REGION], units__in=units
        ).distinct()
        principal_units = [u for u in units if u.organization.is_principal]
        self.fields["lead"].queryset = User.objects.filter(
            memberships__unit__in=principal_units,
            memberships__is_active=True,
            memberships__role__in=rules.PLAN_ROLES,
            is_active=True,
        ).distinct()
        self.fields["lead"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.title})" if u.title else u.get_full_name()
        )
        if rules.is_established(plan):
            # What an established plan must always say cannot be left empty (the service
            # refuses it too, for every other caller).
            for name, message in rules.KEPT_ONCE_ESTABLISHED.items():
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message


def topic_field() -> forms.ChoiceField:
    """What a goal or an intervention is about: the consent can keep a topic from a unit."""
    return forms.ChoiceField(
        label=_("Topic"),
        choices=[("", _("– general –")), *Topic.choices],
        required=False,
        help_text=_(
            "Say what it is about when the individual may want to keep it from some units. "
            "The consent can keep a topic from a unit."
        ),
    )


class GoalForm(LockedModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    term = forms.ChoiceField(
        label=_("Term"),
        choices=Goal.Term.choices,
        widget=forms.RadioSelect,
        initial=Goal.Term.SHORT,
    )
    text = forms.CharField(
        label=_("Goal, in the individual's own words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the goal, in the individual's own words.")},
    )
    topic = topic_field()
    parent = choices.ModelChoiceField(
        label=_("Sub-goal of"), queryset=None, required=False, empty_label=_("– a main goal –")
    )
    follow_up_by = choices.ModelChoiceField(
        label=_("Followed up by"), queryset=None, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=Goal.Status.choices, initial=Goal.Status.OPEN
    )

    class Meta:
        model = Goal
        fields = ["term", "text", "topic", "parent", "follow_up_by", "status"]

    def __init__(self, *args, plan: Plan, goal: Goal | None = None, limit=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = plan.goals.filter(rules.goals_visible_q(limit), parent__isnull=True)
        if goal is not None:
            parents = parents.exclude(pk=goal.pk)
        self.fields["parent"].queryset = parents
        self.fields["follow_up_by"].queryset = participant_staff(plan)


class InterventionForm(LockedModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    what = forms.CharField(
        label=_("Intervention"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Describe the intervention.")},
    )
    topic = topic_field()
    organization = choices.ModelChoiceField(
        label=_("Responsible organisation"),
        queryset=None,
        error_messages={"required": _("Choose who is responsible.")},
    )
    responsible_unit = choices.ModelChoiceField(
        label=_("Responsible unit"), queryset=None, required=False
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), required=False, max_length=200
    )
    start = forms.DateField(label=_("Start"), required=False, widget=DATE)
    frequency = forms.CharField(label=_("How often"), required=False, max_length=200)
    depends_on = choices.ModelChoiceField(label=_("Comes after"), queryset=None, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=Intervention.Status.choices, initial=Intervention.Status.PLANNED
    )
    goals = choices.ModelMultipleChoiceField(
        label=_("Serves the goals"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Intervention
        fields = [
            "what",
            "topic",
            "organization",
            "responsible_unit",
            "responsible_person",
            "start",
            "frequency",
            "depends_on",
            "status",
            "goals",
        ]

    def __init__(
        self, *args, plan: Plan, intervention: Intervention | None = None, limit=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        units = [p.unit for p in plan.participants.all() if p.is_active]
        self.fields["organization"].queryset = Organization.objects.filter(
            units__in=units
        ).distinct()
        self.fields["responsible_unit"].queryset = Unit.objects.filter(
            pk__in=[u.pk for u in units]
        ).select_related("organization")
        others = plan.interventions.filter(rules.interventions_visible_q(limit))
        if intervention is not None:
            others = others.exclude(pk=intervention.pk)
        self.fields["depends_on"].queryset = others
        self.fields["goals"].queryset = plan.goals.filter(rules.goals_visible_q(limit))


def participant_staff(plan: Plan):
    units = [p.unit_id for p in plan.participants.all() if p.is_active]
    return User.objects.filter(
        memberships__unit__in=units,
        memberships__is_active=True,
        memberships__role__in=rules.PLAN_ROLES,
        is_active=True,
    ).distinct()


class MeetingTimePlaceForm(forms.Form):
    """When and where a meeting is held: booking it and moving it ask the same."""

    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Give the date and time."),
            "invalid": _("Give a date and time, e.g. 2026-12-01 13:00."),
        },
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    video_link = forms.URLField(
        assume_scheme="https",
        label=_("Video link"),
        required=False,
        error_messages={"invalid": _("Give a whole web address, starting with https://.")},
    )


class MeetingChangeForm(MeetingTimePlaceForm, LockedForm):
    """A new time or place for a scheduled meeting."""


class MeetingForm(MeetingTimePlaceForm):
    chair = choices.ModelChoiceField(
        label=_("Chair"),
        queryset=None,
        required=False,
        help_text=_("By default the one who invites."),
    )
    chair_name = forms.CharField(
        label=_("Chair who is not staff"),
        required=False,
        max_length=200,
        help_text=_(
            "A relative, the individual or anyone else the individual chooses. It replaces the "
            "chair above."
        ),
    )
    chair_chosen_by_individual = forms.BooleanField(
        label=_("The individual chose the chair"), required=False
    )
    recorder = choices.ModelChoiceField(
        label=_("Writes the plan"),
        queryset=None,
        required=False,
        help_text=_("By default the one who invites."),
    )
    interpreter = forms.CharField(
        label=_("Interpreter booked"),
        required=False,
        max_length=200,
        help_text=_("Name or interpreting agency, and the language."),
    )

    MODE_CHOICES = [("", _("Not invited"))] + list(Invitee.Mode.choices)

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        staff = participant_staff(plan)
        self.fields["chair"].queryset = staff
        self.fields["recorder"].queryset = staff
        consent = plan.current_consent
        self.unit_fields, self.person_fields = [], []
        units = consent.units.select_related("organization") if consent else []
        for unit in units:
            name = f"unit_{unit.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{unit.name} ({unit.organization.name})",
                choices=self.MODE_CHOICES,
                required=False,
                initial=Invitee.Mode.DIGITAL,
            )
            self.unit_fields.append((name, unit))
        guardians = list(plan.person.guardians)
        people = [plan.person, *guardians]
        if consent:
            people += list(consent.relatives.all())
        # The individual is invited, and for a child every guardian (they decide for the child).
        invited = {plan.person.pk, *(g.pk for g in guardians if plan.person.is_child())}
        for person in dict.fromkeys(people):
            name = f"person_{person.pk.hex}"
            self.fields[name] = forms.ChoiceField(
                label=person.full_name,
                choices=self.MODE_CHOICES,
                required=False,
                initial=Invitee.Mode.WRITTEN if person.pk in invited else "",
            )
            self.person_fields.append((name, person))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("place") and not cleaned.get("video_link"):
            self.add_error("place", _("Give a place or a video link."))
        return cleaned

    def invited(self):
        units = [(u, self.cleaned_data[n]) for n, u in self.unit_fields if self.cleaned_data.get(n)]
        people = [
            (p, self.cleaned_data[n]) for n, p in self.person_fields if self.cleaned_data.get(n)
        ]
        return units, people


class RespondForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (Invitee.Response.ACCEPTED, _("We will come")),
            (Invitee.Response.DECLINED, _("We cannot come")),
        ],
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    reason = forms.CharField(label=_("Reason, if you cannot come"), required=False, max_length=300)


CHILD_VIEW = forms.CharField(
    label=_("The child's own view"),
    required=False,
    max_length=2000,
    widget=forms.Textarea(attrs={"rows": 2}),
    help_text=_(
        "The individual is a child: what does he or she think? Heard according to age and maturity."
    ),
)


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label=_("Who attended?"), required=False, widget=forms.CheckboxSelectMultiple
    )
    opening_notes = forms.CharField(
        label=_("Opening: introductions, consent and secrecy, purpose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    summary_notes = forms.CharField(
        label=_("Summary: who gives which help, what the individual can expect of the lead"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    child_view = CHILD_VIEW

    def __init__(self, *args, meeting: Meeting, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(i.pk), str(i)) for i in meeting.invitees.all()]
        if not plan.person.is_child():
            del self.fields["child_view"]


APPROVAL_METHOD = forms.ChoiceField(
    label=_("How did the individual approve?"),
    choices=PlanVersion.Method.choices,
    widget=forms.RadioSelect,
    error_messages=REQUIRED,
)


class EstablishForm(forms.Form):
    confirmations = ("approved",)
    approval_method = APPROVAL_METHOD
    approval_comment = forms.CharField(
        label=_("The individual's comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    approved = forms.BooleanField(
        label=_("The individual has approved the plan."),
        error_messages={
            "required": _("The plan cannot be established without the individual's approval.")
        },
    )


class FollowUpForm(forms.Form):
    how_it_went = forms.CharField(
        label=_("How has it gone?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=REQUIRED,
    )
    helped_hindered = forms.CharField(
        label=_("What has helped or hindered?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=REQUIRED,
    )
    coordination_needed = forms.TypedChoiceField(
        label=_("Is continued coordination needed?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    continue_interventions = forms.CharField(
        label=_("Should the interventions continue?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=REQUIRED,
    )
    decision = forms.ChoiceField(
        label=_("Close or revise the plan?"),
        choices=FollowUp.Decision.choices,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    next_follow_up = needed_when(
        forms.DateField(label=_("Next follow-up"), required=False, widget=DATE),
        _("needed unless the SIP is closed"),
    )
    approval_method = forms.ChoiceField(
        label=_("If revised: did the individual approve the new version at the meeting?"),
        required=False,
        choices=[("", _("Not yet: ask for approval"))] + list(PlanVersion.Method.choices),
        widget=forms.RadioSelect,
    )
    closing_reason = needed_when(
        forms.ChoiceField(
            label=_("If closed: reason"),
            required=False,
            choices=[("", choices.EMPTY_LABEL)] + list(Plan.ClosingReason.choices),
        ),
        _("needed when the SIP is closed"),
    )
    closing_text = forms.CharField(
        label=_("About the closing"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    child_view = CHILD_VIEW
    basis = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis"].initial = rules.followup_basis(plan)
        if not plan.person.is_child():
            del self.fields["child_view"]


class ApprovalForm(forms.Form):
    approved = forms.TypedChoiceField(
        label=_("The individual's answer"),
        choices=[("yes", _("Approves the new version")), ("no", _("Does not approve"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    method = forms.ChoiceField(
        label=_("How"),
        choices=PlanVersion.Method.choices,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=Plan.ClosingReason.choices,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    text = forms.CharField(
        label=_("About the closing"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClosingNoticeForm(forms.Form):
    units = choices.ModelMultipleChoiceField(
        label=_("Units informed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = choices.ModelMultipleChoiceField(
        label=_("People informed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        told_units = plan.closing_notices.filter(unit__isnull=False).values("unit")
        told_people = plan.closing_notices.filter(person__isnull=False).values("person")
        self.fields["units"].queryset = Unit.objects.filter(participations__plan=plan).exclude(
            pk__in=told_units
        )
        self.fields["people"].queryset = (
            Person.objects.filter(
                Q(pk=plan.person_id) | Q(relations_as_related__person=plan.person)
            )
            .exclude(pk__in=told_people)
            .distinct()
        )


class ContactPersonForm(forms.Form):
    contact_person = choices.ModelChoiceField(
        label=_("Contact person"), queryset=None, required=False
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = User.objects.filter(
            memberships__unit=unit,
            memberships__is_active=True,
            memberships__role__in=rules.PLAN_ROLES,
        )


class RelationForm(forms.Form):
    """Register someone around the individual: found by identity number, registered here if
    Samplan does not know him or her yet."""

    number = IdentityNumberField(
        label=_("The person's identity number"),
        error_messages={"required": _("Enter the person's identity number.")},
    )
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=100,
        required=False,
        help_text=_("Only if the person is not registered in Samplan yet."),
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=100,
        required=False,
        help_text=_("Only if the person is not registered in Samplan yet."),
    )
    kind = forms.ChoiceField(
        label=_("Role"),
        choices=Relation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the person's role.")},
    )
    description = forms.CharField(
        label=_("Relationship"),
        max_length=100,
        required=False,
        help_text=_("For example mother, brother or neighbour."),
    )
    basis = forms.ChoiceField(
        label=_("Based on"),
        choices=[("", choices.EMPTY_LABEL), *Relation.Basis.choices],
        required=False,
        help_text=_("Required for a guardian: the population register or a court's decision."),
    )
    scope = forms.CharField(
        label=_("What it covers"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For an ombud: what the power of attorney covers. For a god man or förvaltare: the task."
        ),
    )
    min_sip = forms.ChoiceField(
        label=_("Access in Min SIP"),
        choices=Relation.MinSip.choices,
        initial=Relation.MinSip.NONE,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Only for a god man, förvaltare or ombud, as far as the appointment or power of "
            "attorney covers the SIP. Ending the SIP and inviting others stay the individual's "
            "own decisions."
        ),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DATE,
        help_text=_("For a power of attorney or an appointment with an end date."),
    )

    def clean_min_sip(self) -> str:
        return self.cleaned_data.get("min_sip") or Relation.MinSip.NONE


class CopyGivenForm(forms.Form):
    """Record that someone got a copy of a version."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    given_to = choices.ModelChoiceField(
        label=_("Given to"),
        queryset=None,
        error_messages={"required": _("Choose who got the copy.")},
    )
    given_on = forms.DateField(label=_("Date"), widget=DATE, error_messages=REQUIRED)
    method = forms.ChoiceField(
        label=_("How"),
        choices=[c for c in CopyGiven.Method.choices if c[0] != CopyGiven.Method.MIN_SIP],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how the copy was given.")},
    )

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_to"].queryset = Person.objects.filter(pk__in=[p.pk for p in recipients])
        self.fields["given_to"].label_from_instance = lambda p: p.full_name


class ContactGrantForm(forms.Form):
    """A unit manager lets a unit of the plan see a protected individual's contact details."""

    unit = choices.ModelChoiceField(
        label=_("Unit"), queryset=None, error_messages={"required": _("Choose the unit.")}
    )
    reason = forms.CharField(
        label=_("Why the unit needs the contact details"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write why the unit needs the contact details.")},
    )
    valid_until = forms.DateField(
        label=_("Until"),
        widget=DATE,
        help_text=_("At most a year ahead. The grant ends by itself that day."),
        error_messages={"required": _("Give an end date.")},
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])


class InterventionProgressForm(forms.Form):
    """The responsible unit's report on its own intervention: the status and a short note."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=Intervention.Status.choices,
        error_messages={"required": _("Choose a status."), "invalid_choice": _("Choose a status.")},
    )
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done, or what stops it. Shown at the next follow-up."),
    )
