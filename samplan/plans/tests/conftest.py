"""More of the cast for the plans tests, and `sip`, which drives a plan to the state a test needs.

Försäkringskassan is another actor with a local office and Frida working there; the region's
psychiatric clinic, with Olle, never takes part (the outsider). Eva (the shared `person`) has
a brother, Erik; Elsa is a child with two guardians, Maja and Jonas.
"""

import datetime
from contextlib import contextmanager

import pytest
from django.utils import timezone, translation

from samplan.accounts.models import Membership, Organization, Unit
from samplan.conftest import make_unit, make_user
from samplan.people import identity
from samplan.people.models import Person, Relation
from samplan.plans import services
from samplan.plans.models import Plan, PlanEvent
from samplan.plans.rules import RuleViolation
from samplan.testing.cast import staff

CASEWORKER = Membership.Role.CASEWORKER


@pytest.fixture
def messages_in_english():
    """The source messages are English: service tests assert on them whatever the Swedish
    catalogue says. Not autouse, so that view tests in this folder keep their Swedish."""
    with translation.override("en"):
        yield


# --- Helpers --------------------------------------------------------------------------------


def make_person(born: str, serial: str, given_name: str, family_name: str) -> Person:
    """A person with a valid personnummer: born is YYYYMMDD, serial three digits."""
    number = identity.parse_identity_number(
        identity.identity_number_with_check_digit(born + serial)
    )
    return Person.objects.create(
        identity_kind=number.kind,
        identity_number=number.value,
        birth_date=number.birth_date,
        given_name=given_name,
        family_name=family_name,
    )


def fresh(plan: Plan) -> Plan:
    """The plan as it is in the database now (services re-read the plan they lock)."""
    return Plan.objects.get(pk=plan.pk)


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def soon() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=3)


@contextmanager
def refused(fragment: str):
    """The block raises RuleViolation with a message containing the fragment."""
    with pytest.raises(RuleViolation) as info:
        yield info
    assert fragment in str(info.value.message), info.value.message


def assert_event(plan: Plan, kind: str, actor, unit) -> PlanEvent:
    """The latest event of that kind names who did it and from which unit."""
    event = PlanEvent.objects.filter(plan_id=plan.pk, kind=kind).latest("at", "id")
    assert (event.actor, event.acting_unit) == (actor, unit)
    assert event.summary
    return event


# --- The rest of the cast -------------------------------------------------------------------


@pytest.fixture
def agency(db) -> Organization:
    return Organization.objects.create(
        name="Försäkringskassan", kind="other", organization_number="202100-5521"
    )


@pytest.fixture
def social_insurance(agency) -> Unit:
    return make_unit(agency, "Lokalkontoret", Unit.Kind.SOCIAL_INSURANCE)


@pytest.fixture
def frida(social_insurance):
    return make_user("frida", (social_insurance, CASEWORKER))


@pytest.fixture
def psychiatry(region) -> Unit:
    return make_unit(region, "Psykiatriska kliniken", Unit.Kind.PSYCHIATRIC_CLINIC)


@pytest.fixture
def olle(psychiatry):
    return make_user("olle", (psychiatry, CASEWORKER))


@pytest.fixture
def relative(person) -> Person:
    erik = make_person("19790402", "123", "Erik", "Exempel")
    Relation.objects.create(person=person, related=erik, kind="relative", description="bror")
    return erik


@pytest.fixture
def guardians(db) -> list[Person]:
    return [
        make_person("19850612", "234", "Maja", "Barnsson"),
        make_person("19830917", "345", "Jonas", "Barnsson"),
    ]


@pytest.fixture
def child(guardians) -> Person:
    born = timezone.localdate() - datetime.timedelta(days=8 * 365)
    elsa = make_person(born.strftime("%Y%m%d"), "456", "Elsa", "Barnsson")
    for guardian, description in zip(guardians, ["mamma", "pappa"], strict=True):
        Relation.objects.create(
            person=elsa, related=guardian, kind="guardian", description=description
        )
    return elsa


# --- Driving a plan -------------------------------------------------------------------------


class Sip:
    """Drives a plan through the services as the cast would: Alice at the municipality's
    needs assessment initiates and invites; Bob's primary care centre and Frida's office take
    part; the municipality, the region and Försäkringskassan each answer for an intervention."""

    def __init__(self, **cast):
        for name, value in cast.items():
            setattr(self, name, value)

    @property
    def as_alice(self) -> dict:
        return {"actor": staff(self.alice, self.needs_assessment)}

    @property
    def scope(self) -> list[Unit]:
        return [self.needs_assessment, self.primary_care, self.social_insurance]

    def initiate(self, person: Person | None = None, **overrides) -> Plan:
        arguments = {"person": person or self.person, "reasons": [Plan.Reason.SEVERAL_UNITS]}
        return services.plan_initiate(**self.as_alice, **(arguments | overrides))

    def consent(self, plan: Plan, **overrides):
        arguments = {
            "decision": "given",
            "decided_on": timezone.localdate(),
            "mode": "written",
            "given_by": "individual",
            "units": self.scope,
        }
        return services.consent_record(**self.as_alice, plan=plan, **(arguments | overrides))

    def invite(self, plan: Plan, **overrides):
        arguments = {
            "kind": "first",
            "starts_at": soon(),
            "place": "Vårdcentralen, rum 2",
            "invited_units": [(self.primary_care, "written"), (self.social_insurance, "written")],
            "invited_people": [(fresh(plan).person, "oral")],
        }
        return services.meeting_schedule(**self.as_alice, plan=plan, **(arguments | overrides))

    def intervention(self, plan: Plan, organization: Organization, unit: Unit | None, what: str):
        return services.intervention_save(
            **self.as_alice,
            plan=fresh(plan),
            what=what,
            organization=organization,
            responsible_unit=unit,
        )

    def goal(self, plan: Plan, text: str = "Jag vill bo kvar hemma", term: str = "long"):
        return services.goal_save(**self.as_alice, plan=fresh(plan), term=term, text=text)

    def update(self, plan: Plan, **fields) -> Plan:
        plan = fresh(plan)
        return services.plan_update(
            **self.as_alice, plan=plan, expected_version=plan.lock_version, **fields
        )

    def fill(self, plan: Plan, *, leave_out: str = "") -> Plan:
        """Write the content the law requires, leaving out one element if asked."""
        self.goal(plan)
        interventions = {
            "municipality": (self.municipality, self.needs_assessment, "Boendestöd två dagar"),
            "region": (self.region, self.primary_care, "Läkarbesök var tredje månad"),
            "other": (self.agency, self.social_insurance, "Utredning av sjukpenning"),
        }
        for key, (organization, unit, what) in interventions.items():
            if leave_out not in {key, "interventions"}:
                self.intervention(plan, organization, unit, what)
        fields = {
            "overall_responsibility": self.municipality,
            "lead": self.alice,
            "next_follow_up": in_days(90),
        }
        if leave_out == "responsibility":
            del fields["overall_responsibility"]
        if leave_out == "lead":
            del fields["lead"]
        if leave_out == "follow_up":
            del fields["next_follow_up"]
        return self.update(plan, **fields)

    def establish(self, plan: Plan, *, hold_meeting: bool = True, **overrides):
        """Establish at the first meeting, which is recorded as held first (as at a real one)."""
        if hold_meeting:
            for meeting in fresh(plan).meetings.filter(kind="first", status="scheduled"):
                services.meeting_held(**self.as_alice, meeting=meeting, attended=[])
        arguments = {"approval_method": "meeting_oral"}
        return services.plan_establish(**self.as_alice, plan=plan, **(arguments | overrides))

    def follow_up(self, plan: Plan, decision: str = "continue", **overrides):
        arguments = {
            "how_it_went": "Bättre, boendestödet fungerar",
            "helped_hindered": "Fast kontakt hjälpte",
            "coordination_needed": True,
            "continue_interventions": "Ja",
            "decision": decision,
            "next_follow_up": in_days(120),
        }
        return services.followup_record(**self.as_alice, plan=plan, **(arguments | overrides))

    def to(self, state: str, person: Person | None = None) -> Plan:
        """A plan in the given state, reached the way staff would reach it."""
        plan = self.initiate(person)
        if state == "consent_refused":
            self.consent(plan, decision="refused")
        elif state != "initiated":
            self.consent(plan)
        if state not in {"initiated", "consent_refused", "consented"}:
            self.invite(plan)
        if state in {"active", "follow_up", "revision", "closed"}:
            self.fill(plan)
            self.establish(plan)
        if state == "follow_up":
            self.invite(plan, kind="follow_up", starts_at=soon() + datetime.timedelta(days=60))
        elif state == "revision":
            self.follow_up(plan, decision="revise")
        elif state == "closed":
            services.plan_close(**self.as_alice, plan=plan, reason="not_needed")
        plan = fresh(plan)
        assert plan.state == state
        return plan


@pytest.fixture
def sip(
    alice,
    bob,
    frida,
    needs_assessment,
    primary_care,
    social_insurance,
    municipality,
    region,
    agency,
    person,
) -> Sip:
    # Named here, not fetched with request.getfixturevalue(): pytest-django sets up the test
    # database only for tests that ask for `db` statically; otherwise they reach var/db.sqlite3.
    return Sip(**locals())
