"""The plan as a PDF copy (the individual's right to a copy, JO). Rendered by WeasyPrint from the
same CitizenPlan data as the Min SIP page; tagged (PDF/UA structure) and archival (PDF/A-3u)."""

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from samplan.plans.models import VersionCopy
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


def _render(html: str) -> bytes:
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3u", pdf_tags=True)


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
    response = HttpResponse(plan_pdf_bytes(view), content_type="application/pdf")
    if view.pending:
        name = f"sip-forslag-version-{view.pending.number}.pdf"
    else:
        name = f"sip-version-{view.version.number if view.version else 0}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
