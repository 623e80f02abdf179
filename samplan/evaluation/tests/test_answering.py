"""Answering in Min SIP and as staff: valid, invalid with errors at the fields, "No thanks";
and the answer kept apart, with no path back to the person or the plan."""

from samplan.evaluation.models import EvaluationAnswer, EvaluationRequest
from samplan.evaluation.tests.conftest import established, requests_of
from samplan.testing.cast import citizen_client, login

ALL_FOUR = {
    "said_what_matters": "4",
    "knows_who_does_what": "5",
    "knows_who_leads": "dont_know",
    "knows_follow_up": "3",
    "chose_who_took_part": "2",
    "sip_helps": "5",
}


def test_the_individual_answers_in_min_sip_and_the_request_only_says_answered(sip, version):
    plan = established(sip)
    request = requests_of(plan).get(person=sip.person)
    client = citizen_client(sip.person)
    home = client.get("/min-sip/").content.decode()
    assert f"/min-sip/utvardering/{request.pk}/" in home
    page = client.get(f"/min-sip/utvardering/{request.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Samplans utvärdering av SIP, version 1" in text
    assert "<fieldset" in text and "<legend" in text
    response = client.post(
        f"/min-sip/utvardering/{request.pk}/", ALL_FOUR | {"anything_else": " Tack! "}
    )
    assert response.status_code == 302
    answer = EvaluationAnswer.objects.get()
    assert answer.answers == ALL_FOUR | {"anything_else": "Tack!"}
    assert (answer.occasion, answer.category) == ("established", "individual")
    assert answer.month == request.asked_on.replace(day=1)
    request.refresh_from_db()
    assert request.state == EvaluationRequest.State.ANSWERED
    # Answered once: the card is gone and the page thanks instead of asking again.
    assert f"/min-sip/utvardering/{request.pk}/" not in client.get("/min-sip/").content.decode()
    again = client.post(f"/min-sip/utvardering/{request.pk}/", ALL_FOUR)
    assert again.status_code == 302 and EvaluationAnswer.objects.count() == 1


def test_missing_answers_are_explained_next_to_their_questions(sip, version):
    plan = established(sip)
    request = requests_of(plan).get(person=sip.person)
    client = citizen_client(sip.person)
    answers = dict(ALL_FOUR)
    del answers["sip_helps"]
    response = client.post(
        f"/min-sip/utvardering/{request.pk}/", answers | {"knows_who_leads": "9"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="id_sip_helps_error"' in text and 'aria-describedby="id_sip_helps_error"' in text
    assert 'id="id_knows_who_leads_error"' in text
    assert 'class="error-summary"' in text and 'href="#id_sip_helps"' in text
    assert not EvaluationAnswer.objects.exists()
    assert requests_of(plan).get(person=sip.person).state == "open"


def test_no_thanks_closes_the_request_and_stores_nothing(sip, version):
    plan = established(sip)
    request = requests_of(plan).get(person=sip.person)
    client = citizen_client(sip.person)
    response = client.post(f"/min-sip/utvardering/{request.pk}/", {"beslut": "nej"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == EvaluationRequest.State.DECLINED
    assert not EvaluationAnswer.objects.exists()
    page = client.get(f"/min-sip/utvardering/{request.pk}/")
    assert page.status_code == 200 and "<fieldset" not in page.content.decode()


def test_the_questions_switch_to_easy_read_and_english(sip, version):
    plan = established(sip)
    request = requests_of(plan).get(person=sip.person)
    client = citizen_client(sip.person)
    url = f"/min-sip/utvardering/{request.pk}/"
    assert "Min SIP hjälper mig." in client.get(url + "?sprak=easy").content.decode()
    english = client.get(url + "?sprak=en").content.decode()
    assert "Overall, the SIP helps me." in english and "Agree completely" in english


def test_nobody_else_opens_a_request(sip, version, relative, bob, client):
    plan = established(sip)
    request = requests_of(plan).get(person=sip.person)
    assert citizen_client(relative).get(f"/min-sip/utvardering/{request.pk}/").status_code == 404
    login(client, bob)
    assert client.get(f"/utvardering/{request.pk}/").status_code == 404


STAFF_ANSWERS = {
    "own_goals_guided": "5",
    "clear_who_does_what": "4",
    "clear_overall_responsibility": "4",
    "follow_up_set": "5",
    "principals_took_part": "dont_know",
    "collaboration_worked": "3",
}


def test_staff_answer_from_the_inbox_link(sip, version, staff_version, alice, client):
    plan = established(sip)
    request = requests_of(plan).get(user=alice)
    login(client, alice)
    page = client.get(f"/utvardering/{request.pk}/")
    assert page.status_code == 200
    assert "Den enskildes egna mål styrde planen." in page.content.decode()
    response = client.post(f"/utvardering/{request.pk}/", STAFF_ANSWERS)
    assert response.status_code == 302
    answer = EvaluationAnswer.objects.get()
    assert (answer.category, answer.version) == ("staff", staff_version)
    assert answer.answers == STAFF_ANSWERS


def test_the_answer_has_no_path_back_to_the_person_the_plan_or_the_request(sip, version):
    relations = {
        f.related_model._meta.label
        for f in EvaluationAnswer._meta.get_fields()
        if f.is_relation and f.related_model is not None
    }
    assert relations == {"evaluation.InstrumentVersion", "accounts.Unit"}
    request_fields = {f.name for f in EvaluationRequest._meta.get_fields()}
    assert not any("answer" in name for name in request_fields)


def test_no_page_of_the_plan_shows_the_individuals_answer(sip, version, alice, bob, client):
    plan = established(sip)
    request = requests_of(plan).get(person=sip.person)
    citizen_client(sip.person).post(
        f"/min-sip/utvardering/{request.pk}/", ALL_FOUR | {"anything_else": "Hemligt svar 4711"}
    )
    for user in (alice, bob):
        login(client, user)
        for path in ("", "plan/", "moten/", "versioner/", "historik/"):
            response = client.get(f"/sip/{plan.pk}/{path}")
            assert response.status_code == 200, path
            text = response.content.decode()
            assert "Hemligt svar 4711" not in text
            assert "/utvardering/" not in text
        client.logout()
