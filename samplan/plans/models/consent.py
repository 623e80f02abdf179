"""Consent to the plan: who may take part and share information, and what it must not cover."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Consent(models.Model):
    """One recorded consent decision. A change is a new row; the highest number is current."""

    class Decision(models.TextChoices):
        GIVEN = "given", _("Given")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Mode(models.TextChoices):
        ORAL = "oral", _("Oral")
        WRITTEN = "written", _("Written")
        DIGITAL = "digital", _("Digital")

    class GivenBy(models.TextChoices):
        INDIVIDUAL = "individual", _("The individual")
        GUARDIANS = "guardians", _("The guardians (for a child)")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="consents")
    number = models.PositiveIntegerField(_("version"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    decided_on = models.DateField(_("date"))
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices)
    given_by = models.CharField(_("given by"), max_length=12, choices=GivenBy.choices)
    guardians = models.ManyToManyField(
        "people.Person", verbose_name=_("guardians who consented"), blank=True, related_name="+"
    )
    child_view = models.TextField(_("the child's own view"), blank=True)
    units = models.ManyToManyField(
        "accounts.Unit", verbose_name=_("units that may take part"), blank=True, related_name="+"
    )
    relatives = models.ManyToManyField(
        "people.Person", verbose_name=_("relatives who may take part"), blank=True, related_name="+"
    )
    exclusions = models.TextField(_("what the plan must not cover"), blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_citizen = models.ForeignKey(
        "people.Person",
        verbose_name=_("recorded in Min SIP by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["plan_id", "-number"]  # plan_id: no join to the plans to order
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="consent_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.decided_on}"


class ConsentLimit(models.Model):
    """What one unit may take part in under a consent, when the individual limits it: only the
    shared goals and its own interventions, and/or not the items of some topics. A unit without
    a limit takes part in the whole plan. Part of the consent: a change is a new consent."""

    class Reach(models.TextChoices):
        WHOLE = "whole", _("The whole plan")
        SHARED = "shared", _("The shared goals and its own interventions")

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="limits")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    reach = models.CharField(
        _("may take part in"), max_length=10, choices=Reach.choices, default=Reach.WHOLE
    )
    topics = models.JSONField(_("topics it must not see"), default=list, blank=True)

    class Meta:
        verbose_name = _("consent limit")
        verbose_name_plural = _("consent limits")
        constraints = [
            models.UniqueConstraint(fields=["consent", "unit"], name="consent_limit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_reach_display()} {self.topics}"
