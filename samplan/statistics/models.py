"""The statistics' own tables: facts about each plan, derived from its events, never an
identity.

`PlanFact` holds one row per plan with the days of its steps, the deadlines it was measured
against, the age band and sex of the individual at the initiative and a few counts, and
`FollowUpFact` one row per follow-up date with the day it was answered; the
indicators are sums and counts over these rows in the database. The worker keeps them current
from a watermark on the plans' events (`services.facts_refresh`); `manage.py
statistics_rebuild` writes them all again. `AgreementTerms` is the history of the local
agreements' deadlines, so that a plan is measured against the agreement in force when its
clock started, also after the agreement changed. `MonthCount` holds what the pages read:
the facts counted per scope, measure and month.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgeBand(models.TextChoices):
    CHILD = "0-17", _("0–17 years")
    YOUNG = "18-24", _("18–24 years")
    ADULT = "25-44", _("25–44 years")
    MIDDLE = "45-64", _("45–64 years")
    OLDER = "65-79", _("65–79 years")
    OLDEST = "80-", _("80 years or older")


class Sex(models.TextChoices):
    FEMALE = "female", _("Women")
    MALE = "male", _("Men")
    UNKNOWN = "unknown", _("Not known (reserve number)")


class PlanFact(models.Model):
    """What the statistics know of one plan: dates of its steps (local days), durations in
    days, deadlines, counts. No name, no identity number."""

    plan = models.OneToOneField(
        "plans.Plan", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    initiating_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=20)
    initiated_on = models.DateField()
    consent_on = models.DateField(null=True)
    first_meeting_on = models.DateField(null=True)
    established_on = models.DateField(null=True)
    closed_on = models.DateField(null=True)
    closing_reason = models.CharField(max_length=30, blank=True)
    age_band = models.CharField(max_length=5, choices=AgeBand.choices)
    sex = models.CharField(max_length=7, choices=Sex.choices)
    # Days between the steps (initiative → consent → first meeting → established).
    consent_days = models.IntegerField(null=True)
    meeting_days = models.IntegerField(null=True)
    establish_days = models.IntegerField(null=True)
    # The local agreement's deadlines, by the agreement in force when each clock started.
    consent_due = models.DateField(null=True)
    meeting_due = models.DateField(null=True)
    lead_named = models.BooleanField(default=False)
    follow_up_set = models.BooleanField(default=False)
    follow_ups = models.PositiveIntegerField(default=0)
    # The follow-up date set when the plan was established, and the first follow-up held.
    first_follow_up_due = models.DateField(null=True)
    first_follow_up_on = models.DateField(null=True)
    goals = models.PositiveIntegerField(default=0)
    goals_achieved = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "initiated_on"], name="fact_org_initiated"),
            models.Index(fields=["initiated_on"], name="fact_initiated"),
            models.Index(fields=["established_on"], name="fact_established"),
            models.Index(fields=["closed_on"], name="fact_closed"),
        ]

    def __str__(self) -> str:
        return f"fact {self.plan_id}"


class PlanFactUnit(models.Model):
    """A unit that initiated or took part in the plan: how a unit, an organisation or a joint
    area finds its plans."""

    fact = models.ForeignKey(PlanFact, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fact", "unit"], name="fact_unit_unique"),
        ]
        indexes = [
            models.Index(fields=["unit", "fact"], name="fact_unit_idx"),
            models.Index(fields=["organization", "fact"], name="fact_unit_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.fact_id} – unit {self.unit_id}"


class PlanFactReason(models.Model):
    """One of the initiative's reasons (a plan may have several)."""

    fact = models.ForeignKey(PlanFact, on_delete=models.CASCADE, related_name="reasons")
    reason = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fact", "reason"], name="fact_reason_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.fact_id} – {self.reason}"


class MeetingFact(models.Model):
    """A SIP meeting held: the day, and whether the individual and relatives were there."""

    fact = models.ForeignKey(PlanFact, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    individual_present = models.BooleanField()
    relatives_present = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["held_on"], name="meeting_fact_held")]

    def __str__(self) -> str:
        return f"{self.fact_id} – {self.held_on}"


class FollowUpFact(models.Model):
    """A follow-up date of an established plan and the day a follow-up answered it (empty:
    not held). One row per follow-up recorded against a known date, and one for the plan's
    next follow-up date not yet answered (an open plan's, or a closed plan's that fell before
    the closing)."""

    fact = models.ForeignKey(PlanFact, on_delete=models.CASCADE, related_name="follow_up_dates")
    due_on = models.DateField()
    held_on = models.DateField(null=True)

    class Meta:
        indexes = [models.Index(fields=["due_on"], name="follow_up_fact_due")]

    def __str__(self) -> str:
        return f"{self.fact_id} – due {self.due_on}"


class AgreementTerms(models.Model):
    """The deadlines of an organisation's local agreement from a moment on (empty: since
    before the statistics were kept). Written when an agreement is saved or deleted."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    valid_from = models.DateTimeField(null=True)
    consent_within_days = models.PositiveSmallIntegerField()
    first_meeting_within_days = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organization", "valid_from"], name="terms_org_from")]

    def __str__(self) -> str:
        return f"{self.organization_id} from {self.valid_from}"


class MonthCount(models.Model):
    """How many plans (meetings, goals, follow-up dates) of a scope a measure counts in a
    month, by value: what the statistics pages read (see `measures`). Kept by the worker with
    each fact it writes; `services.month_counts_rebuild` counts them all again. A count that
    fell to 0 may stay as a row."""

    scope = models.CharField(max_length=40)  # measures.scope_key: "unit:7", "org:2", "joint:2-5"
    measure = models.CharField(max_length=30)
    month = models.DateField()  # the first day of the month
    value = models.CharField(max_length=30, blank=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "measure", "month", "value"], name="month_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.measure} {self.month:%Y-%m} {self.value}: {self.n}"


class Watermark(models.Model):
    """How far the worker has read the plans' events (the last PlanEvent id processed)."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_event_id}"
