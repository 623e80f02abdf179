"""Copies given: who got a copy of each version, when and how, as the guideline asks."""

import datetime

from django.test import Client
from django.utils import timezone

from samplan.plans.models import CopyGiven
from samplan.testing.cast import citizen_client, login

TODAY = timezone.localdate()


def record(client, plan, **fields):
    data = {"version": 1, "given_on": TODAY.isoformat(), "method": "at_meeting", **fields}
    return client.post(f"/sip/{plan.pk}/versioner/", data)


def test_staff_record_that_the_individual_got_a_copy_at_the_meeting(sip, alice):
    plan = sip.to("active")
    client = login(Client(), alice)
    response = record(client, plan, given_to=plan.person_id)
    assert response.status_code == 302
    copy = CopyGiven.objects.get()
    assert (copy.version.number, copy.given_to, copy.method) == (1, plan.person, "at_meeting")
    assert (copy.recorded_by, copy.recorded_unit) == (alice, sip.needs_assessment)
    page = client.get(f"/sip/{plan.pk}/versioner/").content.decode()
    assert "Version 1: Eva Exempel" in page and "personligen vid mötet" in page
    assert plan.events.filter(kind="copy_given").count() == 1


def test_a_copy_needs_a_sane_date_a_known_recipient_and_a_way(sip, alice, olle):
    plan = sip.to("active")
    client = login(Client(), alice)
    cases = [
        ({"given_to": plan.person_id, "given_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "given_on"),
        ({"given_to": plan.person_id, "given_on": "2001-01-01"}, "given_on"),
        ({"given_to": plan.person_id, "method": "min_sip"}, "method"),
        ({"given_to": plan.person_id, "method": ""}, "method"),
        ({"given_to": ""}, "given_to"),
    ]  # fmt: skip
    for data, field in cases:
        response = record(client, plan, **data)
        assert response.status_code == 400, data
        assert f'id="id_{field}_error"' in response.content.decode(), (data, field)
    assert not CopyGiven.objects.exists()


def test_a_read_only_participant_cannot_record_a_copy(sip, frida):
    plan = sip.to("active")
    response = record(login(Client(), frida), plan, given_to=plan.person_id)
    assert response.status_code == 403


def test_the_copy_taken_in_min_sip_is_recorded_once(sip):
    plan = sip.to("active")
    client = citizen_client(plan.person)
    for _ in range(2):
        assert client.get(f"/min-sip/{plan.pk}/kopia.pdf").status_code == 200
    copy = CopyGiven.objects.get()
    assert (copy.given_to, copy.method, copy.recorded_by) == (plan.person, "min_sip", None)
    assert plan.events.filter(kind="copy_given").count() == 1
