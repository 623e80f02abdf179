"""Discharge from inpatient care under /utskrivning/: the ward's list of admitted patients and
the notices it sends; the incoming notices of the municipality and outpatient care.

Only the ward and the units named in the notices open an admission (policy
`_decide_admission`); every list and page that shows a patient is access-logged first."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.audit.services import access_log_record_many
from samplan.core.law import cite
from samplan.discharge import forms as f
from samplan.discharge import services
from samplan.discharge.models import Admission
from samplan.people.models import Person
from samplan.people.session import StaffRequest
from samplan.plans import rules
from samplan.plans.views.base import attempt, render_form

PAGE_SIZE = 25


def _rows(admissions, today):
    return [(a, _deadline(a, today)) for a in admissions]


def _deadline(admission: Admission, today):
    """The invitation deadline after discharge, with its state ('met' once invited)."""
    if admission.invitation_due is None:
        return None
    status = rules.invitation_deadline_status(admission.invitation_due, admission.invited_on, today)
    return {"due": admission.invitation_due, "status": status,
            "label": rules.INVITATION_STATUS_LABELS[status],
        "badge": rules.INVITATION_STATUS_BADGES[status], "invited_on": admission.invited_on}  # fmt: skip


@require_http_methods(["GET"])
@acting_unit_required
@policy.route("admission.list")
def admission_list(request: StaffRequest) -> HttpResponse:
    """A ward sees its admitted (or discharged) patients; any other unit the notices it got."""
    unit = request.acting_unit
    ward = rules.registers_admissions(unit)
    if ward:
        show = "utskrivna" if request.GET.get("visa") == "utskrivna" else "inskrivna"
        admissions = services.admissions_of_ward(unit, discharged=show == "utskrivna")
    else:
        show = "nya" if request.GET.get("visa") == "nya" else "alla"
        admissions = services.notices_to_unit(unit, unacknowledged=show == "nya")
    page = Paginator(admissions, PAGE_SIZE).get_page(request.GET.get("sida"))
    rows = _rows(page.object_list, timezone.localdate())
    access_log_record_many(
        request=request, action="admission.list", items=[(a.person, a) for a, _d in rows]
    )
    for admission, _d in rows:
        admission.mine = next((r for r in admission.recipients.all() if r.unit_id == unit.pk), None)
    context = {"rows": rows, "page": page, "ward": ward, "show": show}
    return render(request, "discharge/list.html", context)


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("admission.register")
def admission_register(request: StaffRequest) -> HttpResponse:
    unit = request.acting_unit
    if not policy.decide(request.actor, "admission.register", None):
        raise Http404
    form = f.AdmissionForm(request.POST if request.method == "POST" else None, ward=unit)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        number = data["identity_number"]
        person = Person.objects.filter(
            identity_kind=number.kind, identity_number=number.value
        ).first()
        if person is None:
            form.add_error(
                "identity_number",
                _(
                    "No individual with this number is registered in Samplan. Register him or "
                    "her under “Find individual” first."
                ),
            )
        else:
            done = []
            if attempt(
                form,
                lambda: done.append(
                    services.admission_register(
                        actor=request.actor,
                        person=person,
                        admitted_on=data["admitted_on"],
                        expected_needs=data["expected_needs"],
                        units=list(data["units"]),
                        reasons=data["reasons"],
                        planned_discharge=data["planned_discharge"],
                    )
                ),
            ):
                messages.success(request, _("The admission is registered and the notice is sent."))
                return redirect("discharge:detail", admission_id=done[0].pk)
    return render_form(request, "discharge/register.html", {"form": form}, form)


FORMS = {
    "inform": ("admission.edit", f.InformForm),
    "ready": ("admission.edit", f.ReadyForm),
    "care_contact": ("admission.appoint", f.CareContactForm),
    "discharge": ("admission.edit", f.DischargeForm),
    "acknowledge": ("admission.acknowledge", None),
}


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("admission.view")
def admission_detail(request: StaffRequest, admission_id) -> HttpResponse:
    admission = (
        Admission.objects.select_related(
            "person", "ward__organization", "care_contact", "care_contact_unit", "plan",
            "registered_by",
        )
        .prefetch_related("recipients__unit__organization", "recipients__acknowledged_by")
        .filter(pk=admission_id)
        .first()
    )  # fmt: skip
    if admission is None or not policy.decide(request.actor, "admission.view", admission):
        raise Http404
    access_log_record_many(
        request=request, action="admission.view", items=[(admission.person, admission)]
    )
    may = {
        name: bool(policy.decide(request.actor, action, admission))
        for name, (action, _form) in FORMS.items()
    }
    bound = request.POST.get("form") if request.method == "POST" else None
    if bound is not None and bound not in FORMS:
        raise Http404
    if bound is not None and not may[bound]:
        raise PermissionDenied
    forms = _forms(request, admission, bound)
    if bound == "acknowledge":
        services.notice_acknowledge(actor=request.actor, admission=admission)
        messages.success(request, _("The notices are acknowledged."))
        return redirect("discharge:detail", admission_id=admission.pk)
    if bound is not None:
        form = forms[bound]
        if form.is_valid() and attempt(form, lambda: _step(request, admission, bound, form)):
            messages.success(request, _SUCCESS[bound]())
            return redirect("discharge:detail", admission_id=admission.pk)
    mine = next(
        (r for r in admission.recipients.all() if r.unit_id == request.acting_unit.pk), None
    )
    plan_seen = admission.plan is not None and policy.decide(
        request.actor, "plan.view", admission.plan
    )
    context = {
        "admission": admission,
        "events": admission.events.select_related("actor", "acting_unit"),
        "forms": forms,
        "may": may,
        "mine": mine,
        "deadline": _deadline(admission, timezone.localdate()),
        "plan_seen": bool(plan_seen),
        "discharge_law": cite("discharge"),
        "agreement": rules.admission_agreement(admission.ward),
    }
    bound_form = forms.get(bound) if bound else None
    return render_form(request, "discharge/detail.html", context, bound_form)


_SUCCESS = {
    "inform": lambda: _("The planned discharge is sent to the units concerned."),
    "ready": lambda: _("The notice that the patient is ready for discharge is sent."),
    "care_contact": lambda: _("The designated care contact is appointed and told."),
    "discharge": lambda: _("The discharge is recorded and the units concerned are told."),
}


def _forms(request: StaffRequest, admission: Admission, bound: str | None) -> dict:
    data = request.POST if bound else None
    today = timezone.localdate()
    made = {}
    if admission.state != Admission.State.DISCHARGED:
        made["inform"] = f.InformForm(
            data if bound == "inform" else None,
            initial={
                "lock_version": admission.lock_version,
                "planned_discharge": admission.planned_discharge,
                "information": admission.information,
            },
        )
        made["ready"] = f.ReadyForm(
            data if bound == "ready" else None, initial={"ready_on": admission.ready_on or today}
        )
        made["care_contact"] = f.CareContactForm(
            data if bound == "care_contact" else None,
            admission=admission,
            initial={"care_contact": admission.care_contact_id},
        )
        made["discharge"] = f.DischargeForm(
            data if bound == "discharge" else None, initial={"discharged_on": today}
        )
    return made


def _step(request: StaffRequest, admission: Admission, name: str, form) -> None:
    data, actor = form.cleaned_data, request.actor
    if name == "inform":
        services.admission_inform(
            actor=actor,
            admission=admission,
            planned_discharge=data["planned_discharge"],
            information=data["information"],
            lock_version=data["lock_version"],
        )
    elif name == "ready":
        services.admission_ready(actor=actor, admission=admission, ready_on=data["ready_on"])
    elif name == "care_contact":
        services.care_contact_appoint(
            actor=actor, admission=admission, care_contact=data["care_contact"]
        )
    elif name == "discharge":
        services.admission_discharge(
            actor=actor,
            admission=admission,
            discharged_on=data["discharged_on"],
            sip_decision=data["sip_decision"],
            consent=data["consent"],
            consent_mode=data["consent_mode"] or "oral",
        )
