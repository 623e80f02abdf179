"""A request for a SIP from Min SIP by an individual (or a guardian for a child) without one."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SipRequest(models.Model):
    """The individual asks for a SIP in his or her own words. It goes to the receiving units
    of the organisations chosen (all receiving units when he or she does not know), one of
    which accepts it and starts the SIP (at itself or at a unit of its organisation it hands
    it to), or declines it with a reason.

    A staff member who wants another organisation to start a SIP but does not know which
    unit sends a referral the same way: `referred_by` and `referring_unit` are set, `asked_by`
    is empty and the contact is the referring unit."""

    class State(models.TextChoices):
        SENT = "sent", pgettext_lazy("request", "Sent")
        ACCEPTED = "accepted", pgettext_lazy("request", "Accepted")
        DECLINED = "declined", pgettext_lazy("request", "Declined")

    class ContactWay(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("individual"),
        on_delete=models.CASCADE,
        related_name="sip_requests",
    )
    asked_by = models.ForeignKey(
        "people.Person",
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="sip_requests_asked",
        null=True,
        blank=True,
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    referring_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("referring unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organizations = models.ManyToManyField(
        "accounts.Organization",
        verbose_name=_("organisations"),
        blank=True,
        related_name="+",
        help_text=_("None chosen: the individual does not know."),
    )
    text = models.TextField(_("in the individual's own words"), max_length=4000)
    contact_way = models.CharField(
        _("how to be contacted"), max_length=10, choices=ContactWay, blank=True
    )
    contact_detail = models.CharField(_("contact details"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.SENT)
    handled_unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    # The unit the receiving unit chose to take care of the SIP (itself, or another unit of
    # its organisation it handed the SIP to).
    handed_to = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("handed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(_("reason"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("request for a SIP")
        verbose_name_plural = _("requests for a SIP")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_state_display()})"

    @property
    def is_referral(self) -> bool:
        """Sent by a staff member of another unit, not by the individual or a guardian."""
        return self.referring_unit_id is not None
