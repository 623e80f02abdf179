import pytest
from django.core.exceptions import ValidationError

from samplan.accounts.models import Organization
from samplan.core.identifiers import normalize_organization_number, validate_hsa_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("212000-0142", "212000-0142"),
        ("2120000142", "212000-0142"),
        ("16232100-0016", "232100-0016"),
    ],
)
def test_a_valid_organisation_number_is_normalised(raw, expected):
    assert normalize_organization_number(raw) == expected


def code_of(raw: str) -> str:
    with pytest.raises(ValidationError) as caught:
        normalize_organization_number(raw)
    return caught.value.code


def test_an_organisation_number_with_a_wrong_check_digit_is_refused():
    assert code_of("212000-0143") == "organization_number_check_digit"


def test_a_personnummer_is_not_an_organisation_number():
    assert code_of("811218-9876") == "organization_number_group"


@pytest.mark.parametrize("raw", ["", "21200-0142", "212000-01421", "abcdef-ghij"])
def test_an_organisation_number_of_the_wrong_form_is_refused(raw):
    assert code_of(raw) == "organization_number_format"


def test_hsa_ids_have_the_national_form():
    validate_hsa_id("SE2321000131-P000000123457")
    with pytest.raises(ValidationError):
        validate_hsa_id("2321000131-P0001")


def organization(**fields) -> Organization:
    defaults = {"name": "X", "kind": "region", "organization_number": "232100-0016"}
    return Organization(**{**defaults, **fields})


def test_a_municipality_needs_a_four_digit_municipality_code(db):
    with pytest.raises(ValidationError) as caught:
        organization(kind="municipality").full_clean()
    assert "municipality_code" in caught.value.message_dict
    with pytest.raises(ValidationError):
        organization(kind="municipality", municipality_code="18").full_clean()
    organization(kind="municipality", municipality_code="0180").full_clean()


def test_only_a_municipality_has_a_municipality_code(db):
    with pytest.raises(ValidationError) as caught:
        organization(kind="region", municipality_code="0180").full_clean()
    assert "municipality_code" in caught.value.message_dict


def test_the_model_normalises_the_organisation_number_on_clean(db):
    org = organization(organization_number="2321000016")
    org.full_clean()
    assert org.organization_number == "232100-0016"


def test_only_municipalities_and_regions_are_principals():
    assert organization(kind="region").is_principal
    assert organization(kind="municipality").is_principal
    assert not organization(kind="other").is_principal
