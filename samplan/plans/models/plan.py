"""The plan itself, the units that take part in it, and its domain events."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    """A samordnad individuell plan (SIP), under the social services act and HSL 16 kap. 4 §
    (samplan.core.law cites them by date)."""

    class State(models.TextChoices):
        INITIATED = "initiated", _("Initiated")
        CONSENT_REFUSED = "consent_refused", _("Consent refused")
        CONSENTED = "consented", _("Consent recorded")
        INVITED = "invited", _("Invitations sent")
        ACTIVE = "active", _("Established")
        FOLLOW_UP = "follow_up", _("Under follow-up")
        REVISION = "revision", _("Revised, awaiting approval")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        STAFF = "staff", _("Staff")
        INDIVIDUAL = "individual", _("The individual")
        RELATIVE = "relative", _("A relative")
        OTHER_ACTOR = "other_actor", _("Another actor (e.g. school, Försäkringskassan)")

    class Reason(models.TextChoices):
        # The triggers in the regional guideline and Socialstyrelsen's guide.
        REQUESTED = "requested", _("Coordination is requested")
        SEVERAL_UNITS = "several_units", _("Competence from several units is needed")
        UNCLEAR = "unclear", _("Responsibilities are unclear")
        ORDER = "order", _("Interventions at the same time or in a given order")
        PASSED_AROUND = "passed_around", _("The individual feels passed around")
        INPATIENT = "inpatient", _("After an inpatient stay")
        EMERGENCY = (
            "emergency",
            _("Several emergency visits or admissions in the last three months"),
        )

    class ClosingReason(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Coordination is no longer needed")
        WORKS = "works", _("Coordination works without a plan")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        INDIVIDUAL_ENDED = "individual_ended", _("The individual ended it")
        MOVED = "moved", _("Moved")
        DECEASED = "deceased", _("Deceased")
        OTHER = "other", _("Other")

    class KeptElsewhere(models.TextChoices):
        # A SIP made before Samplan, or outside it ("SIP finns i pappersakt").
        PAPER = "paper", _("On paper (in a paper record)")
        OTHER_SYSTEM = "other_system", _("In another system")
        JOINT_PLAN = "joint_plan", _("A joint plan that meets the law's requirements")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("individual"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.INITIATED
    )
    lock_version = models.PositiveIntegerField(default=1)

    # Initiative: the "without delay" clock starts at initiated_at.
    initiated_at = models.DateTimeField(_("initiated"), auto_now_add=True)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("initiated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    initiating_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("initiating unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    initiative_source = models.CharField(
        _("proposed by"), max_length=20, choices=Source.choices, default=Source.STAFF
    )
    initiative_source_detail = models.CharField(_("who proposed it"), max_length=200, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    reason_text = models.TextField(_("other reasons"), blank=True)

    # Preparation, in the individual's own words.
    own_words = models.TextField(_("What is important to you?"), blank=True)
    works_well = models.TextField(_("What works well"), blank=True)
    works_badly = models.TextField(_("What does not work"), blank=True)
    questions = models.TextField(_("Questions for the meeting"), blank=True)
    interpreter_language = models.CharField(_("interpreter, language"), max_length=100, blank=True)
    easy_read = models.BooleanField(_("easy-to-read material"), default=False)
    meeting_place_wish = models.CharField(
        _("wishes for the meeting place"), max_length=200, blank=True
    )
    digital_participation = models.BooleanField(_("wants to take part digitally"), default=False)

    # Plan content (the law's elements are checked in plans.rules).
    self_actions = models.TextField(
        _("what the individual and relatives do themselves"), blank=True
    )
    no_other_actors = models.BooleanField(
        _("no actions by other actors"),
        default=False,
        help_text=_(
            "Tick to record explicitly that no one besides the municipality and region has actions."
        ),
    )
    overall_responsibility = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("principal with overall responsibility"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead (huvudansvarig)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans_led",
    )
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    # After discharge from inpatient care (samplan.discharge): the designated care contact in
    # outpatient care (fast vårdkontakt) calls the SIP meeting by invitation_due.
    care_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designated care contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans_care_contact",
    )
    invitation_due = models.DateField(_("invitations sent by"), null=True, blank=True)
    # The version in force: the latest one the individual approved (0 before establishing).
    # A revision waiting for an answer, or declined, does not change it.
    current_version = models.PositiveIntegerField(_("version"), default=0)
    # How many items of the working draft differ from the version in force (goals,
    # interventions, plan-wide fields): changes the individual has not approved. Kept by the
    # services (samplan.plans.services.base.draft_refresh).
    unapproved_changes = models.PositiveIntegerField(default=0, editable=False)

    # The next deadline (samplan.plans.rules.deadline), kept current by the services (every
    # change records an event, which refreshes it) so that lists filter and sort by it in SQL.
    deadline_kind = models.CharField(max_length=20, blank=True, editable=False)
    deadline_due = models.DateField(null=True, blank=True, editable=False)
    deadline_soon_from = models.DateField(null=True, blank=True, editable=False)

    # A SIP kept elsewhere (rules.kept_elsewhere): Samplan registers it, its principals, lead
    # and next follow-up, but its content is written here only once it is brought in.
    kept_elsewhere = models.CharField(
        _("the SIP is kept"), max_length=20, choices=KeptElsewhere.choices, blank=True
    )
    kept_where = models.CharField(_("where it is kept"), max_length=200, blank=True)
    made_on = models.DateField(_("made on"), null=True, blank=True)
    lead_name = models.CharField(_("lead, by name"), max_length=200, blank=True)

    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_reason = models.CharField(
        _("reason for closing"), max_length=30, choices=ClosingReason.choices, blank=True
    )
    closing_text = models.TextField(_("about the closing"), blank=True)

    class Meta:
        verbose_name = _("SIP")
        verbose_name_plural = _("SIPs")
        ordering = ["-initiated_at"]
        indexes = [
            models.Index(fields=["state"]),
            models.Index(fields=["deadline_due", "id"], name="plan_deadline_idx"),
            models.Index(fields=["initiating_unit", "state"], name="plan_initiator_state_idx"),
        ]

    def __str__(self) -> str:
        return f"SIP {self.person.full_name}"

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    @property
    def current_consent(self):
        """The latest consent decision (uses prefetched consents when there are any)."""
        return max(self.consents.all(), key=lambda consent: consent.number, default=None)

    def reason_labels(self) -> list[str]:
        labels = dict(self.Reason.choices)
        return [labels.get(code, code) for code in self.reasons]


class Participant(models.Model):
    """A unit taking part in the plan. Kept in step with the consent's scope."""

    class Access(models.TextChoices):
        EDIT = "edit", _("Takes part and writes")
        READ = "read", _("Takes part, reads only")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="participants")
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    access = models.CharField(
        _("access"), max_length=10, choices=Access.choices, default=Access.EDIT
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("takes part"), default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participating unit")
        verbose_name_plural = _("participating units")
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="participant_unique")]
        # Visibility starts from the acting unit: its active participations, then the plans.
        indexes = [
            models.Index(fields=["unit", "is_active", "plan"], name="participant_unit_active_idx")
        ]

    def __str__(self) -> str:
        return str(self.unit)


class PlanEvent(models.Model):
    """A domain event: who did what to the plan, from which unit, when. Never changed."""

    class Kind(models.TextChoices):
        INITIATED = "initiated", _("SIP initiated")
        JOIN_REQUESTED = "join_requested", _("Request to take part")
        JOIN_REQUEST_ACCEPTED = "join_request_accepted", _("Request to take part accepted")
        JOIN_REQUEST_DECLINED = "join_request_declined", _("Request to take part declined")
        CONSENT_GIVEN = "consent_given", _("Consent given")
        CONSENT_REFUSED = "consent_refused", _("Consent refused")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        PLAN_UPDATED = "plan_updated", _("Plan updated")
        GOAL_ADDED = "goal_added", _("Goal added")
        GOAL_CHANGED = "goal_changed", _("Goal changed")
        GOAL_REMOVED = "goal_removed", _("Goal removed")
        INTERVENTION_ADDED = "intervention_added", _("Intervention added")
        INTERVENTION_CHANGED = "intervention_changed", _("Intervention changed")
        INTERVENTION_REMOVED = "intervention_removed", _("Intervention removed")
        CONTACT_PERSON_SET = "contact_person_set", _("Contact person named")
        MEETING_SCHEDULED = "meeting_scheduled", _("Meeting booked")
        MEETING_CHANGED = "meeting_changed", _("Meeting changed")
        INVITATION_ANSWERED = "invitation_answered", _("Invitation answered")
        MEETING_HELD = "meeting_held", _("Meeting held")
        MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
        ESTABLISHED = "established", _("Plan established")
        REVISED = "revised", _("Plan revised")
        VERSION_APPROVED = "version_approved", _("Version approved")
        VERSION_DECLINED = "version_declined", _("Version declined")
        FOLLOWED_UP = "followed_up", _("Followed up")
        CLOSED = "closed", _("SIP closed")
        CLOSING_INFORMED = "closing_informed", _("Told of the closing")
        CITIZEN_COMMENT = "citizen_comment", _("Comment from Min SIP")
        CITIZEN_CHANGE = "citizen_change", _("Proposed change from Min SIP")
        CITIZEN_NEW_SIP = "citizen_new_sip", _("Request for a new SIP from Min SIP")
        CITIZEN_MESSAGE_HANDLED = "citizen_message_handled", _("Message from Min SIP handled")
        RELATIVE_INVITED = "relative_invited", _("Relative invited")
        RELATIVE_REMOVED = "relative_removed", _("Relative removed")
        RELATION_ADDED = "relation_added", _("Relation registered")
        RELATION_ENDED = "relation_ended", _("Relation ended")
        COPY_GIVEN = "copy_given", _("Copy given")
        CONTACT_GRANTED = "contact_granted", _("Access to protected contact details granted")
        CONTACT_REVOKED = "contact_revoked", _("Access to protected contact details revoked")
        REGISTERED_ELSEWHERE = "registered_elsewhere", _("SIP kept elsewhere registered")
        BROUGHT_IN = "brought_in", _("SIP brought into Samplan")
        CARE_CONTACT_SET = "care_contact_set", _("Designated care contact appointed")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    acting_unit = models.ForeignKey(
        "accounts.Unit", null=True, on_delete=models.PROTECT, related_name="+"
    )
    citizen = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set when the individual, a guardian or a relative acted in Min SIP.",
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class CitizenMessage(models.Model):
    """What the individual, a guardian or a relative sends from Min SIP to the staff.

    It reaches only the units it is addressed to (`to_units`): those the writer chooses among
    the units taking part, the lead's unit unless he or she chooses otherwise. A declined
    version goes to the lead's unit; a withdrawal to every unit taking part.
    """

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        CHANGE = "change", _("Proposed change")
        NEW_SIP = "new_sip", _("Request for a new SIP")
        WITHDRAWAL = "withdrawal", _("Consent withdrawn in Min SIP")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="citizen_messages")
    author = models.ForeignKey(
        "people.Person", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("message"))
    to_units = models.ManyToManyField(
        "accounts.Unit", verbose_name=_("to"), related_name="citizen_messages"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class RelativeAccess(models.Model):
    """The individual's invitation of a relative to see parts of the plan in Min SIP."""

    class Section(models.TextChoices):
        GOALS = "goals", _("Goals")
        INTERVENTIONS = "interventions", _("Who does what")
        MEETINGS = "meetings", _("Meetings and follow-up")
        CONTACTS = "contacts", _("Contact details of the staff")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="relative_accesses")
    relative = models.ForeignKey(
        "people.Person", verbose_name=_("relative"), on_delete=models.PROTECT, related_name="+"
    )
    sections = models.JSONField(_("may see"), default=list)
    granted_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "relative"],
                condition=models.Q(revoked_at__isnull=True),
                name="relative_access_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.relative} → {self.plan}"
