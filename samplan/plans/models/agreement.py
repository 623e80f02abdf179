"""Local agreements between a region and its municipalities: the deadlines a SIP must meet."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class LocalAgreement(models.Model):
    """Per organisation; the defaults in plans.rules apply where none is set."""

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

    class Meta:
        verbose_name = _("local agreement")
        verbose_name_plural = _("local agreements")

    def __str__(self) -> str:
        return str(self.organization)
