"""The PDF copy: an established version's copy is rendered once and kept, until anything on it
changes (docs/performance.md); every copy is tagged PDF/A-3a and PDF/UA-1 in the language of
the page, says where the plan stands at the top, and keeps its footer out of the tags."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from samplan.plans import pdf, services
from samplan.plans.models import VersionCopy
from samplan.testing.cast import login


@pytest.fixture
def renders(monkeypatch):
    calls = []
    real = pdf._render

    def counted(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr(pdf, "_render", counted)
    return calls


def download(client, plan):
    response = client.get(reverse("plans:pdf", args=[plan.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    return response.content


@pytest.mark.django_db
def test_the_same_copy_is_rendered_once_and_served_again(client, sip, renders):
    plan = sip.to("active")
    login(client, sip.alice)
    first = download(client, plan)
    second = download(client, plan)
    assert first == second
    assert len(renders) == 1
    assert VersionCopy.objects.filter(version__plan=plan).count() == 1


@pytest.mark.django_db
def test_a_change_on_the_copy_renders_a_new_one(client, sip, renders):
    plan = sip.to("active")
    login(client, sip.alice)
    download(client, plan)
    sip.update(plan, next_follow_up=datetime.date.today() + datetime.timedelta(days=200))
    download(client, plan)
    assert len(renders) == 2
    assert VersionCopy.objects.filter(version__plan=plan).count() == 2


@pytest.mark.django_db
def test_copies_of_earlier_days_and_versions_are_dropped(client, sip, renders):
    plan = sip.to("active")
    login(client, sip.alice)
    download(client, plan)
    VersionCopy.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    sip.update(plan, next_follow_up=datetime.date.today() + datetime.timedelta(days=200))
    download(client, plan)
    assert list(VersionCopy.objects.values_list("created_at__year", flat=True)) != [2020]
    assert VersionCopy.objects.filter(version__plan=plan).count() == 1


@pytest.mark.django_db
def test_a_plan_without_an_established_version_is_rendered_each_time(client, sip, renders):
    plan = sip.to("consented")
    login(client, sip.alice)
    download(client, plan)
    download(client, plan)
    assert len(renders) == 2
    assert not VersionCopy.objects.exists()


# --- What the copy is: PDF/A-3a and PDF/UA-1, in the page's language --------------------------


def read(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def text_of(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in read(content).pages)


def structure(reader: PdfReader) -> tuple[set, list]:
    """The structure elements the tree reaches from its root, and the ParentTree's entries."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    reached, todo = set(), list(root["/K"])
    while todo:
        ref = todo.pop()
        if not isinstance(ref, IndirectObject) or ref.idnum in reached:
            continue
        reached.add(ref.idnum)
        kids = ref.get_object().get("/K", [])
        todo.extend(kids if isinstance(kids, list) else [kids])
    return reached, list(root["/ParentTree"].get_object()["/Nums"])


@pytest.mark.django_db
def test_the_copy_declares_pdf_ua_and_pdf_a_and_is_tagged_in_swedish(client, sip):
    plan = sip.to("active")
    login(client, sip.alice)
    reader = read(download(client, plan))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "sv"
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert "<dc:title>" in xmp


@pytest.mark.django_db
def test_the_copy_is_in_english_when_the_page_is(client, sip):
    plan = sip.to("active")
    login(client, sip.alice)
    client.cookies["django_language"] = "en"
    content = download(client, plan)
    assert read(content).trailer["/Root"]["/Lang"] == "en"
    assert "In force: Version 1, approved on" in text_of(content)


@pytest.mark.django_db
def test_the_running_footer_and_page_numbers_are_artifacts_not_loose_tags(client, sip):
    plan = sip.to("active")
    login(client, sip.alice)
    reader = read(download(client, plan))
    reached, nums = structure(reader)
    for index, page in enumerate(reader.pages):
        content = page.get_contents().get_data().decode("latin-1")
        artifacts = re.findall(r"/Artifact\s+BMC(.*?)EMC", content, re.S)
        # The footer: the name with where the plan stands, and the page number.
        assert sum("TJ" in block for block in artifacts) == 2, index
        elements = nums[nums.index(index) + 1]
        tagged = [ref for ref in elements if isinstance(ref, IndirectObject)]
        assert all(ref.idnum in reached for ref in tagged)  # every tag is in the tree
        assert len(re.findall(r"/MCID \d+", content)) == len(tagged)


@pytest.mark.django_db
def test_terms_and_values_are_tables_with_headers(client, sip):
    plan = sip.to("active")
    login(client, sip.alice)
    reader = read(download(client, plan))
    reached, _nums = structure(reader)
    kinds = [reader.get_object(number).get("/S") for number in reached]
    assert kinds.count("/Table") >= 4  # goals, three kinds of actors, contacts, follow-up
    cells = [reader.get_object(n) for n in reached if reader.get_object(n).get("/S") == "/TD"]
    assert cells and all(cell["/A"]["/Headers"] for cell in cells)


@pytest.mark.django_db
def test_the_copy_says_at_the_top_where_the_plan_stands(client, sip):
    plan = sip.to("active")
    login(client, sip.alice)
    established = text_of(download(client, plan))
    assert established.index("Gäller: Version 1, godkänd den") < established.index("Dina mål")
    services.plan_close(**sip.as_alice, plan=plan, reason="not_needed")
    closed = text_of(download(client, plan))
    assert "Avslutad: SIP:en avslutades den" in closed
    assert "Kopian visar version 1, den som gällde sist." in closed


@pytest.mark.django_db
def test_a_proposal_says_so_at_the_top_and_what_it_changes(client, sip):
    plan = sip.to("active")
    sip.update(plan, next_follow_up=datetime.date.today() + datetime.timedelta(days=200))
    services.plan_revise(**sip.as_alice, plan=plan)
    login(client, sip.alice)
    text = text_of(download(client, plan))
    assert text.index("Förslag, inte godkänt:") < text.index("Dina mål")
    assert (
        "Det här är ett förslag till version 2. Tills du har godkänt det gäller version 1." in text
    )
    assert "Nästa uppföljning: nu" in text


@pytest.mark.django_db
def test_a_plan_not_written_yet_says_so_plainly_without_dashes(client, sip):
    plan = sip.to("invited")
    login(client, sip.alice)
    text = text_of(download(client, plan))
    assert "Inte skriven än: Planen är inte skriven än." in text
    assert "–" not in text.replace("SIP –", "")  # the title aside
    assert "Dina mål" not in text
