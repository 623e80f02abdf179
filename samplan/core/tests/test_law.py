"""The legal references come from one table, by date: a repealed provision is never cited for
a day after it ended."""

import datetime

import pytest
from django.test import Client
from django.utils import translation

from samplan.core import law

D = datetime.date


def test_the_old_social_services_act_is_cited_until_its_last_day():
    assert law.cite("sip_social_services", D(2025, 6, 30)).short_citation == "SoL 2 kap. 7 §"
    assert law.cite("sip_content_social_services", D(2020, 1, 1)).place == (
        "2 kap. 7 § tredje stycket"
    )


def test_the_new_act_is_named_without_an_unverified_paragraph():
    new = law.cite("sip_social_services", D(2025, 7, 1))
    assert new.law == "socialtjänstlagen (2025:400)" and not new.verified
    assert new.citation == new.short_citation == "socialtjänstlagen (2025:400)"
    with translation.override("sv"):
        assert law.sip_basis(D(2026, 12, 5)) == "socialtjänstlagen (2025:400) och HSL 16 kap. 4 §"
        assert law.sip_basis(D(2024, 1, 1)) == "SoL 2 kap. 7 § och HSL 16 kap. 4 §"


def test_every_topic_has_exactly_one_reference_on_every_day():
    topics = {r.topic for r in law.REFERENCES}
    for day in (D(2018, 1, 1), D(2025, 6, 30), D(2025, 7, 1), D(2040, 1, 1)):
        for topic in topics:
            law.cite(topic, day)  # raises unless exactly one applies
    with pytest.raises(LookupError):
        law.cite("sip_social_services", D(2009, 12, 31))


def test_no_repealed_reference_in_the_footer_today(db):
    page = Client().get("/konto/logga-in/").content.decode()
    assert "2 kap. 7 §" not in page and "socialtjänstlagen (2025:400)" in page
