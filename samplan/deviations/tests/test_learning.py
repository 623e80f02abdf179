"""The learning page: where collaboration fails, in figures only, for unit managers.

A hand-made set of reports whose figures are counted here by hand: ten reports concerning the
municipality in 2025 (eight with the region's primary care), one only between the region's
units, one from before the period.
"""

import csv
import datetime
import io
import re
from html import unescape

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from samplan import policy
from samplan.accounts.models import Membership
from samplan.conftest import make_user
from samplan.deviations import learning
from samplan.deviations.learning import Area
from samplan.deviations.models import Deviation, DeviationEvent
from samplan.testing.cast import staff
from samplan.testing.world import staff_client

Kind = Deviation.Kind
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
PERIOD = {"fran": START.isoformat(), "till": END.isoformat()}


def at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day} 12:00"))


@pytest.fixture
def report(mona, needs_assessment, municipality):
    def make(kind, units, reported, *, concluded_after=None, level=1, escalated_event=False):
        deviation = Deviation.objects.create(
            kind=kind,
            what_happened="Något hände",
            happened_on=datetime.date.fromisoformat(reported),
            consequence="Ingen",
            reporter=mona,
            reporting_unit=needs_assessment,
            agreement_organization=municipality,
            level=level,
        )
        deviation.units.set(units)
        changes = {"reported_at": at(reported)}
        if concluded_after is not None:
            changes |= {
                "state": Deviation.State.CONCLUDED,
                "conclusion": Deviation.Conclusion.RESOLVED,
                "concluded_at": at(reported) + datetime.timedelta(days=concluded_after),
            }
        Deviation.objects.filter(pk=deviation.pk).update(**changes)
        if escalated_event:
            DeviationEvent.objects.create(
                deviation=deviation, kind=DeviationEvent.Kind.ESCALATED, level=2, summary="Upp"
            )
        return deviation

    return make


@pytest.fixture
def reports(
    report, needs_assessment, social_psychiatry, primary_care, psychiatry, social_insurance
):
    na, pc = needs_assessment, primary_care
    # Seven deadlines missed between needs assessment and primary care: five in March, two in
    # April; six concluded after 1, 2, 3, 4, 10 and 20 days (median 3.5); three escalated.
    days = [1, 2, 3, 4, 10, 20, None]
    for i, after in enumerate(days):
        report(
            Kind.DEADLINE_MISSED,
            [na, pc],
            f"2025-0{3 if i < 5 else 4}-1{i}",
            concluded_after=after,
            level=2 if i < 3 else 1,
        )
    # A principal absent, twice in April: once with the psychiatric clinic, once with both the
    # clinic and primary care (three pairs); escalated and back (an event, level 1).
    report(Kind.PRINCIPAL_ABSENT, [na, psychiatry], "2025-04-20", escalated_event=True)
    report(Kind.PRINCIPAL_ABSENT, [na, psychiatry, pc], "2025-04-21", escalated_event=True)
    # Social psychiatry and Försäkringskassan, once in May.
    report(Kind.OTHER, [social_psychiatry, social_insurance], "2025-05-02")
    # Not the municipality's: only the region's units (escalated: not counted either).
    report(Kind.OTHER, [pc, psychiatry], "2025-06-01", level=3)
    # Before the period.
    report(Kind.DEADLINE_MISSED, [na, pc], "2024-12-31", concluded_after=1)


@pytest.fixture
def manager_client(mona, needs_assessment):
    return staff_client(mona, needs_assessment)


def rows_of(html: str) -> dict[str, str]:
    """The page's table rows: the row header and its figure."""
    found = re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', html, re.S)
    return {unescape(label).strip(): unescape(value).strip() for label, value in found}


# --- The figures ------------------------------------------------------------------------------


def test_the_figures_of_an_organisation_are_those_counted_by_hand(reports, municipality):
    figures = learning.figures(Area(municipality), START, END)
    assert figures.total == 10
    kinds = {row.label: row.count for row in figures.by_kind}
    assert kinds[Kind.DEADLINE_MISSED.label] == 7
    assert kinds[Kind.PRINCIPAL_ABSENT.label] == "<5"
    assert kinds[Kind.OTHER.label] == "<5"
    assert kinds[Kind.RESPONSIBILITY.label] == 0
    assert [row.label for row in figures.by_kind] == list(Kind.labels)
    assert [(row.label, row.count) for row in figures.by_pair] == [
        ("Biståndshandläggning (Testby kommun) – Vårdcentralen (Region Test)", 8),
        ("Biståndshandläggning (Testby kommun) – Psykiatriska kliniken (Region Test)", "<5"),
        ("Psykiatriska kliniken (Region Test) – Vårdcentralen (Region Test)", "<5"),
        ("Socialpsykiatri (Testby kommun) – Lokalkontoret (Försäkringskassan)", "<5"),
    ]
    months = {row.label: row.count for row in figures.by_month}
    assert list(months) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert (months["2025-02"], months["2025-03"], months["2025-04"], months["2025-05"]) == (
        0, 5, "<5", "<5",
    )  # fmt: skip
    assert figures.concluded == 6
    assert figures.median_days == 3.5 and figures.median_shown == "3,5"
    assert figures.escalated == 5  # three at step 2, two escalated once


def test_a_joint_area_counts_the_reports_concerning_both_organisations(
    reports, municipality, region, agency
):
    assert list(learning.sharing_organizations(municipality)) == [agency, region]
    figures = learning.figures(Area(municipality, region), START, END)
    assert figures.total == 9
    assert figures.area.name == "Testby kommun och Region Test"
    assert [row.label for row in figures.by_pair if "Lokalkontoret" in row.label] == []
    joint = learning.figures(Area(municipality, agency), START, END)
    assert joint.total == "<5" and joint.concluded == 0 and joint.escalated == 0


def test_counts_from_one_to_four_are_suppressed_and_so_is_a_median_of_fewer_than_five(
    report, municipality, needs_assessment, primary_care
):
    for after in [1, 2, 3, 4]:
        report(Kind.OTHER, [needs_assessment, primary_care], "2025-06-01", concluded_after=after)
    figures = learning.figures(Area(municipality), START, END)
    assert (figures.total, figures.concluded, figures.escalated) == ("<5", "<5", 0)
    assert figures.median_days is None
    assert figures.median_shown == "<5 avslutade"
    counts = [row.count for row in figures.by_kind + figures.by_pair + figures.by_month]
    assert set(counts) == {0, "<5"}
    summary = " ".join(learning.summary(figures))
    assert not re.search(r"\b[1-4]\b", summary), summary


def test_nothing_reported_shows_zeros(municipality, db):
    figures = learning.figures(Area(municipality), START, END)
    assert figures.total == 0 and figures.median_days is None
    assert figures.by_pair == [] and {row.count for row in figures.by_month} == {0}
    assert len(learning.summary(figures)) == 1


def test_the_figures_are_counted_by_the_database_whatever_the_number_of_reports(
    reports, report, municipality, needs_assessment, primary_care, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as few:
        learning.figures(Area(municipality), START, END)
    for day in range(1, 20):
        report(
            Kind.OTHER, [needs_assessment, primary_care], f"2025-07-{day:02d}", concluded_after=2
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        learning.figures(Area(municipality), START, END)


# --- The page and the exports -----------------------------------------------------------------


def test_the_page_shows_the_figures_to_a_unit_manager(reports, manager_client):
    response = manager_client.get(reverse("deviations:learning"), PERIOD)
    assert response.status_code == 200
    rows = rows_of(response.text)
    assert rows["Rapporter"] == "10"
    assert rows["Avslutade"] == "6"
    assert rows["Mediantid till avslut (dagar)"] == "3,5"
    assert rows["Eskalerade"] == "5"
    assert rows["2025-04"] == "<5"
    assert rows["Biståndshandläggning (Testby kommun) – Vårdcentralen (Region Test)"] == "8"
    # Figures only: no report, no individual, no reporter
    assert "Något hände" not in response.text and "Mona" not in response.text.split("<main")[-1]
    assert '<caption id="kind-caption">' in response.text


def test_the_page_counts_the_last_twelve_months_by_default(
    report, manager_client, needs_assessment, primary_care
):
    today = timezone.localdate()
    for _i in range(5):
        report(Kind.OTHER, [needs_assessment, primary_care], today.isoformat())
    response = manager_client.get(reverse("deviations:learning"))
    assert response.status_code == 200
    rows = rows_of(response.text)
    assert rows["Rapporter"] == "5"
    months = [label for label in rows if re.fullmatch(r"\d{4}-\d{2}", label)]
    assert len(months) == 12 and months[-1] == today.strftime("%Y-%m")


def test_the_page_shows_a_joint_area_chosen_from_the_organisations_sharing_reports(
    reports, manager_client, region
):
    page = manager_client.get(reverse("deviations:learning"), PERIOD).text
    assert f'<option value="{region.pk}">Region Test</option>' in page
    response = manager_client.get(reverse("deviations:learning"), PERIOD | {"med": region.pk})
    assert response.status_code == 200
    assert rows_of(response.text)["Rapporter"] == "9"
    assert "Testby kommun och Region Test" in response.text


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"fran": "2025-13-01"}, "fran", "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ({"till": "igår"}, "till", "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ({"fran": "2025-06-01", "till": "2025-05-01"}, "till", "kan inte vara före"),
        ({"fran": "1900-01-01", "till": "2025-05-01"}, "fran", "högst 10 år"),
        ({"med": "999999"}, "med", "Välj en organisation i listan"),
        ({"med": "x", "fran": "\x00"}, "med", "Välj en organisation i listan"),
    ],
)
def test_a_wrong_period_or_area_is_told_next_to_the_field(
    reports, manager_client, query, field, message
):
    response = manager_client.get(reverse("deviations:learning"), query)
    assert response.status_code == 400
    assert message in response.text
    assert f'aria-describedby="id_{field}_error"' in response.text
    assert f'id="id_{field}_error"' in response.text
    assert "Rapporter" not in rows_of(response.text)


def test_the_csv_and_the_spreadsheet_have_the_same_figures_as_the_page(
    reports, manager_client, region
):
    query = PERIOD | {"med": region.pk}
    page = rows_of(manager_client.get(reverse("deviations:learning"), query).text)
    csv_response = manager_client.get(reverse("deviations:learning_export", args=["csv"]), query)
    assert csv_response["Content-Type"].startswith("text/csv")
    assert (
        'filename="brister-testby-kommun-region-test-2025-01-01-2025-12-31.csv"'
        in csv_response["Content-Disposition"]
    )
    assert csv_response.content.startswith("\ufeff".encode())
    text = csv_response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[1] == ["Organisation eller samverkansområde", "Testby kommun och Region Test"]
    assert table[2] == ["Period", "2025-01-01", "2025-12-31"]
    from_csv = {row[0]: row[1] for row in table if len(row) == 2}

    xlsx = manager_client.get(reverse("deviations:learning_export", args=["xlsx"]), query)
    assert xlsx["Content-Disposition"].endswith('2025-01-01-2025-12-31.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    from_xlsx = {row[0]: str(row[1]).replace(".", ",") for row in cells if len(row) == 2}

    assert page["Rapporter"] == "9"
    for label, value in page.items():
        assert from_csv[label] == value, label
        assert from_xlsx[label] == value, label
    assert "<5" in from_csv.values()


def test_an_export_with_a_wrong_period_goes_back_to_the_page(manager_client, db):
    response = manager_client.get(
        reverse("deviations:learning_export", args=["csv"]), {"fran": "fel"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("deviations:learning") + "?fran=fel")
    assert manager_client.get("/brister/larande/export.pdf").status_code == 404


def test_a_name_like_a_formula_is_exported_as_text(
    report, manager_client, needs_assessment, primary_care
):
    needs_assessment.name = "=HYPERLINK(1)"
    needs_assessment.save(update_fields=["name"])
    for _i in range(5):
        report(Kind.OTHER, [needs_assessment, primary_care], "2025-02-01")
    text = manager_client.get(reverse("deviations:learning_export", args=["csv"]), PERIOD)
    assert "'=HYPERLINK(1) (Testby kommun)" in text.content.decode("utf-8-sig")
    xlsx = manager_client.get(reverse("deviations:learning_export", args=["xlsx"]), PERIOD)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_only_a_unit_manager_learns_the_page_exists(reports, alice, needs_assessment, primary_care):
    boss = make_user("boss", (primary_care, Membership.Role.UNIT_MANAGER))
    assert policy.decide(staff(boss, primary_care), "deviation.learn", None)
    assert policy.decide(staff(alice, needs_assessment), "deviation.learn", None) is (
        policy.Decision.NOT_FOUND
    )
    client = staff_client(alice, needs_assessment)
    assert client.get(reverse("deviations:learning")).status_code == 404
    for fmt in ["csv", "xlsx"]:
        url = reverse("deviations:learning_export", args=[fmt])
        assert client.get(url, PERIOD).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"fran": "0001-01-01", "till": "0001-12-31"},
        {"fran": "9999-01-01", "till": "9999-12-31"},
        {"fran": "", "till": "", "med": ""},
        {"sida": "2"},
    ],
)
def test_any_period_the_form_accepts_is_counted(reports, manager_client, query):
    response = manager_client.get(reverse("deviations:learning"), query)
    assert response.status_code == 200
    export = manager_client.get(reverse("deviations:learning_export", args=["xlsx"]), query)
    assert export.status_code == 200
