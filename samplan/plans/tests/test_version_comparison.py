"""The versions page compares two versions field by field: each changed field of a goal or an
intervention with its label, the old and the new value; what did not change is said once."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from samplan.core import dates
from samplan.plans import services
from samplan.testing.cast import fresh, login


class DiffRows(HTMLParser):
    """The rows of the comparison table, each as the words of its cells."""

    def __init__(self):
        super().__init__()
        self.rows, self.inside, self.cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "diff" in (dict(attrs).get("class") or ""):
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(" ".join(" ".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None and data.strip():
            self.cell.append(data.strip())


def comparison_rows(client, plan, a, b) -> list[list[str]]:
    response = client.get(reverse("plans:versions", args=[plan.pk]), {"a": a, "b": b})
    assert response.status_code == 200
    parser = DiffRows()
    parser.feed(response.content.decode())
    return parser.rows


def resave(sip, plan, intervention, **changes):
    """Save an intervention again with only `changes` different."""
    intervention = type(intervention).objects.get(pk=intervention.pk)
    fields = {
        "what": intervention.what,
        "topic": intervention.topic,
        "organization": intervention.organization,
        "responsible_unit": intervention.unit,
        "responsible_person": intervention.responsible_person,
        "start": intervention.start,
        "frequency": intervention.frequency,
        "depends_on": intervention.depends_on,
        "status": intervention.status,
        "goals": list(intervention.goals.all()),
    }
    services.intervention_save(
        **sip.as_alice,
        plan=fresh(plan),
        intervention=intervention,
        expected_version=intervention.lock_version,
        **(fields | changes),
    )


def revise_and_approve(sip, plan):
    services.plan_revise(**sip.as_alice, plan=fresh(plan))
    services.version_approval_record(
        **sip.as_alice, plan=fresh(plan), approved=True, method="meeting_oral"
    )


@pytest.mark.django_db
def test_a_revision_of_only_the_frequency_or_the_responsible_person_shows_old_and_new(client, sip):
    plan = sip.to("active")
    care = plan.interventions.get(what="Boendestöd två dagar")
    resave(sip, plan, care, frequency="Varje vecka")
    revise_and_approve(sip, plan)  # version 2
    resave(sip, plan, care, frequency="Två gånger i veckan")
    revise_and_approve(sip, plan)  # version 3: only the frequency
    resave(sip, plan, care, responsible_person="Lars Svensson")
    revise_and_approve(sip, plan)  # version 4: only the responsible person
    login(client, sip.alice)

    rows = comparison_rows(client, plan, 2, 3)
    assert [
        "”Boendestöd två dagar” ändrad",
        "Hur ofta Varje vecka",
        "Hur ofta Två gånger i veckan",
    ] in rows
    rows = comparison_rows(client, plan, 3, 4)
    assert [
        "”Boendestöd två dagar” ändrad",
        "Ansvarig person Inte angivet",
        "Ansvarig person Lars Svensson",
    ] in rows
    # The other interventions and the goal are said once to be unchanged, not shown twice.
    assert ["”Läkarbesök var tredje månad”", "Oförändrat"] in rows
    assert ["”Jag vill bo kvar hemma”", "Oförändrat"] in rows
    # An unchanged plan-wide field shows its value once.
    lead = next(row for row in rows if row[0] == "Huvudansvarig")
    assert len(lead) == 2 and lead[1].endswith("(oförändrat)")


@pytest.mark.django_db
def test_a_changed_start_date_is_shown_in_words(client, sip):
    plan = sip.to("active")
    care = plan.interventions.get(what="Boendestöd två dagar")
    first = fresh(plan).versions.get().created_at.date()
    resave(sip, plan, care, start=first)
    revise_and_approve(sip, plan)
    login(client, sip.alice)
    rows = comparison_rows(client, plan, 1, 2)
    day = f"{first.day} "
    (row,) = [row for row in rows if row[0].startswith("”Boendestöd")]
    assert row[1] == "Start Inte angivet"
    assert row[2].startswith("Start " + day) and str(first.year) in row[2]
    assert "-" not in row[2]  # not an ISO date


@pytest.mark.django_db
def test_a_version_page_spells_out_its_dates(client, sip):
    plan = sip.to("active")
    care = plan.interventions.get(what="Boendestöd två dagar")
    start = fresh(plan).next_follow_up
    resave(sip, plan, care, start=start)
    revise_and_approve(sip, plan)
    login(client, sip.alice)
    html = client.get(reverse("plans:version", args=[plan.pk, 2])).content.decode()
    assert start.isoformat() not in html
    assert f"från {dates.day(start)}" in html  # the intervention's start
    assert f"<dd>{dates.day(start)}</dd>" in html  # the next follow-up
