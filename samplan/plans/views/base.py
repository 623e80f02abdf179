"""What every plan page shares: the workspace context, and the one way to post a form:
`attempt` runs one service and turns a refused rule or a stale edit into a message on the
form; `submit` is `attempt` for a form whose cleaned data are the service's arguments."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samplan import policy
from samplan.core import dates
from samplan.core.redirects import safe_next
from samplan.people.session import StaffRequest
from samplan.plans import forms as f
from samplan.plans import rules, services
from samplan.plans.access import (  # noqa: F401 - the views take GET_POST and Can from here
    GET_POST,
    Can,
    goals_seen,
    interventions_seen,
    refused_write_page,
)
from samplan.plans.models import (
    ConsentLimit,
    JoinRequest,
    Meeting,
    Plan,
    PlanVersion,
)
from samplan.plans.rules import RuleViolation

# Each page of a plan names itself first in the browser's title (tabs, history, screen readers).
PAGE_TITLES = {
    "overview": gettext_lazy("Overview"),
    "content": gettext_lazy("The plan"),
    "goal_edit": gettext_lazy("Change the goal"),
    "intervention_edit": gettext_lazy("Change the intervention"),
    "intervention_progress": gettext_lazy("Report progress"),
    "preparation": gettext_lazy("Preparation"),
    "consent": gettext_lazy("Consent"),
    "consent_withdraw": gettext_lazy("Withdraw consent"),
    "relations": gettext_lazy("People around"),
    "protected": gettext_lazy("Protected details"),
    "meetings": gettext_lazy("Meetings"),
    "meeting_change": gettext_lazy("Change the meeting"),
    "meeting_mode": gettext_lazy("Meeting mode"),
    "establish": gettext_lazy("Establish the plan"),
    "approval": gettext_lazy("Approval"),
    "follow_up": gettext_lazy("Follow-up"),
    "close": gettext_lazy("Close the SIP"),
    "closing_notices": gettext_lazy("Who has been told"),
    "versions": gettext_lazy("Versions"),
    "version": gettext_lazy("Version"),
    "history": gettext_lazy("History"),
}


def workspace_context(request: StaffRequest, plan: Plan, tab: str, **extra) -> dict:
    """What every workspace tab shows. `may_submit` says whether the page's own form would be
    accepted (its write action, see plan_view): a closed plan shows no forms to fill in."""
    can = Can.of(request.actor, plan)
    write = getattr(request, "plan_write_action", "plan.edit")
    return {
        "plan": plan,
        "tab": tab,
        "can": can,
        "may_submit": getattr(can, write.removeprefix("plan."), False),
        "page_title": PAGE_TITLES.get(getattr(request.resolver_match, "url_name", ""), ""),
        "deadline": rules.deadline(plan),
        "declined": declined_revision(plan),
        **extra,
    }


def gone(request: StaffRequest, plan: Plan, reason: str) -> HttpResponse:
    """An item someone removed meanwhile: back to the plan with the reason, or, for a form
    posted to it, a page that keeps what was typed."""
    if request.method == "POST":
        return refused_write_page(request, plan, reason)
    messages.warning(request, reason)
    return redirect("plans:content", plan_id=plan.pk)


def declined_revision(plan: Plan) -> PlanVersion | None:
    """The revision the individual declined, while its changes are still in the draft."""
    if not (plan.unapproved_changes and rules.is_established(plan)):
        return None
    return (
        plan.versions.filter(
            number__gt=plan.current_version, approval=PlanVersion.Approval.DECLINED
        )
        .order_by("-number")
        .first()
    )


def meeting_summary(meeting: Meeting) -> str:
    when = dates.day_time(meeting.starts_at)
    return " · ".join(filter(None, [when, meeting.place, meeting.video_link]))


def back_url(request: StaffRequest, default: str) -> str:
    return safe_next(request, request.POST.get("next")) or default


def attempt(form, action) -> bool:
    """Run a service; a refused rule or a stale edit becomes a message on the form."""
    try:
        action()
    except RuleViolation as error:
        field = error.field if error.field in getattr(form, "fields", {}) else None
        form.add_error(field, error.message)
        return False
    except services.StaleEdit as stale:
        current = stale.current
        form.stale_text = (
            getattr(current, "text", None)
            or getattr(current, "what", None)
            or (meeting_summary(current) if isinstance(current, Meeting) else None)
            or _("The plan's details were changed: reload the page to see them.")
        )
        # The next save starts from what is saved now, so "save again" can succeed.
        form.data = form.data.copy()
        form.data[form.add_prefix("lock_version")] = current.lock_version
        form.add_error(
            None,
            _(
                "Someone else saved this while you were editing. What they saved is shown above; "
                "your text is kept in the form. Check and save again."
            ),
        )
        return False
    return True


def submit(request, form, service, *, success: str, target: str, **fixed) -> HttpResponse | None:
    """A valid form calls one service with the form's data; success redirects with a message.

    Fields a form lists in `confirmations` (tick boxes such as "I understand") are checked by
    the form and not passed on. Returns None when the page should be shown again.
    """
    if not (form.is_bound and form.is_valid()):
        return None
    skip = set(getattr(form, "confirmations", ()))
    data = {k: v for k, v in form.cleaned_data.items() if k not in skip}
    call = lambda: service(actor=request.actor, **fixed, **data)  # noqa: E731
    if not attempt(form, call):
        return None
    messages.success(request, success)
    return redirect(target)


def render_form(request, template: str, context: dict, form=None) -> HttpResponse:
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


def content_lists(request: StaffRequest, plan: Plan) -> dict:
    """The goals and interventions the acting unit sees (the consent may keep some from it)."""
    goals = list(goals_seen(request.actor, plan).select_related("follow_up_by", "parent"))
    shown = {g.pk for g in goals}
    interventions = list(
        interventions_seen(request.actor, plan)
        .select_related("organization", "unit", "depends_on")
        .prefetch_related("goals")
    )
    seen = {i.pk for i in interventions}
    hidden_from = consent_limits(plan)
    parents = {g.pk: g.topic for g in goals}
    for goal in goals:
        goal.hidden_from = [
            unit
            for unit, limit in hidden_from
            if rules.goal_hidden(
                limit, topic=goal.topic, parent_topic=parents.get(goal.parent_id, "")
            )
        ]
    today = timezone.localdate()
    for item in interventions:  # what it links to, as far as the unit sees it
        item.goals_shown = [g for g in item.goals.all() if g.pk in shown]
        item.overdue = rules.intervention_overdue(item, today)
        item.progress_form = progress_form(request, plan, item)
        item.after_shown = item.depends_on if item.depends_on_id in seen else None
        item.hidden_from = [
            unit
            for unit, limit in hidden_from
            if rules.intervention_hidden(
                limit, topic=item.topic, unit_id=item.unit_id, organization_id=item.organization_id
            )
        ]
    by_kind = {
        kind: [i for i in interventions if i.organization.kind == kind]
        for kind in ("municipality", "region", "other")
    }
    kinds = [
        ("municipality", _("The municipality answers for")),
        ("region", _("The region answers for")),
        ("other", _("Other actors answer for")),
    ]
    # Each goal with its sub-goals, grouped here once (the template would compare every goal
    # with every other: 900 comparisons for 30 goals).
    subgoals: dict = {}
    for goal in goals:
        if goal.parent_id:
            subgoals.setdefault(goal.parent_id, []).append(goal)
    return {
        "goals": goals,
        "goal_tree": [(goal, subgoals.get(goal.pk, [])) for goal in goals if not goal.parent_id],
        "interventions": interventions,
        "interventions_by_kind": by_kind,
        "kinds": kinds,
    }


def progress_form(request: StaffRequest, plan: Plan, item):
    """The report form next to an intervention the acting unit is responsible for, when the
    policy lets it report (also a unit that only reads the plan)."""
    item.plan = plan
    if policy.decide(request.actor, "intervention.progress", item) is not policy.Decision.ALLOW:
        return None
    return f.InterventionProgressForm(prefix=f"progress-{item.pk}", initial={"status": item.status})


def consent_limits(plan: Plan) -> list[tuple]:
    """The units the consent limits, with their limits: to say on each item whom it is kept
    from."""
    consent = rules.limiting_consent(plan)
    if consent is None:
        return []
    rows = ConsentLimit.objects.filter(consent=consent).select_related("unit")
    return [(row.unit, limit) for row in rows if (limit := rules.limit_of(row, row.unit))]


def join_requests_to_answer(request: StaffRequest, plan: Plan) -> list[JoinRequest]:
    """Waiting requests to take part, for the units that may answer them (writing units)."""
    if plan.is_closed or not policy.decide(request.actor, "plan.edit", plan):
        return []
    return list(
        plan.join_requests.filter(state=JoinRequest.State.PENDING).select_related(
            "unit__organization", "requested_by"
        )
    )
