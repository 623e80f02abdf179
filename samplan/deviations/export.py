"""A report of a collaboration failure for an organisation's own deviation system: one
structure, written as JSON or rendered as a PDF, so the two cannot disagree.

The individual appears only as the report's pseudonym, unless the reader may see the SIP (then
also the name and the plan's id); never the identity number."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation

from samplan.deviations import services
from samplan.deviations.models import Deviation
from samplan.plans.pdf import html_pdf_bytes
from samplan.policy import Staff


def _unit(unit) -> dict:
    organization = unit.organization
    return {
        "name": unit.name,
        "hsa_id": unit.hsa_id,
        "organization": {
            "name": organization.name,
            "organization_number": organization.organization_number,
            "hsa_id": organization.hsa_id,
        },
    }


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _individual(actor: Staff, deviation: Deviation) -> dict | None:
    if deviation.plan_id is None:
        return None  # a report about the units' collaboration in general
    individual = {"pseudonym": services.pseudonym(deviation)}
    if services.individual_shown(actor, deviation):
        individual["name"] = deviation.plan.person.full_name
        individual["plan"] = str(deviation.plan.pk)
    return individual


def _local(moment):
    return timezone.localtime(moment) if moment is not None else None


def report_data(actor: Staff, deviation: Deviation) -> dict:
    """The report as the actor may see it (dates as date objects; JSON writes them in ISO)."""
    concluded = None
    if deviation.conclusion:
        concluded = {
            "code": deviation.conclusion,
            "label": str(deviation.get_conclusion_display()),
            "text": deviation.conclusion_text,
            "at": _local(deviation.concluded_at),
        }
    return {
        "id": str(deviation.pk),
        "kind": {"code": deviation.kind, "label": str(deviation.get_kind_display())},
        "happened_on": deviation.happened_on,
        "reported_at": _local(deviation.reported_at),
        "what_happened": deviation.what_happened,
        "consequence": deviation.consequence,
        "reporter": {"name": _name(deviation.reporter), "unit": _unit(deviation.reporting_unit)},
        "individual": _individual(actor, deviation),
        "units": [_unit(unit) for unit in deviation.units.all()],
        "state": {"code": deviation.state, "label": str(deviation.get_state_display())},
        "level": deviation.level,
        "level_due": deviation.level_due,
        "conclusion": concluded,
        "actions": [
            {
                "what": action.what,
                "owner": _name(action.owner),
                "due": action.due,
                "agreed_at": _local(action.agreed_at),
                "done_at": _local(action.done_at),
            }
            for action in deviation.actions.all()
        ],
        "references": [
            {"organization": ref.organization.name, "reference": ref.reference}
            for ref in deviation.references.all()
        ],
        "events": [
            {
                "at": _local(event.at),
                "kind": event.kind,
                "label": str(event.get_kind_display()),
                "by": _name(event.actor),
                "unit": event.acting_unit.name if event.acting_unit else "",
                "level": event.level,
                "summary": event.summary,
                "text": event.text,
            }
            for event in services.history(deviation)
        ],
        "exported_at": timezone.localtime(),
    }


def short_name(deviation: Deviation) -> str:
    return f"brist-{deviation.pk.hex[:8]}"


def report_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def report_pdf(data: dict) -> bytes:
    language = "en" if (translation.get_language() or "").startswith("en") else "sv"
    html = render_to_string("deviations/report_pdf.html", {"report": data, "lang": language})
    return html_pdf_bytes(html)
