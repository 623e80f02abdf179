"""Choosing the units of a consent when the installation has thousands of them.

A national installation has about 4,500 units: the consent form lists the units involved in
the plan and finds the others by a search, instead of 4,500 checkboxes. A small installation
(one municipality and one region) still lists them all.
"""

import re

import pytest
from django.utils import timezone

from samplan.conftest import login, make_unit
from samplan.plans import forms
from samplan.plans.models import Plan


@pytest.fixture
def many_units(monkeypatch):
    """Behave as an installation with more units than are listed in full."""
    monkeypatch.setattr(forms, "UNITS_LISTED_IN_FULL", 2)


@pytest.fixture
def faraway(region):
    return make_unit(region, "Vårdcentralen Fjärran", "primary_care")


def ticked(html: str) -> set[str]:
    return set(re.findall(r'name="units" value="(\d+)"[^>]*checked', html))


def offered(html: str) -> set[str]:
    return set(re.findall(r'name="units" value="(\d+)"', html))


def test_a_small_installation_lists_every_unit(client, sip, faraway):
    plan = sip.initiate()
    html = login(client, sip.alice).get(f"/sip/{plan.pk}/samtycke/").content.decode()
    assert str(faraway.pk) in offered(html)
    assert 'name="unit_search"' not in html


def test_a_large_installation_lists_the_units_involved_and_a_search(
    client, sip, faraway, many_units
):
    plan = sip.initiate()
    html = login(client, sip.alice).get(f"/sip/{plan.pk}/samtycke/").content.decode()
    assert offered(html) == {str(sip.needs_assessment.pk)}  # the initiating unit, ticked
    assert ticked(html) == {str(sip.needs_assessment.pk)}
    assert 'name="unit_search"' in html
    assert "Hitta en annan enhet" in html


def test_the_unit_search_adds_units_unticked_and_keeps_what_was_typed(
    client, sip, faraway, many_units
):
    plan = sip.initiate()
    login(client, sip.alice)
    response = client.post(
        f"/sip/{plan.pk}/samtycke/",
        {
            "find_units": "1",
            "unit_search": "fjärran",
            "decision": "given",
            "mode": "written",
            "units": [sip.needs_assessment.pk],
            "exclusions": "Inte min ekonomi",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert str(faraway.pk) in offered(html) and str(faraway.pk) not in ticked(html)
    assert ticked(html) == {str(sip.needs_assessment.pk)}
    assert "Inte min ekonomi" in html
    assert "1 enhet matchar ”fjärran”" in html or "1 enhet matchar “fjärran”" in html
    assert 'class="field__error"' not in html  # a search refuses nothing
    assert not plan.consents.exists()  # and records nothing


def test_a_unit_found_by_the_search_can_be_consented_to(client, sip, faraway, many_units):
    plan = sip.initiate()
    login(client, sip.alice)
    response = client.post(
        f"/sip/{plan.pk}/samtycke/",
        {
            "decision": "given",
            "decided_on": timezone.localdate().isoformat(),
            "mode": "written",
            "units": [sip.needs_assessment.pk, faraway.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(pk=plan.pk)
    assert set(plan.current_consent.units.all()) == {sip.needs_assessment, faraway}
    # Afterwards the form lists the consented units, ticked.
    html = client.get(f"/sip/{plan.pk}/samtycke/").content.decode()
    assert ticked(html) == {str(sip.needs_assessment.pk), str(faraway.pk)}


def test_a_search_that_finds_nothing_says_so(client, sip, many_units):
    plan = sip.initiate()
    login(client, sip.alice)
    html = client.post(
        f"/sip/{plan.pk}/samtycke/", {"find_units": "1", "unit_search": "Ingenstans"}
    ).content.decode()
    assert "Ingen annan enhet matchar" in html


def test_a_search_that_finds_too_many_says_to_narrow_it(
    client, sip, faraway, many_units, region, monkeypatch
):
    make_unit(region, "Vårdcentralen Fjärran Norr", "primary_care")
    monkeypatch.setattr(forms, "UNIT_SEARCH_RESULTS", 1)
    plan = sip.initiate()
    login(client, sip.alice)
    html = client.post(
        f"/sip/{plan.pk}/samtycke/", {"find_units": "1", "unit_search": "fjärran"}
    ).content.decode()
    assert len(offered(html) - {str(sip.needs_assessment.pk)}) == 1
    assert "Fler än 1 enheter matchar" in html
