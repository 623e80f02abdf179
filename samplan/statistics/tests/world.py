"""A hand-made world whose figures are counted by hand in the tests.

Alice at the municipality's needs assessment starts nine SIPs, each step on its own day (the
clock is moved with time_machine), Bob's primary care and Frida's office take part. The
municipality's local agreement (made 1 December 2025) gives 5 days to consent and 15 from
consent to the first meeting; from 1 February 2026 it gives 3 and 10.

| plan | born, sex | initiated | consent | 1st meeting | established | follow-up due / held | closed |
| P9 | 1960 w | 2025-12-15 | 12-17 | 2026-01-08 (ind.) | 01-08 | 02-08 / 02-05, 02-20 / 02-25, 03-15 / – | |
| P1 | 1990 w | 2026-01-05 | 01-07 | 01-15 (ind., rel.) | 01-15 | 02-15 / 02-20 | 03-10 not needed, goal achieved |
| P2 | 1990 w | 01-12 | 01-14 | 01-30 (ind.) | 02-02 | 03-02 / 03-02 | |
| P3 | 1985 w | 01-20 | 01-28 | 02-10 | 02-10 | 03-10 / – | |
| P4 | 1980 w | 02-03 | 02-04 | 02-10 (ind., rel.) | 02-12 | 03-12 / 03-11 | |
| P5 | 1975 w | 02-10 | 02-11 | 02-25 (ind.) | 02-25 | 04-25 | |
| P6 | 1992 w | 02-20 | 02-23 | 03-03 (ind.) | 03-03 | 04-03 | 03-20 works, goal not achieved |
| P7 | 1950 m | 03-02 | 03-05 | – | | | |
| P8 | 1988 m | 03-10 | – | | | | |

Reasons: several units for all; P7 also after an inpatient stay; P8 only "passed around".

Each follow-up held sets the next one 120 days on, except P9's: its first (on time) sets
20 February, its second (held late, on 25 February) sets 15 March, and that one is never held.
"""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from samplan.deviations.models import Deviation
from samplan.people.models import Relation
from samplan.plans import services
from samplan.plans.models import Goal, LocalAgreement, Plan
from samplan.testing.cast import Sip, begin, fresh, make_person, soon

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = datetime.date(2026, 4, 15)


def noon(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day} 12:00").replace(tzinfo=STOCKHOLM)


def on(day: str):
    return time_machine.travel(noon(day), tick=False)


# name: born, serial (its last digit: odd for men, even for women), dates, extras
PLANS = {
    "P9": ("19600101", "242", {"initiated": "2025-12-15", "consent": "2025-12-17",
           "meeting": "2026-01-08", "established": "2026-01-08", "follow_up_due": "2026-02-08",
           "follow_up": "2026-02-05", "next_due": "2026-02-20",
           "more_follow_ups": [("2026-02-25", "2026-03-15")]}),
    "P1": ("19900101", "242", {"initiated": "2026-01-05", "consent": "2026-01-07",
           "meeting": "2026-01-15", "established": "2026-01-15", "follow_up_due": "2026-02-15",
           "follow_up": "2026-02-20", "relative": True, "achieved": True,
           "closed": ("2026-03-10", "not_needed")}),
    "P2": ("19900202", "262", {"initiated": "2026-01-12", "consent": "2026-01-14",
           "meeting": "2026-01-30", "established": "2026-02-02", "follow_up_due": "2026-03-02",
           "follow_up": "2026-03-02"}),
    "P3": ("19850101", "282", {"initiated": "2026-01-20", "consent": "2026-01-28",
           "meeting": "2026-02-10", "established": "2026-02-10", "follow_up_due": "2026-03-10",
           "absent": True}),
    "P4": ("19800101", "202", {"initiated": "2026-02-03", "consent": "2026-02-04",
           "meeting": "2026-02-10", "established": "2026-02-12", "follow_up_due": "2026-03-12",
           "follow_up": "2026-03-11", "relative": True}),
    "P5": ("19750101", "222", {"initiated": "2026-02-10", "consent": "2026-02-11",
           "meeting": "2026-02-25", "established": "2026-02-25", "follow_up_due": "2026-04-25"}),
    "P6": ("19920101", "242", {"initiated": "2026-02-20", "consent": "2026-02-23",
           "meeting": "2026-03-03", "established": "2026-03-03", "follow_up_due": "2026-04-03",
           "closed": ("2026-03-20", "works")}),
    "P7": ("19500101", "213", {"initiated": "2026-03-02", "consent": "2026-03-05",
           "reasons": ["several_units", "inpatient"]}),
    "P8": ("19880101", "233", {"initiated": "2026-03-10", "reasons": ["passed_around"]}),
}  # fmt: skip


def build(sip: Sip, relative) -> dict[str, Plan]:
    with on("2025-12-01"):
        agreement = LocalAgreement.objects.create(
            organization=sip.municipality, consent_within_days=5, first_meeting_within_days=15
        )
    built = {}
    changed = False
    for name, (born, serial, steps) in sorted(PLANS.items(), key=lambda p: p[1][2]["initiated"]):
        if not changed and steps["initiated"] >= "2026-02-01":
            with on("2026-02-01"):
                agreement.consent_within_days, agreement.first_meeting_within_days = 3, 10
                agreement.save()
            changed = True
        person = make_person(born, serial, name, "Statistiksson")
        built[name] = walk(sip, person, relative, steps)
    return built


def walk(sip: Sip, person, relative, steps: dict) -> Plan:
    if steps.get("relative"):
        Relation.objects.create(person=person, related=relative, kind="relative", description="")
    with on(steps["initiated"]):
        plan = sip.initiate(person, reasons=steps.get("reasons", ["several_units"]))
    if "consent" not in steps:
        return plan
    with on(steps["consent"]):
        relatives = [relative] if steps.get("relative") else []
        sip.consent(plan, relatives=relatives)
    if "meeting" not in steps:
        return plan
    with on(steps["consent"]):
        people = [(person, "oral")] + [(r, "oral") for r in relatives]
        meeting = sip.invite(plan, invited_people=people, starts_at=soon())
    with on(steps["meeting"]):
        begin(meeting)
        present = [
            i.pk
            for i in meeting.invitees.all()
            if i.person_id and not (i.person_id == person.pk and steps.get("absent"))
        ]
        services.meeting_held(**sip.as_alice, meeting=meeting, attended=present)
    with on(steps["established"]):
        sip.fill(plan)
        sip.update(plan, next_follow_up=datetime.date.fromisoformat(steps["follow_up_due"]))
        sip.establish(plan, hold_meeting=False)
    if "follow_up" in steps:
        held = [(steps["follow_up"], steps.get("next_due"))] + steps.get("more_follow_ups", [])
        for day, next_due in held:
            with on(day):
                if next_due:
                    sip.follow_up(plan, next_follow_up=datetime.date.fromisoformat(next_due))
                else:
                    sip.follow_up(plan)
    if "closed" in steps:
        day, reason = steps["closed"]
        with on(day):
            if steps.get("achieved"):
                goal = Goal.objects.get(plan=plan)
                services.goal_save(
                    **sip.as_alice,
                    plan=fresh(plan),
                    goal=goal,
                    expected_version=goal.lock_version,
                    term=goal.term,
                    text=goal.text,
                    status=Goal.Status.ACHIEVED,
                )
            services.plan_close(**sip.as_alice, plan=fresh(plan), reason=reason)
    return fresh(plan)


def failures(sip: Sip, mona) -> None:
    """Seven reports concerning needs assessment in February 2026 (five deadlines missed, two
    principals absent) and one between the region's units only."""
    kinds = [Deviation.Kind.DEADLINE_MISSED] * 5 + [Deviation.Kind.PRINCIPAL_ABSENT] * 2
    for kind in kinds:
        _failure(sip, mona, kind, [sip.needs_assessment, sip.primary_care])
    _failure(sip, mona, Deviation.Kind.OTHER, [sip.primary_care])


def _failure(sip: Sip, mona, kind, units) -> None:
    deviation = Deviation.objects.create(
        kind=kind,
        what_happened="Något hände",
        happened_on=datetime.date(2026, 2, 10),
        consequence="Ingen",
        reporter=mona,
        reporting_unit=units[0],
        agreement_organization=units[0].organization,
    )
    deviation.units.set(units)
    Deviation.objects.filter(pk=deviation.pk).update(
        reported_at=timezone.make_aware(datetime.datetime(2026, 2, 12, 12))
    )
