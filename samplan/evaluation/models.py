"""The evaluation of a SIP by those who took part: the questionnaires, who was asked, and the
answers, kept apart.

- An `Instrument` (a questionnaire) has `InstrumentVersion`s; a version's `Question`s, their
  answer scales and their texts (Swedish, English, easy-read Swedish) are data, never code. A
  version that has answers is never changed: a change is a new version. The structure maps to
  FHIR Questionnaire / QuestionnaireResponse (samplan.evaluation.fhir).
- An `EvaluationRequest` is one person asked after one occasion (the plan established, or a
  follow-up): the individual or a guardian, a relative who took part, a staff member who took
  part. It records only that it was answered or declined, never the answer.
- An `EvaluationAnswer` has no path back to the plan, the person or the user: only the
  version, the occasion's kind, the respondent's category, the month and the units that took
  part, for figures (samplan.evaluation.results).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Occasion(models.TextChoices):
    ESTABLISHED = "established", _("The SIP was established")
    FOLLOW_UP = "follow_up", _("A follow-up")


class Category(models.TextChoices):
    INDIVIDUAL = "individual", _("The individual")
    GUARDIAN = "guardian", _("Guardian")
    RELATIVE = "relative", _("Relative")
    STAFF = "staff", _("Staff")


class Audience(models.TextChoices):
    """Who a questionnaire asks: the individual's side (the individual, guardians, relatives)
    or the staff who took part. Each has its own questionnaire in use."""

    CITIZENS = "citizens", _("The individual, guardians and relatives")
    STAFF = "staff", _("Staff")


# The audience whose questionnaire each respondent category answers.
AUDIENCE_OF = {
    Category.INDIVIDUAL: Audience.CITIZENS,
    Category.GUARDIAN: Audience.CITIZENS,
    Category.RELATIVE: Audience.CITIZENS,
    Category.STAFF: Audience.STAFF,
}


class Instrument(models.Model):
    """A questionnaire, in the versions it has had."""

    code = models.SlugField(_("code"), max_length=100, unique=True)
    audience = models.CharField(
        _("asks"), max_length=10, choices=Audience.choices, default=Audience.CITIZENS
    )
    name = models.CharField(_("name"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    # The canonical URL of the FHIR Questionnaire (kept from an import; else a Samplan URN).
    url = models.CharField(_("canonical URL"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("evaluation questionnaire")
        verbose_name_plural = _("evaluation questionnaires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """One version of a questionnaire. The one in use (`in_use`) is asked, one for each
    audience (the individual's side, the staff); a request keeps the version it was asked
    with, an answer the version it was answered on."""

    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    version = models.CharField(_("version"), max_length=20)
    title_sv = models.CharField(_("title (Swedish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_easy_sv = models.CharField(_("title (easy-read Swedish)"), max_length=200, blank=True)
    intro_sv = models.TextField(_("introduction (Swedish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_easy_sv = models.TextField(_("introduction (easy-read Swedish)"), blank=True)
    in_use = models.BooleanField(_("in use"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["instrument", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "version"], name="evaluation_instrument_version_unique"
            ),
            models.UniqueConstraint(
                fields=["instrument"],
                condition=models.Q(in_use=True),
                name="evaluation_one_version_in_use",
                violation_error_message=_(
                    "Only one version of a questionnaire is in use at a time."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title_sv} ({self.version})"

    def clean(self) -> None:
        """One questionnaire in use for each audience: another questionnaire's version in use
        for the same respondents is taken out of use first."""
        if not self.in_use or self.instrument_id is None:
            return
        others = InstrumentVersion.objects.filter(
            in_use=True, instrument__audience=self.instrument.audience
        ).exclude(instrument_id=self.instrument_id)
        if others.exists():
            raise ValidationError(
                {
                    "in_use": _(
                        "Another questionnaire for the same respondents is in use. Take it "
                        "out of use first."
                    )
                }
            )

    def text(self, field: str, language: str) -> str:
        """The text of `field` (title, intro) in `language`: "sv", "en" or "easy" (easy-read
        Swedish, falling back to Swedish)."""
        if language == "easy":
            return getattr(self, f"{field}_easy_sv") or getattr(self, f"{field}_sv")
        return getattr(self, f"{field}_{'en' if language == 'en' else 'sv'}")


class Question(models.Model):
    """A question of a version: a choice on its answer scale, or free text.

    `options` is the scale: a list of {"code", "value" (1-5, or null for "don't know"),
    "sv", "en", "easy_sv"}; only the options with a value count in a mean."""

    class Kind(models.TextChoices):
        CHOICE = "choice", _("Choice on a scale")
        TEXT = "text", _("Free text")

    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="questions"
    )
    link_id = models.CharField(_("question id"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("must be answered"), default=False)
    text_sv = models.CharField(_("question (Swedish)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500)
    text_easy_sv = models.CharField(_("question (easy-read Swedish)"), max_length=500, blank=True)
    options = models.JSONField(_("answer scale"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "link_id"], name="evaluation_question_link_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text_sv

    def clean(self) -> None:
        """A choice needs a scale of options, each with a code and a Swedish label, a value
        that is a number or empty, and codes that differ."""
        if self.kind != self.Kind.CHOICE:
            return
        options = self.options if isinstance(self.options, list) else None
        valid = bool(options) and all(
            isinstance(o, dict)
            and str(o.get("code", "")).strip()
            and isinstance(o.get("sv"), str)
            and o["sv"].strip()
            and (o.get("value") is None or isinstance(o["value"], int | float))
            for o in options
        )
        if not valid or len({str(o["code"]) for o in options}) != len(options):
            raise ValidationError(
                {
                    "options": _(
                        'Give the scale as a list of options such as {"code": "1", "value": 1, '
                        '"sv": "Instämmer inte alls", "en": "Do not agree at all", "easy_sv": ""}, '
                        "each code once."
                    )
                }
            )

    def text(self, language: str) -> str:
        if language == "easy":
            return self.text_easy_sv or self.text_sv
        return self.text_en if language == "en" else self.text_sv

    def option_label(self, option: dict, language: str) -> str:
        if language == "easy":
            return option.get("easy_sv") or option.get("sv", "")
        return option.get("en" if language == "en" else "sv", "")


class EvaluationRequest(models.Model):
    """One person asked to evaluate one occasion of a plan. It never links to the answer."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting")
        ANSWERED = "answered", _("Answered")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    # The id is the link's token: random, so it cannot be guessed.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.CASCADE, related_name="evaluation_requests"
    )
    occasion = models.CharField(_("occasion"), max_length=12, choices=Occasion.choices)
    # Which occasion: "established", or "follow_up:<the follow-up's id>".
    occasion_key = models.CharField(max_length=60)
    category = models.CharField(_("asked as"), max_length=12, choices=Category.choices)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The units that took part in the occasion: copied to the answer, for figures.
    units = models.ManyToManyField("accounts.Unit", related_name="+")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    asked_on = models.DateField(_("asked"))
    expires_on = models.DateField(_("open until"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)

    class Meta:
        verbose_name = _("evaluation request")
        verbose_name_plural = _("evaluation requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, user__isnull=True)
                | models.Q(person__isnull=True, user__isnull=False),
                name="evaluation_request_person_or_user",
            ),
            models.UniqueConstraint(
                fields=["plan", "occasion_key", "person"],
                condition=models.Q(person__isnull=False),
                name="evaluation_request_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["plan", "occasion_key", "user"],
                condition=models.Q(user__isnull=False),
                name="evaluation_request_once_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "state"], name="evaluation_request_person_idx"),
            models.Index(fields=["user", "state"], name="evaluation_request_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} ({self.get_category_display()})"


class EvaluationAnswer(models.Model):
    """One anonymous answer. No plan, person, user or time of day: nobody can join it back to
    who answered (the id is random, so the order of rows says nothing either)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="answers")
    occasion = models.CharField(_("occasion"), max_length=12, choices=Occasion.choices)
    category = models.CharField(_("respondent"), max_length=12, choices=Category.choices)
    # The first day of the month of the occasion.
    month = models.DateField(_("month"))
    units = models.ManyToManyField("accounts.Unit", related_name="+")
    # {link_id: option code, or the free text}
    answers = models.JSONField(_("answers"), default=dict)

    class Meta:
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        indexes = [models.Index(fields=["month"], name="evaluation_answer_month_idx")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.month:%Y-%m}"
