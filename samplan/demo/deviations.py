"""The demo's collaboration failures (brister i samverkan): the local agreements' escalation
ladders, and reports in every state, made through the deviation services at their own past
moments, like the SIPs' stories (samplan.demo.timeline).

Between them the reports show each part of the handling: one just reported, one being handled
(comments and an agreed action), one resolved (an action done, the municipality's own reference
recorded), one found not to be a failure, one the unit managers took to the heads of operations,
and one the worker moved up the whole ladder and marked as past its days. The texts name nobody:
whom a report is about shows only through its SIP, to those who may read the SIP.

A report open today is still within the days of its step, so the worker's first sweep changes
nothing; the demo's worker ran its sweeps on the nights they were due (`Step.SWEEP`).
"""

from dataclasses import dataclass

from samplan.accounts.models import Organization
from samplan.demo.caseload import BUSY, HEMTJ, PSYK, SKOLA, SOCPSYK, VC
from samplan.demo.timeline import Cast, Clock
from samplan.deviations import services
from samplan.deviations.models import Deviation, DeviationAction
from samplan.people.models import Person
from samplan.plans import rules
from samplan.plans.models import EscalationStep, LocalAgreement, Plan

Kind, Conclusion = Deviation.Kind, Deviation.Conclusion

# The steps above the unit managers, the same in every principal's agreement. The region's heads
# of operations are members (Eva Strand heads Vårdcentralen Åsby); a municipality's step without
# a member in the demo reaches its heads through the functional e-mail.
HEADS, MANAGEMENT = "Verksamhetschefer", "Ledningsgrupp för samverkan"
LADDERS = {
    # organisation: (step 2's functional e-mail, its members), step 3's functional e-mail
    "Region Mälardalen": (("", ["eva.strand"]), "ledningsgrupp.samverkan@demo.samplan.invalid"),
    "Åsby kommun": (
        ("verksamhetschefer.asby@demo.samplan.invalid", []),
        "ledningsgrupp.samverkan@demo.samplan.invalid",
    ),
    "Norrby kommun": (
        ("verksamhetschefer.norrby@demo.samplan.invalid", []),
        "ledningsgrupp.samverkan@demo.samplan.invalid",
    ),
}


@dataclass(frozen=True)
class Step:
    """One step in a report's handling, `day` days from today (negative: in the past)."""

    COMMENT, ACTION, DONE, REFERENCE, CONCLUDE, SWEEP = (
        "comment", "action", "done", "reference", "conclude", "sweep",
    )  # fmt: skip

    day: int
    do: str
    by: tuple[str, str] = ("", "")  # username, unit; the worker's sweep has nobody
    text: str = ""  # the comment, the action, the reference, or what was concluded
    owner: str = ""  # an action's owner (username), among the staff of the units concerned
    due_in: int = 0  # an action: to be done this many days after it was agreed
    conclusion: str = ""


@dataclass(frozen=True)
class Report:
    by: tuple[str, str]  # username, unit
    person: str  # the demo key of the individual whose SIP it is about; "" without a SIP
    kind: str
    day: int  # reported this many days from today
    happened: int  # it happened this many days from today
    what: str
    consequence: str
    units: tuple[str, ...]  # the other units it concerns
    steps: tuple[Step, ...] = ()


REPORTS = [
    # Just reported; nobody has answered yet.
    Report(
        ("anna.lind", BUSY), "erik", Kind.INFORMATION_NOT_PASSED, -2, -3,
        "Psykiatrin ändrade medicineringen utan att socialpsykiatrin fick veta det. "
        "Boendestödjaren upptäckte ändringen först vid ett hembesök.",
        "Boendestödet följde fel läkemedelslista i en vecka.",
        (PSYK, SOCPSYK),
    ),
    # Being handled: the unit managers have written and agreed an action.
    Report(
        ("maria.nilsson", VC), "birgitta", Kind.INTERVENTION_NOT_DELIVERED, -8, -10,
        "Hemtjänsten kom inte vid två av de inbokade tillfällena för hjälp med dusch.",
        "Individen kunde inte duscha på tio dagar och fick hudbesvär.",
        (HEMTJ, BUSY),
        (
            Step(-7, Step.COMMENT, ("sara.holm", BUSY),
                 "Vi har pratat med hemtjänsten. Schemat uppdaterades inte efter det nya "
                 "beslutet om insatser."),
            Step(-6, Step.ACTION, ("sara.holm", BUSY),
                 "Hemtjänsten stämmer av schemat mot gällande beslut varje vecka.",
                 owner="sanna.moberg", due_in=7),
            Step(-5, Step.COMMENT, ("eva.strand", VC),
                 "Bra. Distriktssköterskan hör av sig till hemtjänsten om något uteblir igen."),
        ),
    ),
    # Resolved: a checklist agreed, done, and the municipality's own number recorded.
    Report(
        ("sara.holm", BUSY), "", Kind.RESPONSIBILITY, -40, -42,
        "Det är oklart vem som ordnar hjälpmedel som rullator och toalettförhöjning när någon "
        "skrivs ut till hemmet. Två gånger den senaste månaden har det saknats vid hemgång.",
        "Individerna fick vänta i hemmet utan hjälpmedel i flera dagar.",
        (VC,),
        (
            Step(-39, Step.REFERENCE, ("sara.holm", BUSY), "AVV-2026-0142"),
            Step(-39, Step.COMMENT, ("eva.strand", VC),
                 "Vårdcentralen förskriver hjälpmedlen, men beställningen måste göras före "
                 "hemgång. Vi behöver en gemensam checklista."),
            Step(-37, Step.ACTION, ("eva.strand", VC),
                 "Ta fram en gemensam checklista för hjälpmedel vid hemgång.",
                 owner="maria.nilsson", due_in=7),
            Step(-31, Step.DONE, ("maria.nilsson", VC)),
            Step(-28, Step.CONCLUDE, ("sara.holm", BUSY),
                 "Checklistan används av båda enheterna och följs upp på nästa samverkansmöte.",
                 conclusion=Conclusion.RESOLVED),
        ),
    ),
    # Not a failure: the intervention starts later, as the plan says.
    Report(
        ("peter.lund", SKOLA), "elias", Kind.INTERVENTION_NOT_DELIVERED, -20, -21,
        "Kontaktfamiljen som beslutades på SIP-mötet har inte kommit i gång.",
        "Familjen har inte fått den avlastning som planerades.",
        (BUSY,),
        (
            Step(-18, Step.COMMENT, ("sara.holm", BUSY),
                 "Kontaktfamiljen utreds fortfarande. Den kan börja först när utredningen är "
                 "klar, vilket vi berättade på mötet."),
            Step(-15, Step.CONCLUDE, ("sara.holm", BUSY),
                 "Insatsen följer beslutet; startdagen i planen ändras vid nästa uppföljning.",
                 conclusion=Conclusion.NOT_A_FAILURE),
        ),
    ),
    # The unit managers could not agree and took it to the heads of operations (step 2).
    Report(
        ("maria.nilsson", VC), "ulla", Kind.RESPONSIBILITY, -20, -22,
        "Hemtjänsten och vårdcentralen är oense om vem som ska ge ögondropparna morgon "
        "och kväll.",
        "Ögondropparna gavs inte under en helg.",
        (HEMTJ, BUSY),
        (
            Step(-18, Step.COMMENT, ("sara.holm", BUSY),
                 "Beslutet om hemtjänst omfattar inte läkemedel. Vi menar att det är en hälso- "
                 "och sjukvårdsuppgift som vårdcentralen behöver delegera."),
            Step(-12, Step.COMMENT, ("eva.strand", VC),
                 "Vi delegerar inte till hemtjänsten i dag. Frågan gäller fler än den här "
                 "individen."),
            Step(-7, Step.CONCLUDE, ("sara.holm", BUSY),
                 "Vi är inte överens om ansvaret. Verksamhetscheferna behöver ta ställning.",
                 conclusion=Conclusion.ESCALATED),
        ),
    ),
    # Nobody concluded it: the worker moved it up the ladder, and past its last step.
    Report(
        ("eva.strand", VC), "", Kind.INFORMATION_NOT_PASSED, -75, -76,
        "Vårdcentralen får inte veta när hemtjänstens insatser ändras efter ett nytt beslut. "
        "Det har hänt tre gånger i höst.",
        "Distriktssköterskornas hembesök har inte passat ihop med hemtjänstens besök.",
        (BUSY, HEMTJ),
        (
            Step(-72, Step.COMMENT, ("sara.holm", BUSY),
                 "Vi ser över hur besluten skickas vidare och återkommer."),
            Step(-60, Step.SWEEP),
            Step(-45, Step.SWEEP),
            Step(-14, Step.SWEEP),
        ),
    ),
]  # fmt: skip


def load_demo_deviations(people: dict[str, Person], clock: Clock) -> int:
    """Give the principals' local agreements their escalation ladders (unless one has been set
    in the admin since) and make the reports not made yet; returns how many were made."""
    cast = Cast(people)
    for name, (heads, management) in LADDERS.items():
        _ladder(cast, name, heads, management)
    made = 0
    for report in REPORTS:
        reporter = cast.users[report.by[0]]
        if Deviation.objects.filter(reporter=reporter, what_happened=report.what).exists():
            continue
        _live(report, cast, clock)
        made += 1
    return made


def _ladder(cast: Cast, name: str, heads: tuple[str, list[str]], management: str) -> None:
    organization = Organization.objects.get(name=name)
    agreement, _ = LocalAgreement.objects.get_or_create(organization=organization)
    if agreement.escalation_steps.exists():
        return
    email, members = heads
    step = EscalationStep.objects.create(
        agreement=agreement, number=2, name=HEADS, days=14, email=email
    )
    step.members.set([cast.users[username] for username in members])
    EscalationStep.objects.create(
        agreement=agreement, number=3, name=MANAGEMENT, days=30, email=management
    )


def _live(report: Report, cast: Cast, clock: Clock) -> Deviation:
    plan = None
    if report.person:
        plan = (
            Plan.objects.filter(person=cast.people[report.person])
            .exclude(state__in=rules.NOT_OPEN)
            .get()
        )
    with clock.at(report.day, 10, 20):
        deviation = services.deviation_report(
            actor=cast.staff(*report.by),
            kind=report.kind,
            what_happened=report.what,
            happened_on=clock.day(report.happened),
            consequence=report.consequence,
            units=[cast.units[name] for name in report.units],
            plan=plan,
        )
    action = None
    for number, step in enumerate(report.steps):
        # The worker sweeps at night; people act in office hours, in the order written.
        with clock.at(step.day, *((2, 0) if step.do == Step.SWEEP else (9 + number, 15))):
            action = _take(step, deviation, cast, clock, action) or action
    return deviation


def _take(step: Step, deviation: Deviation, cast: Cast, clock: Clock, action):
    if step.do == Step.SWEEP:
        services.deviations_escalate_due()
        return None
    actor = cast.staff(*step.by)
    deviation.refresh_from_db()
    if step.do == Step.COMMENT:
        services.deviation_comment(actor=actor, deviation=deviation, text=step.text)
    elif step.do == Step.REFERENCE:
        services.reference_record(actor=actor, deviation=deviation, reference=step.text)
    elif step.do == Step.ACTION:
        return services.action_agree(
            actor=actor,
            deviation=deviation,
            what=step.text,
            owner=cast.users[step.owner],
            due=clock.day(step.day + step.due_in),
        )
    elif step.do == Step.DONE:
        services.action_done(actor=actor, action=DeviationAction.objects.get(pk=action.pk))
    elif step.do == Step.CONCLUDE:
        services.deviation_conclude(
            actor=actor, deviation=deviation, conclusion=step.conclusion, text=step.text
        )
    return None
