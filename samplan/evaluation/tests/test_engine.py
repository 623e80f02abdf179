"""The questionnaire engine: Samplan's own questionnaire as data, versions kept, FHIR in and out."""

import datetime
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from samplan.evaluation import default, fhir, services
from samplan.evaluation.models import EvaluationAnswer, InstrumentVersion, Question
from samplan.evaluation.tests.conftest import established, requests_of
from samplan.policy import Citizen
from samplan.testing.cast import citizen_client, login


@pytest.fixture(autouse=True)
def english():
    """The import's messages as written in the code (the admin pages are in Swedish)."""
    with translation.override("en"):
        yield


def test_samplans_own_questionnaire_is_data_in_swedish_english_and_easy_read(version):
    assert version.in_use
    assert version.title_sv == "Samplans utvärdering av SIP, version 1"
    assert version.instrument.publisher == "Samplan"
    questions = list(version.questions.all())
    assert [q.link_id for q in questions][-1] == "anything_else"
    for question in questions:
        assert question.text_sv and question.text_en and question.text_easy_sv
    helps = version.questions.get(link_id="sip_helps")
    assert helps.text_en == "Overall, the SIP helps me."
    assert [o["en"] for o in helps.options] == [
        "Do not agree at all", "Agree a little", "Partly agree", "Mostly agree",
        "Agree completely", "Don't know",
    ]  # fmt: skip
    assert helps.options[-1]["value"] is None


def test_an_answer_keeps_the_version_it_was_answered_on(sip, version):
    plan = established(sip)
    request = requests_of(plan).get(person=sip.person)
    # A new version comes into use after the request was made.
    version.in_use = False
    version.save()
    newer = fhir.questionnaire_import(json.dumps(_questionnaire(version="2")))
    newer.in_use = True
    newer.save()
    answers = {q.link_id: "4" for q in version.questions.filter(kind="choice")}
    services.evaluation_answer(actor=_citizen(sip.person), request=request, answers=answers)
    assert EvaluationAnswer.objects.get().version == version
    assert services.version_in_use() == newer


def _citizen(person):
    return Citizen(person=person)


def test_the_export_maps_a_version_to_a_fhir_questionnaire(version):
    resource = fhir.questionnaire(version)
    assert resource["resourceType"] == "Questionnaire"
    assert resource["version"] == "1" and resource["status"] == "active"
    assert resource["title"] == "Samplans utvärdering av SIP, version 1"
    first = resource["item"][0]
    assert first["linkId"] == "said_what_matters" and first["type"] == "choice"
    assert first["required"] is True
    translation = first["_text"]["extension"][0]
    assert translation["url"] == fhir.TRANSLATION
    assert {
        "url": "content",
        "valueString": "I could say what was important to me.",
    } in translation["extension"]
    option = first["answerOption"][4]
    assert option["valueCoding"]["code"] == "5"
    assert option["extension"] == [{"url": fhir.ORDINAL, "valueDecimal": 5}]
    assert "extension" not in first["answerOption"][5]  # "Don't know" has no value
    assert resource["item"][-1]["type"] == "text"
    # And it reads back in as the same questions.
    data = fhir.parse_questionnaire(json.dumps(resource))
    assert [q["link_id"] for q in data["questions"]] == [q.link_id for q in version.questions.all()]
    assert data["questions"][0]["options"] == version.questions.first().options


def test_the_export_of_an_answer_is_an_anonymous_questionnaire_response(version):
    answer = EvaluationAnswer.objects.create(
        version=version,
        occasion="established",
        category="individual",
        month=datetime.date(2026, 11, 1),
        answers={"sip_helps": "5", "anything_else": "Bra möte"},
    )
    response = fhir.questionnaire_response(answer)
    assert response["resourceType"] == "QuestionnaireResponse"
    assert response["questionnaire"] == "urn:samplan:questionnaire:samplan-sip-evaluation|1"
    assert response["authored"] == "2026-11"
    assert "subject" not in response and "author" not in response
    assert response["item"] == [
        {
            "linkId": "sip_helps",
            "text": "Sammantaget hjälper SIP:en mig.",
            "answer": [{"valueCoding": {"code": "5", "display": "Instämmer helt"}}],
        },
        {
            "linkId": "anything_else",
            "text": "Vill du säga något mer?",
            "answer": [{"valueString": "Bra möte"}],
        },
    ]


def _questionnaire(**overrides) -> dict:
    resource = {
        "resourceType": "Questionnaire",
        "url": "https://example.org/fhir/Questionnaire/sip-feedback",
        "name": "sip_feedback",
        "version": "1",
        "title": "Återkoppling om SIP",
        "_title": {"extension": [{"url": fhir.TRANSLATION, "extension": [
            {"url": "lang", "valueCode": "en"}, {"url": "content", "valueString": "SIP feedback"},
        ]}]},
        "status": "active",
        "item": [
            {
                "linkId": "q1",
                "type": "choice",
                "required": True,
                "text": "Blev du lyssnad på?",
                "answerOption": [
                    {"valueCoding": {"code": "yes", "display": "Ja"},
                     "extension": [{"url": fhir.ORDINAL, "valueDecimal": 1}]},
                    {"valueCoding": {"code": "no", "display": "Nej"}},
                ],
            },
            {"linkId": "q2", "type": "string", "text": "Något mer?"},
        ],
    }  # fmt: skip
    return resource | overrides


def test_samplans_own_questionnaire_for_staff_is_data_in_swedish_and_english(
    version, staff_version
):
    assert staff_version.in_use and version.in_use  # one in use for each side
    assert (
        staff_version.instrument.audience == "staff" and version.instrument.audience == "citizens"
    )
    assert staff_version.instrument.name == "Samplans utvärdering av SIP för personal"
    assert staff_version.instrument.publisher == "Samplan"
    questions = list(staff_version.questions.all())
    assert [q.link_id for q in questions][-1] == "anything_else"
    for question in questions:
        assert question.text_sv and question.text_en
        question.full_clean()
    assert staff_version.questions.get(link_id="clear_who_does_what").text_en == (
        "It is clear who does what."
    )
    # Installing again (the demo, a flushed database) adds nothing.
    default.install(apps)
    assert InstrumentVersion.objects.filter(instrument__publisher="Samplan").count() == 2


def test_a_second_questionnaire_in_use_for_the_same_side_is_refused(version, staff_version):
    other = fhir.questionnaire_import(json.dumps(_questionnaire()))
    other.in_use = True
    with pytest.raises(ValidationError):
        other.full_clean()
    version.in_use = False
    version.save(update_fields=["in_use"])
    other.full_clean()  # the individual's side has none in use now


def test_a_valid_fhir_questionnaire_is_imported_as_a_new_version_not_in_use(db):
    version = fhir.questionnaire_import(json.dumps(_questionnaire()))
    assert not version.in_use
    assert version.title_sv == "Återkoppling om SIP" and version.title_en == "SIP feedback"
    assert version.instrument.url == "https://example.org/fhir/Questionnaire/sip-feedback"
    q1, q2 = version.questions.all()
    assert (q1.kind, q1.required, q1.text_en) == ("choice", True, "Blev du lyssnad på?")
    assert q1.options[0] == {"code": "yes", "value": 1, "sv": "Ja", "en": "Ja", "easy_sv": ""}
    assert q2.kind == Question.Kind.TEXT
    # The same version again is refused; a new number is a new version of the same instrument.
    with pytest.raises(fhir.FhirImportError, match="already exists"):
        fhir.questionnaire_import(json.dumps(_questionnaire()))
    second = fhir.questionnaire_import(json.dumps(_questionnaire(version="2")))
    assert second.instrument == version.instrument


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "not JSON"),
        (json.dumps({"resourceType": "Patient"}), "not a FHIR Questionnaire"),
        (json.dumps(_questionnaire(item=[])), "no questions"),
        (json.dumps(_questionnaire(version="")), "no version"),
        (json.dumps(_questionnaire(item=[{"linkId": "a", "type": "date", "text": "När?"}])), "choice and text"),
        (json.dumps(_questionnaire(item=[{"linkId": "a", "type": "choice", "text": "?"}])), "without answer options"),
        (json.dumps(_questionnaire(item=[{"linkId": "a", "type": "text", "text": "?"}] * 2)), "same linkId"),
        (json.dumps(_questionnaire(item=[{"linkId": "a", "type": "text"}])), "Question 1 has no text"),
    ],
)  # fmt: skip
def test_an_invalid_file_is_refused_with_a_clear_message(db, raw, message):
    with pytest.raises(fhir.FhirImportError, match=message):
        fhir.questionnaire_import(raw)
    assert not InstrumentVersion.objects.exclude(instrument__publisher="Samplan").exists()


def test_an_administrator_imports_a_file_in_the_admin_and_an_invalid_one_is_explained(client, adam):
    login(client, adam)
    url = "/admin/evaluation/instrumentversion/import/"
    assert (
        "Importera enkät (FHIR Questionnaire)"
        in client.get("/admin/evaluation/instrumentversion/").content.decode()
    )
    bad = SimpleUploadedFile("q.json", b'{"resourceType": "Patient"}', "application/json")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "Filen är inte en FHIR Questionnaire" in response.content.decode()
    good = SimpleUploadedFile("q.json", json.dumps(_questionnaire()).encode(), "application/json")
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert InstrumentVersion.objects.filter(title_sv="Återkoppling om SIP").exists()


def test_the_admin_exports_a_version_as_fhir_json(client, adam, version):
    login(client, adam)
    response = client.post(
        "/admin/evaluation/instrumentversion/",
        {"action": "export_fhir", "_selected_action": [version.pk]},
    )
    assert response["Content-Type"].startswith("application/fhir+json")
    assert json.loads(response.content)["resourceType"] == "Questionnaire"


def test_a_citizen_cannot_reach_the_admin(person):
    assert citizen_client(person).get(
        "/admin/evaluation/instrumentversion/import/"
    ).status_code in {302, 403, 404}


def test_a_choice_question_needs_a_well_formed_scale(version):
    question = version.questions.get(link_id="sip_helps")
    question.full_clean()
    question.options = [{"value": 1}]
    with pytest.raises(ValidationError, match="list of options"):
        question.full_clean()
