"""Starting a SIP for someone who already has one (penetration test, finding 2).

Olle's psychiatric clinic takes no part in Eva's SIP. His initiative for Eva must not reveal
that she has a SIP: it gets the same neutral receipt whatever her plan is, and becomes a
request to take part that the plan's lead and writing units answer within her consent. Olle's
unit learns the outcome only if the consent lets it take part. A unit that does take part (or
initiated the plan, before consent) is told, with a link.
"""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from samplan import policy
from samplan.conftest import login
from samplan.notifications.models import Notification
from samplan.plans import services
from samplan.plans.models import JoinRequest, Participant, PlanEvent
from samplan.testing.cast import assert_event, fresh, make_person, refused, staff

english = pytest.mark.usefixtures("messages_in_english")
Kind = Notification.Kind
RECEIPT = "/sip/ny/registrerat/"


def initiate(actor, unit, person, **overrides):
    arguments = {"reasons": ["several_units"], "reason_text": "Behöver samordning"}
    return services.plan_initiate(
        actor=staff(actor, unit), person=person, **(arguments | overrides)
    )


def sees(unit, plan) -> bool:
    return bool(
        policy.decide(
            policy.Staff(user=None, unit=unit, role="caseworker"), "plan.view", fresh(plan)
        )
    )


def told(kind: str, **where) -> set[str]:
    """Who got an item of that kind: usernames for inbox items, addresses for e-mails."""
    items = Notification.objects.filter(kind=kind, **where).select_related("user")
    return {n.user.username if n.user_id else n.email for n in items}


def start(client, person, **data):
    """Post the initiative step of "Starta en SIP" as the page does."""
    payload = {"step": "initiate", "person": person.pk, "source": "staff"}
    payload |= {"reasons": ["several_units"], **data}
    return client.post("/sip/ny/", payload)


# --- The services ---------------------------------------------------------------------------


@english
def test_an_initiative_for_someone_with_a_plan_the_unit_does_not_see_becomes_a_request(
    sip, olle, psychiatry, person, alice, needs_assessment
):
    plan = sip.to("active")
    asked = initiate(olle, psychiatry, person, source="relative", source_detail="Evas bror")
    assert isinstance(asked, JoinRequest)
    assert person.plans.count() == 1
    assert (asked.plan_id, asked.unit, asked.requested_by, asked.state) == (
        plan.pk,
        psychiatry,
        olle,
        "pending",
    )
    assert (asked.source, asked.source_detail) == ("relative", "Evas bror")
    assert (asked.reasons, asked.reason_text) == (["several_units"], "Behöver samordning")
    event = assert_event(plan, "join_requested", olle, psychiatry)
    assert event.after["join_request"] == asked.pk
    assert not sees(psychiatry, plan)


@english
def test_the_lead_and_the_writing_units_are_asked_and_the_requesting_unit_is_told_nothing(
    sip, olle, psychiatry, person
):
    plan = sip.to("active")  # the lead is Alice; Frida's office takes part read-only
    asked = initiate(olle, psychiatry, person)
    assert told(Kind.JOIN_REQUEST) == {"alice", "bob", "enhet@example.invalid"}
    assert all(n.plan_id == plan.pk for n in Notification.objects.filter(kind=Kind.JOIN_REQUEST))
    assert not Notification.objects.filter(unit=psychiatry).exists()
    assert not Notification.objects.filter(user=olle).exists()
    inbox = Notification.objects.filter(kind=Kind.JOIN_REQUEST, user__username="alice").get()
    assert inbox.link == reverse("plans:overview", args=[plan.pk])
    for item in Notification.objects.filter(kind=Kind.JOIN_REQUEST):
        text = f"{item.subject} {item.body}"
        assert "Eva" not in text and "Exempel" not in text and psychiatry.name not in text
    assert asked.pk


@english
def test_before_consent_the_initiating_unit_is_asked(sip, olle, psychiatry, person):
    plan = sip.to("initiated")
    asked = initiate(olle, psychiatry, person)
    assert isinstance(asked, JoinRequest) and asked.plan_id == plan.pk
    assert told(Kind.JOIN_REQUEST, user__isnull=False) == {"alice"}  # not Bob: no consent yet


@english
def test_the_same_initiative_again_while_it_waits_makes_no_second_request(
    sip, olle, psychiatry, person
):
    plan = sip.to("consented")
    first = initiate(olle, psychiatry, person)
    notified = Notification.objects.count()
    again = initiate(olle, psychiatry, person, reasons=["unclear"])
    assert again.pk == first.pk
    assert JoinRequest.objects.count() == 1
    assert PlanEvent.objects.filter(plan=plan, kind="join_requested").count() == 1
    assert Notification.objects.count() == notified


def at_once(*calls) -> list:
    """Run the calls in threads that start together; return what each returned or raised."""
    start, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer anyway")
@pytest.mark.django_db(transaction=True)
def test_initiatives_at_the_same_moment_make_one_plan_and_one_request(
    olle, psychiatry, person, bob, primary_care
):
    """Two units start a SIP for Eva at once, one of them twice: one plan, and one request
    from the other unit. (If Olle's unit wins, its second post is told of its own plan.)"""
    results = at_once(
        lambda: initiate(bob, primary_care, person),
        lambda: initiate(olle, psychiatry, person),
        lambda: initiate(olle, psychiatry, person),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, services.OpenPlanExists) for e in errors), errors
    (plan,) = person.plans.all()
    (asked,) = JoinRequest.objects.all()
    assert asked.plan == plan and asked.unit != plan.initiating_unit
    assert len(errors) == (1 if plan.initiating_unit == psychiatry else 0)
    assert PlanEvent.objects.filter(kind="join_requested").count() == 1


def test_the_database_holds_one_waiting_request_per_unit_and_plan(sip, olle, psychiatry, person):
    sip.to("consented")
    asked = initiate(olle, psychiatry, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        JoinRequest.objects.create(plan=asked.plan, unit=psychiatry, requested_by=olle)


@english
def test_a_unit_that_takes_part_is_told_and_given_the_plan(sip, bob, primary_care, person):
    plan = sip.to("active")
    with refused("Eva Exempel already has an open SIP") as info:
        initiate(bob, primary_care, person)
    assert info.value.plan == plan
    assert not JoinRequest.objects.exists()


@english
def test_a_unit_that_took_part_earlier_but_not_now_gets_a_request_not_the_plan(
    sip, bob, primary_care, needs_assessment, social_insurance, person
):
    plan = sip.to("consented")
    sip.consent(plan, units=[needs_assessment, social_insurance])  # the clinic is left out
    asked = initiate(bob, primary_care, person)
    assert isinstance(asked, JoinRequest)


@english
def test_accepting_needs_a_consent_that_covers_the_unit(sip, olle, psychiatry, person):
    plan = sip.to("invited")
    asked = initiate(olle, psychiatry, person)
    with refused("consent must first cover Psykiatriska kliniken") as info:
        services.join_request_answer(**sip.as_alice, join_request=asked, accept=True)
    assert isinstance(info.value, services.ConsentDoesNotCover)
    assert JoinRequest.objects.get().state == "pending"
    assert not sees(psychiatry, plan)
    assert not Notification.objects.filter(kind=Kind.JOIN_ACCEPTED).exists()


@english
def test_before_consent_a_request_cannot_be_accepted(sip, olle, psychiatry, person):
    sip.to("initiated")
    asked = initiate(olle, psychiatry, person)
    with refused("consent must first cover"):
        services.join_request_answer(**sip.as_alice, join_request=asked, accept=True)


@english
def test_a_consent_that_includes_the_unit_accepts_the_request_and_tells_the_unit(
    sip, olle, psychiatry, person, alice, needs_assessment
):
    plan = sip.to("invited")
    asked = initiate(olle, psychiatry, person)
    sip.consent(plan, units=[*sip.scope, psychiatry])
    asked.refresh_from_db()
    assert (asked.state, asked.answered_by, asked.answer_unit) == (
        "accepted",
        alice,
        needs_assessment,
    )
    assert asked.answered_at is not None
    assert sees(psychiatry, plan)
    event = assert_event(plan, "join_request_accepted", alice, needs_assessment)
    assert event.after["consent"] == 2
    assert told(Kind.JOIN_ACCEPTED) == {"olle", "enhet@example.invalid"}
    assert {n.unit for n in Notification.objects.filter(kind=Kind.JOIN_ACCEPTED)} == {psychiatry}
    item = Notification.objects.get(kind=Kind.JOIN_ACCEPTED, user=olle)
    assert item.link == reverse("plans:overview", args=[plan.pk])
    participant = Participant.objects.get(plan=plan, unit=psychiatry)
    assert participant.is_active and participant.access == "edit"  # a region unit writes


@english
def test_a_consent_that_leaves_the_unit_out_leaves_the_request_waiting(
    sip, olle, psychiatry, person
):
    plan = sip.to("consented")
    initiate(olle, psychiatry, person)
    sip.consent(plan)
    assert JoinRequest.objects.get().state == "pending"
    assert not Notification.objects.filter(kind=Kind.JOIN_ACCEPTED).exists()


@english
def test_a_unit_the_consent_covers_already_is_accepted_at_once(sip, olle, psychiatry, person):
    """The consent names the unit but its participation had ended (an edge the services do not
    make, but the data may hold): accepting lets it take part again, within that consent."""
    plan = sip.to("consented")
    sip.consent(plan, units=[*sip.scope, psychiatry])
    Participant.objects.filter(plan=plan, unit=psychiatry).update(is_active=False)
    asked = initiate(olle, psychiatry, person)
    answered = services.join_request_answer(**sip.as_alice, join_request=asked, accept=True)
    assert answered.state == "accepted" and sees(psychiatry, plan)
    assert told(Kind.JOIN_ACCEPTED, user__isnull=False) == {"olle"}
    again = services.join_request_answer(**sip.as_alice, join_request=asked, accept=True)
    assert again.state == "accepted"
    assert PlanEvent.objects.filter(plan=plan, kind="join_request_accepted").count() == 1


@english
def test_declining_needs_a_reason_and_tells_the_unit_nothing(
    sip, olle, psychiatry, person, bob, primary_care
):
    plan = sip.to("active")
    asked = initiate(olle, psychiatry, person)
    answer = {"actor": staff(bob, primary_care), "join_request": asked, "accept": False}
    with refused("Say why the request is declined"):
        services.join_request_answer(**answer, reason="  ")
    notified = Notification.objects.count()
    services.join_request_answer(**answer, reason="Psykiatrin behövs inte i planen nu")
    asked.refresh_from_db()
    assert (asked.state, asked.answered_by, asked.answer_unit) == ("declined", bob, primary_care)
    assert asked.decline_reason == "Psykiatrin behövs inte i planen nu"
    assert_event(plan, "join_request_declined", bob, primary_care)
    assert Notification.objects.count() == notified
    assert not sees(psychiatry, plan)
    services.join_request_answer(**answer, reason="igen")  # the same answer again: nothing
    assert JoinRequest.objects.get().decline_reason == "Psykiatrin behövs inte i planen nu"
    with refused("already been answered"):
        services.join_request_answer(**{**answer, "accept": True})


@english
def test_after_a_decline_a_new_initiative_is_a_new_request(sip, olle, psychiatry, person):
    sip.to("active")
    first = initiate(olle, psychiatry, person)
    services.join_request_answer(**sip.as_alice, join_request=first, accept=False, reason="Nej")
    second = initiate(olle, psychiatry, person)
    assert second.pk != first.pk and second.state == "pending"


@english
def test_a_closed_plan_takes_no_answer(sip, olle, psychiatry, person):
    plan = sip.to("active")
    asked = initiate(olle, psychiatry, person)
    services.plan_close(**sip.as_alice, plan=plan, reason="not_needed")
    with refused("The SIP is closed"):
        services.join_request_answer(**sip.as_alice, join_request=asked, accept=False, reason="x")
    with refused("The SIP is closed"):
        services.join_request_answer(**sip.as_alice, join_request=asked, accept=True)


@english
def test_after_closing_a_new_initiative_starts_a_new_plan(sip, olle, psychiatry, person):
    sip.to("closed")
    plan = initiate(olle, psychiatry, person)
    assert plan.state == "initiated" and plan.initiating_unit == psychiatry


# --- The pages ------------------------------------------------------------------------------


def test_a_unit_that_takes_no_part_gets_a_neutral_receipt_that_reveals_nothing(
    client, sip, olle, psychiatry, person
):
    plan = sip.to("active")
    login(client, olle)
    response = start(client, person)
    assert (response.status_code, response["Location"]) == (302, RECEIPT)
    page = client.get(RECEIPT)
    text = page.content.decode()
    assert page.status_code == 200 and "Initiativet är registrerat" in text
    for secret in [
        person.given_name,
        person.family_name,
        str(plan.pk),
        "pågående",
        sip.needs_assessment.name,
        sip.primary_care.name,
        sip.alice.first_name,
        "Etablerad",
    ]:
        assert secret not in text, secret
    assert JoinRequest.objects.filter(plan=plan, unit=psychiatry).count() == 1


@pytest.mark.parametrize("state", ["initiated", "consented", "active", "revision"])
def test_the_receipt_is_the_same_whatever_the_plan_and_however_often(
    client, sip, olle, psychiatry, person, state
):
    """Every state of the plan, a first or a repeated initiative: one answer, byte for byte."""
    sip.to(state)
    login(client, olle)
    answers = [start(client, person), start(client, person, reasons=["unclear"])]
    assert {(r.status_code, r["Location"], r.content) for r in answers} == {(302, RECEIPT, b"")}
    assert JoinRequest.objects.count() == 1


def test_two_quick_posts_record_one_request(client, sip, olle, psychiatry, person):
    plan = sip.to("invited")
    login(client, olle)
    first, second = start(client, person), start(client, person)
    assert first["Location"] == second["Location"] == RECEIPT
    assert JoinRequest.objects.filter(plan=plan, unit=psychiatry, state="pending").count() == 1
    assert PlanEvent.objects.filter(plan=plan, kind="join_requested").count() == 1


def test_a_unit_that_takes_part_is_told_and_linked(client, sip, bob, person):
    plan = sip.to("active")
    login(client, bob)
    response = start(client, person)
    text = response.content.decode()
    assert response.status_code == 400
    assert "Eva Exempel har redan en pågående SIP." in text
    assert f'href="/sip/{plan.pk}/"' in text
    assert not JoinRequest.objects.exists()


def test_the_initiating_unit_before_consent_is_told_and_linked(client, sip, alice, person):
    plan = sip.to("initiated")
    login(client, alice)
    response = start(client, person)
    assert response.status_code == 400
    assert f'href="/sip/{plan.pk}/"' in response.content.decode()


@pytest.mark.parametrize(
    "posted", ["inte-ett-uuid", "00000000-0000-0000-0000-000000000000", "", "1' OR '1'='1"]
)
def test_a_bad_person_id_is_a_400_with_a_message_by_the_field(client, alice, person, posted):
    login(client, alice)
    response = client.post(
        "/sip/ny/", {"step": "initiate", "person": posted, "reasons": ["several_units"]}
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Sök fram individen igen" in text
    assert 'class="field__error" id="id_identity_number_error"' in text
    assert not person.plans.exists()


def test_writing_participants_see_waiting_requests_on_the_overview_and_readers_do_not(
    client, sip, olle, psychiatry, person, bob, frida
):
    plan = sip.to("active")
    initiate(olle, psychiatry, person, reason_text="Återkommande inläggningar")
    for user, shown in [(sip.alice, True), (bob, True), (frida, False)]:
        client.logout()
        login(client, user)
        text = client.get(f"/sip/{plan.pk}/").content.decode()
        assert ("Förfrågningar om att delta" in text) is shown, user
        assert ("Återkommande inläggningar" in text) is shown, user
        assert ("/forfragningar/" in text) is shown, user


def test_accepting_without_consent_leads_to_the_consent_with_the_unit_ticked(
    client, sip, olle, psychiatry, person
):
    plan = sip.to("invited")
    asked = initiate(olle, psychiatry, person)
    login(client, sip.alice)
    url = f"/sip/{plan.pk}/forfragningar/{asked.pk}/svar/"
    response = client.post(url, {"answer": "accept"})
    consent_page = f"/sip/{plan.pk}/samtycke/?forfragan={asked.pk}"
    assert (response.status_code, response["Location"]) == (302, consent_page)
    page = client.get(consent_page).content.decode()
    assert "Individens samtycke måste först omfatta Psykiatriska kliniken" in page
    assert "De här enheterna ber att få delta" in page
    assert f'value="{psychiatry.pk}" id="id_units_' in page
    ticked = f'name="units" value="{psychiatry.pk}" id="id_units_'
    assert ticked in page and page.split(ticked, 1)[1].split(">", 1)[0].strip().endswith("checked")
    assert JoinRequest.objects.get().state == "pending"

    response = client.post(
        consent_page,
        {
            "decision": "given",
            "decided_on": timezone.localdate().isoformat(),
            "mode": "written",
            "units": [u.pk for u in [*sip.scope, psychiatry]],
        },
    )
    assert response.status_code == 302
    assert JoinRequest.objects.get().state == "accepted"

    client.logout()
    login(client, olle)
    assert client.get(f"/sip/{plan.pk}/").status_code == 200
    assert "Eva Exempel" in client.get("/sip/").content.decode()
    inbox = client.get("/inkorg/").content.decode()
    assert "Din enhet deltar nu i en SIP" in inbox


def test_declining_on_the_page_reveals_nothing_to_the_requesting_unit(
    client, sip, olle, psychiatry, person
):
    plan = sip.to("active")
    asked = initiate(olle, psychiatry, person)
    login(client, sip.alice)
    url = f"/sip/{plan.pk}/forfragningar/{asked.pk}/svar/"
    response = client.post(url, {"answer": "decline", "reason": "Inte aktuellt"})
    assert (response.status_code, response["Location"]) == (302, f"/sip/{plan.pk}/")
    assert JoinRequest.objects.get().state == "declined"
    assert "Förfrågningar om att delta" not in client.get(f"/sip/{plan.pk}/").content.decode()
    history = client.get(f"/sip/{plan.pk}/historik/").content.decode()
    assert "Psykiatriska kliniken ber att få delta" in history
    assert "Förfrågan om att delta från Psykiatriska kliniken avböjd" in history

    client.logout()
    login(client, olle)
    assert client.get(f"/sip/{plan.pk}/").status_code == 404
    assert "Exempel" not in client.get("/sip/").content.decode()
    assert "Exempel" not in client.get("/inkorg/").content.decode()
    assert not Notification.objects.filter(user=olle).exists()
    again = start(client, person)
    assert (again.status_code, again["Location"]) == (302, RECEIPT)


def test_an_answer_without_a_choice_changes_nothing(client, sip, olle, psychiatry, person):
    plan = sip.to("active")
    asked = initiate(olle, psychiatry, person)
    login(client, sip.alice)
    url = f"/sip/{plan.pk}/forfragningar/{asked.pk}/svar/"
    for data in [{}, {"answer": "maybe"}, {"answer": "decline", "reason": ""}]:
        response = client.post(url, data)
        assert response.status_code == 302
    assert JoinRequest.objects.get().state == "pending"
    assert not PlanEvent.objects.filter(kind__startswith="join_request_").exists()


def test_only_writing_units_of_the_plan_answer(client, sip, olle, psychiatry, person, frida):
    plan = sip.to("active")
    asked = initiate(olle, psychiatry, person)
    url = f"/sip/{plan.pk}/forfragningar/{asked.pk}/svar/"
    login(client, olle)
    assert client.post(url, {"answer": "accept"}).status_code == 404
    client.logout()
    login(client, frida)
    assert client.post(url, {"answer": "decline", "reason": "x"}).status_code == 403
    other = sip.to("consented", person=make_person("19700101", "982", "Otto", "Annan"))
    client.logout()
    login(client, sip.alice)
    wrong_plan = f"/sip/{other.pk}/forfragningar/{asked.pk}/svar/"
    assert client.post(wrong_plan, {"answer": "decline", "reason": "x"}).status_code == 404
    assert JoinRequest.objects.get().state == "pending"


def test_the_worklist_marks_a_plan_with_a_request_for_writing_units_only(
    client, sip, olle, psychiatry, person, frida
):
    sip.to("active")
    initiate(olle, psychiatry, person)
    for user, shown in [(sip.alice, True), (frida, False)]:
        client.logout()
        login(client, user)
        text = client.get("/sip/").content.decode()
        assert "Eva Exempel" in text
        assert ("Förfrågan om att delta" in text) is shown, user
