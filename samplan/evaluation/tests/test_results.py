"""The figures for unit managers: nothing under 5 answers, each category cell suppressed, and
only the occasions the manager's unit took part in."""

import datetime

import pytest
from django.utils import timezone

from samplan.accounts.models import Membership
from samplan.evaluation.models import EvaluationAnswer
from samplan.evaluation.results import evaluation_results
from samplan.testing.cast import citizen_client, login, make_user

TODAY = timezone.localdate()
MONTH = TODAY.replace(day=1)


def answer(version, unit, category="individual", helps="5", **extra):
    made = EvaluationAnswer.objects.create(
        version=version,
        occasion="follow_up",
        category=category,
        month=MONTH,
        answers={"sip_helps": helps, **extra},
    )
    made.units.set([unit])
    return made


def helps_row(figures):
    return next(q for q in figures.versions[0].questions if q.question.link_id == "sip_helps")


def test_four_answers_show_nothing(version, needs_assessment):
    for _n in range(4):
        answer(version, needs_assessment)
    figures = evaluation_results([needs_assessment], MONTH, TODAY)
    assert not figures.shown and figures.versions == []


def test_five_answers_show_count_distribution_and_mean(version, needs_assessment):
    for helps in ("5", "5", "4", "3", "dont_know"):
        answer(version, needs_assessment, helps=helps)
    figures = evaluation_results([needs_assessment], MONTH, TODAY)
    assert figures.shown
    row = helps_row(figures)
    assert row.total.display == 5
    assert row.total.mean == 4.2  # (5+5+4+3)/4, "Don't know" not counted
    # The counts of 1 to 4 in the distribution are hidden as well.
    assert dict(row.total.distribution)["Instämmer helt"] == "<5"
    assert dict(row.total.distribution)["Vet inte"] == "<5"
    assert dict(row.total.distribution)["Instämmer inte alls"] == 0
    # A question nobody answered shows 0, not a distribution.
    other = next(
        q for q in figures.versions[0].questions if q.question.link_id == "knows_who_leads"
    )
    assert other.total.display == 0 and other.total.distribution == []


def test_a_single_small_count_in_a_distribution_hides_a_second_one(version, needs_assessment):
    for helps in ["5"] * 6 + ["4"] * 5 + ["3"] * 2:
        answer(version, needs_assessment, helps=helps)
    shown = dict(helps_row(evaluation_results([needs_assessment], MONTH, TODAY)).total.distribution)
    # 13 answers: the 2 alone would be 13 - 6 - 5; the smallest other (5) is hidden too.
    assert (shown["Instämmer helt"], shown["Vet inte"]) == (6, 0)
    assert list(shown.values()).count("<5") == 2


def test_a_small_category_is_hidden_and_cannot_be_worked_out_by_subtraction(
    version, needs_assessment
):
    for _n in range(6):
        answer(version, needs_assessment, "individual")
    for _n in range(2):
        answer(version, needs_assessment, "relative")
    row = helps_row(evaluation_results([needs_assessment], MONTH, TODAY))
    cells = {code: cell for code, _label, cell in row.by_category}
    assert row.total.display == 8
    assert cells["relative"].display == "<5"
    # 8 minus the individuals' 6 would give the relatives' 2: the individuals are hidden too.
    assert cells["individual"].display == "<5" and cells["individual"].mean is None
    # Staff have their own questionnaire: no staff column here when no staff answered it.
    assert "staff" not in cells and cells["guardian"].display == 0


def test_each_category_of_five_or_more_is_shown(version, needs_assessment):
    for category in ("individual", "staff"):
        for _n in range(5):
            answer(version, needs_assessment, category)
    row = helps_row(evaluation_results([needs_assessment], MONTH, TODAY))
    cells = {code: cell for code, _label, cell in row.by_category}
    assert cells["individual"].display == 5 and cells["staff"].display == 5


def test_answers_outside_the_period_or_the_unit_do_not_count(
    version, needs_assessment, primary_care
):
    for _n in range(5):
        answer(version, primary_care)
    old = answer(version, needs_assessment)
    old.month = MONTH - datetime.timedelta(days=800)
    old.save()
    assert not evaluation_results([needs_assessment], MONTH, TODAY).shown


@pytest.fixture
def page_answers(version, needs_assessment):
    for _n in range(5):
        answer(version, needs_assessment, anything_else="Hemlig fritext 4711")


def test_a_unit_manager_sees_the_figures_of_the_unit(
    client, mona, page_answers, django_assert_max_num_queries
):
    login(client, mona)
    with django_assert_max_num_queries(20):
        response = client.get("/utvardering/resultat/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<caption" in text and "Sammantaget hjälper SIP:en mig." in text
    assert "Hemlig fritext 4711" not in text


def test_with_fewer_than_five_answers_the_page_says_so(client, mona, version, needs_assessment):
    for _n in range(4):
        answer(version, needs_assessment)
    login(client, mona)
    text = client.get("/utvardering/resultat/").content.decode()
    assert "Results are shown when at least 5 have answered" in text or "minst 5" in text
    assert "<caption" not in text


def test_a_caseworker_gets_no_results_page(client, alice, page_answers):
    login(client, alice)
    assert client.get("/utvardering/resultat/").status_code in {403, 404}


def test_a_unit_manager_of_another_unit_sees_nothing_of_it(client, primary_care, page_answers):
    eva = make_user("eva", (primary_care, Membership.Role.UNIT_MANAGER))
    login(client, eva)
    response = client.get("/utvardering/resultat/")
    assert response.status_code == 200
    assert "<caption" not in response.content.decode()


def test_a_citizen_gets_no_results_page(client, person, page_answers):
    assert citizen_client(person).get("/utvardering/resultat/").status_code in {302, 403, 404}


def test_a_period_the_wrong_way_round_is_explained(client, mona, page_answers):
    login(client, mona)
    response = client.get("/utvardering/resultat/?fran=2026-05-01&till=2026-01-01")
    assert response.status_code == 400
    assert 'id="id_till_error"' in response.content.decode()


def test_each_questionnaire_is_a_section_with_its_own_rule_of_five(
    version, staff_version, needs_assessment
):
    for _n in range(5):
        answer(version, needs_assessment)
    for _n in range(4):
        answer(staff_version, needs_assessment, category="staff", collaboration_worked="4")
    figures = evaluation_results([needs_assessment], MONTH, TODAY)
    sections = [(s.instrument.audience, s.answers, s.shown) for s in figures.instruments]
    assert sections == [("citizens", 5, True), ("staff", 4, False)]
    assert [v.version for v in figures.versions] == [version]  # the staff's four not shown
    answer(staff_version, needs_assessment, category="staff", collaboration_worked="5")
    figures = evaluation_results([needs_assessment], MONTH, TODAY)
    staff = figures.instruments[1]
    assert staff.shown and [v.version for v in staff.versions] == [staff_version]
    row = next(
        q for q in staff.versions[0].questions if q.question.link_id == "collaboration_worked"
    )
    assert (row.total.display, row.total.mean) == (5, 4.2)
    assert [code for code, _l, _c in row.by_category] == ["staff"]


def test_the_page_shows_the_individual_s_and_the_staff_s_answers_apart(
    client, mona, version, staff_version, needs_assessment
):
    for _n in range(5):
        answer(version, needs_assessment)
        answer(staff_version, needs_assessment, category="staff", collaboration_worked="4")
    login(client, mona)
    text = client.get("/utvardering/resultat/").content.decode()
    individual = text.index('<h2 id="instrument-1-heading">Samplans utvärdering av SIP</h2>')
    staff = text.index(
        '<h2 id="instrument-2-heading">Samplans utvärdering av SIP för personal</h2>'
    )
    assert individual < staff
    assert "Sammantaget hjälper SIP:en mig." in text[individual:staff]
    assert "Sammantaget fungerade samverkan." in text[staff:]
    assert "Sammantaget hjälper SIP:en mig." not in text[staff:]


def test_too_few_staff_answers_say_so_in_their_own_section(
    client, mona, version, staff_version, needs_assessment
):
    for _n in range(5):
        answer(version, needs_assessment)
    answer(staff_version, needs_assessment, category="staff", collaboration_worked="4")
    login(client, mona)
    text = client.get("/utvardering/resultat/").content.decode()
    staff = text.index("Samplans utvärdering av SIP för personal</h2>")
    assert "Sammantaget hjälper SIP:en mig." in text[:staff]
    assert "<caption" not in text[staff:] and "minst 5" in text[staff:]
