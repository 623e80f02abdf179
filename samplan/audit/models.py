"""Security events (logins, logouts, failed logins, acting-unit choices, changes of access in the
admin) and the access log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samplan.audit import chain


class SecurityEvent(models.Model):
    """One security-relevant event. Rows are only ever added, never changed."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGIN_LOCKED_OUT = "login_locked_out", _("Login locked after failures")
        LOGIN_THROTTLED = "login_throttled", _("Login refused: too many failures")
        ACTING_UNIT_CHOSEN = "acting_unit_chosen", _("Acting unit chosen")
        ACTING_UNIT_SWITCHED = "acting_unit_switched", _("Acting unit switched")
        CITIZEN_LOGIN = "citizen_login", _("Logged in to Min SIP")
        CITIZEN_LOGOUT = "citizen_logout", _("Logged out of Min SIP")
        MEMBERSHIP_CREATED = "membership_created", _("Membership created")
        MEMBERSHIP_CHANGED = "membership_changed", _("Membership changed")
        MEMBERSHIP_ENDED = "membership_ended", _("Membership ended")
        MEMBERSHIP_DELETED = "membership_deleted", _("Membership deleted")
        USER_CREATED = "user_created", _("Staff account created")
        USER_PRIVILEGES_CHANGED = (
            "user_privileges_changed",
            _("Account's active or superuser flag changed"),
        )
        USER_DELETED = "user_deleted", _("Staff account deleted")
        PASSWORD_CHANGED_BY_ADMIN = (
            "password_changed_by_admin",
            _("Password set by an administrator"),
        )

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attempted_username = models.CharField(_("attempted username"), max_length=150, blank=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("individual"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Set for logins to Min SIP."),
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("previous unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The administrator who made the change; the user is the one whose access changed."
        ),
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]
        indexes = [
            # Login throttling counts recent failures per address and in total.
            models.Index(fields=["kind", "ip_address", "at"], name="securityevent_kind_ip_at"),
            models.Index(fields=["kind", "at"], name="securityevent_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class AppendOnlyError(Exception):
    """The access log is append-only: an entry is never changed or deleted in the application.

    Deleting entries past their retention is done by `manage.py purge_access_log` only.
    """


class AccessLogQuerySet(models.QuerySet):
    """Refuses bulk changes: QuerySet.update() and delete() bypass Model.save() and delete()."""

    def update(self, **kwargs):
        raise AppendOnlyError(gettext("The access log is append-only: entries are never changed."))

    def delete(self):
        raise AppendOnlyError(gettext("The access log is append-only: entries are never deleted."))


class AccessLogEntry(models.Model):
    """One disclosure of an individual's data: who read what, from which unit, when.

    Patientdatalagen 4 kap. 3 § and HSLF-FS 2016:40 4 kap. 9 §: every access is logged with
    the user, the unit and care provider, the individual and the time.

    Append-only and hash-chained (docs/access-log.md). An entry is inserted unsealed, with a
    `content_hash` over its content and id; the sealer (services.access_log_seal) then gives it
    its `sequence` (numbering the entries without gaps), `prev_hash` (the previous entry's
    `entry_hash`) and `entry_hash` (covering this entry's content; samplan.audit.chain). Only
    samplan.audit.services writes entries. On PostgreSQL the table is partitioned by month on
    `at`, with (id, at) as its real primary key (migration 0011).
    """

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        CITIZEN = "citizen", _("Min SIP")
        # The log's own entries: a gap entry records ids that were never committed.
        SYSTEM = "system", _("System")

    # Set in Python before the insert, so that the hash can cover it.
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Empty only in the log's own gap entries.
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("individual"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object"), max_length=64)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    # The chain: empty until the entry is sealed. Unique by the sealer's lock and checked by
    # verification (a partitioned table cannot have a unique index without `at`).
    sequence = models.BigIntegerField(_("sequence"), null=True, editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, default="", editable=False)
    entry_hash = models.CharField(_("hash"), max_length=64, default="", editable=False)
    # SHA-256 over the content fields and the id (chain.content_canonical), set at insert.
    content_hash = models.CharField(_("content hash"), max_length=64, default="", editable=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-sequence"]
        indexes = [
            # Verification walks the sealed entries by sequence, then the unsealed ones by id.
            models.Index(fields=["sequence", "id"], name="audit_accesslog_sequence"),
            # The sealer finds the unsealed entries (few) without reading the sealed ones.
            models.Index(
                fields=["id"],
                name="audit_accesslog_unsealed",
                condition=models.Q(sequence__isnull=True),
            ),
            # The unit manager's review (a unit's period) and the individual's extract.
            models.Index(fields=["unit", "at"], name="audit_accesslog_unit_at"),
            models.Index(fields=["person", "at"], name="audit_accesslog_person_at"),
            # The review's newest reads by each heavy user of the unit.
            models.Index(fields=["unit", "user", "at"], name="audit_accesslog_unit_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(
                gettext("The access log is append-only: entries are never changed.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(gettext("The access log is append-only: entries are never deleted."))

    def chain_row(self) -> dict:
        """The fields the hash covers, as samplan.audit.chain expects them."""
        return {field: getattr(self, field) for field in (*chain.HASHED_FIELDS, "prev_hash")}

    def content_row(self) -> dict:
        """The fields the content hash covers (samplan.audit.chain.content_canonical)."""
        return {field: getattr(self, field) for field in ("id", *chain.CONTENT_FIELDS)}


class AccessLogVolume(models.Model):
    """How many sealed reads a user made for a unit on a day (UTC): kept by the sealer in the
    transaction that seals them, so the log review counts a heavy unit's month from a few
    hundred rows instead of its hundreds of thousands of entries. Not evidence: the entries
    are; the purge removes the days it removes from the log."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    reads = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "user", "day"], name="access_volume_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.user_id} {self.day}: {self.reads}"


class AccessLogHead(models.Model):
    """The one row that records where the access-log chain ends and where it starts.

    `sequence` and `entry_hash` are the latest sealed entry's, moved by the sealer, so that
    entries deleted from the end are noticed. `anchor_sequence` and `anchor_hash` are the last
    entry removed by the retention purge (0 and 64 zeros before any purge): the kept chain
    starts right after it. `sealed_id`: every id up to it is sealed or recorded in a gap
    entry; above it, verification checks that no id is missing.
    """

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    sequence = models.BigIntegerField(_("latest sequence"), default=0)
    entry_hash = models.CharField(_("latest hash"), max_length=64, default=chain.GENESIS_HASH)
    anchor_sequence = models.BigIntegerField(_("anchor sequence"), default=0)
    anchor_hash = models.CharField(_("anchor hash"), max_length=64, default=chain.GENESIS_HASH)
    sealed_id = models.BigIntegerField(_("sealed up to id"), default=0)

    class Meta:
        verbose_name = _("access log head")
        verbose_name_plural = _("access log head")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_accessloghead_single_row"),
            models.CheckConstraint(
                condition=models.Q(anchor_sequence__lte=models.F("sequence")),
                name="audit_accessloghead_anchor_not_after_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence} {self.entry_hash[:12]}"


class AccessReview(models.Model):
    """A documented sample check of a unit's accesses (HSLF-FS 2016:40 4 kap. 9 §)."""

    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), auto_now_add=True)
    period_start = models.DateTimeField(_("period from"))
    period_end = models.DateTimeField(_("period to"))
    sample = models.JSONField(_("sampled entries"), default=list)
    conclusion = models.TextField(_("conclusion"))

    class Meta:
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"{self.unit} {self.reviewed_at:%Y-%m-%d}"
