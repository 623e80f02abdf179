"""Demo SIPs in every state, made through the real services so that history and versions are real.

Dates are moved back afterwards (demo only) so that deadlines, overdue flags and held meetings
look lived-in. A person who already has a plan is left alone, so loading twice changes nothing.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.people.models import Person
from samplan.plans import services
from samplan.plans.models import Consent, Invitee, Meeting, Plan, PlanVersion
from samplan.policy import Citizen, Staff


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _at(offset_days: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(_day(offset_days), datetime.time(hour, 0)))


@dataclass
class Story:
    person: str  # demo key
    by: str  # username
    unit: str
    units: list[str]
    stage: str  # initiated, refused, consented, invited, active, follow_up, revision, closed, withdrawn
    age_days: int = 30
    reasons: list[str] = field(default_factory=lambda: ["several_units", "unclear"])
    goals: list[tuple[str, str]] = field(default_factory=list)
    interventions: list[tuple[str, str]] = field(default_factory=list)  # (unit name, what)
    own_words: str = ""
    lead: str = ""
    topics: dict[str, str] = field(default_factory=dict)  # goal or intervention text -> Topic
    limits: list[tuple[str, str, list[str]]] = field(default_factory=list)  # unit, reach, topics
    exclusions: str = ""


STORIES = [
    Story(
        "erik",
        "anna.lind",
        "Biståndshandläggning Åsby",
        [
            "Biståndshandläggning Åsby",
            "Vårdcentralen Åsby",
            "Psykiatriska kliniken Mälarsjukhuset",
            "Socialpsykiatri Åsby",
            "Försäkringskassan, lokalt försäkringscenter Åsby",
        ],
        "active",
        60,
        ["several_units", "passed_around"],
        [
            ("long", "Jag vill ha ett eget jobb igen"),
            ("short", "Jag vill sova bättre"),
            ("short", "Jag vill bli av med mina skulder"),
        ],
        [
            ("Socialpsykiatri Åsby", "Boendestöd två gånger i veckan"),
            ("Psykiatriska kliniken Mälarsjukhuset", "Samtalsbehandling varannan vecka"),
            ("Vårdcentralen Åsby", "Läkemedelsgenomgång"),
            ("Försäkringskassan, lokalt försäkringscenter Åsby", "Utreda rätt till sjukersättning"),
            ("Biståndshandläggning Åsby", "Budget- och skuldrådgivning varannan vecka"),
        ],
        "Att någon håller ihop allt, så att jag slipper berätta samma sak för alla.",
        "anna.lind",
        topics={
            "Jag vill bli av med mina skulder": "economy",
            "Budget- och skuldrådgivning varannan vecka": "economy",
            "Läkemedelsgenomgång": "physical_health",
            "Samtalsbehandling varannan vecka": "mental_health",
            "Utreda rätt till sjukersättning": "occupation",
        },
        # The consent keeps his economy and his earlier addiction from Försäkringskassan.
        limits=[
            ("Försäkringskassan, lokalt försäkringscenter Åsby", "whole", ["economy", "addiction"])
        ],
        exclusions="Ekonomin ska inte diskuteras med Försäkringskassan. "
        "Tidigare missbruk ska inte tas upp.",
    ),
    Story(
        "birgitta",
        "maria.nilsson",
        "Vårdcentralen Åsby",
        ["Vårdcentralen Åsby", "Hemtjänst Åsby", "Biståndshandläggning Åsby"],
        "follow_up",
        90,
        ["inpatient", "order"],
        [("long", "Jag vill bo kvar i mitt hus")],
        [
            ("Hemtjänst Åsby", "Hjälp med dusch och inköp"),
            ("Vårdcentralen Åsby", "Hembesök av distriktssköterska varje vecka"),
        ],
        "Att kunna bo hemma med min man.",
        "maria.nilsson",
    ),
    Story(
        "ahmed",
        "fatima.hassan",
        "Biståndshandläggning Norrby",
        [
            "Biståndshandläggning Norrby",
            "Psykiatriska kliniken Mälarsjukhuset",
            "Försäkringskassan, lokalt försäkringscenter Åsby",
        ],
        "invited",
        10,
        ["requested"],
    ),
    Story(
        "linnea",
        "johan.berg",
        "Psykiatriska kliniken Mälarsjukhuset",
        ["Psykiatriska kliniken Mälarsjukhuset", "Socialpsykiatri Åsby"],
        "consented",
        14,
        ["several_units"],
    ),
    Story(
        "goran",
        "karin.ek",
        "Avdelning 14 medicin, Mälarsjukhuset",
        ["Avdelning 14 medicin, Mälarsjukhuset"],
        "initiated",
        7,
        ["inpatient", "emergency"],
    ),
    Story("mohammed", "anna.lind", "Socialpsykiatri Åsby", [], "refused", 20, ["requested"]),
    Story(
        "ulla",
        "maria.nilsson",
        "Vårdcentralen Åsby",
        ["Vårdcentralen Åsby", "Hemtjänst Åsby", "Biståndshandläggning Åsby"],
        "revision",
        120,
        ["order"],
        [("short", "Jag vill kunna gå till affären själv")],
        [
            ("Hemtjänst Åsby", "Promenad med stöd tre gånger i veckan"),
            ("Vårdcentralen Åsby", "Fysioterapi"),
        ],
        "Att klara mig själv så länge det går.",
        "maria.nilsson",
    ),
    Story(
        "jonas",
        "anna.lind",
        "Biståndshandläggning Åsby",
        ["Biståndshandläggning Åsby", "Psykiatriska kliniken Mälarsjukhuset"],
        "withdrawn",
        40,
        ["unclear"],
    ),
    Story(
        "elias",
        "peter.lund",
        "Elevhälsan Åsby",
        ["Elevhälsan Åsby", "Psykiatriska kliniken Mälarsjukhuset", "Biståndshandläggning Åsby"],
        "active",
        45,
        ["several_units"],
        [("long", "Jag vill gå i skolan varje dag"), ("short", "Jag vill ha en kompis på rasten")],
        [
            ("Elevhälsan Åsby", "Samtal med skolkurator varje vecka"),
            ("Psykiatriska kliniken Mälarsjukhuset", "Utredning av koncentrationssvårigheter"),
            ("Biståndshandläggning Åsby", "Kontaktfamilj en helg i månaden"),
        ],
        "Att skolan och vården pratar med varandra.",
        "peter.lund",
    ),
    Story(
        "kent",
        "fatima.hassan",
        "Biståndshandläggning Norrby",
        ["Biståndshandläggning Norrby", "Vårdcentralen Åsby"],
        "closed",
        200,
        ["order"],
        [("long", "Jag vill klara min ekonomi")],
        [
            ("Biståndshandläggning Norrby", "Budget- och skuldrådgivning"),
            ("Vårdcentralen Åsby", "Diabeteskontroller"),
        ],
        "",
        "fatima.hassan",
    ),
    Story(
        "aleksandra",
        "fatima.hassan",
        "Biståndshandläggning Norrby",
        ["Biståndshandläggning Norrby", "Psykiatriska kliniken Mälarsjukhuset"],
        "active",
        100,
        ["passed_around"],
        [("long", "Jag vill lära mig svenska och få ett arbete")],
        [
            ("Biståndshandläggning Norrby", "Stöd i kontakt med myndigheter"),
            ("Psykiatriska kliniken Mälarsjukhuset", "Traumabehandling med tolk"),
        ],
        "Att få hjälp på polska när det är svårt.",
        "fatima.hassan",
    ),
    # Protected identity: the primary care centre is granted her contact details (below).
    Story(
        "sofia",
        "anna.lind",
        "Biståndshandläggning Åsby",
        ["Biståndshandläggning Åsby", "Vårdcentralen Åsby"],
        "active",
        60,
        ["several_units"],
        [("long", "Jag vill känna mig trygg hemma")],
        [
            ("Biståndshandläggning Åsby", "Stödsamtal varje vecka"),
            ("Vårdcentralen Åsby", "Regelbundna läkarbesök"),
        ],
        "Att ingen får veta var jag bor.",
        "anna.lind",
    ),
]


def load_demo_plans(people: dict[str, Person]) -> int:
    made = 0
    for story in STORIES:
        person = people[story.person]
        if person.plans.exists():
            continue
        _tell(story, person)
        made += 1
    # The stories backdate their plans (initiated weeks ago, a follow-up already overdue), past
    # the services: store their deadlines as the dates now say.
    services.deadlines_refresh(Plan.objects.filter(person__in=people.values()))
    _grant_protected_contact(people["sofia"])
    return made


def _grant_protected_contact(person: Person) -> None:
    """The unit manager lets the primary care centre see Sofia's protected contact details."""
    plan = person.plans.first()
    if plan is None or person.contact_grants.exists():
        return
    unit = Unit.objects.get(name="Biståndshandläggning Åsby")
    manager = Membership.objects.get(user__username="sara.holm", unit=unit)
    services.contact_grant_give(
        actor=Staff(user=manager.user, unit=unit, role=manager.role),
        plan=plan,
        unit=Unit.objects.get(name="Vårdcentralen Åsby"),
        reason="Hembesök av distriktssköterskan",
        valid_until=_day(90),
    )


def _tell(story: Story, person: Person) -> Plan:
    unit = Unit.objects.get(name=story.unit)
    membership = Membership.objects.get(user__username=story.by, unit=unit)
    actor = Staff(user=membership.user, unit=unit, role=membership.role)
    plan = services.plan_initiate(
        actor=actor, person=person, reasons=story.reasons, source=Plan.Source.STAFF
    )
    Plan.objects.filter(pk=plan.pk).update(
        initiated_at=_at(-story.age_days, 9), own_words=story.own_words
    )
    if story.stage == "initiated":
        return plan
    consent_day = _day(-story.age_days + 2)
    guardians = list(person.guardians) if person.is_child() else []
    given_by = Consent.GivenBy.GUARDIANS if guardians else Consent.GivenBy.INDIVIDUAL
    if story.stage == "refused":
        services.consent_record(
            actor=actor,
            plan=plan,
            decision=Consent.Decision.REFUSED,
            decided_on=consent_day,
            mode=Consent.Mode.ORAL,
            given_by=given_by,
            guardians=guardians,
        )
        return plan
    units = list(Unit.objects.filter(name__in=story.units))
    services.consent_record(
        actor=actor,
        plan=plan,
        decision=Consent.Decision.GIVEN,
        decided_on=consent_day,
        mode=Consent.Mode.WRITTEN,
        given_by=given_by,
        guardians=guardians,
        units=units,
        child_view="Elias vill att mamma är med på mötena." if guardians else "",
        exclusions=story.exclusions,
        limits=[
            (Unit.objects.get(name=name), reach, topics) for name, reach, topics in story.limits
        ],
    )
    if story.stage == "consented":
        return plan
    meeting = services.meeting_schedule(
        actor=actor,
        plan=plan,
        kind=Meeting.Kind.FIRST,
        starts_at=_at(4, 13),
        place=f"{unit.name}, samtalsrummet",
        invited_units=[(u, Invitee.Mode.DIGITAL) for u in units],
        invited_people=[(person, Invitee.Mode.WRITTEN)],
    )
    if story.stage == "invited":
        return plan
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=_at(-story.age_days + 8, 13))
    Invitee.objects.filter(meeting=meeting).update(response=Invitee.Response.ACCEPTED)
    _write_plan(story, plan, actor, unit, units)
    if story.stage == "withdrawn":
        _write_minimal(plan, actor, unit, units)
    services.meeting_held(
        actor=actor,
        meeting=meeting,
        attended=Invitee.objects.filter(meeting=meeting).values_list("pk", flat=True),
    )
    services.plan_establish(actor=actor, plan=plan, approval_method=PlanVersion.Method.MEETING_ORAL)
    if story.stage == "withdrawn":
        services.consent_withdraw(
            actor=actor,
            plan=plan,
            decided_on=_day(-3),
            mode=Consent.Mode.ORAL,
            note="Vill inte längre ha en SIP.",
        )
    elif story.stage == "follow_up":
        services.meeting_schedule(
            actor=actor,
            plan=plan,
            kind=Meeting.Kind.FOLLOW_UP,
            starts_at=_at(3, 10),
            place="Hemma hos Birgitta",
            invited_units=[(u, Invitee.Mode.ORAL) for u in units],
            invited_people=[(person, Invitee.Mode.ORAL)],
        )
    elif story.stage in {"revision", "closed"}:
        services.goal_save(
            actor=actor,
            plan=plan,
            term="short",
            text="Jag vill kunna ta bussen till stan",
        )
        services.followup_record(
            actor=actor,
            plan=plan,
            how_it_went="Det har gått bra.",
            helped_hindered="Täta kontakter hjälpte.",
            coordination_needed=story.stage == "revision",
            continue_interventions="Ja, med justeringar.",
            decision="revise" if story.stage == "revision" else "close",
            next_follow_up=_day(30),
            closing_reason=Plan.ClosingReason.WORKS,
        )
    elif story.person == "erik":
        _erik_uses_min_sip(plan, person)
    elif story.person == "aleksandra":
        Plan.objects.filter(pk=plan.pk).update(
            next_follow_up=_day(-4)
        )  # an overdue follow-up to act on
    return plan


def _write_plan(story, plan, actor, unit, units) -> None:
    goals = [
        services.goal_save(
            actor=actor, plan=plan, term=term, text=text, topic=story.topics.get(text, "")
        )
        for term, text in story.goals
    ]
    by_name = {u.name: u for u in units}
    for unit_name, what in story.interventions:
        responsible = by_name[unit_name]
        services.intervention_save(
            actor=actor,
            plan=plan,
            what=what,
            topic=story.topics.get(what, ""),
            organization=responsible.organization,
            responsible_unit=responsible,
            status="ongoing",
            start=_day(-story.age_days + 10),
            frequency="",
            goals=goals[:1],
        )
    kinds = {u.organization.kind for u in units}
    plan.refresh_from_db()
    principal = (
        unit.organization
        if unit.organization.is_principal
        else next(u.organization for u in units if u.organization.is_principal)
    )
    services.plan_update(
        actor=actor,
        plan=plan,
        expected_version=plan.lock_version,
        overall_responsibility=principal,
        lead=User.objects.get(username=story.lead or story.by),
        next_follow_up=_day(20),
        no_other_actors=Organization.Kind.OTHER not in kinds,
        self_actions="Går på alla möten och säger till om något inte fungerar.",
    )


def _write_minimal(plan, actor, unit, units) -> None:
    """A plan that was established quickly before the consent was withdrawn."""
    for u in units:
        services.intervention_save(
            actor=actor,
            plan=plan,
            what=f"Kontakt med {u.name}",
            organization=u.organization,
            responsible_unit=u,
        )
    plan.refresh_from_db()
    services.plan_update(
        actor=actor,
        plan=plan,
        expected_version=plan.lock_version,
        overall_responsibility=unit.organization,
        lead=actor.user,
        next_follow_up=_day(20),
        no_other_actors=True,
    )


def _erik_uses_min_sip(plan: Plan, erik: Person) -> None:
    """Erik has invited his sister to see his meetings, and has written to his lead."""
    sister = Person.objects.get(
        relations_as_related__person=erik, relations_as_related__kind="relative"
    )
    plan.current_consent.relatives.add(sister)
    services.relative_access_grant(
        actor=Citizen(person=erik), plan=plan, relative=sister, sections=["meetings", "goals"]
    )
    services.citizen_message_send(
        actor=Citizen(person=erik),
        plan=plan,
        kind="comment",
        text="Kan vi flytta nästa möte till en eftermiddag? Jag sover dåligt och har svårt med morgnar.",
    )
