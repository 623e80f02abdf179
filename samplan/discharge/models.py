"""Discharge from inpatient care (lag 2017:612): the admission, its notices to the units
concerned, and the SIP that starts when the patient leaves hospital.

The ward registers the admission of a patient expected to need interventions afterwards
(inskrivningsmeddelande), informs the units concerned of the planned discharge date, says
when the patient is ready for discharge (utskrivningsklar) and records the discharge. Each
step is an AdmissionEvent and a notice to the recipient units (AdmissionRecipient), who see
the patient only because they are named. With the patient's consent the discharge starts a
SIP (Admission.plan) whose invitations must go out within the local agreement's days.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Admission(models.Model):
    class State(models.TextChoices):
        ADMITTED = "admitted", _("Admitted")
        INFORMED = "informed", _("Planned discharge told")
        READY = "ready", _("Ready for discharge")
        DISCHARGED = "discharged", _("Discharged")

    class SipDecision(models.TextChoices):
        START = "start", _("Yes, and the patient consents: start the SIP")
        NO_CONSENT = "no_consent", _("Yes, but the patient does not consent")
        NOT_NEEDED = "not_needed", _("No, no SIP is needed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="admissions",
    )
    ward = models.ForeignKey(
        "accounts.Unit", verbose_name=_("ward"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.ADMITTED
    )
    lock_version = models.PositiveIntegerField(default=1)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("notice sent"), auto_now_add=True)
    admitted_on = models.DateField(_("admitted on"))
    expected_needs = models.TextField(_("interventions expected after discharge"))
    reasons = models.JSONField(_("reasons for a SIP"), default=list)
    planned_discharge = models.DateField(_("planned discharge"), null=True, blank=True)
    information = models.TextField(_("information to the units concerned"), blank=True)
    informed_at = models.DateTimeField(_("information sent"), null=True, blank=True)
    ready_on = models.DateField(_("ready for discharge on"), null=True, blank=True)
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    care_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designated care contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    care_contact_unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sip_decision = models.CharField(
        _("SIP after discharge"), max_length=12, choices=SipDecision.choices, blank=True
    )
    plan = models.OneToOneField(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="admission",
    )
    invitation_due = models.DateField(_("invitations sent by"), null=True, blank=True)
    invited_on = models.DateField(_("invitations sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        ordering = ["-admitted_on", "-registered_at"]
        indexes = [models.Index(fields=["ward", "state"], name="admission_ward_state_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.admitted_on}"


class AdmissionRecipient(models.Model):
    """A unit concerned: it gets every notice about the admission and sees the patient."""

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["admission", "unit"], name="admission_recipient_unique")
        ]
        indexes = [models.Index(fields=["unit", "admission"], name="admission_recipient_unit_idx")]

    def __str__(self) -> str:
        return str(self.unit)


class AdmissionEvent(models.Model):
    """One step of the discharge: who did it, from which unit, when. Never changed."""

    class Kind(models.TextChoices):
        ADMITTED = "admitted", _("Notice of admission sent")
        INFORMED = "informed", _("Planned discharge told")
        READY = "ready", _("Notice: ready for discharge")
        CARE_CONTACT = "care_contact", _("Designated care contact appointed")
        DISCHARGED = "discharged", _("Notice of discharge sent")
        SIP_STARTED = "sip_started", _("SIP started at discharge")
        ACKNOWLEDGED = "acknowledged", _("Notice acknowledged")

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acting_unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
