"""SIP meetings, their invitations (kallelse) and attendance."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    class Kind(models.TextChoices):
        FIRST = "first", _("First SIP meeting")
        FOLLOW_UP = "follow_up", _("Follow-up meeting")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    starts_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A chair who is not staff: a relative, the individual or anyone else the individual chooses.
    chair_name = models.CharField(_("chair who is not staff"), max_length=200, blank=True)
    chair_chosen_by_individual = models.BooleanField(
        _("the individual chose the chair"), default=False
    )
    # An interpreter booked to attend (name or agency, and the language).
    interpreter = models.CharField(_("interpreter booked"), max_length=200, blank=True)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opening_notes = models.TextField(_("opening"), blank=True)
    summary_notes = models.TextField(_("summary"), blank=True)
    # For a child: what the child thinks, heard at each meeting (barnkonventionen art. 12).
    child_view = models.TextField(_("the child's own view"), blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        # A plan's scheduled meetings from now on: the worklist's next meeting and its filter.
        indexes = [
            models.Index(fields=["plan", "status", "starts_at"], name="meeting_plan_status_at")
        ]
        # One first SIP meeting per plan (a cancelled one may be booked again).
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(kind="first") & ~models.Q(status="cancelled"),
                name="meeting_one_first_per_plan",
                violation_error_message=_("The SIP already has a first meeting."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class Invitee(models.Model):
    """Someone invited to a meeting: a unit, or the individual or a relative."""

    class Mode(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral")
        DIGITAL = "digital", _("Digital")

    class Response(models.TextChoices):
        PENDING = "pending", _("Not answered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("invited how"), max_length=10, choices=Mode.choices)
    response = models.CharField(
        _("answer"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    attended = models.BooleanField(_("attended"), null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, person__isnull=True)
                | models.Q(unit__isnull=True, person__isnull=False),
                name="invitee_unit_or_person",
            ),
            models.UniqueConstraint(fields=["meeting", "unit"], name="invitee_unit_unique"),
            models.UniqueConstraint(fields=["meeting", "person"], name="invitee_person_unique"),
        ]

    def __str__(self) -> str:
        return str(self.unit or self.person)
