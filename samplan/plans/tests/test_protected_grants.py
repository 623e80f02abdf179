"""Protected identity grants: a unit manager lets a named unit of the plan see a protected
individual's contact details, with a reason and an end date; the grant ends by itself; every
grant is in the history and every view of the details in the access log."""

import datetime

from django.test import Client
from django.utils import timezone

from samplan.audit.models import AccessLogEntry
from samplan.people.models import ContactGrant, Person
from samplan.testing.cast import login

TODAY = timezone.localdate()


def protect(person, **contact):
    Person.objects.filter(pk=person.pk).update(
        protected_identity=True, phone="070-123 45 67", street_address="Hemliga vägen 1", **contact
    )


def grant(client, plan, unit, **fields):
    data = {
        "grant": "1",
        "unit": unit.pk,
        "reason": "Hembesök planeras",
        "valid_until": (TODAY + datetime.timedelta(days=30)).isoformat(),
        **fields,
    }
    return client.post(f"/sip/{plan.pk}/skyddade-uppgifter/", data)


def test_a_unit_manager_grants_a_unit_and_its_staff_then_see_the_details(sip, mona, bob, person):
    protect(person)
    plan = sip.to("consented", person=person)
    bobs = login(Client(), bob)
    page = bobs.get(f"/sip/{plan.pk}/skyddade-uppgifter/").content.decode()
    assert "Hemliga vägen" not in page and "Din enhet har ingen behörighet" in page

    response = grant(login(Client(), mona), plan, sip.primary_care)
    assert response.status_code == 302
    given = ContactGrant.objects.get(unit=sip.primary_care)
    assert (given.granted_by, given.reason) == (mona, "Hembesök planeras")
    assert plan.events.get(kind="contact_granted").actor == mona

    before = AccessLogEntry.objects.count()
    page = bobs.get(f"/sip/{plan.pk}/skyddade-uppgifter/").content.decode()
    assert "Hemliga vägen 1" in page and "070-123 45 67" in page
    assert AccessLogEntry.objects.count() == before + 1  # the view of the details is logged


def test_the_grant_ends_by_itself_and_can_be_revoked(sip, mona, bob, person):
    protect(person)
    plan = sip.to("consented", person=person)
    grant(login(Client(), mona), plan, sip.primary_care)
    given = ContactGrant.objects.get()
    ContactGrant.objects.filter(pk=given.pk).update(valid_until=TODAY - datetime.timedelta(days=1))
    bobs = login(Client(), bob)
    assert "Hemliga vägen" not in bobs.get(f"/sip/{plan.pk}/skyddade-uppgifter/").content.decode()

    grant(login(Client(), mona), plan, sip.primary_care)
    again = ContactGrant.objects.latest("pk")
    login(Client(), mona).post(f"/sip/{plan.pk}/skyddade-uppgifter/", {"revoke": again.pk})
    assert ContactGrant.objects.get(pk=again.pk).revoked_at is not None
    assert "Hemliga vägen" not in bobs.get(f"/sip/{plan.pk}/skyddade-uppgifter/").content.decode()
    assert plan.events.filter(kind="contact_revoked").count() == 1


def test_only_a_unit_manager_grants_and_only_with_reason_and_end_date(sip, alice, mona, person):
    protect(person)
    plan = sip.to("consented", person=person)
    response = grant(login(Client(), alice), plan, sip.primary_care)
    assert response.status_code == 400
    assert "Bara en enhetschef" in response.content.decode()
    managers = login(Client(), mona)
    cases = [
        ({"reason": ""}, "reason"),
        ({"valid_until": ""}, "valid_until"),
        ({"valid_until": (TODAY + datetime.timedelta(days=400)).isoformat()}, "valid_until"),
        ({"valid_until": (TODAY - datetime.timedelta(days=1)).isoformat()}, "valid_until"),
    ]
    for data, field in cases:
        response = grant(managers, plan, sip.primary_care, **data)
        assert response.status_code == 400, data
        assert f'id="id_{field}_error"' in response.content.decode(), data
    assert not ContactGrant.objects.exists()


def test_a_unit_outside_the_plan_cannot_be_granted(sip, mona, person, psychiatry):
    protect(person)
    plan = sip.to("consented", person=person)
    response = grant(login(Client(), mona), plan, psychiatry)
    assert response.status_code == 400 and not ContactGrant.objects.exists()
