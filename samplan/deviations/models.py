"""Collaboration failures (brister i samverkan) and their joint handling.

Anyone taking part in a plan, and any unit manager, reports a failure (`Deviation`) that
concerns one or more units; the unit managers of the units concerned handle it together: a
comment thread, agreed actions with an owner and a day, and a conclusion. A report not
concluded within the days of its step moves up the local agreement's escalation ladder
(`plans.EscalationStep`), by itself, in the worker. Every step is a `DeviationEvent`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Deviation(models.Model):
    class Kind(models.TextChoices):
        PRINCIPAL_ABSENT = "principal_absent", _("A principal did not take part or declined")
        INVITATION_UNANSWERED = "invitation_unanswered", _("An invitation was not answered in time")
        DEADLINE_MISSED = "deadline_missed", _("A deadline of the local agreement was missed")
        INTERVENTION_NOT_DELIVERED = (
            "intervention_not_delivered",
            _("An intervention in the plan was not delivered"),
        )
        INFORMATION_NOT_PASSED = "information_not_passed", _("Information was not passed on")
        RESPONSIBILITY = "responsibility", _("Disagreement about responsibility")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        REPORTED = "reported", _("Reported")
        HANDLING = "handling", _("Being handled")
        CONCLUDED = "concluded", _("Concluded")

    class Conclusion(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        NOT_A_FAILURE = "not_a_failure", _("Not a failure of collaboration")
        ESCALATED = "escalated", _("Escalated")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    what_happened = models.TextField(_("what happened"), max_length=4000)
    happened_on = models.DateField(_("when"))
    consequence = models.TextField(_("the consequence for the individual"), max_length=4000)
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("SIP"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deviations",
    )
    units = models.ManyToManyField(
        "accounts.Unit", verbose_name=_("units concerned"), related_name="deviations"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deviations_reported"
    )
    reporting_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True)
    # Where the proposal came from (samplan.deviations.suggestions), so it is made once.
    suggestion = models.CharField(max_length=100, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.REPORTED
    )
    # The local agreement whose escalation ladder the report climbs: the plan's (its initiating
    # organisation's), or without a plan the reporting unit's organisation's.
    agreement_organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    # The step of the ladder it is at (1: the unit managers concerned; 2 and up: the
    # agreement's EscalationSteps) and the last day of that step.
    level = models.PositiveSmallIntegerField(_("step"), default=1)
    level_due = models.DateField(_("to be concluded by"), null=True, blank=True)
    conclusion = models.CharField(
        _("conclusion"), max_length=20, choices=Conclusion.choices, blank=True
    )
    conclusion_text = models.TextField(_("about the conclusion"), blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("collaboration failure")
        verbose_name_plural = _("collaboration failures")
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["state", "level_due"], name="deviation_state_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on}"


class DeviationAction(models.Model):
    """An action the unit managers agree on, with an owner and a day."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(_("what"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due = models.DateField(_("by"))
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.what


class DeviationReference(models.Model):
    """The report's number in an organisation's own deviation system."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="references")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference in the organisation's own system"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deviation", "organization"], name="deviation_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class DeviationEvent(models.Model):
    """Who did what to the report, from which unit, when, and why. Never changed."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("Reported")
        COMMENTED = "commented", _("Comment")
        ACTION_AGREED = "action_agreed", _("Action agreed")
        ACTION_DONE = "action_done", _("Action done")
        CONCLUDED = "concluded", _("Concluded")
        ESCALATED = "escalated", _("Escalated")
        REFERENCE = "reference", _("Reference recorded")
        OVERDUE = "overdue", _("Past the days of the last step")

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    acting_unit = models.ForeignKey(
        "accounts.Unit", null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("step"), default=1)  # the step it was at after
    summary = models.CharField(max_length=300)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class SuggestionDismissal(models.Model):
    """A proposed report a unit dismissed, with the reason: it is not proposed again."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    suggestion = models.CharField(max_length=100)
    reason = models.CharField(_("reason"), max_length=500)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "suggestion"], name="suggestion_dismissal_unique"
            )
        ]

    def __str__(self) -> str:
        return self.suggestion
