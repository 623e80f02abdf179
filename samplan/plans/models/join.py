"""A unit's request to take part in a SIP it does not see.

When a unit takes the initiative for an individual who already has an open SIP that the unit
does not take part in, Samplan starts no second plan and tells the unit nothing about the
first: the initiative becomes a `JoinRequest` to that plan's lead and writing units, who answer
it within the individual's consent (docs/security.md, finding 2).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samplan.plans.models.plan import Plan


class JoinRequest(models.Model):
    """An initiative that reached an existing SIP: a request from a unit to take part."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted: the unit takes part")
        DECLINED = "declined", _("Declined")

    plan = models.ForeignKey(
        Plan, verbose_name=_("SIP"), on_delete=models.CASCADE, related_name="join_requests"
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("requesting unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the initiative form said, as on Plan.
    source = models.CharField(
        _("proposed by"), max_length=20, choices=Plan.Source.choices, default=Plan.Source.STAFF
    )
    source_detail = models.CharField(_("who proposed it"), max_length=200, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    reason_text = models.TextField(_("other reasons"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer_unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(_("why it was declined"), blank=True)

    class Meta:
        verbose_name = _("request to take part")
        verbose_name_plural = _("requests to take part")
        ordering = ["created_at", "id"]
        constraints = [
            # A second initiative from the same unit while one waits adds nothing.
            models.UniqueConstraint(
                fields=["plan", "unit"],
                condition=models.Q(state="pending"),
                name="join_request_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(state="pending", answered_at__isnull=True)
                | (~models.Q(state="pending") & models.Q(answered_at__isnull=False)),
                name="join_request_answered_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.plan_id}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    def reason_labels(self) -> list[str]:
        labels = dict(Plan.Reason.choices)
        return [labels.get(code, code) for code in self.reasons]
