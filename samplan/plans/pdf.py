"""The plan as a PDF copy (the individual's right to a copy, JO). Rendered by WeasyPrint from the
same CitizenPlan data as the Min SIP page: archival and tagged (PDF/A-3a) and accessible
(PDF/UA-1), in the language of the page it was asked from (/Lang from <html lang>)."""

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pydyf import Dictionary
from weasyprint import HTML

from samplan.accounts.models import Unit, User
from samplan.plans.models import Meeting, VersionCopy
from samplan.plans.presenter import CitizenPlan


def plan_pdf_bytes(view: CitizenPlan, *, language: str = "sv") -> bytes:
    """The copy of the plan. An established version's copy is rendered once for the same HTML
    (same content, reader, live facts and day) and kept with the version (VersionCopy)."""
    html = render_to_string(
        "citizen/plan_pdf.html",
        {"view": view, "plan": view.plan, "printed": timezone.now(), "lang": language},
    )
    if view.version is None:
        return _render(html)
    digest = hashlib.sha256(html.encode()).hexdigest()
    kept = VersionCopy.objects.filter(version=view.version, digest=digest)
    pdf = kept.values_list("pdf", flat=True).first()
    if pdf is not None:
        return bytes(pdf)
    pdf = _render(html)
    _keep(view, digest, pdf)
    return pdf


def invitation_pdf_bytes(meeting: Meeting, *, unit: Unit, contact: User) -> bytes:
    """The printable invitation (kallelse) to send by post: a letter to the individual in plain
    Swedish with the meeting's five-part agenda, tagged like the copy (PDF/A-3a, PDF/UA-1)."""
    with translation.override("sv"):
        copy_note = {
            Meeting.Status.HELD: _("A copy of the invitation. The meeting has been held."),
            Meeting.Status.CANCELLED: _("A copy of the invitation. The meeting is cancelled."),
        }.get(meeting.status, "")
        html = render_to_string(
            "plans/invitation_pdf.html",
            {
                "copy_note": copy_note,
                "meeting": meeting,
                "plan": meeting.plan,
                "unit": unit,
                "contact": contact,
                "printed": timezone.now(),
                "lang": "sv",
            },
        )
    return _render(html)


def copy_language() -> str:
    """The copy's language: English on an English page, Swedish otherwise."""
    return "en" if (translation.get_language() or "").startswith("en") else "sv"


def html_pdf_bytes(html: str) -> bytes:
    """Any other Samplan document (a report of a collaboration failure) as a PDF, tagged and
    archival like the copy (PDF/A-3a, PDF/UA-1)."""
    return _render(html)


def _render(html: str) -> bytes:
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3a", finisher=_accessible)


# WeasyPrint writes one conformance identifier (here PDF/A); PDF/UA-1 is declared beside it.
PDF_UA = (
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"'
    b' pdfuaid:part="1" />'
)


def _accessible(document, pdf) -> None:
    """Finish the tagged PDF for PDF/UA-1: the page margins (running footer, page numbers) are
    artifacts, and the metadata says PDF/UA-1."""
    _margins_as_artifacts(pdf)
    metadata = pdf.objects[_number(pdf.catalog["Metadata"])]
    xmp = b"".join(metadata.stream)
    metadata.stream = [xmp.replace(b"</rdf:RDF>", PDF_UA + b"</rdf:RDF>", 1)]


def _margins_as_artifacts(pdf) -> None:
    """WeasyPrint (70) tags the text of @page margin boxes under structure elements that are not
    in the tree, as PDF 1.7 has no artifact element. PDF/UA wants such running content marked
    /Artifact: each marked-content sequence whose element the tree cannot reach becomes one."""
    root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
    reached, todo = set(), [_number(ref) for ref in root["K"]]
    while todo:
        number = todo.pop()
        if number in reached:
            continue
        reached.add(number)
        kids = pdf.objects[number].get("K", ())
        todo.extend(_number(kid) for kid in kids if isinstance(kid, bytes | str))
    nums = pdf.objects[_number(root["ParentTree"])]["Nums"]
    for page_index, elements in zip(nums[0::2], nums[1::2], strict=True):
        if not isinstance(elements, list) or page_index >= len(pdf.pages["Kids"]) // 3:
            continue  # an annotation's entry, not a page's
        loose = {
            mcid
            for mcid, ref in enumerate(elements)
            if isinstance(ref, bytes | str) and _number(ref) not in reached
        }
        if not loose:
            continue
        page = pdf.objects[_number(pdf.pages["Kids"][page_index * 3])]
        content = pdf.objects[_number(page["Contents"])].stream
        for i in range(1, len(content) - 1):
            marks = content[i]
            if isinstance(marks, Dictionary) and marks.get("MCID") in loose:
                content[i - 1 : i + 2] = ["/Artifact", None, b"BMC"]
                elements[marks["MCID"]] = "null"
        content[:] = [op for op in content if op is not None]


def _number(reference) -> int:
    """The object number of an indirect reference ("12 0 R")."""
    if isinstance(reference, bytes):
        reference = reference.decode()
    return int(str(reference).split()[0])


def _keep(view: CitizenPlan, digest: str, pdf: bytes) -> None:
    """Keep today's copy; drop the plan's copies of other versions and of other days."""
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    copies = VersionCopy.objects.filter(version__plan=view.plan)
    try:
        with transaction.atomic():
            copies.exclude(version=view.version).delete()
            copies.filter(created_at__lt=today_start).delete()
            VersionCopy.objects.create(version=view.version, digest=digest, pdf=pdf)
    except IntegrityError:
        pass  # the same copy was kept meanwhile by another request


def pdf_response(view: CitizenPlan) -> HttpResponse:
    response = HttpResponse(
        plan_pdf_bytes(view, language=copy_language()), content_type="application/pdf"
    )
    if view.pending:
        name = f"sip-forslag-version-{view.pending.number}.pdf"
    else:
        name = f"sip-version-{view.version.number if view.version else 0}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
