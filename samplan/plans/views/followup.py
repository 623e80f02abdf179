"""Follow-up and closing, with the notices the lead owes every participant."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import rules, services
from samplan.plans.access import events_seen, plan_view
from samplan.plans.models import (
    Meeting,
    Plan,
    PlanEvent,
)
from samplan.plans.views.base import (
    content_lists,
    render_form,
    submit,
    workspace_context,
)


@plan_view("plan.edit", "plan.edit")
def follow_up(request: StaffRequest, plan: Plan) -> HttpResponse:
    form = f.FollowUpForm(request.POST or None, plan=plan)
    held = plan.meetings.filter(kind=Meeting.Kind.FOLLOW_UP, status=Meeting.Status.HELD)
    done = submit(
        request,
        form,
        services.followup_record,
        plan=plan,
        meeting=held.order_by("-starts_at").first(),
        success=_("The follow-up is recorded."),
        target=reverse("plans:overview", args=[plan.pk]),
    )
    if form.is_bound and not done:
        # Sent again after reading what was recorded meanwhile, it is meant: it may go in.
        form.data = form.data.copy()
        form.data["basis"] = rules.followup_basis(plan)
    context = workspace_context(
        request,
        plan,
        "overview",
        form=form,
        progress_reports=progress_since_last_follow_up(request, plan),
        **content_lists(request, plan),
    )
    return done or render_form(request, "plans/follow_up.html", context, form)


def progress_since_last_follow_up(request: StaffRequest, plan: Plan) -> list[PlanEvent]:
    """The responsible units' progress reports since the plan was last established or followed
    up, as far as the consent lets the acting unit see them."""
    since = (
        plan.events.filter(kind__in=[PlanEvent.Kind.ESTABLISHED, PlanEvent.Kind.FOLLOWED_UP])
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    reports = events_seen(request.actor, plan).filter(rules.progress_reported_q())
    if since is not None:
        reports = reports.filter(at__gt=since)
    return list(reports.select_related("actor", "acting_unit").order_by("at", "pk"))


@plan_view("plan.edit", "plan.edit")
def close(request: StaffRequest, plan: Plan) -> HttpResponse:
    form = f.CloseForm(request.POST or None)
    done = submit(
        request,
        form,
        services.plan_close,
        plan=plan,
        success=_(
            "The SIP is closed and Samplan has told the participants. Record below anyone "
            "else you have informed."
        ),
        target=reverse("plans:closing_notices", args=[plan.pk]),
    )
    return done or render_form(
        request, "plans/close.html", workspace_context(request, plan, "overview", form=form), form
    )


@plan_view("plan.inform", "plan.inform")
def closing_notices(request: StaffRequest, plan: Plan) -> HttpResponse:
    if not plan.is_closed:
        raise Http404
    form = f.ClosingNoticeForm(request.POST or None, plan=plan)
    done = submit(
        request,
        form,
        services.closing_notices_record,
        plan=plan,
        success=_("Recorded."),
        target=reverse("plans:closing_notices", args=[plan.pk]),
    )
    notices = plan.closing_notices.select_related("unit", "person", "informed_by")
    context = workspace_context(request, plan, "overview", form=form, notices=notices)
    return done or render_form(request, "plans/closing_notices.html", context, form)
