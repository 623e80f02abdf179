"""Fail closed: when the access log cannot be written, the individual's data is not served."""

import pytest
from django.db import DatabaseError
from django.utils import timezone

from samplan.audit import services
from samplan.audit.models import AccessLogEntry
from samplan.audit.services import AccessLogUnavailable, access_log_record
from samplan.audit.tests.access_log_helpers import staff_request
from samplan.conftest import login
from samplan.plans import services as plans
from samplan.testing.cast import staff

UNAVAILABLE = "Tjänsten är tillfälligt otillgänglig. Försök igen om en stund."


@pytest.fixture
def plan(alice, bob, needs_assessment, primary_care, person):
    """Eva's plan, initiated by Alice's unit, with consent covering Bob's unit too."""
    plan = plans.plan_initiate(
        actor=staff(alice, needs_assessment), person=person, reasons=["several_units"]
    )
    plans.consent_record(
        actor=staff(alice, needs_assessment),
        plan=plan,
        decision="given",
        decided_on=timezone.localdate(),
        mode="written",
        given_by="individual",
        units=[needs_assessment, primary_care],
    )
    return plan


@pytest.fixture
def log_write_fails(monkeypatch):
    """The database refuses the access log's INSERT (both the PostgreSQL and SQLite way)."""

    def refuse(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(services, "_appended_postgresql", refuse)
    monkeypatch.setattr(services, "_appended_with_ids", refuse)


def test_a_participant_sees_the_plan_when_the_log_is_written(client, bob, plan):
    login(client, bob)
    response = client.get(f"/sip/{plan.pk}/")
    assert response.status_code == 200
    assert "Eva Exempel" in response.content.decode()
    assert AccessLogEntry.objects.filter(user=bob, object_id=str(plan.pk)).count() == 1


def test_a_plan_page_is_not_served_when_its_read_cannot_be_logged(
    client, bob, plan, log_write_fails
):
    login(client, bob)
    before = AccessLogEntry.objects.count()
    response = client.get(f"/sip/{plan.pk}/")
    page = response.content.decode()
    assert response.status_code == 503
    assert page.strip() == UNAVAILABLE
    assert "Eva" not in page and "Exempel" not in page and str(plan.person.pk) not in page
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert AccessLogEntry.objects.count() == before


def test_the_worklist_is_not_served_when_its_reads_cannot_be_logged(
    client, alice, plan, log_write_fails
):
    login(client, alice)
    response = client.get("/sip/")
    assert response.status_code == 503
    assert "Exempel" not in response.content.decode()


def test_every_plan_page_fails_closed(client, alice, plan, log_write_fails):
    login(client, alice)
    for page in ["", "plan/", "samtycke/", "moten/"]:
        response = client.get(f"/sip/{plan.pk}/{page}")
        assert response.status_code == 503, page
        assert "Exempel" not in response.content.decode(), page


def test_a_database_error_while_logging_becomes_access_log_unavailable(
    alice, needs_assessment, plan, log_write_fails
):
    with pytest.raises(AccessLogUnavailable) as raised:
        access_log_record(
            request=staff_request(alice, needs_assessment),
            action="plan.read",
            person=plan.person,
            obj=plan,
        )
    assert isinstance(raised.value.__cause__, DatabaseError)


def test_the_unavailable_page_needs_no_translation_catalogue(client, bob, plan, log_write_fails):
    """The Swedish text is a literal: it shows whatever language the user chose."""
    login(client, bob)
    client.cookies["django_language"] = "en"
    response = client.get(f"/sip/{plan.pk}/", headers={"accept-language": "en"})
    assert response.status_code == 503
    assert response.content.decode().strip() == UNAVAILABLE
