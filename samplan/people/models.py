"""Individuals (den enskilde), their guardians and relatives, and grants to see protected data."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan.people import identity

ADULT_AGE = 18


class PersonQuerySet(models.QuerySet):
    def by_identity_number(self, raw: str) -> "PersonQuerySet":
        """Exact lookup; raises ValidationError for a malformed number."""
        try:
            number = identity.parse_identity_number(raw)
        except ValidationError:
            number = identity.parse_reservnummer(raw)
        return self.filter(identity_kind=number.kind, identity_number=number.value)


class Person(models.Model):
    """An individual: the person a SIP is about, or a guardian or relative of one.

    The primary key is a UUID so that URLs never carry an identity number.
    """

    class IdentityKind(models.TextChoices):
        PERSONNUMMER = identity.PERSONNUMMER, _("Personal identity number")
        SAMORDNINGSNUMMER = identity.SAMORDNINGSNUMMER, _("Coordination number")
        RESERVNUMMER = identity.RESERVNUMMER, _("Reserve number")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identity_kind = models.CharField(
        _("kind of identity number"), max_length=20, choices=IdentityKind.choices
    )
    identity_number = models.CharField(_("identity number"), max_length=20)
    birth_date = models.DateField(_("date of birth"))
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    protected_identity = models.BooleanField(
        _("protected identity"),
        default=False,
        help_text=_(
            "Sekretessmarkering or skyddad folkbokföring: address and contact details are "
            "hidden from staff without an explicit grant."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("individual")
        verbose_name_plural = _("individuals")
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["identity_kind", "identity_number"], name="person_identity_unique"
            ),
        ]
        indexes = [
            # The few individuals with protected identity (the log review flags their reads).
            models.Index(
                fields=["id"],
                name="person_protected_idx",
                condition=models.Q(protected_identity=True),
            ),
        ]

    def __str__(self) -> str:
        # Never the identity number: __str__ ends up in logs and admin history.
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def identity_display(self) -> str:
        return identity.format_identity_number(self.identity_kind, self.identity_number)

    def age(self, today: datetime.date | None = None) -> int:
        today = today or timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def is_child(self, today: datetime.date | None = None) -> bool:
        return self.age(today) < ADULT_AGE

    @property
    def guardians(self) -> models.QuerySet["Person"]:
        return Person.objects.filter(
            relations_as_related__person=self,
            relations_as_related__kind=Relation.Kind.GUARDIAN,
        )

    def contact_details_visible_to(self, user) -> bool:
        """Protected identity: address and contact details only with a valid explicit grant."""
        if not self.protected_identity:
            return True
        return self.contact_grants.active().filter(user=user).exists()


class Relation(models.Model):
    """A guardian of a child, or a relative the individual wants to involve."""

    class Kind(models.TextChoices):
        GUARDIAN = "guardian", _("Guardian")
        RELATIVE = "relative", _("Relative")

    person = models.ForeignKey(
        Person, verbose_name=_("individual"), on_delete=models.CASCADE, related_name="relations"
    )
    related = models.ForeignKey(
        Person,
        verbose_name=_("related person"),
        on_delete=models.PROTECT,
        related_name="relations_as_related",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(
        _("relationship"), max_length=100, blank=True, help_text=_("For example mother or brother.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.UniqueConstraint(fields=["person", "related", "kind"], name="relation_unique"),
            models.CheckConstraint(
                condition=~Q(person=models.F("related")), name="relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.related} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.person_id and self.related_id and self.person_id == self.related_id:
            raise ValidationError(_("A person cannot be related to himself or herself."))
        if self.kind == self.Kind.GUARDIAN and self.person_id and not self.person.is_child():
            raise ValidationError(_("Only a child under 18 has guardians."))


class ContactGrantQuerySet(models.QuerySet):
    def active(self) -> "ContactGrantQuerySet":
        today = timezone.localdate()
        return self.filter(revoked_at__isnull=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )


class ContactGrant(models.Model):
    """An explicit grant for one staff member to see a protected person's contact details."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("individual"),
        on_delete=models.CASCADE,
        related_name="contact_grants",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted to"),
        on_delete=models.CASCADE,
        related_name="contact_grants",
    )
    reason = models.CharField(_("reason"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ContactGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant to see contact details")
        verbose_name_plural = _("grants to see contact details")

    def __str__(self) -> str:
        return f"{self.user} → {self.person}"
