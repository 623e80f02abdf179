"""The receiving unit's requests for a SIP from Min SIP (issue 14): a list, newest first, with
the "without delay" clock, and a page to accept (which starts the SIP, at the receiving unit or
at a unit of its organisation it hands it to) or decline one. Staff who want another
organisation to start a SIP refer it here too (request_refer); the referring unit reads its
referral and the answer, read-only.

Only a receiving unit answers requests, and only those to its organisation or to nobody in
particular (samplan.citizen.services.requests_to_unit); a referring unit reads its own
referrals (requests_readable_by). Every read is access-logged."""

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
from samplan.core import searches
from samplan.people.access import person_card
from samplan.people.models import Person
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
        .select_related("person", "asked_by", "handled_unit", "referring_unit", "handed_to")
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
        services.requests_readable_by(unit)
        .select_related(
            "person__listed_primary_care",
            "asked_by",
            "handled_unit",
            "handed_to",
            "plan",
            "referring_unit__organization",
            "referred_by",
        )
        .prefetch_related("organizations")
        .filter(pk=sip_request_id)
        .first()
    )
    if item is None:
        raise Http404
    access_log_record_many(request=request, action="sip_request.view", items=[(item.person, item)])
    if not services.unit_receives(unit, item):
        # The referring unit reads its own referral and the answer; it does not answer it.
        if request.method == "POST":
            raise Http404
        context = {"item": item, "deadline": services.sip_request_deadline(item), "form": None}
        return render(request, "citizen/staff_request.html", context)
    form = f.SipRequestAnswerForm(
        request.POST if request.method == "POST" else None, unit=unit, person=item.person
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        started = []
        if data["answer"] == "accept":
            chosen = data.get("unit") or unit
            done = attempt(
                form,
                lambda: started.append(
                    services.sip_request_accept(actor=request.actor, request=item, unit=chosen)
                ),
            )
            if done and started[0] is not None and chosen.pk != unit.pk:
                # Handed over: the SIP is the chosen unit's now, which this unit may not see.
                messages.success(
                    request,
                    _("The request is accepted. %(unit)s has been given the SIP and is told.")
                    % {"unit": chosen.name},
                )
                return redirect("requests:list")
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


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("plan.initiate")
def request_refer(request: StaffRequest) -> HttpResponse:
    """A staff member who wants another organisation to start a SIP, but does not know which
    unit, sends the request to that organisation's receiving unit. The individual is the one
    found in the start flow (`?sok=`, no number in the address)."""
    recalled = searches.recall(request, "person")
    person = Person.objects.filter(pk=recalled.value).first() if recalled.value else None
    if person is None:
        # No individual found (or the search expired): the page asks to find him or her.
        if request.method == "POST":
            return redirect("plans:start")
        context = {"form": None, "expired": recalled.expired}
        return render(request, "citizen/staff_refer.html", context)
    form = f.SipReferralForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sent = attempt(
            form,
            lambda: services.sip_request_refer(
                actor=request.actor,
                person=person,
                organization=data["organization"],
                text=data["text"],
            ),
        )
        if sent:
            messages.success(
                request,
                _(
                    "The request is sent to %(organization)s's receiving unit. Your unit is "
                    "told when it is answered."
                )
                % {"organization": data["organization"].name},
            )
            return redirect("plans:start")
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "sid": request.GET.get(searches.PARAM, ""),
        **person_card(request, person),
    }
    return render(request, "citizen/staff_refer.html", context, status=status)
