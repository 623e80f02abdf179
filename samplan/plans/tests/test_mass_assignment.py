"""Mass assignment: a form takes its own fields and nothing else.

Every form-handling POST route of the plans, people and accounts apps (and of the requests
for a SIP) gets a valid payload plus fields the user may not set (who did it, which plan or
person it is about, the state, the versions, superuser flags, ...). The request must do what
the form says and nothing more: the owner, state and version columns of every plan, person
and user row end as the legitimate action leaves them, and new rows name the acting user,
the acting unit and the right plan.
"""

import datetime

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from samplan.accounts.models import Membership, User
from samplan.conftest import login, make_user
from samplan.people import identity
from samplan.people.models import ContactGrant, Person, Relation
from samplan.plans import services
from samplan.plans.models import (
    ClosingNotice,
    Consent,
    CopyGiven,
    FollowUp,
    Goal,
    Intervention,
    Invitee,
    Meeting,
    Participant,
    Plan,
    PlanEvent,
    PlanVersion,
)
from samplan.policy import Citizen
from samplan.testing.cast import begin, fresh, make_person, staff
from samplan.testing.world import allowed_methods

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=40)
PLAN_COLUMNS = (
    "person_id",
    "initiated_by_id",
    "initiating_unit_id",
    "state",
    "lock_version",
    "current_version",
    "closing_reason",
)
PERSON_COLUMNS = ("identity_kind", "identity_number", "protected_identity", "birth_date")
USER_COLUMNS = ("username", "is_superuser", "is_staff", "is_active")
# Columns naming who did something, on rows a request creates.
ACTOR_COLUMNS = (
    "recorded_by_id",
    "created_by_id",
    "invited_by_id",
    "informed_by_id",
    "actor_id",
    "initiated_by_id",
    "approval_recorded_by_id",
    "answered_by_id",
)
UNIT_COLUMNS = (
    "recorded_unit_id",
    "created_unit_id",
    "acting_unit_id",
    "initiating_unit_id",
    "answer_unit_id",
)
CREATED = [
    Plan,
    Participant,
    Consent,
    Meeting,
    Invitee,
    Goal,
    Intervention,
    PlanVersion,
    FollowUp,
    ClosingNotice,
    PlanEvent,
    Person,
    Relation,
    CopyGiven,
]


class World:
    """The cast, a plan belonging to someone else, and the injected fields."""

    def __init__(self, sip):
        self.sip = sip
        self.other_person = make_person("19700101", "982", "Otto", "Annan")
        bob = {"actor": staff(sip.bob, sip.primary_care)}
        self.other_plan = services.plan_initiate(
            **bob, person=self.other_person, reasons=["several_units"]
        )
        self.other_number = identity.identity_number_with_check_digit("19600202983")
        self.people = 0

    def person(self) -> Person:
        self.people += 1
        return make_person("19650303", f"{900 + self.people}", "Ny", f"Person{self.people}")

    def plan(self, state: str) -> Plan:
        return self.sip.to(state, person=self.person())

    def injected(self, *own: str) -> dict:
        """Fields the user may not set, leaving out the form's own fields."""
        evil = {
            "organization": self.sip.agency.pk,
            "organization_id": self.sip.agency.pk,
            "plan": self.other_plan.pk,
            "plan_id": self.other_plan.pk,
            "person": self.other_person.pk,
            "person_id": self.other_person.pk,
            "author": self.sip.bob.pk,
            "created_by": self.sip.bob.pk,
            "recorded_by": self.sip.bob.pk,
            "initiated_by": self.sip.bob.pk,
            "state": Plan.State.CONSENT_REFUSED,
            "version": 999,
            "current_version": 999,
            "lock_version": 999,
            "is_superuser": "on",
            "is_staff": "on",
            "closing_reason": Plan.ClosingReason.DECEASED,
            "identity_number": self.other_number,
        }
        return {key: value for key, value in evil.items() if key not in own}


def rows() -> dict:
    return {
        "plans": {r[0]: r[1:] for r in Plan.objects.values_list("pk", *PLAN_COLUMNS)},
        "people": {r[0]: r[1:] for r in Person.objects.values_list("pk", *PERSON_COLUMNS)},
        "users": {r[0]: r[1:] for r in User.objects.values_list("pk", *USER_COLUMNS)},
        "memberships": set(Membership.objects.values_list("pk", "user_id", "unit_id", "role")),
        "created": {m: set(m.objects.values_list("pk", flat=True)) for m in CREATED},
    }


def post(world: World, client: Client, url: str, data: dict, *, actor, plan=None, **after):
    """Post; then check every guarded column. `after` names the plan columns the action itself
    legitimately changes (state, current_version, closing_reason)."""
    before = rows()
    response = client.post(url, data)
    assert response.status_code in {200, 302}, (url, response.status_code)
    if response.status_code == 200:  # shown again: only the search pages do that on success
        assert url in {"/individer/sok/", "/sip/", "/sip/ny/", "/individer/registrera/"}, url
    now = rows()
    problems = []
    for pk, columns in before["plans"].items():
        expected = dict(zip(PLAN_COLUMNS, columns, strict=True))
        if plan is not None and pk == plan.pk:
            expected.update(after)
            # A legitimate change bumps the lock version a little; never to an injected value.
            got = dict(zip(PLAN_COLUMNS, now["plans"][pk], strict=True))
            assert expected["lock_version"] <= got["lock_version"] <= expected["lock_version"] + 4
            expected["lock_version"] = got["lock_version"]
        got = dict(zip(PLAN_COLUMNS, now["plans"][pk], strict=True))
        if got != expected:
            problems.append(f"plan {pk}: {expected} -> {got}")
    for table in ("people", "users"):
        for pk, columns in before[table].items():
            if now[table][pk] != columns:
                problems.append(f"{table} {pk}: {columns} -> {now[table][pk]}")
    if now["memberships"] != before["memberships"]:
        problems.append("memberships changed")
    for model in CREATED:
        new = now["created"][model] - before["created"][model]
        for obj in model.objects.filter(pk__in=new):
            problems += _check_new(world, obj, actor=actor.user, unit=actor.unit, plan=plan)
    assert not problems, f"POST {url}:\n" + "\n".join(problems)
    return response


def _check_new(world: World, obj, *, actor, unit, plan) -> list[str]:
    problems = []
    name = type(obj).__name__
    for column in ACTOR_COLUMNS:
        value = getattr(obj, column, None)
        if value is not None and value != actor.pk:
            problems.append(f"new {name}.{column} = {value}, not the acting user {actor.pk}")
    for column in UNIT_COLUMNS:
        value = getattr(obj, column, None)
        if value is not None and value != unit.pk:
            problems.append(f"new {name}.{column} = {value}, not the acting unit {unit.pk}")
    plan_id = getattr(obj, "plan_id", None)
    if plan_id is not None and plan is not None and plan_id != plan.pk:
        problems.append(f"new {name} belongs to plan {plan_id}, not {plan.pk}")
    if plan_id == world.other_plan.pk:
        problems.append(f"new {name} belongs to someone else's plan")
    if isinstance(obj, Person) and obj.identity_number == world.other_number:
        problems.append("a new person took the injected identity number")
    # A new plan has no approved version; its lock version starts at 1 and only the steps of the
    # same action move it (discharge records consent and the care contact at once): never 999.
    if isinstance(obj, Plan) and (obj.current_version != 0 or not 1 <= obj.lock_version <= 3):
        problems.append(f"a new plan starts at version {obj.current_version}/{obj.lock_version}")
    if isinstance(obj, Intervention) and obj.organization_id == world.sip.agency.pk:
        problems.append("the intervention took the injected organisation")
    return problems


@pytest.fixture
def world(sip):
    return World(sip)


@pytest.fixture
def as_alice(client, sip):
    return login(client, sip.alice)


def alice(world: World) -> dict:
    return {"actor": staff(world.sip.alice, world.sip.needs_assessment)}


COVERED = set()


def covers(*names: str):
    COVERED.update(names)
    return lambda test: test


@covers("plans:worklist", "plans:start", "people:search", "people:register")
def test_search_start_and_register_take_only_their_own_fields(world, as_alice):
    sip = world.sip
    post(world, as_alice, "/sip/", {"query": "Eva", **world.injected()}, **alice(world))
    number = sip.person.identity_display
    data = {"step": "find", "identity_number": number, **world.injected("identity_number")}
    post(world, as_alice, "/sip/ny/", data, **alice(world))
    newcomer = world.person()
    data = {
        "step": "initiate",
        "person": newcomer.pk,
        "source": "staff",
        "reasons": ["several_units"],
        **world.injected("person"),
    }
    post(world, as_alice, "/sip/ny/", data, **alice(world))
    started = Plan.objects.get(person=newcomer)
    assert (started.initiated_by, started.initiating_unit) == (sip.alice, sip.needs_assessment)
    assert started.state == Plan.State.INITIATED

    data = {"identity_number": number, **world.injected("identity_number")}
    post(world, as_alice, "/individer/sok/", data, **alice(world))
    fresh_number = identity.identity_number_with_check_digit("19770707984")
    data = {
        "number_kind": "number",
        "number": fresh_number,
        "given_name": "Registrerad",
        "family_name": "Person",
        **world.injected(),
    }
    post(world, as_alice, "/individer/registrera/", data, **alice(world))
    registered = Person.objects.get(given_name="Registrerad")
    assert registered.identity_number == fresh_number
    assert not registered.protected_identity


@covers("accounts:choose_unit")
@covers("plans:start", "plans:bring_in")
def test_a_sip_kept_elsewhere_takes_only_its_own_fields(world, as_alice):
    sip = world.sip
    newcomer = world.person()
    data = {
        "step": "elsewhere",
        "person": newcomer.pk,
        "kept_elsewhere": "paper",
        "kept_where": "Pappersakten",
        "made_on": (TODAY - datetime.timedelta(days=30)).isoformat(),
        "principals": [sip.primary_care.pk],
        "lead_name": "Anna Andersson",
        "next_follow_up": LATER.isoformat(),
        **world.injected("person"),
    }
    post(world, as_alice, "/sip/ny/", data, **alice(world))
    plan = Plan.objects.get(person=newcomer)
    assert (plan.initiated_by, plan.initiating_unit) == (sip.alice, sip.needs_assessment)
    assert plan.state == Plan.State.ACTIVE and plan.kept_elsewhere == "paper"
    post(world, as_alice, f"/sip/{plan.pk}/for-in/", world.injected(), **alice(world), plan=plan)
    assert Plan.objects.get(pk=plan.pk).kept_elsewhere == ""


def test_choosing_a_unit_sets_nothing_else(world, as_alice):
    data = {"unit": world.sip.needs_assessment.pk, **world.injected()}
    response = post(world, as_alice, "/konto/enhet/", data, **alice(world))
    assert response.status_code == 302


@covers("plans:consent", "plans:consent_withdraw")
def test_consent_forms_set_only_the_consent(world, as_alice):
    sip = world.sip
    plan = sip.initiate(world.person())
    data = {
        "decision": "given",
        "decided_on": TODAY.isoformat(),
        "mode": "written",
        "units": [sip.needs_assessment.pk, sip.primary_care.pk],
        **world.injected("identity_number"),
    }
    post(world, as_alice, f"/sip/{plan.pk}/samtycke/", data, **alice(world), plan=plan, state="consented")  # fmt: skip
    consent = Consent.objects.get(plan=plan)
    assert (consent.recorded_by, consent.recorded_unit) == (sip.alice, sip.needs_assessment)

    data = {"decided_on": TODAY.isoformat(), "mode": "oral", "confirm": "on", **world.injected()}
    post(
        world,
        as_alice,
        f"/sip/{plan.pk}/samtycke/aterkalla/",
        data,
        **alice(world),
        plan=plan,
        state="closed",
        closing_reason="consent_withdrawn",
    )


@covers("plans:preparation", "plans:content", "plans:goal_edit", "plans:intervention_edit")
def test_content_forms_set_only_the_content(world, as_alice):
    sip = world.sip
    plan = world.plan("consented")
    url = f"/sip/{plan.pk}/"
    data = {
        "lock_version": fresh(plan).lock_version,
        "own_words": "Jag vill jobba",
        **world.injected("lock_version"),
    }
    post(world, as_alice, url + "forberedelse/", data, **alice(world), plan=plan)
    assert fresh(plan).own_words == "Jag vill jobba"

    data = {
        "form": "details",
        "details-lock_version": fresh(plan).lock_version,
        "details-overall_responsibility": sip.municipality.pk,
        "details-lead": sip.alice.pk,
        "details-next_follow_up": LATER.isoformat(),
        **world.injected(),
    }
    post(world, as_alice, url + "plan/", data, **alice(world), plan=plan)
    assert fresh(plan).lead == sip.alice

    data = {
        "form": "goal",
        "goal-term": "long",
        "goal-text": "Ett eget boende",
        "goal-status": "open",
        **world.injected(),
    }
    post(world, as_alice, url + "plan/", data, **alice(world), plan=plan)
    goal = Goal.objects.get(plan=plan, text="Ett eget boende")

    data = {
        "form": "intervention",
        "intervention-what": "Boendestöd",
        "intervention-organization": sip.municipality.pk,
        "intervention-status": "planned",
        **world.injected(),
    }
    post(world, as_alice, url + "plan/", data, **alice(world), plan=plan)
    item = Intervention.objects.get(plan=plan, what="Boendestöd")
    assert item.organization == sip.municipality

    data = {
        "lock_version": goal.lock_version,
        "term": "short",
        "text": "Ett eget boende i år",
        "status": "open",
        **world.injected("lock_version"),
    }
    post(world, as_alice, url + f"mal/{goal.pk}/", data, **alice(world), plan=plan)
    goal.refresh_from_db()
    assert (goal.plan_id, goal.text, goal.lock_version) == (plan.pk, "Ett eget boende i år", 2)

    data = {
        "lock_version": item.lock_version,
        "what": "Boendestöd varje dag",
        "organization": sip.municipality.pk,
        "status": "ongoing",
        **world.injected("lock_version", "organization"),
    }
    post(world, as_alice, url + f"insatser/{item.pk}/", data, **alice(world), plan=plan)
    item.refresh_from_db()
    assert (item.plan_id, item.organization, item.lock_version) == (plan.pk, sip.municipality, 2)


@covers("plans:intervention_progress")
def test_a_progress_report_sets_only_the_status_of_the_units_own_intervention(world, client):
    sip = world.sip
    plan = world.plan("active")
    item = Intervention.objects.get(plan=plan, unit=sip.social_insurance)
    others = dict(plan.interventions.exclude(pk=item.pk).values_list("pk", "status"))
    data = {
        f"progress-{item.pk}-status": "done",
        f"progress-{item.pk}-note": "Klart",
        "what": "Något annat",
        "unit": sip.primary_care.pk,
        "start": LATER.isoformat(),
        **world.injected("lock_version"),
    }
    frida = {"actor": staff(sip.frida, sip.social_insurance)}
    url = f"/sip/{plan.pk}/insatser/{item.pk}/lage/"
    post(world, login(client, sip.frida), url, data, **frida, plan=plan)
    done = Intervention.objects.get(pk=item.pk)
    assert (done.status, done.what, done.unit_id, done.start) == (
        "done",
        item.what,
        sip.social_insurance.pk,
        item.start,
    )
    assert dict(plan.interventions.exclude(pk=item.pk).values_list("pk", "status")) == others


@covers("plans:contact_person", "plans:meetings", "plans:meeting_change", "plans:meeting_cancel")
def test_participant_and_meeting_forms_set_only_their_own_fields(world, as_alice):
    sip = world.sip
    plan = world.plan("consented")
    participant = Participant.objects.get(plan=plan, unit=sip.needs_assessment)
    data = {"contact_person": sip.alice.pk, **world.injected()}
    url = f"/sip/{plan.pk}/kontaktperson/{participant.pk}/"
    post(world, as_alice, url, data, **alice(world), plan=plan)
    participant.refresh_from_db()
    assert (participant.plan_id, participant.contact_person) == (plan.pk, sip.alice)

    starts = timezone.localtime() + datetime.timedelta(days=5)
    person = fresh(plan).person
    data = {
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": "Rum 3",
        f"unit_{sip.primary_care.pk}": "written",
        f"person_{person.pk.hex}": "written",
        **world.injected(),
    }
    post(world, as_alice, f"/sip/{plan.pk}/moten/", data, **alice(world), plan=plan, state="invited")  # fmt: skip
    meeting = Meeting.objects.get(plan=plan)
    assert (meeting.invited_by, meeting.chair, meeting.recorder) == (sip.alice,) * 3

    later = starts + datetime.timedelta(days=1)
    data = {
        "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
        "place": "Rum 4",
        **world.injected("lock_version"),
        "lock_version": 1,
        "kind": "follow_up",
        "status": "held",
        "chair": sip.bob.pk,
        "invited_by": sip.bob.pk,
        "opening_notes": "Injicerat",
    }
    url = f"/sip/{plan.pk}/moten/{meeting.pk}/andra/"
    post(world, as_alice, url, data, **alice(world), plan=plan)
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.plan_id, meeting.kind, meeting.status, meeting.chair) == (
        plan.pk,
        "first",
        "scheduled",
        sip.alice,
    )
    assert (meeting.place, meeting.opening_notes, meeting.lock_version) == ("Rum 4", "", 2)

    url = f"/sip/{plan.pk}/moten/{meeting.pk}/stall-in/"
    post(world, as_alice, url, world.injected(), **alice(world), plan=plan)
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"


@covers("plans:meeting_respond", "plans:meeting_mode", "plans:establish")
def test_answering_holding_and_establishing_set_only_their_own_fields(world, as_alice):
    sip = world.sip
    plan = world.plan("invited")
    meeting = Meeting.objects.get(plan=plan)
    bob = login(Client(), sip.bob)
    data = {"response": "accepted", **world.injected("person")}
    url = f"/sip/{plan.pk}/moten/{meeting.pk}/svar/"
    post(world, bob, url, data, actor=staff(sip.bob, sip.primary_care), plan=plan)
    answer = Invitee.objects.get(meeting=meeting, unit=sip.primary_care)
    assert answer.response == "accepted"

    sip.fill(plan)
    begin(meeting)
    invitees = list(meeting.invitees.values_list("pk", flat=True))
    data = {"attended": invitees, "opening_notes": "Välkomna", **world.injected()}
    url = f"/sip/{plan.pk}/moten/{meeting.pk}/motesla/"
    post(world, as_alice, url, data, **alice(world), plan=plan)
    assert Meeting.objects.get(pk=meeting.pk).status == "held"

    data = {"approval_method": "meeting_oral", "approved": "on", **world.injected()}
    url = f"/sip/{plan.pk}/faststall/"
    post(world, as_alice, url, data, **alice(world), plan=plan, state="active", current_version=1)
    version = PlanVersion.objects.get(plan=plan)
    assert (version.number, version.created_by, version.created_unit) == (
        1,
        sip.alice,
        sip.needs_assessment,
    )


@covers("plans:follow_up", "plans:approval", "plans:close", "plans:closing_notices")
def test_follow_up_approval_and_closing_set_only_their_own_fields(world, as_alice):
    sip = world.sip
    plan = world.plan("active")
    data = {
        "how_it_went": "Bra",
        "helped_hindered": "Stödet",
        "coordination_needed": "yes",
        "continue_interventions": "Ja",
        "decision": "continue",
        "next_follow_up": LATER.isoformat(),
        **world.injected("closing_reason"),
    }
    url = f"/sip/{plan.pk}/uppfoljning/"
    post(world, as_alice, url, data, **alice(world), plan=plan, state="active")
    assert FollowUp.objects.get(plan=plan).recorded_by == sip.alice

    revised = world.plan("revision")
    data = {"approved": "yes", "method": "phone", **world.injected()}
    url = f"/sip/{revised.pk}/godkannande/"
    post(
        world, as_alice, url, data, **alice(world), plan=revised, state="active", current_version=2
    )
    assert fresh(revised).current_version == 2

    data = {"reason": "not_needed", **world.injected()}
    url = f"/sip/{plan.pk}/avsluta/"
    post(world, as_alice, url, data, **alice(world), plan=plan, state="closed", closing_reason="not_needed")  # fmt: skip

    # As if Samplan had found nobody to tell at the primary care centre: the lead records it.
    ClosingNotice.objects.filter(plan=plan, unit=sip.primary_care).delete()
    data = {"units": [sip.primary_care.pk], **world.injected()}
    url = f"/sip/{plan.pk}/informerade/"
    post(world, as_alice, url, data, **alice(world), plan=plan)
    notice = ClosingNotice.objects.get(plan=plan, unit=sip.primary_care)
    assert (notice.unit, notice.informed_by) == (sip.primary_care, sip.alice)


@covers("plans:versions")
def test_recording_a_copy_sets_only_its_own_fields(world, as_alice):
    plan = world.plan("active")
    data = {
        "version": 1,
        "given_to": plan.person_id,
        "given_on": TODAY.isoformat(),
        "method": "post",
        **world.injected("person", "version"),
    }
    post(world, as_alice, f"/sip/{plan.pk}/versioner/", data, **alice(world), plan=plan)
    copy = CopyGiven.objects.get(version__plan=plan)
    assert (copy.recorded_by, copy.recorded_unit) == (world.sip.alice, world.sip.needs_assessment)


@covers("plans:protected")
def test_granting_protected_details_sets_only_its_own_fields(world, sip):
    person = world.person()
    Person.objects.filter(pk=person.pk).update(protected_identity=True)
    plan = sip.to("consented", person=person)
    manager = make_user("mia", (sip.needs_assessment, Membership.Role.UNIT_MANAGER))
    client = login(Client(), manager)
    data = {
        "grant": "1",
        "unit": sip.primary_care.pk,
        "reason": "Hembesök",
        "valid_until": LATER.isoformat(),
        **world.injected(),
    }
    actor = {"actor": staff(manager, sip.needs_assessment)}
    post(world, client, f"/sip/{plan.pk}/skyddade-uppgifter/", data, **actor, plan=plan)
    grant = ContactGrant.objects.get(person=person)
    assert (grant.unit, grant.granted_by, grant.user) == (sip.primary_care, manager, None)


@covers("plans:relations")
def test_registering_a_relation_sets_only_its_own_fields(world, as_alice):
    plan = world.plan("consented")
    number = identity.identity_number_with_check_digit("19720404985")
    data = {
        "add": "1",
        "number": number,
        "given_name": "Ny",
        "family_name": "Närstående",
        "kind": "relative",
        "description": "granne",
        **world.injected(),
    }
    post(world, as_alice, f"/sip/{plan.pk}/narstaende/", data, **alice(world), plan=plan)
    relation = Relation.objects.get(person=plan.person)
    assert (relation.created_by, relation.created_unit) == (
        world.sip.alice,
        world.sip.needs_assessment,
    )
    assert relation.related.identity_number == number
    data = {"end": relation.pk, **world.injected()}
    post(world, as_alice, f"/sip/{plan.pk}/narstaende/", data, **alice(world), plan=plan)
    assert not Relation.objects.filter(pk=relation.pk).exists()


@covers("plans:message_handled")
def test_handling_a_message_from_min_sip_sets_only_who_handled_it(world, as_alice):
    from samplan.plans.models import CitizenMessage

    plan = world.plan("consented")
    person = fresh(plan).person
    message = services.citizen_message_send(
        actor=Citizen(person=person), plan=plan, kind="comment", text="Hej"
    )
    url = reverse("plans:message_handled", args=[plan.pk, message.pk])
    post(world, as_alice, url, world.injected(), **alice(world), plan=plan)
    message = CitizenMessage.objects.get(pk=message.pk)
    assert (message.plan_id, message.author_id, message.kind) == (plan.pk, person.pk, "comment")
    assert message.handled_by == world.sip.alice and message.handled_at is not None


@covers("plans:join_request_answer")
def test_answering_a_request_to_take_part_sets_only_the_answer(world, as_alice):
    from samplan.accounts.models import Unit
    from samplan.conftest import make_unit
    from samplan.plans.models import JoinRequest

    sip = world.sip
    plan = world.plan("consented")
    psychiatry = make_unit(sip.region, "Psykiatriska kliniken", Unit.Kind.PSYCHIATRIC_CLINIC)
    olle = make_user("olle", (psychiatry, Membership.Role.CASEWORKER))
    asked = services.plan_initiate(
        actor=staff(olle, psychiatry), person=fresh(plan).person, reasons=["several_units"]
    )
    url = reverse("plans:join_request_answer", args=[plan.pk, asked.pk])
    data = {"answer": "decline", "reason": "Inte nu", **world.injected("reason")}
    data |= {"unit": sip.primary_care.pk, "requested_by": sip.bob.pk, "answered_by": sip.bob.pk}
    post(world, as_alice, url, data, **alice(world), plan=plan)
    answered = JoinRequest.objects.get(pk=asked.pk)
    assert (answered.plan_id, answered.unit, answered.requested_by) == (plan.pk, psychiatry, olle)
    assert (answered.state, answered.decline_reason) == ("declined", "Inte nu")
    assert (answered.answered_by, answered.answer_unit) == (sip.alice, sip.needs_assessment)
    assert not fresh(plan).participants.filter(unit=psychiatry).exists()


@covers("requests:answer")
def test_accepting_a_request_for_a_sip_sets_only_the_answer(world, as_alice):
    from samplan.citizen import services as citizen_services
    from samplan.citizen.models import SipRequest

    sip = world.sip
    sip.needs_assessment.receives_requests = True
    sip.needs_assessment.save(update_fields=["receives_requests"])
    asker = make_person("19700101", "237", "Olle", "Frågare")
    asked = citizen_services.sip_request_send(
        actor=Citizen(person=asker),
        person=asker,
        organizations=[sip.municipality],
        text="Jag vill ha en SIP",
        contact_way="phone",
        contact_detail="070-1",
    )
    url = reverse("requests:answer", args=[asked.pk])
    data = {"answer": "accept", **world.injected()}
    data |= {"handled_by": sip.bob.pk, "handled_unit": sip.primary_care.pk, "text": "Annat"}
    post(world, as_alice, url, data, **alice(world))
    answered = SipRequest.objects.get(pk=asked.pk)
    assert (answered.person, answered.asked_by, answered.text) == (
        asker,
        asker,
        "Jag vill ha en SIP",
    )
    assert (answered.state, answered.handled_by) == ("accepted", sip.alice)
    assert answered.handled_unit == sip.needs_assessment
    assert (answered.plan.person, answered.plan.initiating_unit) == (asker, sip.needs_assessment)


def _post_routes() -> set[str]:
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif (
                isinstance(pattern, URLPattern)
                and namespace in {"plans", "people", "accounts", "requests", "discharge"}
                and "POST" in allowed_methods(pattern.callback)
            ):
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns)
    # No form data of the user's own:
    return names - {"accounts:login", "accounts:logout", "accounts:keep_alive"}


@covers("people:listing")
def test_recording_the_listing_sets_only_the_listing(world, as_alice):
    sip = world.sip
    person = world.person()
    data = {"listed_primary_care": sip.primary_care.pk, **world.injected()}
    data |= {"given_name": "Annan", "protected_identity": "on", "identity_number": "1"}
    post(world, as_alice, f"/individer/{person.pk}/listning/", data, **alice(world))
    person.refresh_from_db()
    assert (person.listed_primary_care, person.given_name) == (sip.primary_care, "Ny")
    assert world.other_person.listed_primary_care is None


@covers("requests:refer")
def test_a_referral_sets_only_its_own_fields(world, as_alice):
    from samplan.citizen.models import SipRequest

    sip = world.sip
    sip.primary_care.receives_requests = True
    sip.primary_care.save(update_fields=["receives_requests"])
    person = world.person()
    number = person.identity_number
    found = as_alice.post("/sip/ny/", {"step": "find", "identity_number": number})
    search = found["Location"].split("?", 1)[1]
    data = {"organization": sip.region.pk, "text": "Behöver vård och stöd"}
    data |= world.injected("organization")
    data |= {"referred_by": sip.bob.pk, "referring_unit": sip.primary_care.pk, "state": "accepted"}
    post(world, as_alice, f"/forfragningar/skicka/?{search}", data, **alice(world))
    request = SipRequest.objects.get(person=person)
    assert (request.referred_by, request.referring_unit) == (sip.alice, sip.needs_assessment)
    assert (request.state, request.plan) == ("sent", None)


@covers("discharge:register", "discharge:detail")
def test_the_discharge_steps_set_only_their_own_fields(world, client):
    from samplan.accounts.models import Unit
    from samplan.discharge.models import Admission
    from samplan.testing.cast import make_unit

    sip = world.sip
    ward = make_unit(sip.region, "Avdelning 3", Unit.Kind.HOSPITAL_WARD)
    nurse = make_user("nurse", (ward, Membership.Role.CASEWORKER))
    as_nurse = login(client, nurse)
    person = world.person()
    data = {
        "identity_number": person.identity_number,
        "admitted_on": TODAY.isoformat(),
        "expected_needs": "Hemtjänst",
        "units": [sip.needs_assessment.pk, sip.primary_care.pk],
        **world.injected("identity_number"),
    }
    data |= {"ward": sip.primary_care.pk, "state": "discharged", "registered_by": sip.bob.pk}
    data |= {"plan": world.other_plan.pk, "care_contact": sip.bob.pk}
    post(world, as_nurse, "/utskrivning/ny/", data, actor=staff(nurse, ward))
    admission = Admission.objects.get(person=person)
    assert (admission.ward, admission.state, admission.registered_by) == (ward, "admitted", nurse)
    assert (admission.plan, admission.care_contact) == (None, None)
    url = f"/utskrivning/{admission.pk}/"
    data = {"form": "care_contact", "care_contact": sip.bob.pk, **world.injected("lock_version")}
    data |= {"ward": sip.primary_care.pk, "state": "discharged", "care_contact_unit": ward.pk}
    post(world, as_nurse, url, data, actor=staff(nurse, ward))
    data = {
        "form": "discharge",
        "discharged_on": TODAY.isoformat(),
        "sip_decision": "start",
        "consent": "on",
        "consent_mode": "oral",
        **world.injected(),
    }
    data |= {"invitation_due": "2030-01-01", "ward": sip.primary_care.pk}
    post(world, as_nurse, url, data, actor=staff(nurse, ward))
    admission.refresh_from_db()
    assert (admission.ward, admission.care_contact_unit) == (ward, sip.primary_care)
    assert admission.state == "discharged" and admission.plan.person == person
    assert admission.invitation_due == TODAY + datetime.timedelta(days=3)


def test_every_form_handling_post_route_is_covered_here():
    assert _post_routes() - COVERED == set()
