"""Unit managers review their unit's accesses; the individual's extract comes from the same log."""

from django.test import Client

from samplan.audit.models import AccessLogEntry, AccessReview
from samplan.conftest import login
from samplan.plans.models import Plan


def plan_read_by(client, alice, person, unit) -> Plan:
    plan = Plan.objects.create(person=person, initiated_by=alice, initiating_unit=unit)
    assert client.get(f"/sip/{plan.pk}/").status_code == 200
    return plan


def test_a_unit_manager_reviews_a_sample_and_records_the_review(
    client, alice, mona, person, needs_assessment
):
    plan_read_by(login(client, alice), alice, person, needs_assessment)
    manager = login(Client(), mona)
    page = manager.get("/granskning/")
    assert page.status_code == 200
    assert "Eva Exempel" in page.content.decode()
    response = manager.post(
        "/granskning/", {"conclusion": "Inga avvikelser.", "sample_ids": "1", "days": 30}
    )
    assert response.status_code == 302
    review = AccessReview.objects.get()
    assert (review.reviewer, review.unit, review.conclusion) == (
        mona,
        needs_assessment,
        "Inga avvikelser.",
    )


def test_a_review_needs_a_conclusion(client, mona):
    response = login(client, mona).post("/granskning/", {"conclusion": "", "days": 30})
    assert response.status_code == 400
    assert "Skriv slutsatsen av granskningen." in response.content.decode()


def test_reads_of_protected_people_and_of_plans_the_unit_left_are_flagged(
    client, alice, mona, person, needs_assessment
):
    person.protected_identity = True
    person.save()
    plan_read_by(login(client, alice), alice, person, needs_assessment)
    page = login(Client(), mona).get("/granskning/").content.decode()
    assert "Skyddade personuppgifter" in page


def test_a_caseworker_cannot_open_the_review(client, alice):
    assert login(client, alice).get("/granskning/").status_code == 404


def test_the_extract_shows_which_unit_read_the_individuals_data(
    client, alice, mona, person, needs_assessment
):
    plan_read_by(login(client, alice), alice, person, needs_assessment)
    page = login(Client(), mona).post("/granskning/utdrag/", {"identity_number": "19811218-9876"})
    text = page.content.decode()
    assert page.status_code == 200 and "Biståndshandläggning" in text
    assert AccessLogEntry.objects.filter(action="audit:extract", person=person).exists()
