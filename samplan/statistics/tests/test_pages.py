"""The statistics pages: for unit managers only, their units only, figures only; the charts
as SVG images without script; the CSV and XLSX exports say what the page says."""

import csv
import io
import re
from html import unescape

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samplan.accounts.models import Membership
from samplan.statistics.tests import world
from samplan.testing.cast import make_user
from samplan.testing.world import staff_client

PAGE = reverse("statistics:index")
Q1 = {"fran": "2026-01", "till": "2026-03"}


def cells(html: str, caption_id: str) -> list[list[str]]:
    """The rows (header cell and data cells) of the table with that caption."""
    table = re.search(rf'<caption id="{caption_id}">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows[1:]
    ]


def test_a_caseworker_does_not_learn_the_statistics_exist(sip, alice, needs_assessment):
    with world.on("2026-04-15"):
        client = staff_client(alice, needs_assessment)
        for path in [
            PAGE,
            reverse("statistics:export", args=["csv"]),
            reverse("statistics:chart", args=["by_age"]),
        ]:
            assert client.get(path).status_code == 404, path
        assert "/statistik/" not in client.get(reverse("deviations:list")).content.decode()


def test_a_unit_manager_sees_the_link_and_only_the_units_he_manages(
    built, manager, primary_care, needs_assessment
):
    start = manager.get(reverse("deviations:list")).content.decode()
    assert 'href="/statistik/"' in start
    refused = manager.get(PAGE, Q1 | {"enhet": primary_care.pk})
    assert refused.status_code == 400
    assert "Välj en av enheterna i listan." in unescape(refused.content.decode())
    for fmt in ["csv", "xlsx"]:
        response = manager.get(
            reverse("statistics:export", args=[fmt]), Q1 | {"enhet": primary_care.pk}
        )
        assert response.status_code == 302


def test_a_manager_of_two_units_chooses_between_them(
    built, sip, social_psychiatry, needs_assessment
):
    boss = make_user(
        "berit",
        (needs_assessment, Membership.Role.UNIT_MANAGER),
        (social_psychiatry, Membership.Role.UNIT_MANAGER),
    )
    with world.on("2026-04-15"):
        client = staff_client(boss, needs_assessment)
        page = client.get(PAGE, Q1 | {"enhet": social_psychiatry.pk}).content.decode()
    key = dict(row for row in cells(page, "key-caption"))
    assert set(key.values()) == {"0"}


def test_the_page_shows_the_unit_s_figures_and_no_individual(built, manager):
    with CaptureQueriesContext(connection) as queries:
        response = manager.get(PAGE, Q1)
    assert response.status_code == 200
    html = response.content.decode()
    key = [row[1] for row in cells(html, "key-caption")]
    assert key == ["8", "8", "7", "<5", "7"]
    shares = [row[1] for row in cells(html, "share-caption")]
    assert shares == ["–", "–", "–", "–", "100 %", "100 %", "–", "–", "–"]
    durations = [row[1:] for row in cells(html, "duration-caption")]
    assert durations == [["7", "2", "8"], ["7", "13", "22"], ["7", "0", "3"]]
    assert "Statistiksson" not in html and "P1 " not in html
    assert "<script>" not in html and "style=" not in html
    # Aggregates in the database: a fixed number, whatever the number of plans (a median
    # costs two more queries once five are measured).
    assert len(queries) <= 31, len(queries)


def test_each_chart_is_an_svg_image_with_its_table_and_a_sentence(built, manager):
    html = manager.get(PAGE, Q1).content.decode()
    images = re.findall(r'<img class="stats-chart" src="([^"]+)" alt="([^"]+)"', html)
    # Only the ages have a count above 4 to draw; the other charts would be empty.
    assert [(unescape(src).split("?")[0], alt) for src, alt in images] == [
        (
            reverse("statistics:chart", args=["by_age"]),
            unescape(
                re.search(r'<h2 id="by_age-heading">.*?</h2>\s*<p>(.*?)</p>', html, re.S).group(1)
            ),
        )
    ]
    for chart in ["by_month", "closed_by_reason", "by_age", "failures_by_kind"]:
        response = manager.get(reverse("statistics:chart", args=[chart]), Q1)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        svg = response.content.decode()
        assert "<script" not in svg and "<svg" in svg
        csp = response["Content-Security-Policy"]
        assert "style-src 'unsafe-inline'" in csp and "script-src 'none'" in csp
    assert "'unsafe-inline'" not in manager.get(PAGE, Q1)["Content-Security-Policy"]
    assert manager.get(reverse("statistics:chart", args=["nothing"]), Q1).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"fran": "2026-13", "till": "2026-03"}, "fran"),
        ({"fran": "januari", "till": "2026-03"}, "fran"),
        ({"fran": "2026-03", "till": "2026-01"}, "till"),
        ({"fran": "2010-01", "till": "2026-03"}, "fran"),
        ({"fran": "2026-01", "till": "2027-01"}, "till"),
    ],
)
def test_a_wrong_period_is_refused_at_its_field(sip, manager, query, field):
    response = manager.get(PAGE, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}"' in html and f'aria-describedby="id_{field}_error' in html


def test_the_exports_hold_the_figures_of_the_page(built, manager):
    html = manager.get(PAGE, Q1).content.decode()
    shown = {}
    for caption in [
        "key-caption",
        "share-caption",
        "by_age-caption",
        "by_sex-caption",
        "failures_by_kind-caption",
    ]:
        for row in cells(html, caption):
            shown[(caption, row[0])] = row[1]
    csv_response = manager.get(reverse("statistics:export", args=["csv"]), Q1)
    assert csv_response["Content-Disposition"].endswith('2026-01-2026-03.csv"')
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    book = openpyxl.load_workbook(
        io.BytesIO(manager.get(reverse("statistics:export", args=["xlsx"]), Q1).content)
    )
    sheet_rows = [
        [("" if v is None else str(v)) for v in row]
        for row in book.active.iter_rows(values_only=True)
    ]
    checked = 0
    for (_caption, label), value in shown.items():
        for source in (rows, sheet_rows):
            found = [row for row in source if row and row[0] == label]
            assert found, label
            assert any(len(row) > 1 and row[1] == value for row in found), (label, value, found)
            checked += 1
    assert checked >= 30
    text = csv_response.content.decode("utf-8-sig")
    assert "Statistiksson" not in text


def test_a_unit_manager_may_look_at_the_joint_area_of_his_organisation_and_a_region(
    built, manager, region, municipality
):
    response = manager.get(PAGE, Q1 | {"omrade": region.pk})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert f"{municipality.name} " in html and region.name in html
    # The plans both took part in: P1-P7 started (P8 has no consent, so no region).
    key = [row[1] for row in cells(response.content.decode(), "key-caption")]
    assert key == ["7", "8", "7", "<5", "7"]
    refused = manager.get(PAGE, Q1 | {"omrade": municipality.pk})
    assert refused.status_code == 400
