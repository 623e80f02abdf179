"""Loading plans for a request, through the access policy (samplan.policy).

Rule (docs/security.md): staff see and change a plan only while their acting unit takes part
and the consent covers that unit; before consent only the initiating unit. The individual,
a guardian of a child, a representative whose appointment covers the SIP and an invited
relative see it in Min SIP. Others get 404, so that a plan's existence does not leak; those
who may look but not do get 403. Every plan that is shown is written to the access log, in
the same request, before the page is rendered.

One loader (`plan_for_request`) and one view decorator (`plan_view`) serve staff pages and
Min SIP alike; both read `request.actor` (samplan.people.session.ActorMiddleware).
"""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.audit.services import access_log_record
from samplan.people.session import citizen_required
from samplan.plans import rules
from samplan.plans.models import Consent, Participant, Plan

GET_POST = ("GET", "POST")


# --- Which plans an actor may list -----------------------------------------------------------


def plans_visible_to(actor: policy.Actor | None) -> QuerySet:
    """Exactly the plans `policy.decide(actor, "plan.view", plan)` allows, as one query."""
    if actor is None:
        return Plan.objects.none()
    if isinstance(actor, policy.Staff):
        if not rules.works_with_plans(actor.role):
            return Plan.objects.none()  # an analyst: figures only
        return plans_of_unit(actor.unit)
    return _citizen_plans(actor)


def plans_of_unit(unit) -> QuerySet:
    """The plans a unit sees: it initiated them and there is no consent yet, or it takes part.

    Built from the unit outwards (its active participations, its own initiatives), so that
    the database reads the unit's plans through indexes and never every plan in the country
    (docs/performance.md). The participations come from an index alone; the state is checked
    once, on the plan row the page reads anyway: a plan before consent is seen only by the
    unit that initiated it.
    """
    before = rules.BEFORE_CONSENT
    takes_part = Participant.objects.filter(unit=unit, is_active=True).order_by().values("plan_id")
    initiated = Plan.objects.filter(initiating_unit=unit, state__in=before).order_by().values("pk")
    return Plan.objects.filter(pk__in=takes_part.union(initiated, all=True)).filter(
        ~Q(state__in=before) | Q(initiating_unit=unit)
    )


def _citizen_plans(actor: policy.Citizen) -> QuerySet:
    """The person's own plans, a guarded child's, a represented individual's and those he or
    she is invited to as a relative: found through the person's own rows (indexed), then
    decided one by one."""
    person = actor.person
    own = Plan.objects.filter(person=person).order_by().values("pk")
    guarded = Plan.objects.filter(rules.guardian_of_q(person)).order_by().values("pk")
    represented = Plan.objects.filter(rules.representative_of_q(person)).order_by().values("pk")
    invited = Consent.objects.filter(relatives=person).order_by().values("plan_id")
    ids = own.union(guarded, represented, invited)
    latest = Consent.objects.filter(plan=OuterRef("pk")).order_by("-number").values("pk")[:1]
    covered = Consent.objects.filter(
        rules.consent_given_q(), pk=OuterRef("latest"), relatives=person
    )
    candidates = (
        Plan.objects.filter(pk__in=ids)
        .annotate(latest=latest)
        .filter(
            Q(person=person)
            | rules.guardian_of_q(person)
            | rules.representative_of_q(person)
            | Exists(covered)
        )
        .distinct()
    )
    # The candidates are few: the policy decides each (age, protection, revoked access).
    candidates = candidates.select_related("person").prefetch_related(
        "person__relations", "consents__relatives", "relative_accesses"
    )
    ids = [p.pk for p in candidates if policy.decide(actor, "plan.view", p)]
    return Plan.objects.filter(pk__in=ids)


# --- One plan for one request ----------------------------------------------------------------


def plan_for_request(request: HttpRequest, plan_id, *, action: str = "plan.view") -> Plan:
    """Load a plan the actor may see (404 otherwise), check the action (403), log the read."""
    actor = getattr(request, "actor", None)
    plan = (
        Plan.objects.filter(pk=plan_id)
        .select_related(
            "person",
            "initiating_unit__organization__local_agreement",
            "overall_responsibility",
            "lead",
            "care_contact",
        )
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("unit__organization", "contact_person"),
            ),
            "consents",
        )
        .first()
    )
    decision = policy.decide(actor, action, plan) if plan is not None else policy.Decision.NOT_FOUND
    if decision is policy.Decision.NOT_FOUND:
        raise Http404
    if decision is policy.Decision.FORBIDDEN:
        raise PermissionDenied
    match = request.resolver_match
    disclosure = match.view_name if match else action
    access_log_record(request=request, action=disclosure, person=plan.person, obj=plan)
    return plan


def plan_view(
    read: str = "plan.view",
    write: str = "plan.edit",
    *,
    methods: tuple[str, ...] = GET_POST,
    citizen: bool = False,
):
    """A page of one plan: allowed methods, a staff member acting for a unit (or, with
    `citizen`, a Min SIP session), the plan loaded through the policy and the read logged.

    GET and HEAD need `read`, other methods `write`. The view receives the plan, not its id.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, plan_id, *args, **kwargs):
            request.plan_write_action = write
            action = read if request.method in ("GET", "HEAD") else write
            try:
                plan = plan_for_request(request, plan_id, action=action)
            except PermissionDenied:
                if action == "plan.view":
                    raise
                return refused_write(request, plan_id)
            return view(request, plan, *args, **kwargs)

        who = citizen_required if citizen else acting_unit_required
        guarded = require_http_methods(list(methods))(who(wrapper))
        return policy.route(read, write)(guarded)

    return decorate


# Posted fields that carry no text of the person's own.
_MACHINE_FIELDS = {"csrfmiddlewaretoken", "_once", "form", "lock_version"}


def refused_write(request: HttpRequest, plan_id) -> HttpResponse:
    """A page or form of a plan that no longer accepts it (closed meanwhile, or the poster's
    part in it ended): a Swedish page that says why and gives back what was typed, instead of
    a bare 403 that loses it. A plan the actor may not even read stays a 404/403."""
    plan = plan_for_request(request, plan_id, action="plan.view")
    return refused_write_page(request, plan)


def refused_write_page(request: HttpRequest, plan: Plan, reason: str = "") -> HttpResponse:
    """The page of refused_write, also for an item that someone removed meanwhile (`reason`)."""
    typed = [
        value.strip()
        for name, values in request.POST.lists()
        if name not in _MACHINE_FIELDS
        for value in values
        if any(c.isalpha() for c in value)
    ]
    context = {
        "plan": plan,
        "closed": rules.is_closed(plan),
        "reason": reason,
        "typed": "\n\n".join(typed),
        "staff": isinstance(getattr(request, "actor", None), policy.Staff),
    }
    return render(request, "plans/refused_write.html", context, status=403)


# --- What a page may offer -------------------------------------------------------------------


@dataclass(frozen=True)
class Can:
    """What the actor may do with the plan, for templates (as `perms` is in Django's). The
    policy decides each; templates never compare states or roles themselves."""

    view: bool
    edit: bool
    inform: bool
    handle: bool
    respond: bool
    manage: bool
    approve: bool

    @classmethod
    def of(cls, actor: policy.Actor | None, plan: Plan) -> "Can":
        def allowed(action: str) -> bool:
            return policy.decide(actor, action, plan) is policy.Decision.ALLOW

        return cls(
            view=allowed("plan.view"),
            edit=allowed("plan.edit"),
            inform=allowed("plan.inform"),
            handle=allowed("plan.handle"),
            respond=allowed("plan.respond"),
            manage=allowed("plan.manage"),
            approve=allowed("plan.approve"),
        )


def unit_may(plan: Plan, unit, action: str) -> bool:
    """May a unit (any of its staff) do this action on the plan? For services deciding whom
    to tell, where there is no request."""
    staff = policy.Staff(user=None, unit=unit, role=rules.Role.CASEWORKER)  # any of its staff
    return policy.decide(staff, action, plan) is policy.Decision.ALLOW


# --- What of the plan an actor sees ----------------------------------------------------------


def item_limit(actor: policy.Actor | None, plan: Plan) -> rules.ItemLimit | None:
    """The consent's limit on what the actor sees of the plan's goals and interventions: the
    acting unit's, for staff; none for the individual and those around him or her in Min SIP."""
    if isinstance(actor, policy.Staff):
        return rules.item_limit(plan, actor.unit)
    return None


def goals_seen(actor: policy.Actor | None, plan: Plan) -> QuerySet:
    return plan.goals.filter(rules.goals_visible_q(item_limit(actor, plan)))


def interventions_seen(actor: policy.Actor | None, plan: Plan) -> QuerySet:
    return plan.interventions.filter(rules.interventions_visible_q(item_limit(actor, plan)))


def events_seen(actor: policy.Actor | None, plan: Plan) -> QuerySet:
    """The plan's history without the events about items the consent keeps from the unit.
    Only a limited unit pays for the check (its plan's item events, read once)."""
    events = plan.events.all()
    limit = item_limit(actor, plan)
    if limit is None:
        return events
    kinds = rules.GOAL_EVENTS | rules.INTERVENTION_EVENTS
    rows = plan.events.filter(kind__in=kinds).values_list("pk", "kind", "before", "after")
    hidden = [
        pk for pk, kind, before, after in rows if _event_hidden(limit, kind, before, after, plan)
    ]
    return events.exclude(pk__in=hidden)


def _event_hidden(limit, kind, before, after, plan) -> bool:
    key = "goal" if kind in rules.GOAL_EVENTS else "intervention"
    record = after if key in (after or {}) else (before or {})
    facts = record if "topic" in record else _live_facts(plan, key, record.get(key))
    return rules.event_hidden(limit, kind, facts)


def _live_facts(plan: Plan, key: str, uid) -> dict | None:
    """For an event recorded before events carried the item's facts: the live item's."""
    if not uid:
        return None
    if key == "goal":
        goal = plan.goals.filter(uid=uid).select_related("parent").first()
        if goal is None:
            return None
        return {"topic": goal.topic, "parent_topic": goal.parent.topic if goal.parent else ""}
    item = plan.interventions.filter(uid=uid).first()
    if item is None:
        return None
    return {"topic": item.topic, "unit_id": item.unit_id, "organization_id": item.organization_id}
