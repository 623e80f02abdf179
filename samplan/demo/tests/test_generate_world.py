"""The national-scale world (`manage.py generate_world`): deterministic, realistic, and what the
real code would have made: deadlines by the rule book, snapshots by plan_snapshot, an access log
that verifies. Run at N=200; docs/performance.md has the numbers at 300,000."""

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.audit.models import AccessLogEntry
from samplan.audit.services import access_log_verify
from samplan.demo.scale.world import (
    BIG_PLAN_GOALS,
    BIG_PLAN_INTERVENTIONS,
    DEFAULT_PASSWORD,
    MIN_SIP,
    WELL_KNOWN,
    typical_plan,
    world_describe,
)
from samplan.notifications.models import Notification
from samplan.people import identity
from samplan.people.models import Person, Relation
from samplan.plans import rules, services
from samplan.plans.access import plans_of_unit
from samplan.plans.models import (
    Consent,
    Goal,
    Intervention,
    Invitee,
    Meeting,
    Participant,
    Plan,
    PlanEvent,
    PlanVersion,
)
from samplan.plans.snapshot import changes_count, plan_snapshot, snapshot_diff

N = 200
TODAY = datetime.date(2025, 6, 2)


def generate(plans: int = N, seed: int = 1, **options) -> str:
    out = io.StringIO()
    call_command("generate_world", plans=plans, seed=seed, today=TODAY, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def world(db):
    output = generate()
    return {"output": output, **world_describe(N, 1)}


def digest() -> str:
    """A digest of the generated rows (access-log ids aside, which come from a sequence)."""
    h = hashlib.sha256()
    for model in (Organization, Unit, User, Membership, Person, Relation, Plan, Participant,
                  Consent, Goal, Intervention, Meeting, Invitee, PlanVersion, PlanEvent,
                  Notification):  # fmt: skip
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*fields):
            h.update(repr(row).encode())
    content = ("at", "action", "user_id", "unit_id", "organization_id", "person_id",
               "object_type", "object_id", "request_id", "channel")  # fmt: skip
    for row in AccessLogEntry.objects.order_by("at", "id").values_list(*content):
        h.update(repr(row).encode())
    return h.hexdigest()


class Rollback(Exception):
    pass


def digest_of_run(seed: int) -> str:
    try:
        with transaction.atomic():
            generate(seed=seed)
            value = digest()
            raise Rollback
    except Rollback:
        return value


def test_the_same_size_and_seed_give_the_same_world_and_another_seed_another(db):
    first, again, other = digest_of_run(1), digest_of_run(1), digest_of_run(2)
    assert first == again
    assert first != other


def test_the_world_has_the_shape_asked_for(world):
    assert Plan.objects.count() == N
    states = set(Plan.objects.values_list("state", flat=True))
    assert states == set(Plan.State.values)  # every state of the SIP's state machine
    assert Organization.objects.filter(kind="region").exists()
    assert Organization.objects.filter(kind="municipality").count() >= 2
    assert Organization.objects.filter(kind="other").exists()
    assert Participant.objects.filter(is_active=False).exists()
    assert Consent.objects.filter(decision=Consent.Decision.WITHDRAWN).exists()
    assert Consent.objects.filter(decision=Consent.Decision.REFUSED).exists()
    assert Invitee.objects.filter(response=Invitee.Response.DECLINED).exists()
    assert Meeting.objects.filter(status=Meeting.Status.SCHEDULED).exists()
    assert PlanVersion.objects.filter(approval=PlanVersion.Approval.PENDING).exists()
    assert Person.objects.filter(protected_identity=True).exists() or N < 1000
    assert Relation.objects.filter(kind=Relation.Kind.GUARDIAN).exists()
    assert Notification.objects.exists()
    # Every plan that is more than initiated has its history, first event the initiative.
    for plan in Plan.objects.annotate(event_count=Count("events")):
        assert plan.event_count >= 1
    first_kinds = {
        Plan.objects.get(pk=pk).events.order_by("at", "id").first().kind
        for pk in Plan.objects.values_list("pk", flat=True)[:50]
    }
    assert first_kinds == {PlanEvent.Kind.INITIATED}


def test_the_heavy_unit_is_the_largest_and_the_big_plan_is_big(world):
    heavy = Unit.objects.get(pk=world["heavy_unit"]["id"])
    heavy_count = plans_of_unit(heavy).count()
    assert heavy_count == world["heavy_unit"]["plans"]
    for unit in Unit.objects.exclude(pk=heavy.pk):
        assert plans_of_unit(unit).count() < heavy_count, unit
    big = Plan.objects.get(pk=world["big_plan"]["id"])
    assert big.goals.count() == BIG_PLAN_GOALS
    assert big.interventions.count() == BIG_PLAN_INTERVENTIONS
    assert big.state == Plan.State.ACTIVE
    assert [v["number"] for v in world["big_plan"]["versions"]] == [1, 2, 3]
    assert big in plans_of_unit(heavy)
    normal = Unit.objects.get(pk=world["normal_unit"]["id"])
    assert typical_plan(normal) in plans_of_unit(normal)


def test_the_stored_deadlines_are_the_rule_books(world):
    assert services.deadlines_refresh(Plan.objects.all()) == 0
    plans = Plan.objects.select_related(
        "initiating_unit__organization__local_agreement"
    ).prefetch_related("consents")
    kinds = set()
    for plan in plans:
        columns = rules.deadline_columns(plan)
        assert columns == {
            "deadline_kind": plan.deadline_kind,
            "deadline_due": plan.deadline_due,
            "deadline_soon_from": plan.deadline_soon_from,
        }, plan.pk
        kinds.add(plan.deadline_kind)
    assert {"consent", "first_meeting", "follow_up", ""} <= kinds
    assert Plan.objects.filter(rules.overdue_q(TODAY)).exists()


def test_each_latest_version_is_what_plan_snapshot_makes_of_the_plan(world):
    plans = Plan.objects.filter(current_version__gte=1)
    assert plans.count() > N // 3
    for plan in plans:
        # The latest version (a revision may wait for approval) is the working draft.
        latest = plan.versions.order_by("-number").first()
        live = plan_snapshot(plan)
        stored = dict(latest.snapshot)
        # A follow-up that continues the plan moves the next follow-up without a version.
        continued = plan.events.filter(
            kind=PlanEvent.Kind.FOLLOWED_UP, at__gt=latest.created_at, after__decision="continue"
        ).exists()
        if continued:
            live.pop("next_follow_up"), stored.pop("next_follow_up")
        # plan_snapshot does not order the participants: the database's order decides.
        for snapshot in (live, stored):
            snapshot["participants"] = sorted(snapshot["participants"], key=repr)
        assert stored == live, plan.pk
        in_force = plan.versions.get(number=plan.current_version)
        assert in_force.approval == "approved"
        diff = snapshot_diff(in_force.snapshot, live)
        assert plan.unapproved_changes == changes_count(diff), plan.pk
    # Earlier versions are the plan as it was: the same goals, keyed by uid.
    for version in PlanVersion.objects.filter(number=1)[:20]:
        uids = {g["uid"] for g in version.snapshot["goals"]}
        assert uids <= {str(u) for u in version.plan.goals.values_list("uid", flat=True)}


def test_legal_content_is_complete_in_every_established_plan(world):
    for plan in Plan.objects.filter(current_version__gte=1).exclude(state=Plan.State.CLOSED):
        assert rules.legal_content_check(plan).complete, plan.pk
        rules.both_principals_take_part(plan)


def test_identity_numbers_are_valid_and_unique(world):
    for person in Person.objects.all():
        if person.identity_kind == Person.IdentityKind.RESERVNUMMER:
            number = identity.parse_reservnummer(person.identity_number)
        else:
            try:
                number = identity.parse_identity_number(person.identity_number, today=TODAY)
            except ValidationError as error:
                raise AssertionError((person.identity_number, error)) from error
            assert number.birth_date == person.birth_date
            assert person.identity_number[8:11] >= "980"  # Skatteverket's test series
        assert number.kind == person.identity_kind
    ages = [person.age(TODAY) for person in Person.objects.filter(plans__isnull=False)]
    assert min(ages) < 18 < max(ages)


def test_the_access_log_verifies_and_covers_the_plans(world):
    verdict = access_log_verify()
    assert verdict.ok, verdict.reason
    assert verdict.entries == AccessLogEntry.objects.count() == N  # one read per plan by default
    out = io.StringIO()
    call_command("verify_access_log", stdout=out)  # exits 1 when broken
    assert str(verdict.entries) in out.getvalue()


def test_the_well_known_accounts_log_in_and_see_their_worklists(world, client):
    for username in WELL_KNOWN:
        client.logout()
        response = client.post(
            "/konto/logga-in/", {"username": username, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302, username
        response = client.get("/sip/")
        assert response.status_code == 200, username
    client.logout()
    client.post("/konto/logga-in/", {"username": "skala.normal", "password": DEFAULT_PASSWORD})
    assert world["typical_plan"] in client.get("/sip/?state=active").content.decode() or (
        client.get(f"/sip/{world['typical_plan']}/").status_code == 200
    )
    client.logout()
    client.post("/konto/logga-in/", {"username": "skala.tung", "password": DEFAULT_PASSWORD})
    assert client.get(f"/sip/{world['big_plan']['id']}/").status_code == 200
    client.logout()
    client.post("/konto/logga-in/", {"username": "skala.chef", "password": DEFAULT_PASSWORD})
    assert client.get("/granskning/").status_code == 200
    client.logout()
    client.post("/konto/logga-in/", {"username": "skala.admin", "password": DEFAULT_PASSWORD})
    assert client.get("/admin/").status_code == 200


def test_the_min_sip_individual_logs_in_with_her_plans_her_child_and_her_mother(
    world, client, settings
):
    settings.CITIZEN_DEMO_LOGIN = True
    sip = world["min_sip"]
    assert sip["name"] == " ".join(MIN_SIP)
    assert len(sip["plans"]) == 2
    assert {p["state"] for p in sip["plans"]} == {Plan.State.CLOSED, Plan.State.ACTIVE}
    assert sip["person_id"] in client.get("/min-sip/logga-in/demo/").content.decode()
    response = client.post("/min-sip/logga-in/demo/", {"person": sip["person_id"]})
    assert response.status_code == 302
    page = client.get("/min-sip/").content.decode()
    johanna = Person.objects.get(pk=sip["person_id"])
    child = Person.objects.get(relations__related=johanna, relations__kind="guardian")
    mother = Person.objects.get(relations__related=johanna, relations__kind="relative")
    assert child.is_child() and child.plans.exclude(state="closed").exists()
    for plan in [*johanna.plans.all(), *child.plans.all(), *mother.plans.all()]:
        assert str(plan.pk) in page, plan.state
    assert rules.relative_sees(johanna, mother.plans.get())


def test_running_again_changes_nothing(world):
    before = (Plan.objects.count(), Person.objects.count(), AccessLogEntry.objects.count())
    output = generate()
    assert "already holds" in output
    assert (Plan.objects.count(), Person.objects.count(), AccessLogEntry.objects.count()) == before


def test_it_refuses_a_database_with_other_data_unless_allowed(db):
    call_command("load_demo", quiet_logins=True)
    with pytest.raises(CommandError, match="allow-existing"):
        generate()
    generate(allow_existing=True)
    assert Plan.objects.filter(Q(person__family_name=MIN_SIP[1])).exists()
    assert access_log_verify().ok
    assert services.deadlines_refresh(Plan.objects.all()) == 0
