import datetime

import pytest
from django.core.exceptions import ValidationError

from samplan.people.identity import (
    PERSONNUMMER,
    RESERVNUMMER,
    SAMORDNINGSNUMMER,
    parse_identity_number,
    parse_reservnummer,
)

TODAY = datetime.date(2026, 11, 23)


def error_code(raw: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_identity_number(raw, today=TODAY)
    return caught.value.code


@pytest.mark.parametrize(
    "raw", ["19811218-9876", "198112189876", "811218-9876", "8112189876", " 19811218 9876 "]
)
def test_a_valid_personnummer_is_accepted_in_every_common_form(raw):
    number = parse_identity_number(raw, today=TODAY)
    assert number.kind == PERSONNUMMER
    assert number.value == "198112189876"
    assert number.birth_date == datetime.date(1981, 12, 18)
    assert number.display == "19811218-9876"


def test_a_plus_sign_means_the_person_is_a_hundred_or_older():
    number = parse_identity_number("121212+1212", today=TODAY)
    assert number.birth_date == datetime.date(1912, 12, 12)


def test_a_wrong_check_digit_is_refused_with_its_own_message():
    assert error_code("19811218-9877") == "check_digit"


@pytest.mark.parametrize("raw", ["19810230-9876", "19811318-9876", "19811200-9876"])
def test_an_impossible_date_is_refused(raw):
    assert error_code(raw) == "date"


def test_a_date_of_birth_in_the_future_is_refused():
    assert error_code("20271224-9876") == "future"


@pytest.mark.parametrize("raw", ["198112189", "19811218-98765", "abc", "", "19811218/9876"])
def test_a_wrong_length_or_form_is_refused(raw):
    assert error_code(raw) == "length"


def test_birth_number_000_is_refused():
    assert error_code("19811218-0002") == "serial"


def test_a_samordningsnummer_has_sixty_added_to_the_day():
    number = parse_identity_number("19810278-9875", today=TODAY)
    assert number.kind == SAMORDNINGSNUMMER
    assert number.birth_date == datetime.date(1981, 2, 18)


def test_a_samordningsnummer_with_a_wrong_check_digit_is_refused():
    assert error_code("19810278-9870") == "check_digit"


def test_a_samordningsnummer_with_an_impossible_day_is_refused():
    assert error_code("19810292-9876") == "date"  # 92 - 60 = 32


def test_the_messages_are_swedish_by_default():
    with pytest.raises(ValidationError) as caught:
        parse_identity_number("19811218-9877", today=TODAY)
    assert "kontrollsiffran" in str(caught.value.messages[0]).lower()


@pytest.mark.parametrize("raw", ["RM-990001", "99123456", "ab12345"])
def test_a_plausible_reservnummer_is_accepted_in_upper_case(raw):
    number = parse_reservnummer(raw)
    assert number.kind == RESERVNUMMER
    assert number.value == raw.upper()


@pytest.mark.parametrize("raw", ["", "AB1", "RM_99 0001!", "X" * 21])
def test_an_implausible_reservnummer_is_refused(raw):
    with pytest.raises(ValidationError) as caught:
        parse_reservnummer(raw)
    assert caught.value.code == "reservnummer"
