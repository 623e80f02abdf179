"""Local agreements between a region and its municipalities: the deadlines a SIP must meet."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class LocalAgreement(models.Model):
    """Per organisation; the defaults in plans.rules apply where none is set."""

    class DayCount(models.TextChoices):
        CALENDAR = "calendar", _("Calendar days")
        WORKING = "working", _("Working days (Monday to Friday, not public holidays)")

    organization = models.OneToOneField(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="local_agreement",
    )
    consent_within_days = models.PositiveSmallIntegerField(
        _("consent within (days from the initiative)"),
        default=5,
        help_text=_("'Without delay': how soon the consent should be recorded."),
    )
    first_meeting_within_days = models.PositiveSmallIntegerField(
        _("first meeting within (days from consent)"), default=15
    )
    due_soon_days = models.PositiveSmallIntegerField(_("flag as due soon (days before)"), default=7)
    child_reads_from_age = models.PositiveSmallIntegerField(
        _("a child reads his or her own plan in Min SIP from the age of"),
        default=16,
        validators=[MinValueValidator(12), MaxValueValidator(17)],
        help_text=_(
            "Between 12 and 17. The child reads the plan and may write messages; the guardians "
            "still approve and decide until the child is 18."
        ),
    )

    discharge_invitation_within_days = models.PositiveSmallIntegerField(
        _("invitations to the SIP within (days from the discharge)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "After discharge from inpatient care (lag 2017:612) the designated care contact "
            "invites to the SIP meeting within this many days."
        ),
    )
    discharge_days_counted = models.CharField(
        _("the days after discharge are counted as"),
        max_length=10,
        choices=DayCount.choices,
        default=DayCount.CALENDAR,
    )

    failure_first_step_days = models.PositiveSmallIntegerField(
        _("days for the unit managers to conclude a collaboration failure"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "A reported failure of collaboration is first handled by the unit managers of the "
            "units concerned. If they have not concluded it within this many days, it moves up "
            "to the next step of the escalation ladder by itself."
        ),
    )

    class Meta:
        verbose_name = _("local agreement")
        verbose_name_plural = _("local agreements")

    def __str__(self) -> str:
        return str(self.organization)


class EscalationStep(models.Model):
    """A step above the unit managers in the agreement's escalation ladder for collaboration
    failures (e.g. the heads of operations, then the joint management group), with the days a
    report may stay there before it moves up again."""

    agreement = models.ForeignKey(
        LocalAgreement,
        verbose_name=_("local agreement"),
        on_delete=models.CASCADE,
        related_name="escalation_steps",
    )
    number = models.PositiveSmallIntegerField(
        _("step"),
        validators=[MinValueValidator(2), MaxValueValidator(9)],
        help_text=_("Step 1 is always the unit managers of the units concerned; number from 2."),
    )
    name = models.CharField(_("name"), max_length=200)
    days = models.PositiveSmallIntegerField(
        _("days at this step"), validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    email = models.EmailField(_("functional e-mail"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="escalation_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"
