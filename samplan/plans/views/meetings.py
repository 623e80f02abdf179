"""SIP meetings: booking, answers to invitations, changes, meeting mode."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan import policy
from samplan.core.parsing import parse_uuid
from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import rules, services
from samplan.plans.access import item_limit, plan_view
from samplan.plans.models import (
    Invitee,
    Meeting,
    Plan,
)
from samplan.plans.pdf import invitation_pdf_bytes
from samplan.plans.rules import RuleViolation
from samplan.plans.views.base import (
    attempt,
    back_url,
    content_lists,
    render_form,
    workspace_context,
)


@plan_view("plan.view", "plan.edit")
def meetings(request: StaffRequest, plan: Plan) -> HttpResponse:
    form = f.MeetingForm(request.POST or None, plan=plan)
    kind = rules.meeting_kind_for(plan)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        units, people = form.invited()
        if attempt(
            form,
            lambda: services.meeting_schedule(
                actor=request.actor,
                plan=plan,
                kind=kind,
                starts_at=d["starts_at"],
                place=d["place"],
                video_link=d["video_link"],
                chair=d["chair"],
                recorder=d["recorder"],
                chair_chosen_by_individual=d["chair_chosen_by_individual"],
                chair_name=d["chair_name"],
                interpreter=d["interpreter"],
                invited_units=units,
                invited_people=people,
            ),
        ):
            messages.success(request, _("The meeting is booked and the invitations are recorded."))
            return redirect("plans:meetings", plan_id=plan.pk)
    items = list(
        plan.meetings.select_related("chair", "recorder")
        .prefetch_related("invitees__unit__organization", "invitees__person")
        .order_by("-starts_at")
    )
    # Those the individual (or a guardian) invited in Min SIP are shown as his or her choice.
    chosen = rules.invited_in_min_sip(plan)
    chosen_invitees = {
        i.pk for m in items for i in m.invitees.all() if (m.pk, str(i.person_id)) in chosen
    }
    return render_form(
        request,
        "plans/meetings.html",
        workspace_context(
            request,
            plan,
            "meetings",
            form=form,
            meetings=items,
            meeting_kind=Meeting.Kind(kind).label,
            chosen_invitees=chosen_invitees,
        ),
        form,
    )


def _meeting(plan: Plan, meeting_id: int) -> Meeting:
    invitees = Invitee.objects.select_related("unit__organization", "person")
    return get_object_or_404(
        Meeting.objects.select_related("chair", "recorder").prefetch_related(
            Prefetch("invitees", queryset=invitees)
        ),
        pk=meeting_id,
        plan=plan,
    )


@plan_view("plan.view", methods=("GET",))
def meeting_invitation_pdf(request: StaffRequest, plan: Plan, meeting_id: int) -> HttpResponse:
    """The invitation as a letter to print and send by post, from the acting unit."""
    meeting = _meeting(plan, meeting_id)  # held or cancelled: a copy that says so
    content = invitation_pdf_bytes(meeting, unit=request.acting_unit, contact=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kallelse-{meeting.pk}.pdf"'
    return response


@plan_view("plan.view", "plan.respond", methods=("POST",))
def meeting_respond(request: StaffRequest, plan: Plan, meeting_id: int) -> HttpResponse:
    """The acting unit answers its invitation, or records the answer of an invited person."""
    person_id = parse_uuid(request.POST.get("person"))
    if request.POST.get("person") and person_id is None:
        raise Http404  # not an individual's id: nobody to answer for
    meeting = _meeting(plan, meeting_id)
    if person_id and not policy.decide(request.actor, "plan.edit", plan):
        raise PermissionDenied  # recording someone else's answer is a change to the plan
    if person_id:
        invitee = get_object_or_404(Invitee, meeting=meeting, person_id=person_id)
    else:
        invitee = get_object_or_404(Invitee, meeting=meeting, unit=request.acting_unit)
    form = f.RespondForm(request.POST)
    if form.is_valid() and attempt(
        form,
        lambda: services.invitation_respond(
            actor=request.actor,
            invitee=invitee,
            response=form.cleaned_data["response"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, _("The answer is recorded."))
    else:
        errors = [*form.non_field_errors(), *form.errors.get("response", [])]
        messages.error(request, " ".join(errors) or _("Choose an answer."))
    return redirect(back_url(request, reverse("plans:overview", args=[plan.pk])))


@plan_view("plan.edit", "plan.edit")
def meeting_change(request: StaffRequest, plan: Plan, meeting_id: int) -> HttpResponse:
    """A new time or place; everyone invited gets the change in the calendar."""
    meeting = _meeting(plan, meeting_id)
    initial = {
        "lock_version": meeting.lock_version,
        "starts_at": timezone.localtime(meeting.starts_at),
        "place": meeting.place,
        "video_link": meeting.video_link,
    }
    form = f.MeetingChangeForm(request.POST or None, initial=initial)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        call = lambda: services.meeting_reschedule(  # noqa: E731
            actor=request.actor,
            meeting=meeting,
            expected_version=d["lock_version"],
            starts_at=d["starts_at"],
            place=d["place"],
            video_link=d["video_link"],
        )
        if attempt(form, call):
            messages.success(request, _("The meeting is changed and the invitees are told."))
            return redirect("plans:meetings", plan_id=plan.pk)
    try:
        rules.meeting_changeable(plan, meeting)
        refusal = None
    except RuleViolation as error:
        refusal = error.message
    context = workspace_context(
        request, plan, "meetings", form=form, meeting=meeting, refusal=refusal
    )
    return render_form(request, "plans/meeting_change.html", context, form)


@plan_view("plan.view", "plan.edit", methods=("POST",))
def meeting_cancel(request: StaffRequest, plan: Plan, meeting_id: int) -> HttpResponse:
    meeting = _meeting(plan, meeting_id)
    try:
        services.meeting_cancel(actor=request.actor, meeting=meeting)
        messages.success(request, _("The meeting is cancelled."))
    except RuleViolation as error:
        messages.error(request, error.message)
    return redirect("plans:meetings", plan_id=plan.pk)


@plan_view("plan.edit", "plan.edit")
def meeting_mode(request: StaffRequest, plan: Plan, meeting_id: int) -> HttpResponse:
    """The five-part agenda on one page; the recorder fills in the plan during the meeting."""
    meeting = _meeting(plan, meeting_id)
    attendance = f.AttendanceForm(
        request.POST or None,
        meeting=meeting,
        plan=plan,
        initial={
            "attended": [
                str(i.pk) for i in meeting.invitees.all() if i.response != Invitee.Response.DECLINED
            ],
            "opening_notes": meeting.opening_notes,
            "summary_notes": meeting.summary_notes,
            "child_view": meeting.child_view,
        },
    )
    if attendance.is_bound and attendance.is_valid():
        d = attendance.cleaned_data
        if attempt(
            attendance,
            lambda: services.meeting_held(
                actor=request.actor,
                meeting=meeting,
                attended=[int(x) for x in d["attended"]],
                opening_notes=d["opening_notes"],
                summary_notes=d["summary_notes"],
                child_view=d.get("child_view", ""),
            ),
        ):
            messages.success(request, _("The meeting and the attendance are recorded."))
            target = "plans:establish" if plan.state == Plan.State.INVITED else "plans:follow_up"
            return redirect(target, plan_id=plan.pk)
    here = reverse("plans:meeting_mode", args=[plan.pk, meeting.pk])
    details = f.PlanDetailsForm(
        plan=plan,
        prefix="details",
        initial={
            "lock_version": plan.lock_version,
            "overall_responsibility": plan.overall_responsibility,
            "lead": plan.lead,
            "next_follow_up": plan.next_follow_up,
            "self_actions": plan.self_actions,
            "no_other_actors": plan.no_other_actors,
        },
    )
    preparation = f.PreparationForm(
        initial={
            **{n: getattr(plan, n) for n in services.PREPARATION_FIELDS},
            "lock_version": plan.lock_version,
        }
    )
    limit = item_limit(request.actor, plan)
    return render_form(
        request,
        "plans/meeting_mode.html",
        workspace_context(
            request,
            plan,
            "meetings",
            meeting=meeting,
            attendance=attendance,
            here=here,
            details=details,
            preparation=preparation,
            goal_form=f.GoalForm(
                plan=plan, limit=limit, prefix="goal", initial={"lock_version": 0}
            ),
            intervention_form=f.InterventionForm(
                plan=plan, limit=limit, prefix="intervention", initial={"lock_version": 0}
            ),
            content=rules.legal_content_check(plan),
            consent_now=plan.current_consent,
            **content_lists(request, plan),
        ),
        attendance,
    )
