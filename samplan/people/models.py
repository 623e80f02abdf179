"""Individuals (den enskilde), their guardians and relatives, and grants to see protected data."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan.core import dates
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
    listed_primary_care = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("listed at primary care centre"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="listed_persons",
        limit_choices_to={"kind": "primary_care"},
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
    """Someone around the individual: a guardian of a child, a relative or other close person,
    or a representative (god man, förvaltare, ombud with a power of attorney)."""

    class Kind(models.TextChoices):
        GUARDIAN = "guardian", _("Guardian")
        RELATIVE = "relative", _("Relative or other close person")
        GOD_MAN = "god_man", _("God man")
        ADMINISTRATOR = "forvaltare", _("Förvaltare")
        AGENT = "ombud", _("Ombud with a power of attorney")

    class MinSip(models.TextChoices):
        """How far a representative's appointment or power of attorney lets him or her act for
        the individual in Min SIP. Ranked: each level includes the ones before it."""

        NONE = "none", _("No access in Min SIP")
        READ = "read", _("Reads the plan")
        WRITE = "write", _("Reads the plan and writes to those responsible")
        ANSWER = "answer", _("Reads, writes and answers new versions of the plan")

    class Basis(models.TextChoices):
        POPULATION_REGISTER = "population_register", _("The population register")
        COURT = "court", _("A court's decision")
        GUARDIANSHIP_AUTHORITY = "overformyndare", _("The överförmyndare's decision")
        POWER_OF_ATTORNEY = "power_of_attorney", _("A written power of attorney")
        OTHER = "other", _("Other")

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
    basis = models.CharField(_("based on"), max_length=20, choices=Basis.choices, blank=True)
    scope = models.CharField(
        _("what it covers"),
        max_length=300,
        blank=True,
        help_text=_("For a representative: what the appointment or power of attorney covers."),
    )
    min_sip = models.CharField(
        _("access in Min SIP"),
        max_length=10,
        choices=MinSip.choices,
        default=MinSip.NONE,
        help_text=_(
            "For a representative: what the appointment or power of attorney lets him or her "
            "do in the individual's SIP."
        ),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    REPRESENTATIVES = (Kind.GOD_MAN, Kind.ADMINISTRATOR, Kind.AGENT)

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
        """The relation's own rules, for every way in (the plan's page, the admin, the demo)."""
        errors: dict[str, str] = {}
        if self.person_id and self.related_id and self.person_id == self.related_id:
            errors["related"] = _("A person cannot be related to himself or herself.")
        elif self.kind == self.Kind.GUARDIAN and self.person_id and self.related_id:
            if not self.person.is_child():
                errors["kind"] = _("Only a child under 18 has guardians.")
            elif self.related.is_child():
                errors["related"] = _("A guardian must be 18 or older.")
            elif Relation.objects.filter(
                person_id=self.related_id, related_id=self.person_id, kind=self.Kind.GUARDIAN
            ).exists():
                errors["related"] = _(
                    "The two cannot be each other's guardian: the other is already registered "
                    "as this person's child."
                )
            elif not self.basis:
                errors["basis"] = _("Say what the guardianship is based on.")
        if (
            "related" not in errors
            and self.person_id
            and self.related_id
            and Relation.objects.filter(
                person_id=self.person_id, related_id=self.related_id, kind=self.kind
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["related"] = _("The person is already registered in that role.")
        if self.kind not in self.REPRESENTATIVES and self.min_sip != self.MinSip.NONE:
            errors["min_sip"] = _(
                "Only a god man, förvaltare or ombud acts for the individual in Min SIP. A "
                "guardian acts for a child by law; a relative is invited by the individual."
            )
        if self.kind == self.Kind.AGENT and not self.scope.strip():
            errors["scope"] = _("Write what the power of attorney covers.")
        if problem := dates.date_problem("valid_until", self.valid_until):
            errors["valid_until"] = problem
        if errors:
            raise ValidationError(errors)


class ContactGrantQuerySet(models.QuerySet):
    def active(self) -> "ContactGrantQuerySet":
        today = timezone.localdate()
        return self.filter(revoked_at__isnull=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )


class ContactGrant(models.Model):
    """An explicit grant to see a protected person's contact details: for a named unit (given
    by a unit manager from the plan, with a reason and an end date) or, from the admin, for
    one staff member. It ends by itself on its end date."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("individual"),
        on_delete=models.CASCADE,
        related_name="contact_grants",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_grants",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("granted to the unit"),
        null=True,
        blank=True,
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
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(unit__isnull=False),
                name="contact_grant_has_grantee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user or self.unit} → {self.person}"
