"""The staff start page, the worklist "Mina SIP" with its search, and starting a SIP."""

import math

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Window,
)
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.audit.services import access_log_record_many
from samplan.core import searches
from samplan.people.access import person_card
from samplan.people.forms import PersonSearchForm
from samplan.people.models import Person
from samplan.people.session import StaffRequest
from samplan.plans import access, rules, services
from samplan.plans import forms as f
from samplan.plans.models import (
    CitizenMessage,
    Intervention,
    JoinRequest,
    Meeting,
    Participant,
    Plan,
)
from samplan.plans.views.base import (
    GET_POST,
    attempt,
)


@require_GET
@policy.route("session")
def start(request: StaffRequest) -> HttpResponse:
    """Staff start page. A user with units but none chosen is asked to choose one first."""
    if request.acting_unit is None:
        if request.user.active_memberships().exists():
            return redirect(f"{reverse('accounts:choose_unit')}?next=/")
        if request.user.is_system_administrator:
            return redirect("admin:index")
    actor = policy.Staff.from_request(request)
    if actor is not None and not rules.works_with_plans(actor.role):
        return redirect("statistics:index")  # an analyst: figures only
    open_plans = overdue_plans = 0
    if request.acting_unit is not None:
        # Both from indexed columns: the unit's participations and the stored deadline.
        plans = access.plans_of_unit(request.acting_unit).exclude(state=Plan.State.CLOSED)
        open_plans = plans.count()
        overdue_plans = plans.filter(rules.overdue_q(timezone.localdate())).count()
    context = {"open_plans": open_plans, "overdue_plans": overdue_plans}
    return render(request, "core/start.html", context)


WORKLIST_PAGE_SIZE = 50
MAX_PAGE_NUMBER = 10**9


def _counted_page(ordered, number, size: int = WORKLIST_PAGE_SIZE) -> tuple[Page, list]:
    """The ids of one page and the length of the whole list, in one query (COUNT(*) OVER ()):
    a count and a page would each work out which plans the unit sees."""
    try:
        # A number past any list (the database's offsets are 64-bit) asks for the last page.
        wanted = min(max(1, int(number)), MAX_PAGE_NUMBER)
    except (TypeError, ValueError):
        wanted = 1
    counted = ordered.annotate(total=Window(Count("*"))).values_list("pk", "total")
    rows = list(counted[(wanted - 1) * size : wanted * size])
    if not rows and wanted > 1:  # past the end (the list got shorter): the last page
        wanted = max(1, math.ceil(ordered.count() / size))
        rows = list(counted[(wanted - 1) * size : wanted * size])
    total = rows[0][1] if rows else 0
    return Paginator(range(total), size).page(wanted), [pk for pk, _total in rows]


def _worklist_rows(ids: list) -> list[Plan]:
    """The plans of one page, in the page's order, with what a row shows. The list query
    sorts and cuts plan ids only: joining the individuals before the cut would read one person
    row per plan of the unit (3,000 in a large unit) to show 50."""
    plans = Plan.objects.filter(pk__in=ids).select_related("person", "lead")
    plans = plans.prefetch_related(
        Prefetch(
            "meetings",
            queryset=Meeting.objects.filter(status=Meeting.Status.SCHEDULED).order_by("starts_at"),
            to_attr="scheduled_meetings",
        )
    )
    by_id = {plan.pk: plan for plan in plans}
    return [by_id[pk] for pk in ids if pk in by_id]


def _upcoming_meeting() -> Exists:
    return Exists(
        Meeting.objects.filter(
            plan=OuterRef("pk"), status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now()
        )
    )


def _flag_rows(plans: list[Plan], unit, today=None) -> None:
    """A request to take part waiting for this unit's answer, and how many of the unit's own
    interventions are overdue, for the plans of one page: two indexed queries, whatever the
    size of the list."""
    overdue = dict(
        Intervention.objects.filter(
            rules.intervention_overdue_q(today or timezone.localdate()), plan__in=plans, unit=unit
        )
        .order_by()
        .values("plan_id")
        .annotate(n=Count("pk"))
        .values_list("plan_id", "n")
    )
    unit_writes = Participant.objects.filter(
        plan=OuterRef("plan"), unit=unit, is_active=True, access="edit"
    )
    asked = dict(
        JoinRequest.objects.filter(plan__in=plans, state="pending")
        .annotate(unit_writes=Exists(unit_writes))
        .values_list("plan_id", "unit_writes")
    )
    for plan in plans:
        plan.overdue_interventions = overdue.get(plan.pk, 0)
        plan.join_request_waiting = rules.join_answer_due(
            plan, asked=plan.pk in asked, unit_writes=asked.get(plan.pk, False)
        )


@require_http_methods(GET_POST)
@acting_unit_required
@policy.route("plan.list")
def worklist(request: StaffRequest) -> HttpResponse:
    """ "Mina SIP": the acting unit's plans, with filters; a search (posted, then a GET page)."""
    unit = request.acting_unit
    filters = f.WorklistFilterForm(request.GET or None)
    search = f.SearchForm(request.POST or None)
    if search.is_bound and search.is_valid():
        sid = searches.remember(request, "plans", search.cleaned_data["query"])
        return redirect(reverse("plans:worklist") + searches.query(sid))
    recalled = searches.recall(request, "plans")
    if recalled.expired:
        messages.info(request, _("That search has expired. Search again."))
    plans = access.plans_of_unit(unit)
    searching = bool(recalled.value)
    if searching:
        search = f.SearchForm(initial={"query": recalled.value})
        plans = plans.filter(_search_filter(recalled.value))
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
            plans = plans.filter(_upcoming_meeting())
        elif data["flag"] == "waiting":
            plans = plans.filter(state__in=[Plan.State.INITIATED, Plan.State.REVISION])
    else:
        plans = plans.exclude(state=Plan.State.CLOSED)
    flag = filters.cleaned_data.get("flag") if filters.is_valid() and not searching else ""
    today = timezone.localdate()
    if flag == "overdue":
        plans = plans.filter(rules.overdue_q(today))
    elif flag == "due_soon":
        plans = plans.filter(rules.due_soon_q(today))
    # The most urgent first; a bounded page, so a unit with thousands of plans reads one page.
    ordered = plans.order_by(F("deadline_due").asc(nulls_last=True), "-initiated_at", "pk")
    number = request.GET.get("sida")
    page, ids = _counted_page(ordered, number)
    shown = _worklist_rows(ids)
    _flag_rows(shown, unit, today)
    rows = [(plan, rules.stored_deadline(plan, today)) for plan in shown]
    inbox = list(
        CitizenMessage.objects.filter(
            to_units=unit, plan__in=access.plans_of_unit(unit), handled_at__isnull=True
        )
        .select_related("plan__person", "author")
        .order_by("-created_at")[:20]
    )
    # The access log records the individuals shown on this page, not every plan the list has.
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
            "page": page,
            "page_query": _query_without_page(request),
            "filters": filters,
            "search": search,
            "searching": searching,
            "inbox": inbox,
        },
        status=400 if search.is_bound else 200,
    )


def _query_without_page(request: StaffRequest) -> str:
    """The filters of the page, for the links to the other pages."""
    query = request.GET.copy()
    query.pop("sida", None)
    return query.urlencode()


def _search_filter(query: str) -> Q:
    number = PersonSearchForm(data={"identity_number": query})
    if any(ch.isdigit() for ch in query) and number.is_valid():
        parsed = number.cleaned_data["identity_number"]
        return Q(person__identity_kind=parsed.kind, person__identity_number=parsed.value)
    condition = Q()
    for word in query.split():
        condition &= Q(person__given_name__icontains=word) | Q(person__family_name__icontains=word)
    return condition


@require_http_methods(GET_POST)
@acting_unit_required
@policy.route("plan.initiate")
def plan_start(request: StaffRequest) -> HttpResponse:
    """Guided start: find the individual (POST, number never in the URL; the found individual
    is then a GET page named by a search id), then the initiative."""
    person, initiative, elsewhere, open_plan = None, None, None, {}
    search = PersonSearchForm(request.POST if request.POST.get("step") == "find" else None)
    if request.POST.get("step") == "find" and search.is_valid():
        number = search.cleaned_data["identity_number"]
        found = Person.objects.filter(
            identity_kind=number.kind, identity_number=number.value
        ).first()
        if found is None:
            search.add_error(
                "identity_number", _("No individual with that number is registered in Samplan.")
            )
        else:
            sid = searches.remember(request, "person", str(found.pk))
            return redirect(reverse("plans:start") + searches.query(sid))
    elif request.method == "GET":
        recalled = searches.recall(request, "person")
        if recalled.expired:
            messages.info(request, _("That search has expired. Search again."))
        elif recalled.value:
            person = Person.objects.filter(pk=recalled.value).first()
            initiative = f.InitiativeForm() if person else None
            elsewhere = f.KeptElsewhereForm() if person else None
    elif request.POST.get("step") in ("initiate", "elsewhere"):
        chosen = f.ChosenPersonForm(request.POST)
        kept = request.POST.get("step") == "elsewhere"
        if not chosen.is_valid():
            # No such individual (a malformed or stale id): back to finding him or her.
            search = PersonSearchForm({})
            search.is_valid()
            search.errors["identity_number"] = search.error_class(chosen.errors["person"])
        elif kept:
            person = chosen.cleaned_data["person"]
            initiative = f.InitiativeForm()
            elsewhere = f.KeptElsewhereForm(request.POST)
            done = _register_elsewhere(request, person, elsewhere, open_plan)
            if done is not None:
                return done
        else:
            person = chosen.cleaned_data["person"]
            initiative = f.InitiativeForm(request.POST)
            elsewhere = f.KeptElsewhereForm()
        if not kept and initiative is not None and initiative.is_valid():
            data = initiative.cleaned_data
            result = {}

            def act():
                try:
                    result["outcome"] = services.plan_initiate(
                        actor=request.actor,
                        person=person,
                        source=data["source"],
                        source_detail=data["source_detail"],
                        reasons=data["reasons"],
                        reason_text=data["reason_text"],
                    )
                except services.OpenPlanExists as known:
                    open_plan["plan"] = known.plan  # the acting unit sees it: link to it
                    raise

            if attempt(initiative, act):
                if isinstance(result["outcome"], Plan):
                    messages.success(
                        request, _("The SIP is started. Next step: record the consent.")
                    )
                    return redirect("plans:consent", plan_id=result["outcome"].pk)
                # A request to take part in a plan this unit does not see: the same neutral
                # receipt whatever that plan is (docs/security.md, finding 2).
                return redirect("plans:start_receipt")
    failed = (
        (search.is_bound and search.errors)
        or (initiative is not None and initiative.is_bound and initiative.errors)
        or (elsewhere is not None and elsewhere.is_bound and elsewhere.errors)
    )
    return render(
        request,
        "plans/start.html",
        {
            "search": search,
            "person": person,
            "initiative": initiative,
            "elsewhere": elsewhere,
            "open_plan": open_plan.get("plan"),
            # The search id of the individual found, for the referral to another
            # organisation's receiving unit (samplan.citizen, requests:refer).
            "sid": request.GET.get(searches.PARAM, "") if person else "",
            **(person_card(request, person) if person else {}),
        },
        status=400 if failed else 200,
    )


def _register_elsewhere(
    request: StaffRequest, person: Person, form: "f.KeptElsewhereForm", open_plan: dict
) -> HttpResponse | None:
    """Register a SIP that already exists on paper or in another system; the redirect on
    success, else None (the form carries the errors)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    result = {}

    def act():
        try:
            result["outcome"] = services.plan_register_elsewhere(
                actor=request.actor,
                person=person,
                kept=data["kept_elsewhere"],
                where=data["kept_where"],
                made_on=data["made_on"],
                principals=data["principals"],
                lead_name=data["lead_name"],
                next_follow_up=data["next_follow_up"],
                meets_law=data["meets_law"],
            )
        except services.OpenPlanExists as known:
            open_plan["plan"] = known.plan
            raise

    if not attempt(form, act):
        return None
    if isinstance(result["outcome"], Plan):
        messages.success(
            request, _("The SIP is registered. It shows in the worklist with its follow-up.")
        )
        return redirect("plans:overview", plan_id=result["outcome"].pk)
    return redirect("plans:start_receipt")


@require_GET
@acting_unit_required
@policy.route("plan.initiate")
def plan_start_receipt(request: StaffRequest) -> HttpResponse:
    """Where an initiative that started no plan here ends: one fixed page, which says nothing
    about the individual or any plan (docs/security.md, finding 2)."""
    return render(request, "plans/start_receipt.html")
