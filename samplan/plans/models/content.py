"""What the plan says: goals and interventions. Each keeps a stable uid across versions."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """What a goal or an intervention is about. A consent can keep a unit away from a topic
    ("the economy must not be discussed with Försäkringskassan"); untagged items are general."""

    ECONOMY = "economy", _("Economy and debts")
    ADDICTION = "addiction", _("Alcohol, drugs and gambling")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    PHYSICAL_HEALTH = "physical_health", _("Physical health and medication")
    HOUSING = "housing", _("Housing")
    FAMILY = "family", _("Family and relationships")
    OCCUPATION = "occupation", _("Work, school and daily activity")
    LEGAL = "legal", _("Police, courts and legal matters")


class Goal(models.Model):
    class Term(models.TextChoices):
        LONG = "long", _("Long-term")
        SHORT = "short", _("Short-term")

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        PARTLY = "partly", _("Partly achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        DROPPED = "dropped", _("Dropped")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="goals")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of goal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sub_goals",
    )
    term = models.CharField(_("term"), max_length=5, choices=Term.choices)
    text = models.TextField(_("goal, in the individual's own words"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("followed up by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.OPEN
    )
    position = models.PositiveIntegerField(default=0)
    lock_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Intervention(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="interventions")
    what = models.TextField(_("intervention"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    frequency = models.CharField(_("how often"), max_length=200, blank=True)
    depends_on = models.ForeignKey(
        "self",
        verbose_name=_("after"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    goals = models.ManyToManyField(
        Goal, verbose_name=_("serves the goals"), blank=True, related_name="interventions"
    )
    position = models.PositiveIntegerField(default=0)
    lock_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.what[:60]
