"""The staff side of the SIP: worklist, starting a SIP, and the plan workspace.

Views are thin: load the plan through plans.access (404 for outsiders, 403 for read-only
writes, every read logged), parse a form, call one service, render.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Exists, OuterRef, Prefetch, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.audit.services import access_log_record_many
from samplan.core.parsing import parse_uuid
from samplan.core.redirects import safe_next
from samplan.people.access import person_card
from samplan.people.forms import PersonSearchForm
from samplan.people.models import Person
from samplan.plans import access, rules, services
from samplan.plans import forms as f
from samplan.plans.models import (
    CitizenMessage,
    Goal,
    Intervention,
    Invitee,
    JoinRequest,
    Meeting,
    Participant,
    Plan,
    PlanVersion,
)
from samplan.plans.rules import RuleViolation
from samplan.plans.snapshot import snapshot_diff

GET_POST = ["GET", "POST"]


def _ctx(request: HttpRequest, plan: Plan, tab: str, **extra) -> dict:
    return {
        "plan": plan,
        "tab": tab,
        "can_write": access.can_write(plan, request.acting_unit),
        "can_handle": access.can(plan, request.acting_unit, "plan.handle"),
        "deadline": rules.deadline(plan),
        **extra,
    }


def _meeting_summary(meeting: Meeting) -> str:
    when = formats.date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
    return " · ".join(filter(None, [when, meeting.place, meeting.video_link]))


def _back(request: HttpRequest, default: str) -> str:
    return safe_next(request, request.POST.get("next")) or default


def _attempt(form, action) -> bool:
    """Run a service; a refused rule or a stale edit becomes a message on the form."""
    try:
        action()
    except RuleViolation as error:
        form.add_error(None, error.message)
        return False
    except services.StaleEdit as stale:
        current = stale.current
        form.stale_text = (
            getattr(current, "text", None)
            or getattr(current, "what", None)
            or (_meeting_summary(current) if isinstance(current, Meeting) else None)
            or _("The plan's details were changed: reload the page to see them.")
        )
        # The next save starts from what is saved now, so "save again" can succeed.
        form.data = form.data.copy()
        form.data[form.add_prefix("lock_version")] = current.lock_version
        form.add_error(
            None,
            _(
                "Someone else saved this while you were editing. Their version is shown below; "
                "your text is kept in the form. Check and save again."
            ),
        )
        return False
    return True


def _submit(request, form, service, *, success: str, target: str, **fixed) -> HttpResponse | None:
    """A valid form calls one service with the form's data; success redirects with a message.

    Fields a form lists in `confirmations` (tick boxes such as "I understand") are checked by
    the form and not passed on. Returns None when the page should be shown again.
    """
    if not (form.is_bound and form.is_valid()):
        return None
    skip = set(getattr(form, "confirmations", ()))
    data = {k: v for k, v in form.cleaned_data.items() if k not in skip}
    call = lambda: service(actor=request.user, unit=request.acting_unit, **fixed, **data)  # noqa: E731
    if not _attempt(form, call):
        return None
    messages.success(request, success)
    return redirect(target)


def _render(request, template: str, context: dict, form=None) -> HttpResponse:
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


# --- Worklist and search --------------------------------------------------------------------


def _worklist_queryset(unit):
    upcoming = Meeting.objects.filter(
        plan=OuterRef("pk"), status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now()
    )
    # A request to take part waits for this unit's answer: it writes, and the plan is open.
    writes = Q(state__in=policy.BEFORE_CONSENT) | Exists(
        Participant.objects.filter(plan=OuterRef("pk"), unit=unit, is_active=True, access="edit")
    )
    asked = Exists(JoinRequest.objects.filter(plan=OuterRef("pk"), state="pending"))
    answer_due = Case(
        When(Q(asked) & writes & ~Q(state=Plan.State.CLOSED), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        Plan.objects.visible_to_unit(unit)
        .select_related(
            "person",
            "lead",
            "initiating_unit__organization__local_agreement",
            "overall_responsibility",
        )
        .prefetch_related(
            "consents",
            Prefetch(
                "meetings",
                queryset=Meeting.objects.filter(status=Meeting.Status.SCHEDULED).order_by(
                    "starts_at"
                ),
                to_attr="scheduled_meetings",
            ),
        )
        .annotate(has_upcoming_meeting=Exists(upcoming), join_request_waiting=answer_due)
    )


@require_http_methods(GET_POST)
@acting_unit_required
@policy.route("plan.list")
def worklist(request: HttpRequest) -> HttpResponse:
    """ "Mina SIP": the acting unit's plans, with filters; search by name or number (POST)."""
    unit = request.acting_unit
    filters = f.WorklistFilterForm(request.GET or None)
    search = f.SearchForm(request.POST or None)
    plans = _worklist_queryset(unit)
    searching = request.method == "POST" and search.is_valid()
    if searching:
        plans = plans.filter(_search_filter(search.cleaned_data["query"]))
    elif filters.is_valid():
        data = filters.cleaned_data
        plans = (
            plans.filter(state=data["state"])
            if data["state"]
            else plans.exclude(state=Plan.State.CLOSED)
        )
        if data["role"] == "lead":
            plans = plans.filter(lead=request.user)
        if data["flag"] == "meetings":
            plans = plans.filter(has_upcoming_meeting=True)
        elif data["flag"] == "waiting":
            plans = plans.filter(state__in=[Plan.State.INITIATED, Plan.State.REVISION])
    else:
        plans = plans.exclude(state=Plan.State.CLOSED)
    rows = [(plan, rules.deadline(plan)) for plan in plans]
    flag = filters.cleaned_data.get("flag") if filters.is_valid() and not searching else ""
    if flag in {"overdue", "due_soon"}:
        rows = [(p, d) for p, d in rows if d and d.status == flag]
    inbox = list(
        CitizenMessage.objects.filter(
            plan__in=Plan.objects.visible_to_unit(unit), handled_at__isnull=True
        )
        .select_related("plan__person", "author")
        .order_by("-created_at")[:20]
    )
    listed = {plan.pk: plan for plan, _d in rows}
    for item in inbox:
        listed.setdefault(item.plan.pk, item.plan)
    access_log_record_many(
        request=request, action="plan.list", items=[(plan.person, plan) for plan in listed.values()]
    )
    return render(
        request,
        "plans/worklist.html",
        {
            "rows": rows,
            "filters": filters,
            "search": search,
            "searching": searching,
            "inbox": inbox,
        },
        status=400 if request.method == "POST" and not search.is_valid() else 200,
    )


def _search_filter(query: str) -> Q:
    number = PersonSearchForm(data={"identity_number": query})
    if any(ch.isdigit() for ch in query) and number.is_valid():
        parsed = number.cleaned_data["identity_number"]
        return Q(person__identity_kind=parsed.kind, person__identity_number=parsed.value)
    condition = Q()
    for word in query.split():
        condition &= Q(person__given_name__icontains=word) | Q(person__family_name__icontains=word)
    return condition


# --- Starting a SIP -------------------------------------------------------------------------


@require_http_methods(GET_POST)
@acting_unit_required
@policy.route("plan.initiate")
def plan_start(request: HttpRequest) -> HttpResponse:
    """Guided start: find the individual (POST, number never in the URL), then the initiative."""
    person, initiative, open_plan = None, None, {}
    search = PersonSearchForm(request.POST if request.POST.get("step") == "find" else None)
    if request.POST.get("step") == "find" and search.is_valid():
        number = search.cleaned_data["identity_number"]
        person = Person.objects.filter(
            identity_kind=number.kind, identity_number=number.value
        ).first()
        if person is None:
            search.add_error(
                "identity_number", _("No individual with that number is registered in Samplan.")
            )
        else:
            initiative = f.InitiativeForm()
    elif request.POST.get("step") == "initiate":
        chosen = f.ChosenPersonForm(request.POST)
        if not chosen.is_valid():
            # No such individual (a malformed or stale id): back to finding him or her.
            search = PersonSearchForm({})
            search.is_valid()
            search.errors["identity_number"] = search.error_class(chosen.errors["person"])
        else:
            person = chosen.cleaned_data["person"]
            initiative = f.InitiativeForm(request.POST)
        if initiative is not None and initiative.is_valid():
            data = initiative.cleaned_data
            result = {}

            def act():
                try:
                    result["outcome"] = services.plan_initiate(
                        actor=request.user,
                        unit=request.acting_unit,
                        person=person,
                        source=data["source"],
                        source_detail=data["source_detail"],
                        reasons=data["reasons"],
                        reason_text=data["reason_text"],
                    )
                except services.OpenPlanExists as known:
                    open_plan["plan"] = known.plan  # the acting unit sees it: link to it
                    raise

            if _attempt(initiative, act):
                if isinstance(result["outcome"], Plan):
                    messages.success(
                        request, _("The SIP is started. Next step: record the consent.")
                    )
                    return redirect("plans:consent", plan_id=result["outcome"].pk)
                # A request to take part in a plan this unit does not see: the same neutral
                # receipt whatever that plan is (docs/security.md, finding 2).
                return redirect("plans:start_receipt")
    failed = (search.is_bound and search.errors) or (
        initiative is not None and initiative.is_bound and initiative.errors
    )
    return render(
        request,
        "plans/start.html",
        {
            "search": search,
            "person": person,
            "initiative": initiative,
            "open_plan": open_plan.get("plan"),
            **(person_card(request, person) if person else {}),
        },
        status=400 if failed else 200,
    )


@require_GET
@acting_unit_required
@policy.route("plan.initiate")
def plan_start_receipt(request: HttpRequest) -> HttpResponse:
    """Where an initiative that started no plan here ends: one fixed page, which says nothing
    about the individual or any plan (docs/security.md, finding 2)."""
    return render(request, "plans/start_receipt.html")


# --- The plan workspace ---------------------------------------------------------------------


@require_GET
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def plan_overview(request: HttpRequest, plan: Plan) -> HttpResponse:
    meetings = plan.meetings.select_related("chair", "recorder").prefetch_related(
        "invitees__unit", "invitees__person"
    )
    return render(
        request,
        "plans/overview.html",
        _ctx(
            request,
            plan,
            "overview",
            content=rules.legal_content_check(plan),
            meetings=meetings,
            pending_version=plan.versions.filter(approval=PlanVersion.Approval.PENDING).first(),
            citizen_messages=plan.citizen_messages.filter(handled_at__isnull=True).select_related(
                "author"
            ),
            my_invitations=Invitee.objects.filter(
                meeting__plan=plan,
                unit=request.acting_unit,
                meeting__status=Meeting.Status.SCHEDULED,
            ).select_related("meeting"),
            join_requests=_join_requests_to_answer(request, plan),
        ),
    )


def _join_requests_to_answer(request: HttpRequest, plan: Plan) -> list[JoinRequest]:
    """Waiting requests to take part, for the units that may answer them (writing units)."""
    if plan.is_closed or not access.can_write(plan, request.acting_unit):
        return []
    return list(
        plan.join_requests.filter(state=JoinRequest.State.PENDING).select_related(
            "unit__organization", "requested_by"
        )
    )


@require_POST
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def join_request_answer(request: HttpRequest, plan: Plan, request_id: int) -> HttpResponse:
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
            actor=request.user,
            unit=request.acting_unit,
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


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def plan_content(request: HttpRequest, plan: Plan) -> HttpResponse:
    """The plan: details, goals and interventions. The meeting mode posts here too."""
    details = f.PlanDetailsForm(
        request.POST if request.POST.get("form") == "details" else None,
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
    goal_form = f.GoalForm(
        request.POST if request.POST.get("form") == "goal" else None,
        plan=plan,
        prefix="goal",
        initial={"lock_version": 0},
    )
    intervention_form = f.InterventionForm(
        request.POST if request.POST.get("form") == "intervention" else None,
        plan=plan,
        prefix="intervention",
        initial={"lock_version": 0},
    )
    bound = next((form for form in (details, goal_form, intervention_form) if form.is_bound), None)
    if bound is not None and bound.is_valid():
        data = bound.cleaned_data
        if bound is details:
            fields = {k: data[k] for k in services.CONTENT_FIELDS}
            ok = _attempt(
                bound,
                lambda: services.plan_update(
                    actor=request.user,
                    unit=request.acting_unit,
                    plan=plan,
                    expected_version=data["lock_version"],
                    **fields,
                ),
            )
        elif bound is goal_form:
            ok = _attempt(
                bound,
                lambda: services.goal_save(
                    actor=request.user,
                    unit=request.acting_unit,
                    plan=plan,
                    term=data["term"],
                    text=data["text"],
                    parent=data["parent"],
                    follow_up_by=data["follow_up_by"],
                    status=data["status"],
                ),
            )
        else:
            ok = _attempt(
                bound,
                lambda: services.intervention_save(
                    actor=request.user,
                    unit=request.acting_unit,
                    plan=plan,
                    **_intervention_fields(data),
                ),
            )
        if ok:
            messages.success(request, _("Saved."))
            return redirect(_back(request, reverse("plans:content", args=[plan.pk])))
    context = _ctx(
        request,
        plan,
        "content",
        details=details,
        goal_form=goal_form,
        intervention_form=intervention_form,
        content=rules.legal_content_check(plan),
        **_content_lists(plan),
    )
    return _render(request, "plans/content.html", context, bound)


def _intervention_fields(data: dict) -> dict:
    return {
        k: data[k]
        for k in (
            "what",
            "organization",
            "responsible_unit",
            "responsible_person",
            "start",
            "frequency",
            "depends_on",
            "status",
            "goals",
        )
    }


def _content_lists(plan: Plan) -> dict:
    goals = list(plan.goals.select_related("follow_up_by", "parent"))
    interventions = list(
        plan.interventions.select_related("organization", "unit", "depends_on").prefetch_related(
            "goals"
        )
    )
    by_kind = {
        kind: [i for i in interventions if i.organization.kind == kind]
        for kind in ("municipality", "region", "other")
    }
    kinds = [
        ("municipality", _("The municipality answers for")),
        ("region", _("The region answers for")),
        ("other", _("Other actors answer for")),
    ]
    return {
        "goals": goals,
        "interventions": interventions,
        "interventions_by_kind": by_kind,
        "kinds": kinds,
    }


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def goal_edit(request: HttpRequest, plan: Plan, goal_id: int) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=goal_id, plan=plan)
    form = f.GoalForm(
        request.POST or None,
        plan=plan,
        goal=goal,
        initial={
            "lock_version": goal.lock_version,
            "term": goal.term,
            "text": goal.text,
            "parent": goal.parent,
            "follow_up_by": goal.follow_up_by,
            "status": goal.status,
        },
    )
    if request.POST.get("remove"):
        if _attempt(
            form,
            lambda: services.goal_remove(
                actor=request.user, unit=request.acting_unit, plan=plan, goal=goal
            ),
        ):
            messages.success(request, _("The goal is removed."))
            return redirect("plans:content", plan_id=plan.pk)
        return _render(
            request,
            "plans/goal_edit.html",
            _ctx(request, plan, "content", form=form, goal=goal),
            form,
        )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.goal_save(
                actor=request.user,
                unit=request.acting_unit,
                plan=plan,
                goal=goal,
                expected_version=d["lock_version"],
                term=d["term"],
                text=d["text"],
                parent=d["parent"],
                follow_up_by=d["follow_up_by"],
                status=d["status"],
            ),
        ):
            messages.success(request, _("The goal is saved."))
            return redirect(_back(request, reverse("plans:content", args=[plan.pk])))
    return _render(
        request, "plans/goal_edit.html", _ctx(request, plan, "content", form=form, goal=goal), form
    )


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def intervention_edit(request: HttpRequest, plan: Plan, intervention_id: int) -> HttpResponse:
    item = get_object_or_404(Intervention, pk=intervention_id, plan=plan)
    form = f.InterventionForm(
        request.POST or None,
        plan=plan,
        intervention=item,
        initial={
            "lock_version": item.lock_version,
            "what": item.what,
            "organization": item.organization,
            "responsible_unit": item.unit,
            "responsible_person": item.responsible_person,
            "start": item.start,
            "frequency": item.frequency,
            "depends_on": item.depends_on,
            "status": item.status,
            "goals": list(item.goals.all()),
        },
    )
    if request.POST.get("remove"):
        if _attempt(
            form,
            lambda: services.intervention_remove(
                actor=request.user, unit=request.acting_unit, plan=plan, intervention=item
            ),
        ):
            messages.success(request, _("The intervention is removed."))
            return redirect("plans:content", plan_id=plan.pk)
        return _render(
            request,
            "plans/intervention_edit.html",
            _ctx(request, plan, "content", form=form, item=item),
            form,
        )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.intervention_save(
                actor=request.user,
                unit=request.acting_unit,
                plan=plan,
                intervention=item,
                expected_version=d["lock_version"],
                **_intervention_fields(d),
            ),
        ):
            messages.success(request, _("The intervention is saved."))
            return redirect(_back(request, reverse("plans:content", args=[plan.pk])))
    return _render(
        request,
        "plans/intervention_edit.html",
        _ctx(request, plan, "content", form=form, item=item),
        form,
    )


@require_POST
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def contact_person(request: HttpRequest, plan: Plan, participant_id: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=participant_id, plan=plan)
    form = f.ContactPersonForm(request.POST, unit=participant.unit)
    if form.is_valid() and _attempt(
        form,
        lambda: services.contact_person_set(
            actor=request.user,
            unit=request.acting_unit,
            plan=plan,
            participant=participant,
            person=form.cleaned_data["contact_person"],
        ),
    ):
        messages.success(request, _("The contact person is saved."))
    else:
        messages.error(
            request,
            " ".join(form.non_field_errors()) or _("Choose someone who works in that unit."),
        )
    return redirect(_back(request, reverse("plans:overview", args=[plan.pk])))


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def preparation(request: HttpRequest, plan: Plan) -> HttpResponse:
    initial = {name: getattr(plan, name) for name in services.PREPARATION_FIELDS}
    form = f.PreparationForm(
        request.POST or None, initial={**initial, "lock_version": plan.lock_version}
    )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        fields = {k: d[k] for k in services.PREPARATION_FIELDS}
        if _attempt(
            form,
            lambda: services.plan_update(
                actor=request.user,
                unit=request.acting_unit,
                plan=plan,
                expected_version=d["lock_version"],
                **fields,
            ),
        ):
            messages.success(request, _("The preparation is saved."))
            return redirect(_back(request, reverse("plans:overview", args=[plan.pk])))
    return _render(
        request, "plans/preparation.html", _ctx(request, plan, "overview", form=form), form
    )


# --- Consent --------------------------------------------------------------------------------


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def consent(request: HttpRequest, plan: Plan) -> HttpResponse:
    waiting = _join_requests_to_answer(request, plan)
    asked = next((r for r in waiting if str(r.pk) == request.GET.get("forfragan")), None)
    form = f.ConsentForm(request.POST or None, plan=plan, add_units=[asked.unit] if asked else [])
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.consent_record(
                actor=request.user,
                unit=request.acting_unit,
                plan=plan,
                decision=d["decision"],
                decided_on=d["decided_on"],
                mode=d["mode"],
                given_by=form.given_by,
                guardians=list(d.get("guardians") or []),
                child_view=d.get("child_view", ""),
                units=list(d["units"]),
                relatives=list(d["relatives"]),
                exclusions=d["exclusions"],
                valid_until=d["valid_until"],
            ),
        ):
            messages.success(request, _("The consent is recorded."))
            return redirect("plans:overview", plan_id=plan.pk)
    consents = (
        plan.consents.select_related("recorded_by", "recorded_unit")
        .prefetch_related("units", "relatives", "guardians")
        .order_by("-number")
    )
    return _render(
        request,
        "plans/consent.html",
        _ctx(request, plan, "consent", form=form, consents=consents, join_requests=waiting),
        form,
    )


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def consent_withdraw(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = f.WithdrawForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    done = _submit(
        request,
        form,
        services.consent_withdraw,
        plan=plan,
        success=_("The consent is withdrawn and the SIP is closed. Inform every participant."),
        target=reverse("plans:overview", args=[plan.pk]),
    )
    context = _ctx(request, plan, "consent", form=form)
    return done or _render(request, "plans/consent_withdraw.html", context, form)


# --- Meetings -------------------------------------------------------------------------------


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def meetings(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = f.MeetingForm(request.POST or None, plan=plan)
    kind = (
        Meeting.Kind.FIRST
        if plan.state in rules.CAN_SCHEDULE_FIRST_MEETING
        else Meeting.Kind.FOLLOW_UP
    )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        units, people = form.invited()
        if _attempt(
            form,
            lambda: services.meeting_schedule(
                actor=request.user,
                unit=request.acting_unit,
                plan=plan,
                kind=kind,
                starts_at=d["starts_at"],
                place=d["place"],
                video_link=d["video_link"],
                chair=d["chair"],
                recorder=d["recorder"],
                chair_chosen_by_individual=d["chair_chosen_by_individual"],
                invited_units=units,
                invited_people=people,
            ),
        ):
            messages.success(request, _("The meeting is booked and the invitations are recorded."))
            return redirect("plans:meetings", plan_id=plan.pk)
    items = (
        plan.meetings.select_related("chair", "recorder")
        .prefetch_related("invitees__unit__organization", "invitees__person")
        .order_by("-starts_at")
    )
    return _render(
        request,
        "plans/meetings.html",
        _ctx(
            request,
            plan,
            "meetings",
            form=form,
            meetings=items,
            meeting_kind=Meeting.Kind(kind).label,
        ),
        form,
    )


def _meeting(plan: Plan, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("chair", "recorder"), pk=meeting_id, plan=plan
    )


@require_POST
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.respond")
def meeting_respond(request: HttpRequest, plan: Plan, meeting_id: int) -> HttpResponse:
    """The acting unit answers its invitation, or records the answer of an invited person."""
    person_id = parse_uuid(request.POST.get("person"))
    if request.POST.get("person") and person_id is None:
        raise Http404  # not an individual's id: nobody to answer for
    meeting = _meeting(plan, meeting_id)
    if person_id and not access.can_write(plan, request.acting_unit):
        raise PermissionDenied  # recording someone else's answer is a change to the plan
    if person_id:
        invitee = get_object_or_404(Invitee, meeting=meeting, person_id=person_id)
    else:
        invitee = get_object_or_404(Invitee, meeting=meeting, unit=request.acting_unit)
    form = f.RespondForm(request.POST)
    if form.is_valid() and _attempt(
        form,
        lambda: services.invitation_respond(
            actor=request.user,
            unit=request.acting_unit,
            invitee=invitee,
            response=form.cleaned_data["response"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, _("The answer is recorded."))
    else:
        errors = [*form.non_field_errors(), *form.errors.get("response", [])]
        messages.error(request, " ".join(errors) or _("Choose an answer."))
    return redirect(_back(request, reverse("plans:overview", args=[plan.pk])))


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def meeting_change(request: HttpRequest, plan: Plan, meeting_id: int) -> HttpResponse:
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
            actor=request.user,
            unit=request.acting_unit,
            meeting=meeting,
            expected_version=d["lock_version"],
            starts_at=d["starts_at"],
            place=d["place"],
            video_link=d["video_link"],
        )
        if _attempt(form, call):
            messages.success(request, _("The meeting is changed and the invitees are told."))
            return redirect("plans:meetings", plan_id=plan.pk)
    try:
        rules.meeting_changeable(plan, meeting)
        refusal = None
    except RuleViolation as error:
        refusal = error.message
    context = _ctx(request, plan, "meetings", form=form, meeting=meeting, refusal=refusal)
    return _render(request, "plans/meeting_change.html", context, form)


@require_POST
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def meeting_cancel(request: HttpRequest, plan: Plan, meeting_id: int) -> HttpResponse:
    meeting = _meeting(plan, meeting_id)
    try:
        services.meeting_cancel(actor=request.user, unit=request.acting_unit, meeting=meeting)
        messages.success(request, _("The meeting is cancelled."))
    except RuleViolation as error:
        messages.error(request, error.message)
    return redirect("plans:meetings", plan_id=plan.pk)


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def meeting_mode(request: HttpRequest, plan: Plan, meeting_id: int) -> HttpResponse:
    """The five-part agenda on one page; the recorder fills in the plan during the meeting."""
    meeting = _meeting(plan, meeting_id)
    attendance = f.AttendanceForm(
        request.POST or None,
        meeting=meeting,
        initial={
            "attended": [
                str(i.pk) for i in meeting.invitees.all() if i.response != Invitee.Response.DECLINED
            ],
            "opening_notes": meeting.opening_notes,
            "summary_notes": meeting.summary_notes,
        },
    )
    if attendance.is_bound and attendance.is_valid():
        d = attendance.cleaned_data
        if _attempt(
            attendance,
            lambda: services.meeting_held(
                actor=request.user,
                unit=request.acting_unit,
                meeting=meeting,
                attended=[int(x) for x in d["attended"]],
                opening_notes=d["opening_notes"],
                summary_notes=d["summary_notes"],
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
    return _render(
        request,
        "plans/meeting_mode.html",
        _ctx(
            request,
            plan,
            "meetings",
            meeting=meeting,
            attendance=attendance,
            here=here,
            details=details,
            preparation=preparation,
            goal_form=f.GoalForm(plan=plan, prefix="goal", initial={"lock_version": 0}),
            intervention_form=f.InterventionForm(
                plan=plan, prefix="intervention", initial={"lock_version": 0}
            ),
            content=rules.legal_content_check(plan),
            consent_now=plan.current_consent,
            **_content_lists(plan),
        ),
        attendance,
    )


# --- Establishing, follow-up, approval, closing ---------------------------------------------


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def establish(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = f.EstablishForm(request.POST or None)
    done = _submit(
        request,
        form,
        services.plan_establish,
        plan=plan,
        success=_("The plan is established as version 1. Give the individual a copy."),
        target=reverse("plans:overview", args=[plan.pk]),
    )
    content = rules.legal_content_check(plan)
    context = _ctx(request, plan, "overview", form=form, content=content, **_content_lists(plan))
    return done or _render(request, "plans/establish.html", context, form)


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def follow_up(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = f.FollowUpForm(request.POST or None)
    held = plan.meetings.filter(kind=Meeting.Kind.FOLLOW_UP, status=Meeting.Status.HELD)
    done = _submit(
        request,
        form,
        services.followup_record,
        plan=plan,
        meeting=held.order_by("-starts_at").first(),
        success=_("The follow-up is recorded."),
        target=reverse("plans:overview", args=[plan.pk]),
    )
    context = _ctx(request, plan, "overview", form=form, **_content_lists(plan))
    return done or _render(request, "plans/follow_up.html", context, form)


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def approval(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = f.ApprovalForm(request.POST or None)
    done = _submit(
        request,
        form,
        services.version_approval_record,
        plan=plan,
        success=_("The individual's answer is recorded."),
        target=reverse("plans:overview", args=[plan.pk]),
    )
    context = _ctx(request, plan, "versions", form=form)
    return done or _render(request, "plans/approval.html", context, form)


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.edit", write="plan.edit")
def close(request: HttpRequest, plan: Plan) -> HttpResponse:
    form = f.CloseForm(request.POST or None)
    done = _submit(
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
    return done or _render(
        request, "plans/close.html", _ctx(request, plan, "overview", form=form), form
    )


@require_http_methods(GET_POST)
@acting_unit_required
@policy.plan_route(read="plan.inform", write="plan.inform")
def closing_notices(request: HttpRequest, plan: Plan) -> HttpResponse:
    if not plan.is_closed:
        raise Http404
    form = f.ClosingNoticeForm(request.POST or None, plan=plan)
    done = _submit(
        request,
        form,
        services.closing_notices_record,
        plan=plan,
        success=_("Recorded."),
        target=reverse("plans:closing_notices", args=[plan.pk]),
    )
    notices = plan.closing_notices.select_related("unit", "person", "informed_by")
    context = _ctx(request, plan, "overview", form=form, notices=notices)
    return done or _render(request, "plans/closing_notices.html", context, form)


# --- Versions and history -------------------------------------------------------------------


@require_GET
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def versions(request: HttpRequest, plan: Plan) -> HttpResponse:
    items = list(plan.versions.select_related("created_by", "created_unit", "approval_recorded_by"))
    numbers = [v.number for v in items]
    try:
        a, b = int(request.GET.get("a", 0)), int(request.GET.get("b", 0))
    except ValueError:
        a = b = 0
    if len(numbers) >= 2 and not (a in numbers and b in numbers):
        a, b = numbers[-2], numbers[-1]
    diff = None
    if a in numbers and b in numbers:
        old = next(v for v in items if v.number == a)
        new = next(v for v in items if v.number == b)
        diff = snapshot_diff(old.snapshot, new.snapshot)
    return render(
        request,
        "plans/versions.html",
        _ctx(request, plan, "versions", versions=items, a=a, b=b, diff=diff),
    )


@require_GET
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def version_detail(request: HttpRequest, plan: Plan, number: int) -> HttpResponse:
    version = get_object_or_404(
        plan.versions.select_related("created_by", "approval_recorded_by"), number=number
    )
    return render(
        request,
        "plans/version_detail.html",
        _ctx(request, plan, "versions", version=version, snap=version.snapshot),
    )


@require_GET
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.edit")
def history(request: HttpRequest, plan: Plan) -> HttpResponse:
    events = plan.events.select_related("actor", "acting_unit__organization")
    return render(request, "plans/history.html", _ctx(request, plan, "history", events=events))


@require_GET
@acting_unit_required
@policy.plan_route(read="plan.view")
def plan_pdf(request: HttpRequest, plan: Plan) -> HttpResponse:
    """The same PDF copy the individual downloads in Min SIP, for staff to print or send."""
    from samplan.citizen.pdf import pdf_response
    from samplan.citizen.presenter import plan_for_citizen

    return pdf_response(plan_for_citizen(plan, plan.person))


@require_POST
@acting_unit_required
@policy.plan_route(read="plan.view", write="plan.handle")
def message_handled(request: HttpRequest, plan: Plan, message_id: int) -> HttpResponse:
    """Mark a message from Min SIP as handled (a writing unit, also after closing)."""
    message = get_object_or_404(CitizenMessage, pk=message_id, plan=plan)
    try:
        services.citizen_message_handle(
            actor=request.user, unit=request.acting_unit, message=message
        )
        messages.success(request, _("The message is marked as handled."))
    except RuleViolation as error:
        messages.error(request, error.message)
    return redirect("plans:overview", plan_id=plan.pk)
