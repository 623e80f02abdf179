"""Identity numbers for individuals: personnummer, samordningsnummer and reservnummer.

A personnummer is YYYYMMDD-NNNC with a Luhn check digit (folkbokföringslagen 18 §).
A samordningsnummer is the same with 60 added to the day (folkbokföringslagen 18 a §).
A reservnummer is a local number given by a region or municipality to someone without
either; its form differs between regions, so we only check that it is plausible.

The check digit itself is verified by the `personnummer` library; we parse first so that
each kind of mistake gets its own clear message.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from personnummer import personnummer

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"
RESERVNUMMER = "reservnummer"

_NUMBER_RE = re.compile(r"^(?P<date>\d{6}|\d{8})(?P<sep>[-+]?)(?P<serial>\d{4})$")
_RESERVNUMMER_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{4,19}$")

MESSAGES = {
    "length": _(
        "An identity number has 10 or 12 digits, for example 19811218-9876 or 811218-9876."
    ),
    "date": _("The date of birth in the identity number does not exist."),
    "future": _("The date of birth in the identity number is in the future."),
    "check_digit": _("The check digit is wrong. Check the last four digits."),
    "serial": _("The birth number (digits 9 to 11) cannot be 000."),
    "reservnummer": _(
        "A reservnummer has 5 to 20 letters, digits or hyphens, as your region or municipality gives it."
    ),
}


@dataclass(frozen=True)
class IdentityNumber:
    kind: str
    value: str  # stored form: YYYYMMDDNNNN for personnummer and samordningsnummer
    birth_date: datetime.date | None

    @property
    def display(self) -> str:
        return format_identity_number(self.kind, self.value)


def format_identity_number(kind: str, value: str) -> str:
    """The way Swedes write it: 19811218-9876."""
    if kind in {PERSONNUMMER, SAMORDNINGSNUMMER} and len(value) == 12:
        return f"{value[:8]}-{value[8:]}"
    return value


def _fail(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


def _full_year(two_digits: int, sep: str, today: datetime.date) -> int:
    """Century from a 10-digit number: '+' means 100 years or older (Skatteverket's rule)."""
    base = today.year - 100 if sep == "+" else today.year
    return base - ((base - two_digits) % 100)


def parse_identity_number(raw: str, *, today: datetime.date | None = None) -> IdentityNumber:
    """Parse a personnummer or samordningsnummer, raising ValidationError with a clear code."""
    today = today or timezone.localdate()
    text = re.sub(r"\s", "", raw or "")
    match = _NUMBER_RE.match(text)
    if not match:
        raise _fail("length")
    date_part, sep, serial = match["date"], match["sep"], match["serial"]
    if len(date_part) == 6:
        year = _full_year(int(date_part[:2]), sep, today)
        month, day = int(date_part[2:4]), int(date_part[4:6])
    else:
        year, month, day = int(date_part[:4]), int(date_part[4:6]), int(date_part[6:8])
    kind = PERSONNUMMER
    if day > 60:
        kind, day = SAMORDNINGSNUMMER, day - 60
    try:
        birth_date = datetime.date(year, month, day)
    except ValueError:
        raise _fail("date") from None
    if birth_date > today:
        raise _fail("future")
    if serial[:3] == "000":
        raise _fail("serial")
    value = f"{year:04d}{date_part[-4:]}{serial}"
    if not personnummer.valid(value):
        raise _fail("check_digit")
    return IdentityNumber(kind=kind, value=value, birth_date=birth_date)


def parse_reservnummer(raw: str) -> IdentityNumber:
    text = re.sub(r"\s", "", raw or "").upper()
    if not _RESERVNUMMER_RE.match(text):
        raise _fail("reservnummer")
    return IdentityNumber(kind=RESERVNUMMER, value=text, birth_date=None)


def identity_number_with_check_digit(first_eleven: str) -> str:
    """Complete YYYYMMDDNNN with its Luhn digit (for fictional demo and test numbers)."""
    digits = first_eleven[2:]
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return first_eleven + str((10 - total % 10) % 10)
