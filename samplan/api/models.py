"""System clients of the API (record systems), their access tokens and the client assertions
already used (docs/api.md)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from samplan.api.jwks import jwks_problem


class ApiClient(models.Model):
    """A record system acting for one unit. It authenticates with a JWT signed by its private
    key (private_key_jwt); Samplan keeps only the public keys. Its service user holds a
    caseworker membership of the unit, so every service works unchanged and every plan event
    is attributable to the client."""

    client_id = models.UUIDField(_("client id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=150)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    may_read = models.BooleanField(_("may read (scope read)"), default=True)
    may_write = models.BooleanField(_("may write (scope write)"), default=False)
    jwks = models.JSONField(
        _("public keys (JWKS)"),
        default=dict,
        help_text=_('The record system\'s public keys as a JWKS: {"keys": [...]}.'),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Untick to suspend the client: its tokens stop working at once."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service user"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="api_client",
    )

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Checked here, not in clean(), so that a form which refused the field already
        # (exclude) does not say it twice.
        problem = None if exclude and "jwks" in exclude else jwks_problem(self.jwks)
        if problem and "jwks" not in errors:
            errors["jwks"] = [problem]
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        super().clean()
        if not (self.may_read or self.may_write):
            raise ValidationError(_("Give the client at least one scope: read or write."))

    @property
    def scopes(self) -> set[str]:
        return {name for name, on in (("read", self.may_read), ("write", self.may_write)) if on}


class ApiToken(models.Model):
    """An access token: only its SHA-256 is stored. Valid for five minutes."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.client} {self.created_at:%Y-%m-%d %H:%M}"


class UsedAssertion(models.Model):
    """A client assertion's jti, kept until the assertion expires: a replay is refused."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "jti"], name="used_assertion_unique")
        ]

    def __str__(self) -> str:
        return self.jti
