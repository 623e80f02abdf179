"""A deterministic generated test world, and the crawl helpers the whole-site tests share.

`build_world(seed=...)` writes organisations, units, staff, individuals (children with
guardians, relatives, representatives at every level of Min SIP access, protected
identities) and plans in every state with bulk operations, so
a world of 120 plans takes well under a second or two. The same seed gives the same world,
down to the UUIDs, so a failing case can be rebuilt and looked at.

Plans are written directly, not through the services: besides the ordinary shapes (the units
of the latest given consent take part, the initiating unit alone before consent) the world
holds the edge cases the services should never produce but the access rules must still get
right: ended and stray participants, a withdrawn or refused latest consent on an open plan, a
plan closed before any consent, a child who turned 18 today, read-only principals, writing
other actors, relatives invited in Min SIP but not covered by the consent (or covered but not
invited, or invited and revoked), representatives whose appointment ended yesterday or ends
today, grants to see protected details that were revoked or expired.
`World.notes` names the edge cases written into each plan, for failure messages.

A few collaboration failures (`World.deviations`) are made through the services on the written
plans, as the policy lets them be made; their ids are the services' own, so they differ from
one build to the next.

`RESULTS` carries numbers from a test run to pytest's terminal summary (samplan/conftest.py).
"""

import datetime
import itertools
import random
import re
import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from samplan import policy
from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.citizen.models import SipRequest
from samplan.demo.world import with_luhn
from samplan.deviations import services as deviation_services
from samplan.deviations.models import Deviation
from samplan.discharge.models import Admission, AdmissionRecipient
from samplan.evaluation.models import EvaluationRequest
from samplan.people import identity
from samplan.people.models import ContactGrant, Person, Relation
from samplan.plans import pdf
from samplan.plans.models import (
    Consent,
    EscalationStep,
    Goal,
    Intervention,
    Invitee,
    JoinRequest,
    LocalAgreement,
    Meeting,
    Participant,
    Plan,
    PlanEvent,
    PlanVersion,
    RelativeAccess,
)
from samplan.plans.snapshot import plan_snapshot
from samplan.testing.cast import PASSWORD, login

# name -> {"cases": n, "mismatches": m}; read by pytest_terminal_summary in samplan/conftest.py.
RESULTS: dict[str, dict[str, int]] = {}


def record_results(name: str, *, cases: int, mismatches: int) -> None:
    totals = RESULTS.setdefault(name, {"cases": 0, "mismatches": 0})
    totals["cases"] += cases
    totals["mismatches"] += mismatches


State = Plan.State
STATES = list(State.values)
BEFORE_CONSENT = {State.INITIATED, State.CONSENT_REFUSED}
ESTABLISHED = {State.ACTIVE, State.FOLLOW_UP, State.REVISION}

ORGANIZATIONS = [
    # name, kind, unit kinds to choose from
    (
        "Västerby kommun",
        Organization.Kind.MUNICIPALITY,
        ["needs_assessment", "social_psychiatry", "home_care", "individual_family"],
    ),
    (
        "Österby kommun",
        Organization.Kind.MUNICIPALITY,
        ["needs_assessment", "disability_support", "school_health", "home_health_care"],
    ),
    (
        "Region Norrland (testvärld)",
        Organization.Kind.REGION,
        ["primary_care", "psychiatric_clinic", "child_psychiatry", "hospital_ward"],
    ),
    (
        "Region Söderland (testvärld)",
        Organization.Kind.REGION,
        ["primary_care", "habilitation", "addiction_care", "psychiatric_clinic"],
    ),
    ("Försäkringskassan (testvärld)", Organization.Kind.OTHER, ["social_insurance"]),
    ("Friskolan Lärkan AB", Organization.Kind.OTHER, ["school", "school_health"]),
    ("Arbetsförmedlingen (testvärld)", Organization.Kind.OTHER, ["employment"]),
]
GIVEN_NAMES = [
    "Anna", "Bo", "Cecilia", "David", "Ebba", "Filip", "Greta", "Hugo", "Ines", "Johan",
    "Karin", "Lars", "Maria", "Nils", "Olivia", "Per", "Rut", "Sven", "Tove", "Ulf",
    "Vera", "Wilhelm", "Yasmin", "Åke", "Ängla", "Östen",
]  # fmt: skip
FAMILY_NAMES = [
    "Andersson", "Berg", "Carlsson", "Dahl", "Ek", "Falk", "Gustafsson", "Holm", "Isaksson",
    "Johansson", "Karlsson", "Lind", "Månsson", "Nyström", "Olsson", "Persson", "Sjöberg",
    "Törnqvist", "Virtanen", "Åberg",
]  # fmt: skip
CITIES = ["Västerby", "Österby", "Norrköping", "Luleå", "Malmö"]


@dataclass
class World:
    seed: int
    organizations: list[Organization]
    units: list[Unit]
    users: list[User]
    memberships: list[Membership]
    superuser: User
    individuals: list[Person]
    guardians: list[Person]
    relatives: list[Person]
    unrelated: list[Person]
    plans: list[Plan]
    meetings: list[Meeting]
    notes: dict = field(default_factory=dict)  # plan pk -> edge cases written into the plan
    representatives: list[Person] = field(default_factory=list)  # god men, förvaltare, ombud
    deviations: list[Deviation] = field(default_factory=list)  # collaboration failures

    @property
    def persons(self) -> list[Person]:
        everyone = (
            self.individuals
            + self.guardians
            + self.relatives
            + self.unrelated
            + self.representatives
        )
        return list({p.pk: p for p in everyone}.values())

    @property
    def protected(self) -> list[Person]:
        return [p for p in self.persons if p.protected_identity]

    def staff_actors(self) -> list[tuple[User, Unit, str]]:
        """Every live membership: a user acting for that unit, with the membership's role."""
        return [(m.user, m.unit, m.role) for m in self.memberships if m.is_active]

    def citizens(self) -> list[Person]:
        return self.persons


# --- Building -------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _years_ago(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class _People:
    """Makes Person rows with valid, unique identity numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.numbers: set[str] = set()
        self.rows: list[Person] = []

    def make(
        self,
        born: datetime.date,
        *,
        protected: bool = False,
        coordination: bool = False,
        name: tuple[str, str] | None = None,
    ) -> Person:
        rng = self.rng
        day = born.day + (60 if coordination else 0)
        while True:
            serial = rng.randint(1, 999)
            number = identity.identity_number_with_check_digit(f"{born:%Y%m}{day:02d}{serial:03d}")
            if number not in self.numbers:
                break
        self.numbers.add(number)
        parsed = identity.parse_identity_number(number)
        assert parsed.value == number and parsed.birth_date == born
        given, family = name or (rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES))
        person = Person(
            id=_uuid(rng),
            identity_kind=parsed.kind,
            identity_number=parsed.value,
            birth_date=born,
            given_name=given,
            family_name=family,
            street_address=f"{rng.choice(FAMILY_NAMES)}gatan {rng.randint(1, 99)}",
            postal_code=f"{rng.randint(100, 989)} {rng.randint(10, 99)}",
            city=rng.choice(CITIES),
            phone=f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            email=f"{given.lower()}.{rng.randint(1, 9999)}@example.invalid".replace("å", "a")
            .replace("ä", "a")
            .replace("ö", "o"),
            protected_identity=protected,
        )
        self.rows.append(person)
        return person


class _PlanRows:
    """Collects one world's plans and everything hanging off them, then writes them in bulk."""

    def __init__(self, rng: random.Random, today: datetime.date, now: datetime.datetime):
        self.rng, self.today, self.now = rng, today, now
        self.plans: list[Plan] = []
        self.participants: list[Participant] = []
        self.consents: list[Consent] = []
        self.consent_units: list[tuple[Consent, Unit]] = []
        self.consent_relatives: list[tuple[Consent, Person]] = []
        self.consent_guardians: list[tuple[Consent, Person]] = []
        self.meetings: list[Meeting] = []
        self.invitees: list[Invitee] = []
        self.goals: list[Goal] = []
        self.interventions: list[tuple[Intervention, Goal]] = []
        self.events: list[PlanEvent] = []
        self.relative_accesses: list[RelativeAccess] = []
        self.notes: dict = {}

    def participant(
        self, plan: Plan, unit: Unit, *, active: bool = True, access: str | None = None
    ) -> None:
        if access is None:
            principal = unit.organization.is_principal
            access = "edit" if principal else "read"
            if self.rng.random() < 0.1:  # the odd read-only principal or writing other actor
                access = "read" if principal else "edit"
        self.participants.append(Participant(plan=plan, unit=unit, access=access, is_active=active))

    def consent(
        self,
        plan: Plan,
        decision: str,
        scope: list[Unit] = (),
        relatives: list[Person] = (),
        guardians: list[Person] = (),
    ) -> Consent:
        rng, today = self.rng, self.today
        valid_until = None
        if decision == "given":
            valid_until = rng.choice(
                [None, None, today + datetime.timedelta(days=200), today - datetime.timedelta(1)]
            )
        row = Consent(
            plan=plan,
            number=sum(1 for c in self.consents if c.plan is plan) + 1,
            decision=decision,
            decided_on=today - datetime.timedelta(days=rng.randint(1, 200)),
            mode=rng.choice(Consent.Mode.values),
            given_by="guardians" if guardians else "individual",
            recorded_by=plan.initiated_by,
            recorded_unit=plan.initiating_unit,
            valid_until=valid_until,
        )
        self.consents.append(row)
        self.consent_units.extend((row, u) for u in scope)
        self.consent_relatives.extend((row, r) for r in relatives)
        if decision != "withdrawn":
            self.consent_guardians.extend((row, g) for g in guardians)
        return row

    def relative_access(self, plan: Plan, relative: Person, *, revoked: bool = False) -> None:
        sections = RelativeAccess.Section.values
        self.relative_accesses.append(
            RelativeAccess(
                plan=plan,
                relative=relative,
                sections=self.rng.sample(sections, self.rng.randint(1, len(sections))),
                granted_by=plan.person,
                revoked_at=self.now - datetime.timedelta(days=2) if revoked else None,
            )
        )

    def plan(
        self,
        *,
        person: Person,
        state: str,
        initiating: Unit,
        initiator: User,
        units: list[Unit],
        child: bool,
        guardians: list[Person],
        registered: list[Person],
    ) -> Plan:
        rng, today, now = self.rng, self.today, self.now
        plan = Plan(
            id=_uuid(rng),
            person=person,
            state=state,
            initiated_by=initiator,
            initiating_unit=initiating,
            reasons=[rng.choice(Plan.Reason.values)],
            own_words="Jag vill klara mig själv.",
        )
        notes = self.notes.setdefault(plan.pk, [])
        guardians = guardians if child else []
        if state in BEFORE_CONSENT:
            roll = rng.random()
            if roll < 0.1:
                notes.append("initiating unit has no participant row")
            elif roll < 0.2:
                self.participant(plan, initiating, active=False, access="edit")
                notes.append("initiating unit's participant row ended")
            else:
                self.participant(plan, initiating, access="edit")
            if rng.random() < 0.2:
                stray = rng.choice([u for u in units if u != initiating])
                self.participant(plan, stray, access="edit")
                notes.append("stray active participant before consent")
            if registered and rng.random() < 0.15:
                self.relative_access(plan, registered[0])
                notes.append("relative invited in Min SIP before consent")
            if state == State.CONSENT_REFUSED:
                for _ in range(rng.choice([1, 1, 2])):
                    self.consent(plan, "refused", guardians=guardians)
            elif rng.random() < 0.1:
                self.consent(plan, "refused", guardians=guardians)
                notes.append("initiated, with an old refusal on record")
        elif state == State.CLOSED and rng.random() < 0.15:
            self.participant(plan, initiating, access="edit")
            notes.append("closed before any consent")
        else:
            scope = [initiating] if rng.random() < 0.85 else []
            size = rng.randint(2, 4)
            while len(scope) < size:
                unit = rng.choice(units)
                if unit not in scope:
                    scope.append(unit)
            covered = rng.sample(registered, rng.randint(0, len(registered)))
            earlier = []
            if rng.random() < 0.3:
                earlier = [u for u in rng.sample(units, 2) if u not in scope]
                self.consent(plan, "given", earlier + scope[:1], registered[:1], guardians)
                notes.append("earlier consent with another scope")
            latest, roll = "given", rng.random()
            if state == State.CLOSED and roll < 0.35:
                self.consent(plan, "given", scope, covered, guardians)
                latest = "withdrawn"
                plan.closing_reason = Plan.ClosingReason.CONSENT_WITHDRAWN
            elif state != State.CLOSED and roll < 0.06:
                self.consent(plan, "given", scope, covered, guardians)
                latest = "withdrawn"
                notes.append("open plan whose latest consent is withdrawn")
            elif state != State.CLOSED and roll < 0.1:
                self.consent(plan, "given", scope, covered, guardians)
                latest = "refused"
                notes.append("open plan whose latest consent is refused")
            if latest == "given":
                self.consent(plan, "given", scope, covered, guardians)
            else:
                self.consent(plan, latest, guardians=guardians)
            for unit in scope:
                if rng.random() < 0.08:
                    self.participant(plan, unit, active=False)
                    notes.append("unit in the consent's scope, participant row ended")
                else:
                    self.participant(plan, unit)
            for unit in earlier:
                self.participant(plan, unit, active=False)
            if rng.random() < 0.08:
                stray = rng.choice([u for u in units if u not in scope and u not in earlier])
                self.participant(plan, stray)
                notes.append("active participant outside the consent's scope")
            # The individual's invitations in Min SIP: mostly of covered relatives; now and
            # then a revoked one, or one the consent does not cover.
            for relative in registered:
                roll = rng.random()
                if relative in covered:
                    if roll < 0.65:
                        self.relative_access(plan, relative)
                    elif roll < 0.8:
                        self.relative_access(plan, relative, revoked=True)
                elif roll < 0.15:
                    self.relative_access(plan, relative)
                    notes.append("relative invited in Min SIP, not covered by the consent")
                elif roll < 0.25:
                    self.relative_access(plan, relative, revoked=True)

        # Meetings, content and versions, as far as the state has come.
        taking_part = [p.unit for p in self.participants if p.plan is plan and p.is_active]
        established = state in ESTABLISHED or (
            state == State.CLOSED and "closed before any consent" not in notes
        )
        if (state == State.INVITED or established) and taking_part:
            held = state != State.INVITED
            first = Meeting(
                plan=plan,
                kind="first",
                status="held" if held else "scheduled",
                starts_at=now + datetime.timedelta(days=-30 if held else 10),
                place="Rum 1",
                chair=initiator,
                recorder=initiator,
                invited_by=initiator,
            )
            self.meetings.append(first)
            self.invitees += [Invitee(meeting=first, unit=u, mode="digital") for u in taking_part]
            self.invitees.append(Invitee(meeting=first, person=person, mode="written"))
            if state == State.FOLLOW_UP:
                later = Meeting(
                    plan=plan,
                    kind="follow_up",
                    starts_at=now + datetime.timedelta(days=20),
                    place="Rum 2",
                    invited_by=initiator,
                )
                self.meetings.append(later)
                self.invitees.append(Invitee(meeting=later, unit=taking_part[0], mode="oral"))
        if state in {State.CONSENTED, State.INVITED} or established:
            goal = Goal(plan=plan, term="long", text="Bo kvar hemma")
            self.goals.append(goal)
            owner = rng.choice(taking_part or [initiating])
            intervention = Intervention(
                plan=plan, what="Boendestöd", organization=owner.organization, unit=owner
            )
            self.interventions.append((intervention, goal))
        if established:
            plan.lead = initiator
            plan.overall_responsibility = initiating.organization
            plan.next_follow_up = today + datetime.timedelta(days=rng.randint(-10, 90))
            plan.current_version = 1  # in force; a revision waits as version 2
        if state == State.CLOSED:
            plan.closed_at = now - datetime.timedelta(days=rng.randint(1, 100))
            plan.closing_reason = plan.closing_reason or rng.choice(
                [Plan.ClosingReason.NOT_NEEDED, Plan.ClosingReason.WORKS]
            )
        self.events.append(
            PlanEvent(plan=plan, actor=initiator, acting_unit=initiating, kind="initiated")
        )
        self.plans.append(plan)
        return plan

    def save(self) -> list[Plan]:
        Plan.objects.bulk_create(self.plans)
        Participant.objects.bulk_create(self.participants)
        Consent.objects.bulk_create(self.consents)
        through = Consent.units.through
        through.objects.bulk_create(
            [through(consent_id=c.pk, unit_id=u.pk) for c, u in self.consent_units]
        )
        for relation, pairs in [
            (Consent.relatives, self.consent_relatives),
            (Consent.guardians, self.consent_guardians),
        ]:
            through = relation.through
            through.objects.bulk_create(
                [through(consent_id=c.pk, person_id=p.pk) for c, p in pairs]
            )
        Meeting.objects.bulk_create(self.meetings)
        Invitee.objects.bulk_create(self.invitees)
        Goal.objects.bulk_create(self.goals)
        Intervention.objects.bulk_create([i for i, _goal in self.interventions])
        through = Intervention.goals.through
        through.objects.bulk_create(
            [through(intervention_id=i.pk, goal_id=g.pk) for i, g in self.interventions]
        )
        PlanEvent.objects.bulk_create(self.events)
        RelativeAccess.objects.bulk_create(self.relative_accesses)
        versions = []
        for plan in self.plans:
            if not plan.current_version:
                continue
            snapshot = plan_snapshot(plan)
            latest = plan.current_version + (1 if plan.state == State.REVISION else 0)
            for number in range(1, latest + 1):
                pending = number > plan.current_version
                versions.append(
                    PlanVersion(
                        plan=plan,
                        number=number,
                        created_by=plan.initiated_by,
                        created_unit=plan.initiating_unit,
                        snapshot=snapshot,
                        approval="pending" if pending else "approved",
                        approval_method="" if pending else "meeting_oral",
                        approved_at=None if pending else self.now,
                    )
                )
        PlanVersion.objects.bulk_create(versions)
        return self.plans


@transaction.atomic
def build_world(
    seed: int = 2024,
    *,
    staff: int = 40,
    individuals: int = 80,
    plans: int = 120,
    units_per_organization: int = 3,
    units_per_user: int = 3,
    passwords: bool = True,
) -> World:
    """Write a world to the database. Small worlds (for crawling every page) use small numbers."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible test world, not a secret
    today = timezone.localdate()
    now = timezone.now()

    # Organisations and units.
    organizations, unit_kinds = [], {}
    for index, (name, kind, kinds) in enumerate(ORGANIZATIONS):
        prefix = {"municipality": "2120", "region": "2321", "other": "2021"}[kind]
        organization = Organization(
            name=name,
            kind=kind,
            organization_number=with_luhn(f"{prefix}8{seed % 100:02d}{index:02d}"),
            municipality_code=f"29{index:02d}" if kind == Organization.Kind.MUNICIPALITY else "",
        )
        organizations.append(organization)
        unit_kinds[name] = kinds
    Organization.objects.bulk_create(organizations)
    units = []
    for organization in organizations:
        kinds = unit_kinds[organization.name]
        for number in range(units_per_organization):
            kind = kinds[number % len(kinds)]
            label = dict(Unit.Kind.choices)[kind]
            units.append(
                Unit(
                    organization=organization,
                    name=f"{label} {number + 1}, {organization.name}",
                    kind=kind,
                    email=f"enhet{len(units)}@example.invalid",
                    phone=f"010-{len(units):03d} 00 00",
                )
            )
    Unit.objects.bulk_create(units)
    principal_units = [u for u in units if u.organization.is_principal]

    # Staff: one, two or three units each; caseworkers mostly.
    password = make_password(PASSWORD) if passwords else make_password(None)
    users = [
        User(
            username=f"staff{seed % 1000:03d}x{i:02d}",
            first_name=rng.choice(GIVEN_NAMES),
            last_name=rng.choice(FAMILY_NAMES),
            email=f"staff{i}@example.invalid",
            password=password,
        )
        for i in range(staff)
    ]
    superuser = User(
        username=f"sysadmin{seed % 1000:03d}",
        first_name="Sys",
        last_name="Admin",
        password=password,
        is_superuser=True,
        is_staff=True,
    )
    User.objects.bulk_create([*users, superuser])
    memberships = []
    roles = [Membership.Role.CASEWORKER] * 7 + [Membership.Role.UNIT_MANAGER] * 2
    roles += [Membership.Role.ADMINISTRATOR]
    for index, user in enumerate(users):
        count = min(units_per_user, rng.choices([1, 2, 3], weights=[6, 3, 1])[0])
        # The first users cover every unit, so every unit has someone acting for it.
        chosen = [units[index % len(units)]] if index < len(units) else []
        while len(chosen) < count:
            unit = rng.choice(units)
            if unit not in chosen:
                chosen.append(unit)
        for number, unit in enumerate(chosen):
            role = rng.choice(roles)
            if index < 3 and number == 0:  # every role is there, even in a small world
                role = [Membership.Role.CASEWORKER, Membership.Role.UNIT_MANAGER][index % 2]
                role = Membership.Role.ADMINISTRATOR if index == 2 else role
            memberships.append(Membership(user=user, unit=unit, role=role))
    # A few ended memberships: they must give nothing (they are not actors here).
    for user in rng.sample(users, 3):
        spare = [u for u in units if u not in {m.unit for m in memberships if m.user is user}]
        memberships.append(
            Membership(
                user=user, unit=rng.choice(spare), role=Membership.Role.CASEWORKER, is_active=False
            )
        )
    Membership.objects.bulk_create(memberships)

    # Individuals: children (with guardians), adults, protected identities, relatives.
    people = _People(rng)
    children_count = max(3, individuals // 6)
    protected_children = {1, 4}
    the_individuals = []
    for index in range(individuals):
        if index < children_count:
            if index == 0:
                born = _years_ago(today, 18)  # turned 18 today: guardians no longer count
            elif index == 1:
                born = _years_ago(today, 18) + datetime.timedelta(days=1)  # 18 tomorrow
            else:
                born = today - datetime.timedelta(days=rng.randint(100, 17 * 365))
            protected = index in protected_children
        else:
            born = today - datetime.timedelta(days=rng.randint(19 * 365, 90 * 365))
            protected = index % 10 == 3  # every tenth adult
        the_individuals.append(
            people.make(born, protected=protected, coordination=index in {40, 41})
        )
    children = the_individuals[:children_count]

    def adult(protected: bool = False) -> Person:
        born = today - datetime.timedelta(days=rng.randint(25 * 365, 70 * 365))
        return people.make(born, protected=protected)

    relations = []
    guardians = []
    shared = [adult(), adult()]
    for index, child in enumerate(children):
        if index in {2, 3}:  # siblings with the same two guardians
            theirs = shared
        elif index == 5:  # a guardian who has a plan of his or her own
            theirs = [the_individuals[children_count + 1]]
        else:
            theirs = [adult(protected=index == 6) for _ in range(rng.choice([1, 2]))]
        for guardian in theirs:
            relations.append(
                Relation(person=child, related=guardian, kind="guardian", description="förälder")
            )
            if guardian not in guardians:
                guardians.append(guardian)
    # A guardian who is also registered as a relative of the same child.
    relations.append(
        Relation(person=children[2], related=shared[0], kind="relative", description="mamma")
    )
    the_relatives = [shared[0]]
    for index, individual in enumerate(the_individuals):
        if index in {2} or rng.random() > 0.55:
            continue
        for _ in range(rng.choice([1, 1, 2])):
            if rng.random() < 0.3:
                related = rng.choice(the_individuals)
                if related is individual:
                    continue
            else:
                related = adult(protected=rng.random() < 0.1)
            if any(
                r.person is individual and r.related is related and r.kind == "relative"
                for r in relations
            ):
                continue
            relations.append(
                Relation(person=individual, related=related, kind="relative", description="anhörig")
            )
            if related not in the_relatives:
                the_relatives.append(related)
    unrelated = [adult(protected=i == 0) for i in range(5)]
    Person.objects.bulk_create(people.rows)
    Relation.objects.bulk_create(relations)
    relatives_of: dict[uuid.UUID, list[Person]] = {}
    guardians_of: dict[uuid.UUID, list[Person]] = {}
    for relation in relations:
        target = relatives_of if relation.kind == "relative" else guardians_of
        target.setdefault(relation.person.pk, []).append(relation.related)
    # From a stream of its own, so that the rest of the world is what it was without them.
    representatives = _representatives(
        random.Random(seed + 2),  # noqa: S311
        people,
        the_individuals,
        the_relatives,
        today,
    )

    # A few grants to see protected contact details that no longer hold (revoked, expired).
    protected_people = [p for p in people.rows if p.protected_identity]
    grants = []
    for person in protected_people[:2]:
        grants.append(
            ContactGrant(
                person=person,
                user=users[0],
                reason="upphört",
                granted_by=superuser,
                revoked_at=now - datetime.timedelta(days=1),
            )
        )
        grants.append(
            ContactGrant(
                person=person,
                user=users[1],
                reason="utgånget",
                granted_by=superuser,
                valid_until=today - datetime.timedelta(days=1),
            )
        )
    ContactGrant.objects.bulk_create(grants)

    # Plans.
    members_of: dict[int, list[User]] = {}
    for m in memberships:
        if m.is_active:
            members_of.setdefault(m.unit.pk, []).append(m.user)
    state_cycle = STATES * (plans // len(STATES) + 1)
    rng.shuffle(state_cycle)
    rows = _PlanRows(rng, today, now)
    for index in range(plans):
        person = the_individuals[index] if index < len(the_individuals) else None
        person = person or rng.choice(the_individuals)
        candidates = principal_units if rng.random() < 0.85 else units
        staffed = [u for u in candidates if u.pk in members_of]
        initiating = rng.choice(staffed or candidates)
        initiator = rng.choice(members_of.get(initiating.pk) or users)
        rows.plan(
            person=person,
            state=state_cycle[index],
            initiating=initiating,
            initiator=initiator,
            units=units,
            child=person in children,
            guardians=guardians_of.get(person.pk, []),
            registered=relatives_of.get(person.pk, []),
        )
    plan_rows = rows.save()
    # From a stream of its own, so that the rest of the world is what it was without them.
    _join_requests(random.Random(seed + 1), plan_rows, units, members_of, now)  # noqa: S311
    _admissions(random.Random(seed + 2), the_individuals, units, members_of, today)  # noqa: S311
    deviations = _deviations(random.Random(seed + 3), plan_rows, memberships, today)  # noqa: S311
    analysts = _analysts(seed, units, password)

    return World(
        seed=seed,
        organizations=organizations,
        units=units,
        users=users + [m.user for m in analysts],
        memberships=memberships + analysts,
        superuser=superuser,
        individuals=the_individuals,
        guardians=guardians,
        relatives=the_relatives,
        unrelated=unrelated,
        representatives=representatives,
        plans=plan_rows,
        meetings=rows.meetings,
        notes={k: v for k, v in rows.notes.items() if v},
        deviations=deviations,
    )


def _representatives(
    rng: random.Random,
    people: _People,
    individuals: list[Person],
    relatives: list[Person],
    today: datetime.date,
) -> list[Person]:
    """God men, förvaltare and ombud, at every level of access in Min SIP, for about one
    individual in four (children and protected individuals among them): some appointments
    ended yesterday, end today or later, some are held by someone who is also a relative."""
    made = _People(rng)
    made.numbers = set(people.numbers)  # identity numbers stay unique across the world
    levels = Relation.MinSip.values
    rows = []
    for index, individual in enumerate(individuals):
        if index % 4 != 1:
            continue
        related = rng.choice(relatives) if rng.random() < 0.25 else None
        if related is None or related.pk == individual.pk:
            born = today - datetime.timedelta(days=rng.randint(30 * 365, 70 * 365))
            related = made.make(born)
        ends = rng.choice([None, None, 0, -1, 30])
        rows.append(
            Relation(
                person=individual,
                related=related,
                kind=rng.choice(Relation.REPRESENTATIVES),
                basis="overformyndare",
                scope="Sörja för person",
                min_sip=levels[(index // 4) % len(levels)],
                valid_until=None if ends is None else today + datetime.timedelta(days=ends),
            )
        )
    Person.objects.bulk_create(made.rows)
    Relation.objects.bulk_create(rows)
    return list({r.related.pk: r.related for r in rows}.values())


def _admissions(rng: random.Random, individuals, units, members_of, today) -> None:
    """Admissions at the staffed hospital wards (none in a world without one), one in each
    state, with their notices to two staffed municipal or regional units."""
    wards = [u for u in units if u.kind == Unit.Kind.HOSPITAL_WARD and u.pk in members_of]
    named = [
        u
        for u in units
        if u.organization.is_principal and u.kind != Unit.Kind.HOSPITAL_WARD and u.pk in members_of
    ]
    if not wards or len(named) < 2:
        return
    for index, state in enumerate(Admission.State.values):
        ward = wards[index % len(wards)]
        admitted_on = today - datetime.timedelta(days=5 + index)
        done = state == Admission.State.DISCHARGED
        admission = Admission.objects.create(
            person=rng.choice(individuals),
            ward=ward,
            state=state,
            registered_by=rng.choice(members_of[ward.pk]),
            admitted_on=admitted_on,
            expected_needs="Hemtjänst efter utskrivningen",
            reasons=[Plan.Reason.INPATIENT],
            planned_discharge=today + datetime.timedelta(days=2) if index else None,
            ready_on=admitted_on + datetime.timedelta(days=3)
            if state in {"ready", "discharged"}
            else None,
            discharged_on=today - datetime.timedelta(days=1) if done else None,
            sip_decision=Admission.SipDecision.NOT_NEEDED if done else "",
        )
        for unit in rng.sample(named, 2):
            AdmissionRecipient.objects.create(admission=admission, unit=unit)


# What happens to each report about a plan after it is reported (the last gets a ladder).
DEVIATION_STORIES = ["reported", "commented", "resolved", "escalated"]


def _deviations(rng: random.Random, plans, memberships, today) -> list[Deviation]:
    """Collaboration failures, made through the services (so as the policy lets them be made):
    about plans whose staffed units come from two organisations or more, one left as reported,
    one commented on, one resolved and one escalated to step 2 of the initiating organisation's
    ladder, whose member works in no unit the report concerns; and one without a plan, by a
    unit manager about a unit of another organisation. The individuals of these plans share no
    name with a member of staff, so a page naming one can be told from a page naming staff."""
    active = [m for m in memberships if m.is_active]
    staff_of: dict[int, list[Membership]] = {}
    for m in active:
        staff_of.setdefault(m.unit.pk, []).append(m)
    staff_names = {(m.user.first_name, m.user.last_name) for m in active}
    # Reporters who work in other units too: acting for those, they follow but do not handle.
    several = {m.user.pk for m in active if sum(n.user.pk == m.user.pk for n in active) > 1}
    units_of: dict = {}
    for p in Participant.objects.filter(plan__in=plans, is_active=True).select_related("unit"):
        units_of.setdefault(p.plan_id, []).append(p.unit)
    made: list[Deviation] = []
    for plan in sorted(plans, key=lambda p: str(p.pk)):
        if len(made) == len(DEVIATION_STORIES):
            break
        if plan.state in BEFORE_CONSENT | {State.CLOSED}:
            continue
        if (plan.person.given_name, plan.person.family_name) in staff_names:
            continue
        story = DEVIATION_STORIES[len(made)]
        deviation = _deviation_about(
            rng, plan, units_of.get(plan.pk, []), staff_of, story, today, several
        )
        if deviation is not None:
            made.append(deviation)
    managers = [m for m in active if m.role == Membership.Role.UNIT_MANAGER]
    for manager in sorted(managers, key=lambda m: (m.user.pk, m.unit.pk)):
        if not manager.unit.organization.is_principal:
            continue
        other = [
            u
            for u in {m.unit.pk: m.unit for m in active}.values()
            if u.organization.is_principal and u.organization_id != manager.unit.organization_id
        ]
        if other:
            made.append(_report(_staff(manager), None, [rng.choice(other)], today))
            break
    return made


def _analysts(seed: int, units: list[Unit], password: str) -> list[Membership]:
    """An organisation analyst and a joint-area analyst in units where others work with plans:
    the role, not the unit, keeps them from every plan. Written last, without the world's
    random stream, so the rest of the world is what it was without them."""
    roles = [Membership.Role.ANALYST, Membership.Role.JOINT_ANALYST]
    principal = [u for u in units if u.organization.is_principal]
    made = []
    for index, role in enumerate(roles):
        user = User.objects.create(
            username=f"analyst{seed % 1000:03d}x{index}",
            first_name="Ana",
            last_name=f"Lytiker {index + 1}",
            email=f"analyst{index}@example.invalid",
            password=password,
        )
        unit = principal[index % len(principal)]
        made.append(Membership.objects.create(user=user, unit=unit, role=role))
    return made


def _staff(membership: Membership) -> policy.Staff:
    return policy.Staff(user=membership.user, unit=membership.unit, role=membership.role)


def _report(actor: policy.Staff, plan: Plan | None, units: list[Unit], today) -> Deviation:
    return deviation_services.deviation_report(
        actor=actor,
        kind=Deviation.Kind.INFORMATION_NOT_PASSED,
        what_happened="Informationen fördes inte vidare.",
        happened_on=today - datetime.timedelta(days=3),
        consequence="Besöket fick bokas om.",
        units=units,
        plan=plan,
    )


def _deviation_about(rng, plan, units, staff_of, story, today, several) -> Deviation | None:
    units = [u for u in units if u.pk in staff_of]
    if len({u.organization_id for u in units}) < 2:
        return None
    members = sorted(
        (m for u in units for m in staff_of[u.pk]), key=lambda m: m.user.pk not in several
    )
    reporter = next(
        (_staff(m) for m in members if policy.decide(_staff(m), "plan.view", plan)), None
    )
    if reporter is None:
        return None
    foreign = [u for u in units if u.organization_id != reporter.unit.organization_id]
    if not foreign:
        return None
    first = rng.choice(foreign)
    more = [u for u in units if u.pk not in {reporter.unit.pk, first.pk}]
    concerned = [first, *rng.sample(more, min(len(more), rng.randint(0, 1)))]
    handlers = [
        _staff(m)
        for u in [reporter.unit, *concerned]
        for m in staff_of[u.pk]
        if m.role == Membership.Role.UNIT_MANAGER and m.user.pk != reporter.user.pk
    ]
    if story != "reported" and not handlers:
        return None
    concerned_users = {m.user.pk for u in [reporter.unit, *concerned] for m in staff_of[u.pk]}
    outsiders = sorted(
        {m.user.pk: m.user for ms in staff_of.values() for m in ms}.values(), key=lambda u: u.pk
    )
    outsiders = [u for u in outsiders if u.pk not in concerned_users]
    if story == "escalated" and not outsiders:
        return None
    deviation = _report(reporter, plan, concerned, today)
    if story == "commented":
        deviation_services.deviation_comment(
            actor=handlers[0], deviation=deviation, text="Vi ser över rutinen."
        )
    elif story == "resolved":
        deviation_services.deviation_conclude(
            actor=handlers[0],
            deviation=deviation,
            conclusion=Deviation.Conclusion.RESOLVED,
            text="Rutinen är ändrad.",
        )
    elif story == "escalated":
        _ladder(plan.initiating_unit.organization, rng.choice(outsiders))
        deviation_services.deviation_conclude(
            actor=handlers[0],
            deviation=deviation,
            conclusion=Deviation.Conclusion.ESCALATED,
            text="Vi är inte överens om ansvaret.",
        )
    deviation.refresh_from_db()
    return deviation


def _ladder(organization: Organization, member: User) -> None:
    """The organisation's local agreement (the defaults) with steps 2 and 3 above the unit
    managers; step 2 has one member."""
    agreement, _created = LocalAgreement.objects.get_or_create(organization=organization)
    step, _created = EscalationStep.objects.get_or_create(
        agreement=agreement, number=2, defaults={"name": "Verksamhetschefer", "days": 14}
    )
    step.members.add(member)
    EscalationStep.objects.get_or_create(
        agreement=agreement,
        number=3,
        defaults={"name": "Ledningsgrupp", "days": 30, "email": "ledning@example.invalid"},
    )


def _join_requests(rng: random.Random, plans, units, members_of, now) -> None:
    """Requests to take part, from staffed units that do not take part, on about a quarter of
    the plans that are not closed; one in five already declined."""
    taking_part = set(
        Participant.objects.filter(plan__in=plans, is_active=True).values_list("plan_id", "unit_id")
    )
    rows = []
    for plan in plans:
        if plan.state == State.CLOSED or rng.random() > 0.25:
            continue
        outside = [
            u
            for u in units
            if (plan.pk, u.pk) not in taking_part
            and u.pk != plan.initiating_unit_id
            and u.pk in members_of
        ]
        if not outside:
            continue
        unit = rng.choice(outside)
        declined = rng.random() < 0.2
        rows.append(
            JoinRequest(
                plan=plan,
                unit=unit,
                requested_by=rng.choice(members_of[unit.pk]),
                reasons=[rng.choice(Plan.Reason.values)],
                state=JoinRequest.State.DECLINED if declined else JoinRequest.State.PENDING,
                answered_by=plan.initiated_by if declined else None,
                answer_unit=plan.initiating_unit if declined else None,
                answered_at=now if declined else None,
                decline_reason="Inte aktuellt" if declined else "",
            )
        )
    JoinRequest.objects.bulk_create(rows)


def plans_prefetched(world: World) -> list[Plan]:
    """The world's plans, read back with what the policy reads prefetched (a few queries)."""
    return list(
        Plan.objects.filter(pk__in=[p.pk for p in world.plans])
        .select_related("person", "initiating_unit")
        .prefetch_related(
            "participants",
            "consents",
            "consents__relatives",
            "person__relations",
            "relative_accesses",
        )
        .order_by("pk")
    )


# --- Routes and crawling --------------------------------------------------------------------

PARAMETER_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def url_patterns(resolvers=None, prefix: str = "", namespace: str = ""):
    """(route, namespace, name, callback) for every URL pattern, admin included."""
    for pattern in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.name, pattern.callback


def plan_routes() -> list[tuple[str, str, object]]:
    """(route, "namespace:name", view) for every route of one plan."""
    return [
        (route, f"{namespace}:{name}", callback)
        for route, namespace, name, callback in url_patterns()
        if "<uuid:plan_id>" in route
    ]


@dataclass
class PlanObjects:
    """The ids a plan's sub-routes take (`<int:goal_id>`, `<int:meeting_id>`, `<int:number>`
    of a version, ...): any model with a `plan` foreign key whose name ends with the
    parameter's name (`message_id` finds CitizenMessage)."""

    by_plan: dict
    known: set

    @classmethod
    def load(cls, plans) -> "PlanObjects":
        """Read the ids for the parameters the plan routes take now."""
        ids = [p.pk for p in plans]
        wanted = {
            m["name"]
            for route, _name, _view in plan_routes()
            for m in PARAMETER_RE.finditer(route)
            if m["name"] != "plan_id"
        }
        sources = {}
        for name in wanted:
            if name == "number":
                sources[name] = PlanVersion.objects.values_list("plan_id", "number")
                continue
            for model in apps.get_models():
                plan_field = next(
                    (f for f in model._meta.concrete_fields if f.name == "plan"), None
                )
                if plan_field is not None and plan_field.related_model is Plan:
                    model_name = model._meta.model_name
                    if name.endswith("_id") and model_name.endswith(name[: -len("_id")]):
                        sources[name] = model.objects.values_list("plan_id", "pk")
                        break
        by_plan: dict = {pk: {} for pk in ids}
        for name, rows in sources.items():
            for plan_id, value in rows.filter(plan_id__in=ids):
                by_plan[plan_id].setdefault(name, []).append(value)
        for values in by_plan.values():
            for name in values:
                values[name].sort()
        return cls(by_plan, set(sources))

    def paths(self, plan_id, route: str) -> list[str] | None:
        """Every concrete path of the route for the plan ([] if it has no such objects);
        None if the route takes a parameter this helper does not know."""
        names = [m["name"] for m in PARAMETER_RE.finditer(route) if m["name"] != "plan_id"]
        if len(names) > 1 or (names and names[0] not in self.known):
            return None
        path = "/" + route.replace("<uuid:plan_id>", str(plan_id))
        if not names:
            return [path]
        values = self.by_plan.get(plan_id, {}).get(names[0], [])
        return [PARAMETER_RE.sub(str(value), path) for value in values]


def allowed_methods(view) -> set[str]:
    """The methods the view's require_http_methods decorator (outermost) lets through."""
    for cell in getattr(view, "__closure__", None) or ():
        value = cell.cell_contents
        if isinstance(value, list | tuple) and value and all(m in {"GET", "POST"} for m in value):
            return set(value)
    return {"GET", "POST"}


def staff_client(user: User, unit: Unit | None) -> Client:
    """A client logged in through the login page, acting for the unit (chosen on its page)."""
    client = Client()
    login(client, user)
    if unit is not None:
        response = client.post("/konto/enhet/", {"unit": unit.pk})
        assert response.status_code == 302, (user.username, unit.pk, response.status_code)
    return client


WORKLIST_FILTERS = (
    [f"state={state}" for state in ["", *STATES]]
    + [f"flag={flag}" for flag in ["overdue", "due_soon", "meetings", "waiting"]]
    + [f"role={role}" for role in ["lead", "participant"]]
)
NEVER_GET = {"accounts:logout", "set_language"}  # logging out ends the crawl's session


@dataclass
class GetPaths:
    """Every GET path a staff member can try: the general pages, and each plan's pages (its
    overview first). `unknown` lists routes with parameters these helpers cannot fill in."""

    general: list[str]
    by_plan: dict  # plan id -> [overview path, other paths...]
    unknown: list[str]

    def all(self) -> list[str]:
        return self.general + [path for paths in self.by_plan.values() for path in paths]


# Parameters of routes outside a plan, and the values the crawl tries (a few of each).
GENERAL_PARAMETERS = {
    "sip_request_id": lambda: SipRequest.objects.order_by("pk").values_list("pk", flat=True)[:5],
    "admission_id": lambda: Admission.objects.order_by("pk").values_list("pk", flat=True)[:5],
    "deviation_id": lambda: Deviation.objects.order_by("pk").values_list("pk", flat=True)[:5],
    "fmt": lambda: ["json", "pdf", "csv", "xlsx"],  # each export's formats, and the others
    "evaluation_id": lambda: EvaluationRequest.objects.order_by("pk").values_list("pk", flat=True)[
        :5
    ],
    "chart": lambda: ["by_month", "by_age", "nothing"],  # the statistics' charts, and no chart
    "person_id": lambda: Person.objects.order_by("pk").values_list("pk", flat=True)[:5],
}


def fill_route(route: str, values) -> str:
    """The route with its parameters replaced by the values, in order."""
    filled = iter(values)
    return PARAMETER_RE.sub(lambda _match: str(next(filled)), route)


def staff_get_paths(world: World, objects: PlanObjects, *, skip: tuple = ()) -> GetPaths:
    """`skip` names namespaces to leave out (e.g. "citizen": Min SIP sends staff to its login)."""
    general, by_plan, unknown = [], {p.pk: [] for p in world.plans}, []
    for route, namespace, name, callback in url_patterns():
        label = f"{namespace}:{name}" if namespace else name
        # The APIs (samplan.api: REST and FHIR) answer bearer tokens, not a session, and the
        # monitoring endpoints (samplan.ops) report the worker: their own tests cover them.
        if namespace in {"admin", "api", "fhir", "ops", *skip} or route.startswith("api/"):
            continue
        if label in NEVER_GET:
            continue
        if "GET" not in allowed_methods(callback):
            continue
        if "<uuid:plan_id>" in route:
            for plan in world.plans:
                concrete = objects.paths(plan.pk, route)
                if concrete is None:
                    unknown.append(route)
                    break
                if label == "plans:overview":
                    by_plan[plan.pk][:0] = concrete  # the overview comes first
                else:
                    by_plan[plan.pk].extend(concrete)
        elif PARAMETER_RE.search(route):
            names = [m["name"] for m in PARAMETER_RE.finditer(route)]
            if all(name in GENERAL_PARAMETERS for name in names):
                for values in itertools.product(*(GENERAL_PARAMETERS[n]() for n in names)):
                    general.append("/" + fill_route(route, values))
            else:
                unknown.append(route)
        elif label == "plans:worklist":
            general.extend(f"/{route}?{query}" for query in WORKLIST_FILTERS)
        else:
            general.append("/" + route)
    return GetPaths(general, by_plan, sorted(set(unknown)))


def crawl_staff_pages(client: Client, paths: GetPaths, look) -> None:
    """GET the general pages and every page of each plan the client reaches (its overview
    answers 200). Of the plans it cannot reach, every page of the first one (each route's
    refusal) and the overview of the others. `look(method, path, response)` sees each answer."""
    for path in paths.general:
        look("GET", path, client.get(path))
    refusals_seen = False
    for overview, *others in paths.by_plan.values():
        response = client.get(overview)
        look("GET", overview, response)
        if response.status_code == 200 or not refusals_seen:
            refusals_seen = refusals_seen or response.status_code != 200
            for path in others:
                look("GET", path, client.get(path))


class RecordingPdf:
    """Stands in for weasyprint.HTML in crawl tests: the "PDF" is the HTML it was made from,
    so a page's text can be searched (and no time goes to typesetting)."""

    def __init__(self, string: str = "", **kwargs):
        self.string = string

    def write_pdf(self, *args, **kwargs) -> bytes:
        return b"%PDF-1.7 stand-in for the test crawl\n" + self.string.encode()


def stand_in_for_pdfs(monkeypatch) -> None:
    """Make PDF copies with RecordingPdf, if the app makes PDFs with WeasyPrint."""
    if hasattr(pdf, "HTML"):
        monkeypatch.setattr(pdf, "HTML", RecordingPdf)


def admin_get_paths(limit_per_model: int = 60) -> list[str]:
    """The admin index, every app index, and every changelist, add and change page (of the
    first `limit_per_model` objects of each model; 0 for no change pages)."""
    paths = [reverse("admin:index")]
    app_labels = set()
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        app_labels.add(opts.app_label)
        base = f"admin:{opts.app_label}_{opts.model_name}"
        paths.append(reverse(f"{base}_changelist"))
        paths.append(reverse(f"{base}_add"))  # 403 where the admin allows no adding
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[
            :limit_per_model
        ]:
            paths.append(reverse(f"{base}_change", args=[pk]))
    paths += [reverse("admin:app_list", args=[app]) for app in sorted(app_labels)]
    return paths
