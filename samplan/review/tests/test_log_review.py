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


def _reads(alice, unit, person, count, *, at=None, action="plan.read"):
    """`count` reads by Alice at the unit, spread over the last `count` minutes."""
    import datetime

    from django.utils import timezone

    from samplan.audit.services import access_log_append

    now = at or timezone.now()
    for n in range(count):
        access_log_append(
            [
                AccessLogEntry(
                    action=action,
                    user=alice,
                    unit=unit,
                    organization=unit.organization,
                    person=person,
                    object_type="person",
                    object_id=str(person.pk),
                )
            ],
            at=now - datetime.timedelta(minutes=n),
        )


def test_a_large_log_is_sampled_through_random_moments_in_the_period(
    alice, person, needs_assessment, primary_care, bob, monkeypatch
):
    from samplan.review import sampling

    monkeypatch.setattr(sampling, "EXACT_SAMPLE_LIMIT", 10)
    _reads(alice, needs_assessment, person, 40)
    _reads(bob, primary_care, person, 5)  # another unit's reads are never drawn
    result = sampling.review_sample(needs_assessment, size=8, seed=3)
    assert result["total"] == 40
    drawn = AccessLogEntry.objects.filter(id__in=result["sample_ids"])
    assert 1 <= drawn.count() <= 8
    assert set(drawn.values_list("unit", flat=True)) == {needs_assessment.pk}
    assert [r.entry.pk for r in result["sample"]] == sorted(
        result["sample_ids"], key=lambda i: AccessLogEntry.objects.get(pk=i).at, reverse=True
    )
    assert result["volumes"] == [("alice", 40)]


def test_flagged_accesses_are_shown_fifty_a_page(client, alice, mona, person, needs_assessment):
    person.protected_identity = True
    person.save()
    _reads(alice, needs_assessment, person, 60)
    manager = login(client, mona)
    first = manager.get("/granskning/").content.decode()
    assert "Sida 1 av 2" in first
    assert first.count("Skyddade personuppgifter") >= 50
    second = manager.get("/granskning/?sida=2&days=30").content.decode()
    assert "Sida 2 av 2" in second
