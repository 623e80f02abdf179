"""Swedish identifiers shared by several apps: Luhn, organisation numbers, HSA-ids.

Identity numbers for individuals live in samplan.people.identity.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ORGANIZATION_NUMBER_RE = re.compile(r"^(16)?(\d{6})-?(\d{4})$")
HSA_ID_RE = re.compile(r"^SE\d{10}-[A-Za-z0-9]{1,20}$")
MUNICIPALITY_CODE_RE = re.compile(r"^\d{4}$")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by Skatteverket and Bolagsverket numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalize_organization_number(raw: str) -> str:
    """Return NNNNNN-NNNN, or raise ValidationError with a clear message.

    An organisation number has ten digits; the third and fourth together are at least 20
    (this is what tells it apart from a personnummer) and the last is a Luhn check digit.
    """
    value = (raw or "").strip().replace(" ", "")
    match = ORGANIZATION_NUMBER_RE.match(value)
    if not match:
        raise ValidationError(
            _("An organisation number has ten digits, for example 212000-0142."),
            code="organization_number_format",
        )
    digits = match.group(2) + match.group(3)
    if int(digits[2:4]) < 20:
        raise ValidationError(
            _(
                "This is not an organisation number: the third and fourth digits must be 20 or more."
            ),
            code="organization_number_group",
        )
    if not luhn_valid(digits):
        raise ValidationError(
            _("The check digit of the organisation number is wrong."),
            code="organization_number_check_digit",
        )
    return f"{digits[:6]}-{digits[6:]}"


def validate_organization_number(value: str) -> None:
    normalize_organization_number(value)


def validate_hsa_id(value: str) -> None:
    if value and not HSA_ID_RE.match(value):
        raise ValidationError(
            _("An HSA-id looks like SE2321000131-P000000123457."), code="hsa_id_format"
        )


def validate_municipality_code(value: str) -> None:
    if value and not MUNICIPALITY_CODE_RE.match(value):
        raise ValidationError(_("A municipality code has four digits."), code="municipality_code")
