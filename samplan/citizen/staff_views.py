"""The receiving unit's requests for a SIP from Min SIP (issue 14): a list, newest first, with
the "without delay" clock, and a page to accept (which starts the SIP) or decline one.

Only a receiving unit sees requests, and only those to its organisation or to nobody in
particular (samplan.citizen.services.requests_to_unit); every read is access-logged."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.audit.services import access_log_record_many
from samplan.citizen import forms as f
from samplan.citizen import services
from samplan.people.session import StaffRequest
from samplan.plans.views.base import attempt

PAGE_SIZE = 25


@require_http_methods(["GET"])
@acting_unit_required
@policy.route("plan.initiate")
def request_list(request: StaffRequest) -> HttpResponse:
    unit = request.acting_unit
    if not unit.receives_requests:
        raise Http404
    ordered = (
        services.requests_to_unit(unit)
        .select_related("person", "asked_by", "handled_unit")
        .prefetch_related("organizations")
        .order_by("-created_at", "pk")
    )
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("sida"))
    today = timezone.localdate()
    rows = [(item, services.sip_request_deadline(item, today)) for item in page.object_list]
    access_log_record_many(
        request=request, action="sip_request.list", items=[(r.person, r) for r, _d in rows]
    )
    return render(request, "citizen/staff_requests.html", {"rows": rows, "page": page})


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("plan.initiate")
def request_answer(request: StaffRequest, sip_request_id) -> HttpResponse:
    unit = request.acting_unit
    item = (
        services.requests_to_unit(unit)
        .select_related("person", "asked_by", "handled_unit", "plan")
        .prefetch_related("organizations")
        .filter(pk=sip_request_id)
        .first()
    )
    if item is None:
        raise Http404
    access_log_record_many(request=request, action="sip_request.view", items=[(item.person, item)])
    form = f.SipRequestAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        started = []
        if data["answer"] == "accept":
            done = attempt(
                form,
                lambda: started.append(
                    services.sip_request_accept(actor=request.actor, request=item)
                ),
            )
            if done:
                plan = started[0]
                if plan is None:
                    messages.info(
                        request,
                        _(
                            "The individual already has a SIP. Your unit has asked to take "
                            "part in it."
                        ),
                    )
                    return redirect("requests:list")
                messages.success(request, _("The SIP is started. Ask for the consent."))
                return redirect("plans:consent", plan_id=plan.pk)
        else:
            done = attempt(
                form,
                lambda: services.sip_request_decline(
                    actor=request.actor, request=item, reason=data["reason"]
                ),
            )
            if done:
                messages.success(request, _("The request is declined. The individual sees why."))
                return redirect("requests:list")
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "item": item,
        "deadline": services.sip_request_deadline(item),
        "form": form,
        "waiting": services.sip_request_waiting(item),
    }
    return render(request, "citizen/staff_request.html", context, status=status)
