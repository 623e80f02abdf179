"""Organisations, their units, staff users and their memberships in units."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samplan.core.identifiers import (
    normalize_organization_number,
    validate_hsa_id,
    validate_municipality_code,
    validate_organization_number,
)


class Organization(models.Model):
    """A principal (municipality or region) or another actor such as Försäkringskassan."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        OTHER = "other", _("Other actor")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organization_number = models.CharField(
        _("organisation number"),
        max_length=11,
        unique=True,
        validators=[validate_organization_number],
        help_text=_("Ten digits, for example 212000-0142."),
    )
    municipality_code = models.CharField(
        _("municipality code"),
        max_length=4,
        blank=True,
        validators=[validate_municipality_code],
        help_text=_("Four digits; municipalities only."),
    )
    hsa_id = models.CharField(_("HSA-id"), max_length=40, blank=True, validators=[validate_hsa_id])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hsa_id"], condition=~Q(hsa_id=""), name="organization_hsa_id_unique"
            ),
            models.UniqueConstraint(
                fields=["municipality_code"],
                condition=~Q(municipality_code=""),
                name="organization_municipality_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind="municipality", municipality_code__regex=r"^[0-9]{4}$")
                | (~Q(kind="municipality") & Q(municipality_code="")),
                name="organization_municipality_code_only_for_municipalities",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_principal(self) -> bool:
        """Only a municipality or a region can be a principal (huvudman) of a SIP."""
        return self.kind in {self.Kind.MUNICIPALITY, self.Kind.REGION}

    def clean(self) -> None:
        if self.organization_number:
            try:
                self.organization_number = normalize_organization_number(self.organization_number)
            except ValidationError as error:
                raise ValidationError({"organization_number": error.messages}) from None
        if self.kind == self.Kind.MUNICIPALITY and not self.municipality_code:
            raise ValidationError(
                {"municipality_code": _("A municipality needs its four-digit municipality code.")}
            )
        if self.kind != self.Kind.MUNICIPALITY and self.municipality_code:
            raise ValidationError(
                {"municipality_code": _("Only a municipality has a municipality code.")}
            )


class Unit(models.Model):
    """A part of an organisation that gives interventions, e.g. a primary care centre."""

    class Kind(models.TextChoices):
        PRIMARY_CARE = "primary_care", _("Primary care centre")
        PSYCHIATRIC_CLINIC = "psychiatric_clinic", _("Psychiatric clinic")
        CHILD_PSYCHIATRY = "child_psychiatry", _("Child and adolescent psychiatry")
        HOSPITAL_WARD = "hospital_ward", _("Hospital ward")
        HABILITATION = "habilitation", _("Habilitation")
        ADDICTION_CARE = "addiction_care", _("Addiction care")
        NEEDS_ASSESSMENT = "needs_assessment", _("Needs assessment")
        SOCIAL_PSYCHIATRY = "social_psychiatry", _("Social psychiatry")
        HOME_CARE = "home_care", _("Home care")
        HOME_HEALTH_CARE = "home_health_care", _("Municipal health care")
        INDIVIDUAL_FAMILY = "individual_family", _("Individual and family care")
        DISABILITY_SUPPORT = "disability_support", _("Disability support (LSS)")
        SCHOOL_HEALTH = "school_health", _("School health")
        SCHOOL = "school", _("School")
        SOCIAL_INSURANCE = "social_insurance", _("Social insurance office")
        EMPLOYMENT = "employment", _("Employment service")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    hsa_id = models.CharField(_("HSA-id"), max_length=40, blank=True, validators=[validate_hsa_id])
    email = models.EmailField(
        _("functional e-mail"), help_text=_("A shared address that someone reads every day.")
    )
    phone = models.CharField(_("phone"), max_length=30)
    is_active = models.BooleanField(_("active"), default=True)
    receives_requests = models.BooleanField(
        _("receives requests"),
        default=False,
        help_text=_(
            "The organisation's receiving unit: it gets the requests for a SIP from Min SIP "
            "and brings in the right unit."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unit_name_unique"),
            models.UniqueConstraint(
                fields=["hsa_id"], condition=~Q(hsa_id=""), name="unit_hsa_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.organization.name}"


class User(AbstractUser):
    """A staff member. Individuals (Person) never log in with a User account."""

    title = models.CharField(
        _("title"), max_length=100, blank=True, help_text=_("For example nurse or social worker.")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    hsa_id = models.CharField(_("HSA-id"), max_length=40, blank=True, validators=[validate_hsa_id])

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_system_administrator(self) -> bool:
        """System administrators manage organisations, units and users in the admin."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        remembered = self.__dict__.get("_live_memberships")
        if remembered is not None:
            return any(m.role == Membership.Role.ADMINISTRATOR for m in remembered)
        return self.memberships.filter(
            role=Membership.Role.ADMINISTRATOR, is_active=True, unit__is_active=True
        ).exists()

    def active_memberships(self) -> models.QuerySet["Membership"]:
        return self.memberships.filter(is_active=True, unit__is_active=True).select_related(
            "unit", "unit__organization"
        )

    def memberships_remember(self) -> list["Membership"]:
        """The live memberships, read once for this request's user (ActingUnitMiddleware) so
        the header and the role checks of one page do not each query them again."""
        self._live_memberships = list(self.active_memberships())
        return self._live_memberships

    def memberships_remembered(self) -> list["Membership"]:
        remembered = self.__dict__.get("_live_memberships")
        return remembered if remembered is not None else list(self.active_memberships())


class Membership(models.Model):
    """A user's place in a unit, with a role. A user may belong to several units."""

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Caseworker")
        UNIT_MANAGER = "unit_manager", _("Unit manager")
        ADMINISTRATOR = "administrator", _("Administrator")
        # Figures only, never a plan (samplan.plans.rules.PLAN_ROLES).
        ANALYST = "analyst", _("Organisation analyst")
        JOINT_ANALYST = "joint_analyst", _("Joint-area analyst")
        # A record system's API client acts for its unit (samplan.api): as a caseworker
        # for the plans, never offered or notified as a person.
        SYSTEM = "system", _("System (API client)")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit__organization__name", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.unit} ({self.get_role_display()})"
