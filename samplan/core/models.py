"""What every part of Samplan shares: the record of forms already sent (samplan.core.once)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """A form that has been sent once: its one-time token and where its success led.

    A form carries a fresh token (`{% once %}`); a second POST with the same token (a double
    click, a slow connection, Back and send again, two tabs) creates nothing and is led to
    the first one's result. Kept for a day (the worker forgets older ones)."""

    token = models.UUIDField(_("token"), unique=True)
    path = models.CharField(_("path"), max_length=300)
    location = models.CharField(_("led to"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form sent")
        verbose_name_plural = _("forms sent")

    def __str__(self) -> str:
        return f"{self.path} → {self.location or '…'}"
