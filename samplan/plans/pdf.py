"""The plan as a PDF copy (the individual's right to a copy, JO). Rendered by WeasyPrint from the
same CitizenPlan data as the Min SIP page; tagged (PDF/UA structure) and archival (PDF/A-3u)."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from samplan.plans.presenter import CitizenPlan


def plan_pdf_bytes(view: CitizenPlan, *, language: str = "sv") -> bytes:
    html = render_to_string(
        "citizen/plan_pdf.html",
        {"view": view, "plan": view.plan, "printed": timezone.now(), "lang": language},
    )
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3u", pdf_tags=True)


def pdf_response(view: CitizenPlan) -> HttpResponse:
    response = HttpResponse(plan_pdf_bytes(view), content_type="application/pdf")
    version = view.version.number if view.version else 0
    response["Content-Disposition"] = f'attachment; filename="sip-version-{version}.pdf"'
    return response
