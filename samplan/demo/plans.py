"""The demo's SIPs: the named individuals' stories, each showing a part of the process, and the
busy unit's caseload (samplan.demo.caseload).

Every plan is lived through the real services, step by step at its own moment in the past
(samplan.demo.timeline), so its history, versions, approvals and notifications carry the times
they happened. A person who already has a plan is left alone, so loading twice changes nothing.
"""

from samplan.demo.caseload import AVD14, BUSY, FK, HEMTJ, PSYK, SKOLA, SOCPSYK, VC, caseload_stories
from samplan.demo.timeline import Cast, Clock, FollowUp, Story, live
from samplan.people.models import Person
from samplan.plans import services
from samplan.plans.models import Plan

NORRBY_BISTAND = "Biståndshandläggning Norrby"

STORIES = [
    # Established two months ago. His consent keeps his economy and his earlier addiction
    # from Försäkringskassan; he has invited his sister Camilla to see his goals and meetings
    # in Min SIP, and has written to his lead.
    Story(
        "erik", "anna.lind", BUSY, [BUSY, VC, PSYK, SOCPSYK, FK], "active", 60,
        reasons=["several_units", "passed_around"],
        goals=[
            ("long", "Jag vill ha ett eget jobb igen", ""),
            ("short", "Jag vill sova bättre", ""),
            ("short", "Jag vill bli av med mina skulder", "economy"),
        ],
        interventions=[
            (SOCPSYK, "Boendestöd två gånger i veckan", "", ""),
            (PSYK, "Samtalsbehandling varannan vecka", "mental_health", ""),
            (VC, "Läkemedelsgenomgång", "physical_health", "En gång"),
            (FK, "Utreda rätt till sjukersättning", "occupation", ""),
            (BUSY, "Budget- och skuldrådgivning varannan vecka", "economy", ""),
        ],
        preparation={
            "own_words": "Att någon håller ihop allt, så att jag slipper berätta samma sak för alla.",
            "works_well": "Min syster Camilla finns alltid där.",
            "works_badly": "Jag har haft fem olika handläggare på två år.",
            "questions": "Vem ringer jag när något krånglar?",
        },
        self_actions="Erik öppnar sin post tillsammans med Camilla och tar med den till budgetrådgivningen.",
        relatives=["camilla"],
        limits=[(FK, "whole", ["economy", "addiction"])],
        exclusions="Ekonomin ska inte diskuteras med Försäkringskassan. "
        "Tidigare missbruk ska inte tas upp.",
        meeting_hour=9,
        notes=(
            "Erik hälsade alla välkomna och berättade vad som är viktigast för honom just nu.",
            "Vi gick igenom vem som gör vad. Försäkringskassan deltar i det som rör arbete och "
            "sjukersättning, som Erik har samtyckt till.",
        ),
        next_follow_up=20,
        relative_access=[("camilla", ["goals", "meetings"], 40)],
        messages=[
            (5, "comment", "Kan vi flytta nästa möte till en eftermiddag? Jag sover dåligt och "
             "har svårt med morgnar.", None),
        ],
    ),
    # Followed up once; the next follow-up meeting, at home, is booked.
    Story(
        "birgitta", "maria.nilsson", VC, [VC, HEMTJ, BUSY], "follow_up", 90,
        reasons=["inpatient", "order"],
        goals=[
            ("long", "Jag vill bo kvar i mitt hus", "housing"),
            ("short", "Jag vill kunna duscha själv med lite hjälp", "physical_health"),
        ],
        interventions=[
            (HEMTJ, "Hjälp med dusch och inköp", "", "Två gånger i veckan"),
            (VC, "Hembesök av distriktssköterska varje vecka", "physical_health", ""),
            (BUSY, "Trygghetslarm", "housing", ""),
        ],
        preparation={
            "own_words": "Att kunna bo hemma med min man.",
            "meeting_place_wish": "Hemma, jag har svårt att ta mig till vårdcentralen.",
        },
        self_actions="Göran lagar maten och handlar det som hemtjänsten inte hinner.",
        relatives=["goran"],
        place="Hemma hos Birgitta",
        follow_up_place="Hemma hos Birgitta",
        notes=(
            "Mötet hölls i Birgittas kök. Göran var med.",
            "Birgitta vill bo kvar hemma. Hemtjänsten hjälper till med dusch och inköp, och "
            "distriktssköterskan kommer varje vecka.",
        ),
        follow_ups=[
            FollowUp(
                answers=(
                    "Det har gått bra. Birgitta duschar med stöd och har inte ramlat.",
                    "Att distriktssköterskan och hemtjänsten har tät kontakt.",
                    "Ja, alla insatser fortsätter.",
                ),
                summary="Birgitta och Göran är nöjda. Nästa uppföljning om en månad.",
            )
        ],
        last_follow_up=35,
        follow_up_booked=4,
        next_follow_up=3,
    ),
    # The first meeting is booked.
    Story(
        "ahmed", "fatima.hassan", NORRBY_BISTAND, [NORRBY_BISTAND, PSYK, FK], "invited", 10,
        reasons=["requested"], source=Plan.Source.INDIVIDUAL,
        preparation={
            "own_words": "Att jag får hjälp att komma tillbaka till ett vanligt liv efter olyckan.",
            "questions": "Kan Försäkringskassan vara med på mötet?",
        },
        meeting_in=4,
        place="Biståndshandläggning Norrby, mötesrummet",
    ),
    # Consent recorded; the first meeting is not booked yet.
    Story(
        "linnea", "johan.berg", PSYK, [PSYK, SOCPSYK], "consented", 14,
        preparation={"own_words": "Att jag får bo kvar i min lägenhet."},
    ),
    # Initiated at the ward; consent not recorded yet (late by the agreement).
    Story("goran", "karin.ek", AVD14, [AVD14], "initiated", 7, reasons=["inpatient", "emergency"]),
    # Consent refused.
    Story("mohammed", "anna.lind", SOCPSYK, [], "refused", 20, reasons=["requested"]),
    # Revised at a follow-up: version 2 waits for Ulla's answer.
    Story(
        "ulla", "maria.nilsson", VC, [VC, HEMTJ, BUSY], "revision", 120,
        reasons=["order"],
        goals=[("short", "Jag vill kunna gå till affären själv", "")],
        interventions=[
            (HEMTJ, "Promenad med stöd tre gånger i veckan", "", ""),
            (VC, "Fysioterapi", "physical_health", "Varannan vecka"),
        ],
        preparation={"own_words": "Att klara mig själv så länge det går."},
        self_actions="Nils, min bror, skjutsar mig till fysioterapin.",
        place="Vårdcentralen Åsby, konferensrummet",
        follow_ups=[
            FollowUp(
                answers=(
                    "Ulla går längre sträckor och har inte fallit.",
                    "Promenaderna med hemtjänsten.",
                    "Ja, alla insatser fortsätter.",
                ),
            ),
            FollowUp(
                "revise",
                approval="",
                new_goal=("short", "Jag vill kunna ta bussen till stan", ""),
                answers=(
                    "Det har gått bra. Ulla går till affären själv nu.",
                    "Täta kontakter och samma fysioterapeut.",
                    "Ja, med justeringar.",
                ),
                summary="Ulla har nått sitt mål och vill nu kunna ta bussen. Ny version skickas "
                "till Ulla för godkännande.",
            ),
        ],
        last_follow_up=6,
        next_follow_up=30,
    ),
    # Established quickly, then he withdrew his consent, which closed it.
    Story(
        "jonas", "anna.lind", BUSY, [BUSY, PSYK], "closed", 40,
        reasons=["unclear"],
        goals=[("long", "Jag vill få ordning på mitt liv", "")],
        interventions=[
            (BUSY, "Stödsamtal med socialsekreterare", "", "Varannan vecka"),
            (PSYK, "Bedömning hos psykiatriker", "mental_health", ""),
        ],
        closed=(3, Plan.ClosingReason.CONSENT_WITHDRAWN, "Vill inte längre ha en SIP."),
    ),
    # A child: his guardians consented, and his own view is heard at each meeting.
    Story(
        "elias", "peter.lund", SKOLA, [SKOLA, PSYK, BUSY], "active", 45,
        goals=[
            ("long", "Jag vill gå i skolan varje dag", "occupation"),
            ("short", "Jag vill ha en kompis på rasten", ""),
        ],
        interventions=[
            (SKOLA, "Samtal med skolkurator varje vecka", "", ""),
            (PSYK, "Utredning av koncentrationssvårigheter", "mental_health", ""),
            (BUSY, "Kontaktfamilj en helg i månaden", "family", ""),
        ],
        preparation={"own_words": "Att skolan och vården pratar med varandra."},
        child_view="Elias vill att mamma är med på mötena.",
        place="Åsby skola, elevhälsans rum",
        next_follow_up=20,
    ),
    # Followed up twice and closed at the second: coordination works without a plan. Leif,
    # his god man, took part.
    Story(
        "kent", "fatima.hassan", NORRBY_BISTAND, [NORRBY_BISTAND, VC], "closed", 200,
        reasons=["order"],
        goals=[("long", "Jag vill klara min ekonomi", "economy")],
        interventions=[
            (NORRBY_BISTAND, "Budget- och skuldrådgivning", "economy", "Varannan vecka"),
            (VC, "Diabeteskontroller", "physical_health", "Var tredje månad"),
        ],
        relatives=["leif"],
        follow_ups=[
            FollowUp(
                answers=(
                    "Kent har betalat sina räkningar i tid.",
                    "Att Leif och budgetrådgivaren hjälps åt.",
                    "Ja, alla insatser fortsätter.",
                ),
            ),
            FollowUp(
                "close",
                approval="",
                closing_reason=Plan.ClosingReason.WORKS,
                answers=(
                    "Ekonomin är i ordning och diabetesen är välskött.",
                    "Budgetrådgivningen.",
                    "Nej, kontakterna fungerar utan en samordnad plan.",
                ),
            ),
        ],
        last_follow_up=25,
    ),
    # Interpreter in Polish; Marta, her ombud, answered the new version in Min SIP. The next
    # follow-up is overdue.
    Story(
        "aleksandra", "fatima.hassan", NORRBY_BISTAND, [NORRBY_BISTAND, PSYK], "active", 100,
        reasons=["passed_around"],
        goals=[
            ("long", "Jag vill lära mig svenska och få ett arbete", "occupation"),
            ("short", "Jag vill kunna sova utan mardrömmar", "mental_health"),
        ],
        interventions=[
            (NORRBY_BISTAND, "Stöd i kontakt med myndigheter", "", "Varannan vecka"),
            (PSYK, "Traumabehandling med tolk", "mental_health", "Varje vecka"),
        ],
        preparation={
            "own_words": "Att få hjälp på polska när det är svårt.",
            "interpreter_language": "polska",
            "meeting_place_wish": "Gärna på förmiddagen, med tolken på plats.",
        },
        relatives=["marta"],
        meeting_hour=10,
        place="Biståndshandläggning Norrby, mötesrummet",
        notes=(
            "Tolk på polska deltog på plats. Aleksandra berättade själv om sin situation.",
            "Alla möten bokas med tolk på plats. Marta Kowalska, Aleksandras ombud, får "
            "kallelserna.",
        ),
        follow_ups=[
            FollowUp(
                "revise",
                approval="min_sip",
                approver="marta",
                new_goal=("short", "Jag vill börja på SFI", "occupation"),
                answers=(
                    "Aleksandra sover bättre sedan behandlingen började.",
                    "Tolken, som är densamma varje gång.",
                    "Ja, och SFI läggs till.",
                ),
                summary="Med tolk. Aleksandra vill börja på SFI; den nya versionen skickas till "
                "henne och Marta i Min SIP.",
            )
        ],
        last_follow_up=40,
        next_follow_up=-4,
    ),
    # Protected identity: the unit manager lets the primary care centre see her contact details.
    Story(
        "sofia", "anna.lind", BUSY, [BUSY, VC], "active", 60,
        goals=[("long", "Jag vill känna mig trygg hemma", "housing")],
        interventions=[
            (BUSY, "Stödsamtal varje vecka", "", ""),
            (VC, "Regelbundna läkarbesök", "physical_health", ""),
        ],
        preparation={"own_words": "Att ingen får veta var jag bor."},
        place="Biståndshandläggning Åsby, samtalsrummet",
        next_follow_up=25,
        grant=(VC, "Hembesök av distriktssköterskan"),
    ),
]  # fmt: skip


def load_demo_plans(people: dict[str, Person], clock: Clock, *, caseload: bool = True) -> int:
    """Live the stories whose individual has no plan yet (the busy unit's caseload too, unless
    `caseload` is False); returns how many were made."""
    cast = Cast(people)
    plans = Plan.objects.filter(person__in=people.values())
    have_plans = set(plans.values_list("person_id", flat=True))
    made = 0
    for story in [*STORIES, *(caseload_stories() if caseload else [])]:
        if people[story.person].pk in have_plans:
            continue
        live(story, cast, clock)
        made += 1
    # Plans loaded before the local agreement was configured get their deadlines by it.
    services.deadlines_refresh(plans)
    return made
