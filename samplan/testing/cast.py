"""The test cast: one module of factories and helpers for every test.

`samplan/conftest.py` turns them into fixtures: two principals and another actor (a
municipality with needs assessment and social psychiatry, a region with primary care and a
psychiatric clinic, Försäkringskassan's local office), their staff (Alice, Bob, Carl, Mona,
Adam, Frida, Olle) and individuals (Eva, her brother Erik, the child Elsa with her guardians
Maja and Jonas). `Sip` drives a plan through the services to the state a test needs. The
generated world (samplan.testing.world) is only for whole-site property tests.
"""

import datetime
import time
from contextlib import contextmanager

import pytest
from django.test import Client
from django.utils import timezone

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.people import identity
from samplan.people.models import Person
from samplan.people.session import CITIZEN_SESSION_KEY
from samplan.plans import services
from samplan.plans.models import Plan, PlanEvent
from samplan.plans.rules import RuleViolation
from samplan.policy import Staff

PASSWORD = "correct-horse-battery"
CASEWORKER = Membership.Role.CASEWORKER


def make_user(username: str, *memberships: tuple[Unit, str], **extra) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=username.capitalize(), **extra
    )
    for unit, role in memberships:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def login(client: Client, user: User) -> Client:
    """Log in through the real login form, so acting-unit rules apply as for a person."""
    response = client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def citizen_client(person: Person) -> Client:
    """A client logged in to Min SIP as this person (the login itself is tested in
    samplan/citizen/tests)."""
    client = Client()
    session = client.session
    now = int(time.time())
    session[CITIZEN_SESSION_KEY] = {
        "person": str(person.pk), "method": "test", "acr": "", "at": now, "seen": now,
    }  # fmt: skip
    session.save()
    return client


def staff(user: User, unit: Unit) -> Staff:
    """The actor a service gets when `user` acts for `unit` (his or her role there, if any)."""
    membership = Membership.objects.filter(user=user, unit=unit).first()
    return Staff(user=user, unit=unit, role=membership.role if membership else "")


def make_unit(organization: Organization, name: str, kind: str) -> Unit:
    return Unit.objects.create(
        organization=organization,
        name=name,
        kind=kind,
        email="enhet@example.invalid",
        phone="010-100 00 00",
    )


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


def begin(meeting) -> None:
    """Let a booked meeting start (an hour ago), as time would, so it can be recorded as held."""
    type(meeting).objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    meeting.refresh_from_db()


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
                begin(meeting)
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
