"""The plan's overview (next step, messages from Min SIP, requests to take part), its history
and the PDF copy."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import (
    Prefetch,
    prefetch_related_objects,
)
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Membership
from samplan.core.law import cite
from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import rules, services
from samplan.plans.access import events_seen, item_limit, plan_view
from samplan.plans.models import (
    CitizenMessage,
    Invitee,
    JoinRequest,
    Meeting,
    Plan,
    PlanEvent,
)
from samplan.plans.pdf import pdf_response
from samplan.plans.presenter import plan_for_citizen
from samplan.plans.rules import RuleViolation
from samplan.plans.views.base import (
    join_requests_to_answer,
    workspace_context,
)


@plan_view("plan.view", "plan.edit", methods=("GET",))
def plan_overview(request: StaffRequest, plan: Plan) -> HttpResponse:
    members = Membership.objects.select_related("user")  # the contact-person choice
    prefetch_related_objects([plan], Prefetch("participants__unit__memberships", queryset=members))
    meetings = plan.meetings.select_related("chair", "recorder").prefetch_related(
        "invitees__unit", "invitees__person"
    )
    return render(
        request,
        "plans/overview.html",
        workspace_context(
            request,
            plan,
            "overview",
            content=rules.legal_content_check(plan),
            meetings=meetings,
            pending_version=services.pending_version(plan),
            # Only what was written to the acting unit.
            citizen_messages=plan.citizen_messages.filter(
                handled_at__isnull=True, to_units=request.acting_unit
            ).select_related("author"),
            my_invitations=Invitee.objects.filter(
                meeting__plan=plan,
                unit=request.acting_unit,
                meeting__status=Meeting.Status.SCHEDULED,
            ).select_related("meeting"),
            join_requests=join_requests_to_answer(request, plan),
            discharge_deadline=discharge_deadline(plan),
        ),
    )


def discharge_deadline(plan: Plan) -> dict | None:
    """A SIP started at discharge: the invitations' deadline and whether it was met (the day
    of the first booked meeting). One query, only for such plans."""
    if plan.invitation_due is None:
        return None
    first = (
        plan.events.filter(kind=PlanEvent.Kind.MEETING_SCHEDULED)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    invited_on = timezone.localdate(first) if first else None
    status = rules.invitation_deadline_status(plan.invitation_due, invited_on)
    return {
        "due": plan.invitation_due,
        "invited_on": invited_on,
        "status": status,
        "label": rules.INVITATION_STATUS_LABELS[status],
        "badge": rules.INVITATION_STATUS_BADGES[status],
        "law": cite("discharge"),
    }


@plan_view("plan.view", "plan.edit", methods=("POST",))
def bring_in(request: StaffRequest, plan: Plan) -> HttpResponse:
    """Bring a SIP kept elsewhere into Samplan: its content is then written on the content
    page, as a revision of the plan that was kept elsewhere."""
    try:
        services.plan_bring_in(actor=request.actor, plan=plan)
    except RuleViolation as error:
        messages.error(request, error.message)
        return redirect("plans:overview", plan_id=plan.pk)
    messages.success(
        request,
        _("The SIP is brought into Samplan. Write its content; the individual approves it."),
    )
    return redirect("plans:content", plan_id=plan.pk)


@plan_view("plan.view", "plan.edit", methods=("POST",))
def join_request_answer(request: StaffRequest, plan: Plan, request_id: int) -> HttpResponse:
    """Answer a unit's request to take part. Accepting needs a consent that names the unit:
    without one, the consent page opens with the unit ticked; recording it accepts."""
    join_request = get_object_or_404(JoinRequest, pk=request_id, plan=plan)
    overview = reverse("plans:overview", args=[plan.pk])
    form = f.JoinRequestAnswerForm(request.POST)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
        return redirect(overview)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        services.join_request_answer(
            actor=request.actor,
            join_request=join_request,
            accept=accept,
            reason=form.cleaned_data["reason"],
        )
    except services.ConsentDoesNotCover as refusal:
        messages.info(request, refusal.message)
        consent_page = reverse("plans:consent", args=[plan.pk])
        return redirect(f"{consent_page}?forfragan={join_request.pk}")
    except RuleViolation as error:
        messages.error(request, error.message)
        return redirect(overview)
    if accept:
        messages.success(request, _("The unit takes part and has been told."))
    else:
        messages.success(request, _("The request is declined. The unit is not told anything."))
    return redirect(overview)


@plan_view("plan.view", "plan.edit", methods=("GET",))
def history(request: StaffRequest, plan: Plan) -> HttpResponse:
    """Every step, newest first, a bounded page at a time (a plan of many years has many)."""
    events = events_seen(request.actor, plan).select_related(
        "actor", "acting_unit__organization", "citizen"
    )
    events = events.order_by("-at", "-id")
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("sida"))
    context = workspace_context(request, plan, "history", events=page.object_list, page=page)
    return render(request, "plans/history.html", context)


HISTORY_PAGE_SIZE = 50


@plan_view("plan.view", methods=("GET",))
def plan_pdf(request: StaffRequest, plan: Plan) -> HttpResponse:
    """The same PDF copy the individual downloads in Min SIP, for staff to print or send."""

    return pdf_response(plan_for_citizen(plan, plan.person, limit=item_limit(request.actor, plan)))


@plan_view("plan.view", "plan.handle", methods=("POST",))
def message_handled(request: StaffRequest, plan: Plan, message_id: int) -> HttpResponse:
    """Mark a message from Min SIP as handled (a writing unit it was written to, also after
    closing)."""
    message = get_object_or_404(
        CitizenMessage, pk=message_id, plan=plan, to_units=request.acting_unit
    )
    try:
        services.citizen_message_handle(actor=request.actor, message=message)
        messages.success(request, _("The message is marked as handled."))
    except RuleViolation as error:
        messages.error(request, error.message)
    return redirect("plans:overview", plan_id=plan.pk)
