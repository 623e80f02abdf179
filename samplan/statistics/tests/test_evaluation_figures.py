"""The individual's evaluation in the statistics, on a hand-made world of answers (the first
quarter of 2026), counted by hand: per question the answers and the positive share, per month
the answers and the positive share of the overall question, small figures hidden, the joint
area's answers those touching both organisations, and the exports saying what the page says.

| month   | answers (individual unless said)     | units                            |
| 2025-12 | 1                                    | needs assessment (before Q1)     |
| 2026-01 | 10: helps 5 5 5 4 4 3 3 2 1 don't know; | needs assessment + primary care |
|         |     said what matters 5 (all ten)     |                                  |
| 2026-02 | 6 (one a guardian's): helps 5 5 5 5 3 3; | needs assessment               |
|         |     knows follow-up 5 (four of them)  |                                  |
|         | + 2 relatives', 1 staff's (not counted) |                                 |
| 2026-03 | 3: helps 5 5 5                        | primary care + needs assessment  |
| 2026-03 | 1: helps 5                            | primary care                     |
"""

import csv
import datetime
import io

import openpyxl
import pytest
from django.apps import apps
from django.urls import reverse

from samplan.evaluation import default
from samplan.evaluation.models import EvaluationAnswer, InstrumentVersion
from samplan.evaluation.results import positive_codes
from samplan.statistics import charts
from samplan.statistics import indicators as ind
from samplan.statistics.evaluation_figures import evaluation_tables
from samplan.statistics.indicators import Period, Scope
from samplan.statistics.tests import world
from samplan.statistics.tests.test_indicators import Tally
from samplan.statistics.tests.test_pages import PAGE, Q1, cells
from samplan.testing.world import staff_client

QUARTER = Period.of_months(datetime.date(2026, 1, 1), datetime.date(2026, 3, 1))
HELPS = "Sammantaget hjälper SIP:en mig."
SAID = "Jag kunde säga det som var viktigt för mig."
FOLLOW_UP = "Jag vet när vi följer upp planen."


@pytest.fixture
def version(db) -> InstrumentVersion:
    default.install(apps)
    return InstrumentVersion.objects.get(instrument__code="samplan-sip-evaluation", version="1")


def answer(version, month: str, units, category="individual", **answers):
    made = EvaluationAnswer.objects.create(
        version=version,
        occasion="follow_up",
        category=category,
        month=datetime.date.fromisoformat(f"{month}-01"),
        answers=answers,
    )
    made.units.set(units)
    return made


@pytest.fixture
def answered(version, needs_assessment, primary_care):
    both = [needs_assessment, primary_care]
    answer(version, "2025-12", [needs_assessment], sip_helps="5")
    for helps in ["5", "5", "5", "4", "4", "3", "3", "2", "1", "dont_know"]:
        answer(version, "2026-01", both, sip_helps=helps, said_what_matters="5")
    for index, helps in enumerate(["5", "5", "5", "5", "3", "3"]):
        extra = {"knows_follow_up": "5"} if index < 4 else {}
        category = "guardian" if index == 0 else "individual"
        answer(version, "2026-02", [needs_assessment], category, sip_helps=helps, **extra)
    for category in ["relative", "relative", "staff"]:
        answer(version, "2026-02", [needs_assessment], category, sip_helps="1")
    for _n in range(3):
        answer(version, "2026-03", [primary_care, needs_assessment], sip_helps="5")
    answer(version, "2026-03", [primary_care], sip_helps="5")


def tables(scope: Scope) -> dict[str, dict[str, list]]:
    return {t.key: dict(t.rows) for t in evaluation_tables(scope, QUARTER)}


def test_positive_is_the_top_two_steps_of_the_scale(version):
    question = version.questions.get(link_id="sip_helps")
    assert positive_codes(question) == {"4", "5"}


def test_a_unit_s_answers_per_question_and_per_month(answered, needs_assessment):
    tally = Tally()
    found = tables(Scope(unit=needs_assessment))
    by_question = found["evaluation_questions"]
    # 19 answers in the quarter (10 + 6 + 3); positive 5 + 4 + 3 = 12, not 7.
    tally.check("overall question", by_question[HELPS], [19, "63 %"])
    # Ten answers, all positive: 10 yes, 0 no.
    tally.check("all positive", by_question[SAID], [10, "100 %"])
    # Four answers: the count and the share are hidden.
    tally.check("four answers", by_question[FOLLOW_UP], ["<5", "–"])
    tally.check("unanswered", by_question["Jag vet vem som gör vad."], [0, "–"])
    by_month = found["evaluation_by_month"]
    # January: 5 of 10 positive. February: 4 of 6 positive, so the share would reveal 4 and 2.
    # March: 3 answers hidden, and February's 6 with it (19 - 10 - 6 would give the 3).
    tally.check("January", by_month["2026-01"], [10, "50 %"])
    tally.check("February", by_month["2026-02"], ["<5", "–"])
    tally.check("March", by_month["2026-03"], ["<5", "–"])
    tally.done()


def test_six_answers_with_four_positive_hide_the_share(version, needs_assessment):
    """Four positive and two not: each is from 1 to 4, so the share would reveal them."""
    for helps in ["5", "5", "4", "4", "3", "dont_know"]:
        answer(version, "2026-02", [needs_assessment], sip_helps=helps)
    tally = Tally()
    found = tables(Scope(unit=needs_assessment))
    tally.check("six answers, four positive", found["evaluation_questions"][HELPS], [6, "–"])
    tally.done()


def test_an_organisation_and_a_joint_area_count_the_answers_of_their_units(
    answered, municipality, region
):
    tally = Tally()
    found = tables(Scope(organization=municipality))
    tally.check("municipality", found["evaluation_questions"][HELPS], [19, "63 %"])
    # The region: January's 10, March's 3 and the answer of primary care alone; 5+3+1 of 14.
    found = tables(Scope(organization=region))
    tally.check("region", found["evaluation_questions"][HELPS], [14, "64 %"])
    # Both: January's 10 and March's 3 touch both organisations; February's and the answer
    # of primary care alone do not. 8 positive of 13.
    found = tables(Scope(organization=municipality, other=region))
    tally.check("joint area", found["evaluation_questions"][HELPS], [13, "62 %"])
    tally.check("joint area, all positive", found["evaluation_questions"][SAID], [10, "100 %"])
    tally.check(
        "joint area, four answers elsewhere", found["evaluation_questions"][FOLLOW_UP], [0, "–"]
    )
    # 10, 0 and 3: March's 3 hidden, and January's 10 with it.
    months = found["evaluation_by_month"]
    tally.check(
        "joint area by month",
        [months[m] for m in ["2026-01", "2026-02", "2026-03"]],
        [["<5", "–"], [0, "–"], ["<5", "–"]],
    )
    tally.done()


def test_no_answers_says_so_and_draws_nothing(version, needs_assessment):
    result = ind.indicators(Scope(unit=needs_assessment), QUARTER, world.TODAY)
    drawn = {t.key for t in charts.chart_tables(result)}
    for key in ["evaluation_questions", "evaluation_by_month"]:
        table = result.table(key)
        assert key not in drawn
        assert table.sentence.endswith(": inga svar under perioden.")


def section(rows: list[list[str]], title: str) -> list[list[str]]:
    """The rows of the export's table with that title, its heading row left out."""
    start = rows.index([title]) + 2
    end = next((i for i in range(start, len(rows)) if not any(rows[i])), len(rows))
    return rows[start:end]


def test_the_page_charts_and_exports_show_the_same_figures(answered, mona, needs_assessment):
    with world.on("2026-04-15"):
        client = staff_client(mona, needs_assessment)
        response = client.get(PAGE, Q1)
        assert response.status_code == 200
        html = response.content.decode()
        csv_text = client.get(reverse("statistics:export", args=["csv"]), Q1).content
        xlsx = client.get(reverse("statistics:export", args=["xlsx"]), Q1).content
        svg = client.get(reverse("statistics:chart", args=["evaluation_questions"]), Q1)
        trend = client.get(reverse("statistics:chart", args=["evaluation_by_month"]), Q1)
    assert "<script>" not in html and "style=" not in html
    page = {
        key: cells(html, f"{key}-caption")
        for key in ["evaluation_questions", "evaluation_by_month"]
    }
    assert [HELPS, "19", "63 %"] in page["evaluation_questions"]
    assert [FOLLOW_UP, "<5", "–"] in page["evaluation_questions"]
    assert page["evaluation_by_month"] == [
        ["2026-01", "10", "50 %"],
        ["2026-02", "<5", "–"],
        ["2026-03", "<5", "–"],
    ]
    # Both charts are drawn, as images without script, with the table's sentence as the text.
    for key, response in [("evaluation_questions", svg), ("evaluation_by_month", trend)]:
        assert reverse("statistics:chart", args=[key]) in html
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert "<script" not in response.content.decode()
    assert "63 %" in html.split('id="evaluation_questions-heading"')[1].split("</p>")[0]

    rows = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig")), delimiter=";"))
    sheet = [
        [("" if v is None else str(v)) for v in row]
        for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)
    ]
    sheet = [row[: max((i + 1 for i, v in enumerate(row) if v), default=0)] for row in sheet]
    result = ind.indicators(Scope(unit=needs_assessment), QUARTER, world.TODAY)
    tally = Tally()
    for key, shown in page.items():
        title = result.table(key).title
        tally.check(f"CSV {key}", section(rows, title), shown)
        tally.check(f"XLSX {key}", section(sheet, title), shown)
    tally.done()
