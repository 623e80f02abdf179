"""Immutable plan versions, follow-ups and the record of who was told about a closing."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanVersion(models.Model):
    """A numbered, frozen copy of the plan as established or revised. Never changed."""

    class Approval(models.TextChoices):
        PENDING = "pending", _("Awaiting the individual's approval")
        APPROVED = "approved", _("Approved by the individual")
        DECLINED = "declined", _("Declined by the individual")

    class Method(models.TextChoices):
        MEETING_ORAL = "meeting_oral", _("Orally at the meeting")
        MEETING_WRITTEN = "meeting_written", _("In writing at the meeting")
        PHONE = "phone", _("By phone")
        DIGITAL = "digital", _("Digitally")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField()
    approval = models.CharField(max_length=10, choices=Approval.choices)
    approval_method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approval_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["plan_id", "number"]  # plan_id: no join to the plans to order
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"version {self.number}"


class VersionCopy(models.Model):
    """A PDF copy of an established version as it was rendered, so that the same copy is not
    rendered again (WeasyPrint takes about 0.3 s of CPU a page set; docs/performance.md).

    The copy also shows a few live facts (the lead's contact, the next meeting, the day it was
    printed) and a relative sees only the sections shared with him or her, so a copy is found
    by the digest of the HTML it was made from: any difference renders a new one. Only the
    copies of the version shown today are kept (samplan.plans.pdf).
    """

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="copies")
    digest = models.CharField(max_length=64)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "digest"], name="version_copy_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.digest[:12]}"


class CopyGiven(models.Model):
    """Who got a copy of a version, when and how: the guideline asks whoever writes the plan
    to hand everyone a copy, the individual first, and the JO expects it to be documented."""

    class Method(models.TextChoices):
        AT_MEETING = "at_meeting", _("In person at the meeting")
        IN_PERSON = "in_person", _("In person, another time")
        POST = "post", _("By post")
        MIN_SIP = "min_sip", _("In Min SIP")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="copies_given")
    given_to = models.ForeignKey(
        "people.Person", verbose_name=_("given to"), on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("date"))
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # empty when the copy was taken in Min SIP
    recorded_unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version_id", "given_on", "id"]
        constraints = [
            # A copy taken in Min SIP is recorded once per version and person.
            models.UniqueConstraint(
                fields=["version", "given_to"],
                condition=models.Q(method="min_sip"),
                name="copy_given_min_sip_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.given_to} ({self.get_method_display()})"


class FollowUp(models.Model):
    """A follow-up: the guideline's five questions and a decision."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue the plan as it is")
        REVISE = "revise", _("Revise the plan (new version)")
        CLOSE = "close", _("Close the plan")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="follow_ups")
    meeting = models.ForeignKey(
        "plans.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    how_it_went = models.TextField(_("How has it gone?"))
    helped_hindered = models.TextField(_("What has helped or hindered?"))
    coordination_needed = models.BooleanField(_("Is continued coordination needed?"))
    continue_interventions = models.TextField(_("Should the interventions continue?"))
    child_view = models.TextField(_("the child's own view"), blank=True)
    decision = models.CharField(
        _("Close or revise the plan?"), max_length=10, choices=Decision.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The follow-up date this follow-up answered: the plan's next follow-up when it was
    # recorded (empty when not known, for some recorded before the date was kept here).
    due_on = models.DateField(_("follow-up due"), null=True, blank=True)

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.recorded_at:%Y-%m-%d}"


class ClosingNotice(models.Model):
    """The record that a participant was told the plan is closed: written by Samplan when its
    closing notice goes out, or by the lead who told someone in another way."""

    class Method(models.TextChoices):
        SAMPLAN = "samplan", _("Notice from Samplan")
        LEAD = "lead", _("Recorded by the lead")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="closing_notices")
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # empty when the individual closed the SIP in Min SIP and Samplan sent the notices
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.LEAD)
    informed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.unit or self.person)
