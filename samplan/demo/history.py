"""Two years of SIPs behind the demo's stories: enough plans for the statistics to show trends.

About four hundred SIPs over the 24 months before the day the world is loaded, each for a
generated individual (test identity numbers in the 980-999 series, like the rest of the demo),
between a municipality's units and the region's, from the initiative to where it stands today:
consent (now and then refused), the first meeting, the plan established, follow-ups, and for
most of the older ones the closing. The rows are written directly (as the scale generator
does, samplan.demo.scale.writer), not through the services: the whole history takes a second
or two instead of minutes. Everything comes from one seeded `random.Random`, so the history is
the same at every load (counted from the day it is loaded), and the first plan's id marks it as
loaded: a second load adds nothing.

The named individuals' stories (samplan.demo.plans) are untouched: the history has its own
people, and its plans still open are few and recent.
"""

import datetime
import json
import random
import uuid
from types import SimpleNamespace

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.demo.scale import texts as tx
from samplan.demo.scale.writer import Writer, columns_of, max_id, sequences_reset
from samplan.demo.timeline import Clock
from samplan.notifications.models import MeetingCalendar
from samplan.people import identity
from samplan.people.models import Person, Relation
from samplan.plans import rules
from samplan.plans.models import (
    ClosingNotice,
    Consent,
    FollowUp,
    Goal,
    Invitee,
    Meeting,
    Participant,
    Plan,
    PlanEvent,
    PlanVersion,
)

SEED = 20_260_101
PLANS = 400
DAYS = 730  # the history's first initiative, days before the day it is loaded

S = Plan.State
EK = PlanEvent.Kind
CR = Plan.ClosingReason

# The municipalities whose units take part, and how often a SIP is theirs.
MUNICIPALITIES = (("Åsby", 0.62), ("Norrby", 0.38))
REGION_UNITS = {
    "vc": "Vårdcentralen Åsby",
    "psych": "Psykiatriska kliniken Mälarsjukhuset",
    "ward": "Avdelning 14 medicin, Mälarsjukhuset",
}
FK_UNIT = "Försäkringskassan, lokalt försäkringscenter Åsby"
# profile: (share, ages, the municipality's units (name without the place; the share of SIPs
# each takes part in), the region's units, reasons)
PROFILES = {
    "elderly": (0.30, (66, 96), {"Biståndshandläggning": 1.0, "Hemtjänst": 0.9}, ("ward", "vc"),
                ("inpatient", "several_units", "emergency", "order")),
    "psychiatry": (0.22, (19, 63), {"Socialpsykiatri": 1.0, "Biståndshandläggning": 0.55},
                   ("psych",), ("several_units", "passed_around", "emergency", "unclear")),
    "addiction": (0.14, (22, 61), {"Biståndshandläggning": 1.0, "Socialpsykiatri": 0.5},
                  ("vc", "psych"), ("several_units", "emergency", "order", "passed_around")),
    "disability": (0.14, (18, 64), {"Biståndshandläggning": 1.0, "Hemtjänst": 0.4}, ("vc",),
                   ("several_units", "order", "requested")),
    "child": (0.20, (5, 17), {"Elevhälsan": 1.0, "Biståndshandläggning": 0.5}, ("vc", "psych"),
              ("several_units", "unclear", "requested", "order")),
}  # fmt: skip
CLOSING_REASONS = (
    (CR.WORKS, 0.34),
    (CR.NOT_NEEDED, 0.22),
    (CR.MOVED, 0.09),
    (CR.INDIVIDUAL_ENDED, 0.1),
    (CR.CONSENT_WITHDRAWN, 0.08),
    (CR.DECEASED, 0.07),
    (CR.OTHER, 0.1),
)


def load_demo_history(clock: Clock | None = None, *, plans: int = PLANS, seed: int = SEED) -> int:
    """Write the generated history (once: 0 when it is already there). Returns how many SIPs
    were added."""
    history = History(clock or Clock(), seed)
    if Plan.objects.filter(pk=history.marker).exists():
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        history.generate(plans)
    history.write()
    return plans


def _choose(rng: random.Random, weighted) -> str:
    roll, total = rng.random() * sum(w for _v, w in weighted), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


class _Many(list):
    """A list that answers `.all()` like a related manager (for rules.deadline_columns)."""

    def all(self):
        return self


class History:
    """The generated SIPs: rows gathered per model, then written in one go."""

    def __init__(self, clock: Clock, seed: int):
        self.clock = clock
        self.rng = random.Random(seed)  # noqa: S311 (a demo, not a secret)
        self.id_rng = random.Random(seed + 1)  # noqa: S311
        self.marker = self.uuid()  # the first plan's id
        self.rows: dict = {}
        self.ids: dict = {}
        self.plans_made = 0

    # -- helpers --

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.id_rng.getrandbits(128), version=4)

    def next_id(self, model) -> int:
        if model not in self.ids:
            self.ids[model] = max_id(model)
        self.ids[model] += 1
        return self.ids[model]

    def add(self, model, **values) -> dict:
        if "id" not in values and model._meta.pk.get_internal_type() == "BigAutoField":
            values["id"] = self.next_id(model)
        self.rows.setdefault(model, []).append(values)
        return values

    def r(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def at(self, day: int, earliest: int = 8, latest: int = 16) -> datetime.datetime:
        """A moment on a working day `day` days from today: a weekend moves to the Friday
        before, or in the future to the Monday after."""
        weekend = max(0, self.clock.day(day).weekday() - 4)
        day = day + (3 - weekend) if day > 0 and weekend else day - weekend
        return self.clock.moment(day, self.r(earliest, latest), self.r(0, 11) * 5)

    def day_of(self, moment: datetime.datetime) -> int:
        return (moment.astimezone(self.clock.now.tzinfo).date() - self.clock.today).days

    # -- the demo's units and staff --

    def _prepare(self) -> None:
        units = Unit.objects.select_related("organization__local_agreement")
        self.units = {u.name: u for u in units}
        self.staff: dict[int, list[User]] = {}
        members = Membership.objects.filter(
            is_active=True, role__in=[Membership.Role.CASEWORKER, Membership.Role.UNIT_MANAGER]
        ).select_related("user")
        for m in members.order_by("unit_id", "user__username"):
            self.staff.setdefault(m.unit_id, []).append(m.user)
        existing = Person.objects.exclude(identity_kind=Person.IdentityKind.RESERVNUMMER)
        self.used_numbers = set(existing.values_list("identity_number", flat=True))
        # The stories' people are found by their given names: the history uses others.
        stories = Person.objects.exclude(pk__in=history_people().values("pk"))
        taken = set(stories.values_list("given_name", flat=True))
        self.names = {
            (sex, generation): [n for n in names[generation] if n not in taken]
            for sex, names in (("male", tx.MALE), ("female", tx.FEMALE))
            for generation in names
        }
        self.organizations = {o.pk: o for o in Organization.objects.all()}

    def person(self, *, age_days: int, male: bool, city: str, family: str | None = None):
        """A generated individual with a free test personnummer."""
        rng = self.rng
        birth = self.clock.today - datetime.timedelta(days=age_days)
        generation = "old" if birth.year < 1960 else "mid" if birth.year < 1990 else "young"
        given = rng.choice(self.names["male" if male else "female", generation])
        family = family or rng.choice(tx.FAMILY)
        for step in range(400):
            day = birth + datetime.timedelta(days=step)
            for serial in range(980 + (1 if male else 0), 1000, 2):
                number = identity.identity_number_with_check_digit(f"{day:%Y%m%d}{serial}")
                if number in self.used_numbers:
                    continue
                self.used_numbers.add(number)
                parsed = identity.parse_identity_number(number)
                registered = self.clock.moment(-DAYS - 30, 8)
                return self.add(
                    Person,
                    id=self.uuid(),
                    identity_kind=parsed.kind,
                    identity_number=parsed.value,
                    birth_date=parsed.birth_date,
                    given_name=given,
                    family_name=family,
                    email="",
                    phone=f"07{self.r(0, 9)}-{self.r(100, 999)} {self.r(10, 99)} {self.r(10, 99)}",
                    street_address=f"{rng.choice(tx.STREETS)} {self.r(1, 60)}",
                    postal_code="721 30" if city == "Åsby" else "733 40",
                    city=city,
                    protected_identity=False,
                    listed_primary_care_id=None,
                    created_at=registered,
                    updated_at=registered,
                )
        raise RuntimeError("demo history: no free test identity number")

    def relation(self, person, related, kind, description, at) -> None:
        self.add(
            Relation,
            person_id=person["id"],
            related_id=related["id"],
            kind=kind,
            description=description,
            basis=Relation.Basis.POPULATION_REGISTER if kind == Relation.Kind.GUARDIAN else "",
            scope="",
            min_sip="none",
            valid_until=None,
            created_at=at,
            created_by_id=None,
            created_unit_id=None,
        )

    # -- the history --

    def initiative_day(self) -> int:
        """More SIPs each month (the way of working spreads), fewer in July."""
        while True:
            t = self.rng.random()
            if self.rng.random() > 0.45 + 0.55 * t:
                continue
            day = -DAYS + int(t * (DAYS - 3))
            if self.clock.day(day).month == 7 and self.rng.random() < 0.5:
                continue
            return day

    def generate(self, count: int) -> None:
        self._prepare()
        self.texts = {
            "initiated": _("SIP initiated"),
            "refused": _("Consent refused"),
            "consent": _("Consent recorded (version %(n)s)"),
            "scheduled": _("%(kind)s scheduled for %(when)s"),
            "held": _("%(kind)s held"),
            "details": _("Plan details changed"),
            "established": _("Plan established as version %(n)s, approved by the individual"),
            "followed_up": _("Follow-up recorded: %(decision)s"),
            "withdrawn": _("Consent withdrawn"),
            "closed": _("SIP closed: %(reason)s"),
            "cancelled": _("%(kind)s cancelled"),
        }
        days = sorted(self.initiative_day() for _ in range(count))
        for index, day in enumerate(days):
            self.plan(index, day)

    def plan(self, index: int, init_day: int) -> None:
        rng = self.rng
        plan_id = self.marker if index == 0 else self.uuid()
        profile = _choose(rng, [(p, v[0]) for p, v in PROFILES.items()])
        _share, ages, municipal, regional, reasons = PROFILES[profile]
        place = _choose(rng, MUNICIPALITIES)
        age = self.r(*ages)
        male = rng.random() < (0.5 if profile != "elderly" else 0.4)
        initiated_at = self.at(init_day)
        # `age`: at the initiative
        person = self.person(age_days=age * 365 + self.r(0, 364) - init_day, male=male, city=place)
        guardians, relative = [], None
        if age < 18:
            for description in rng.sample(["mamma", "pappa"], 1 + (rng.random() < 0.6)):
                guardian = self.person(
                    age_days=self.r(age + 20, age + 42) * 365 - init_day,
                    male=description == "pappa",
                    city=place,
                    family=person["family_name"],
                )
                guardians.append(guardian)
                self.relation(person, guardian, Relation.Kind.GUARDIAN, description, initiated_at)
        elif rng.random() < 0.4:
            words = tx.RELATIVE_WORDS["old" if age >= 65 else "mid"]
            relative = self.person(age_days=self.r(25, 80) * 365, male=rng.random() < 0.5,
                                   city=place)  # fmt: skip
            self.relation(person, relative, Relation.Kind.RELATIVE, rng.choice(words), initiated_at)
        # The units: the municipality's and the region's (now and then Försäkringskassan).
        units = [
            self.units[f"{name} {place}"]
            for name, share in municipal.items()
            if share >= 1 or rng.random() < share
        ]
        units.append(self.units[REGION_UNITS[rng.choice(regional)]])
        if profile in {"psychiatry", "disability"} and rng.random() < 0.15:
            units.append(self.units[FK_UNIT])
        starters = [u for u in units if self.staff.get(u.pk) and u.name != FK_UNIT]
        initiator = rng.choice(starters)
        if profile == "elderly" and rng.random() < 0.5:
            initiator = next((u for u in units if "Avdelning" in u.name), initiator)
        by = rng.choice(self.staff[initiator.pk])
        plan = SimpleNamespace(
            id=plan_id, person=person, units=units, initiator=initiator, by=by, events=[],
            guardians=guardians, relative=relative, meetings=[], goals=[], version=None,
            consents=[], participants={}, profile=profile, age=age, relatives=[],
            own_words=rng.choice(tx.OWN_WORDS[profile]), self_actions=rng.choice(tx.SELF_ACTIONS),
        )  # fmt: skip
        chosen_reasons = rng.sample(reasons, 1 + (rng.random() < 0.4))
        source = _choose(rng, [("staff", 0.85), ("individual", 0.07), ("relative", 0.05),
                               ("other_actor", 0.03)])  # fmt: skip
        self.event(plan, initiated_at, EK.INITIATED, self.texts["initiated"],
                   after={"reasons": chosen_reasons, "source": source})  # fmt: skip
        self.participant(plan, initiator, initiated_at, contact=by)
        state, closed_at, closing_reason = self.timeline(plan, init_day, initiated_at)
        self.write_plan(plan, state, initiated_at, chosen_reasons, source, closed_at,
                        closing_reason)  # fmt: skip

    def participant(self, plan, unit, at, contact=None) -> None:
        if unit.pk in plan.participants:
            return
        staff = self.staff.get(unit.pk, [])
        if contact is None and staff and self.rng.random() < 0.75:
            contact = self.rng.choice(staff)
        plan.participants[unit.pk] = self.add(
            Participant,
            plan_id=plan.id,
            unit_id=unit.pk,
            access=Participant.Access.READ if unit.name == FK_UNIT else Participant.Access.EDIT,
            contact_person_id=contact.pk if contact else None,
            is_active=True,
            added_at=at,
        )

    def event(self, plan, at, kind, summary, *, before=None, after=None) -> None:
        plan.events.append((at, kind, summary[:300], before or {}, after or {}))

    def consent(self, plan, number, decision, at, *, units=(), relatives=()) -> dict:
        guardians = plan.guardians if plan.age < 18 else []
        consent = self.add(
            Consent,
            plan_id=plan.id,
            number=number,
            decision=decision,
            decided_on=self.clock.day(self.day_of(at)),
            mode=self.rng.choice([Consent.Mode.WRITTEN, Consent.Mode.ORAL, Consent.Mode.ORAL]),
            given_by=Consent.GivenBy.GUARDIANS if guardians else Consent.GivenBy.INDIVIDUAL,
            child_view=self.rng.choice(tx.CHILD_VIEWS) if guardians else "",
            exclusions="",
            valid_until=None,
            recorded_by_id=plan.by.pk,
            recorded_unit_id=plan.initiator.pk,
            recorded_by_citizen_id=None,
            recorded_at=at,
        )
        for unit in units:
            self.add(Consent.units.through, consent_id=consent["id"], unit_id=unit.pk)
        for guardian in guardians:
            self.add(Consent.guardians.through, consent_id=consent["id"], person_id=guardian["id"])
        for relative in relatives:
            self.add(Consent.relatives.through, consent_id=consent["id"], person_id=relative["id"])
        plan.consents.append(consent)
        return consent

    def timeline(self, plan, init_day: int, initiated_at) -> tuple:
        """The steps after the initiative, up to today. Returns (state, closed_at, reason)."""
        rng, r = self.rng, self.r
        # Later SIPs move faster: the deadlines are kept more often as the work settles.
        progress = (init_day + DAYS) / DAYS
        late = rng.random() < 0.4 - 0.28 * progress
        consent_day = init_day + (r(4, 12) if late else r(0, 3))
        if consent_day >= 0:
            return S.INITIATED, None, ""
        consent_at = max(self.at(consent_day), initiated_at + datetime.timedelta(minutes=20))
        if rng.random() < 0.07:
            self.consent(plan, 1, Consent.Decision.REFUSED, consent_at)
            self.event(plan, consent_at, EK.CONSENT_REFUSED, self.texts["refused"],
                       after={"state": [S.INITIATED, S.CONSENT_REFUSED]})  # fmt: skip
            return S.CONSENT_REFUSED, None, ""
        plan.relatives = [plan.relative] if plan.relative and rng.random() < 0.8 else []
        self.consent(plan, 1, Consent.Decision.GIVEN, consent_at, units=plan.units,
                     relatives=plan.relatives)  # fmt: skip
        for unit in plan.units:
            self.participant(plan, unit, consent_at)
        self.event(
            plan, consent_at, EK.CONSENT_GIVEN, self.texts["consent"] % {"n": 1},
            before={"consent": None},
            after={"consent": 1, "added": [u.name for u in plan.units if u != plan.initiator],
                   "removed": [], "state": [S.INITIATED, S.CONSENTED]},
        )  # fmt: skip
        late = rng.random() < 0.45 - 0.3 * progress
        meeting_day = consent_day + (r(15, 35) if late else r(5, 14))
        meeting_day = 1 if meeting_day == 0 else meeting_day
        booked_day = min(consent_day + r(0, 2), -1)
        if booked_day >= meeting_day or (meeting_day > 0 and consent_day > -3):
            return S.CONSENTED, None, ""
        booked_at = max(self.at(booked_day), consent_at + datetime.timedelta(minutes=15))
        early_end = rng.random() < 0.05 and meeting_day < -30
        status = Meeting.Status.HELD if meeting_day < 0 else Meeting.Status.SCHEDULED
        if early_end:
            status = Meeting.Status.CANCELLED
        first = self.meeting(plan, Meeting.Kind.FIRST, meeting_day, status, booked_at)
        if early_end:
            end_at = self.at(meeting_day - r(1, 3))
            end_at = max(end_at, booked_at + datetime.timedelta(hours=1))
            return S.CLOSED, *self.close(plan, end_at, rng.choice([CR.MOVED, CR.CONSENT_WITHDRAWN,
                                                                  CR.INDIVIDUAL_ENDED]), S.INVITED)  # fmt: skip
        if status == Meeting.Status.SCHEDULED:
            return S.INVITED, None, ""
        # Established at the first meeting, or approved by phone a few days later.
        period = rng.choice([60, 90, 90, 120, 180])
        plan.lead = plan.by if rng.random() < 0.75 else self.lead_elsewhere(plan)
        if rng.random() < 0.82:
            established_at = first["starts_at"] + datetime.timedelta(hours=2)
            method = rng.choice(
                [PlanVersion.Method.MEETING_ORAL, PlanVersion.Method.MEETING_WRITTEN]
            )
        else:
            established_at = self.at(min(meeting_day + r(2, 12), -1))
            established_at = max(established_at, first["starts_at"] + datetime.timedelta(hours=3))
            method = PlanVersion.Method.PHONE
        established_day = self.day_of(established_at)
        plan.next_follow_up = established_day + period
        self.goals(plan)
        self.event(
            plan, established_at - datetime.timedelta(minutes=20), EK.PLAN_UPDATED,
            self.texts["details"], before={"lead": None, "next_follow_up": None},
            after={"lead": str(plan.lead),
                   "next_follow_up": self.clock.day(plan.next_follow_up).isoformat()},
        )  # fmt: skip
        plan.version = (established_at, method, self.snapshot(plan))
        self.event(plan, established_at, EK.ESTABLISHED, self.texts["established"] % {"n": 1},
                   after={"version": 1, "approval_method": method,
                          "state": [S.INVITED, S.ACTIVE]})  # fmt: skip
        # How long the SIP is needed, from its establishment.
        lasting = 40 + int(rng.expovariate(1 / 120))
        end_day = established_day + lasting
        reason = _choose(rng, CLOSING_REASONS)
        if reason == CR.DECEASED and plan.age < 75:
            reason = CR.NOT_NEEDED
        last_at = established_at
        while True:
            due = plan.next_follow_up
            held_day = due + (r(3, 25) if rng.random() < 0.3 - 0.2 * progress else -r(0, 5))
            held_day = max(held_day, established_day + 14)
            if held_day >= -1 or held_day > end_day + 20:
                break
            booked = max(self.at(max(held_day - r(14, 30), established_day + 1)),
                         last_at + datetime.timedelta(minutes=30))  # fmt: skip
            meeting = self.meeting(plan, Meeting.Kind.FOLLOW_UP, held_day, Meeting.Status.HELD,
                                   booked)  # fmt: skip
            at = meeting["starts_at"] + datetime.timedelta(hours=1, minutes=45)
            last_at = at
            closing = held_day >= end_day and reason in {CR.WORKS, CR.NOT_NEEDED}
            decision = FollowUp.Decision.CLOSE if closing else FollowUp.Decision.CONTINUE
            self.follow_up(plan, meeting, at, decision, closing)
            if closing:
                return S.CLOSED, *self.close(plan, at + datetime.timedelta(minutes=10), reason,
                                             S.FOLLOW_UP)  # fmt: skip
            plan.next_follow_up = held_day + rng.choice([60, 90, 90, 120, 180])
            if held_day >= end_day:
                break
        if end_day < -1:
            close_at = max(self.at(min(max(end_day, self.day_of(last_at) + 1), -1)),
                           last_at + datetime.timedelta(minutes=30))  # fmt: skip
            for goal in plan.goals:
                if goal["status"] == Goal.Status.OPEN:
                    goal["status"] = self.goal_outcome(reason)
            return S.CLOSED, *self.close(plan, close_at, reason, S.ACTIVE)
        # Still going: the next follow-up is booked when it is near.
        if plan.next_follow_up <= 0:
            plan.next_follow_up = r(3, 40)
        if plan.next_follow_up <= 21:
            booked = max(self.at(-r(1, 10)), last_at + datetime.timedelta(minutes=30))
            self.meeting(plan, Meeting.Kind.FOLLOW_UP, plan.next_follow_up,
                         Meeting.Status.SCHEDULED, booked)  # fmt: skip
            return S.FOLLOW_UP, None, ""
        return S.ACTIVE, None, ""

    def lead_elsewhere(self, plan) -> User:
        others = [u for u in plan.units if u.name != FK_UNIT and self.staff.get(u.pk)]
        return self.rng.choice(self.staff[self.rng.choice(others).pk])

    def meeting(self, plan, kind, day, status, booked_at) -> dict:
        rng = self.rng
        starts = self.at(day, 9, 15)
        if starts <= booked_at + datetime.timedelta(hours=20):
            starts = booked_at + datetime.timedelta(days=1)
            starts = starts.replace(hour=10, minute=0)
        held = status == Meeting.Status.HELD
        video = rng.random() < 0.2
        meeting = self.add(
            Meeting,
            plan_id=plan.id,
            kind=kind,
            status=status,
            starts_at=starts,
            place="" if video else f"{plan.initiator.name}, samtalsrum {self.r(1, 6)}",
            video_link=f"https://video.demo.samplan.invalid/sip/{rng.getrandbits(40):010x}"
            if video
            else "",
            chair_id=plan.by.pk,
            chair_name="",
            chair_chosen_by_individual=False,
            interpreter="",
            recorder_id=plan.by.pk,
            invited_by_id=plan.by.pk,
            opening_notes="Presentation, samtycke och syfte gicks igenom." if held else "",
            summary_notes="Insatserna och ansvaret fördelades." if held else "",
            child_view="",
            lock_version=2 if held else 1,
            created_at=booked_at,
        )
        if status == Meeting.Status.SCHEDULED:
            # The invitations went out with their calendar files when it was booked.
            self.add(MeetingCalendar, meeting_id=meeting["id"], sequence=0, method="REQUEST",
                     updated_at=booked_at)  # fmt: skip
        attended = 0
        for unit in plan.units:
            response = (
                Invitee.Response.ACCEPTED if rng.random() < 0.9 else Invitee.Response.DECLINED
            )
            if status == Meeting.Status.SCHEDULED and rng.random() < 0.1:
                response = Invitee.Response.PENDING
            present = held and response == Invitee.Response.ACCEPTED and rng.random() < 0.95
            attended += present
            self.add(
                Invitee,
                meeting_id=meeting["id"],
                unit_id=unit.pk,
                person_id=None,
                mode=rng.choice([Invitee.Mode.DIGITAL, Invitee.Mode.WRITTEN]),
                response=response,
                decline_reason=rng.choice(tx.DECLINE_REASONS)
                if response == Invitee.Response.DECLINED
                else "",
                attended=present if held else None,
            )
        people = [
            (plan.person, 0.86 if plan.age < 85 else 0.6),
            *[(g, 0.8) for g in plan.guardians],
        ]
        if plan.relatives and rng.random() < 0.6:
            people.append((plan.relatives[0], 0.7))
        for person, chance in people:
            present = held and rng.random() < chance
            attended += present
            self.add(
                Invitee,
                meeting_id=meeting["id"],
                unit_id=None,
                person_id=person["id"],
                mode=Invitee.Mode.WRITTEN,
                response=Invitee.Response.ACCEPTED if held else Invitee.Response.PENDING,
                decline_reason="",
                attended=present if held else None,
            )
        label = str(Meeting.Kind(kind).label)
        after = {"meeting": meeting["id"], "invited": [u.name for u in plan.units]}
        if kind == Meeting.Kind.FIRST:
            after["state"] = [S.CONSENTED, S.INVITED]
        else:
            after["state"] = [S.ACTIVE, S.FOLLOW_UP]
        self.event(plan, booked_at, EK.MEETING_SCHEDULED,
                   self.texts["scheduled"] % {"kind": label, "when": f"{starts:%Y-%m-%d %H:%M}"},
                   after=after)  # fmt: skip
        if held:
            self.event(plan, starts + datetime.timedelta(hours=1, minutes=30), EK.MEETING_HELD,
                       self.texts["held"] % {"kind": label},
                       after={"meeting": meeting["id"], "attended": attended})  # fmt: skip
        plan.meetings.append(meeting)
        return meeting

    def goals(self, plan) -> None:
        choices = self.rng.sample(tx.GOALS[plan.profile], self.r(1, 3))
        for position, (term, text) in enumerate(choices):
            goal = self.add(
                Goal,
                uid=self.uuid(),
                plan_id=plan.id,
                parent_id=None,
                term=term,
                text=text,
                topic="",
                follow_up_by_id=None,
                status=Goal.Status.OPEN,
                position=position,
                lock_version=1,
            )
            plan.goals.append(goal)

    def goal_outcome(self, reason: str) -> str:
        good = reason in {CR.WORKS, CR.NOT_NEEDED}
        weights = (
            [(Goal.Status.ACHIEVED, 0.7), (Goal.Status.PARTLY, 0.2), (Goal.Status.NOT_ACHIEVED, 0.1)]
            if good
            else [(Goal.Status.ACHIEVED, 0.25), (Goal.Status.PARTLY, 0.25),
                  (Goal.Status.NOT_ACHIEVED, 0.3), (Goal.Status.DROPPED, 0.2)]
        )  # fmt: skip
        return _choose(self.rng, weights)

    def follow_up(self, plan, meeting, at, decision, closing: bool) -> None:
        rng = self.rng
        for goal in plan.goals:
            if goal["status"] == Goal.Status.OPEN and (closing or rng.random() < 0.25):
                goal["status"] = self.goal_outcome(CR.WORKS) if closing else Goal.Status.ACHIEVED
                goal["lock_version"] += 1
        self.add(
            FollowUp,
            plan_id=plan.id,
            meeting_id=meeting["id"],
            how_it_went=rng.choice(tx.FOLLOW_UP["how_it_went"]),
            helped_hindered=rng.choice(tx.FOLLOW_UP["helped_hindered"]),
            coordination_needed=not closing,
            continue_interventions=rng.choice(tx.FOLLOW_UP["continue_interventions"]),
            child_view="",
            decision=decision,
            recorded_by_id=plan.by.pk,
            recorded_unit_id=plan.initiator.pk,
            recorded_at=at,
            due_on=self.clock.day(plan.next_follow_up),
        )
        label = str(FollowUp.Decision(decision).label)
        self.event(plan, at, EK.FOLLOWED_UP, self.texts["followed_up"] % {"decision": label},
                   after={"decision": decision})  # fmt: skip

    def close(self, plan, at, reason, state_before) -> tuple:
        if reason == CR.CONSENT_WITHDRAWN:
            self.consent(plan, 2, Consent.Decision.WITHDRAWN, at - datetime.timedelta(minutes=1))
            self.event(plan, at - datetime.timedelta(minutes=1), EK.CONSENT_WITHDRAWN,
                       self.texts["withdrawn"], after={"consent": 2})  # fmt: skip
        for meeting in plan.meetings:
            if meeting["status"] == Meeting.Status.CANCELLED:
                label = str(Meeting.Kind(meeting["kind"]).label)
                self.event(plan, at - datetime.timedelta(minutes=2), EK.MEETING_CANCELLED,
                           self.texts["cancelled"] % {"kind": label})  # fmt: skip
        label = str(CR(reason).label)
        self.event(plan, at, EK.CLOSED, self.texts["closed"] % {"reason": label},
                   after={"reason": reason, "state": [state_before, S.CLOSED]})  # fmt: skip
        for participant in plan.participants.values():
            self.add(ClosingNotice, plan_id=plan.id, unit_id=participant["unit_id"],
                     person_id=None, informed_by_id=plan.by.pk,
                     method=ClosingNotice.Method.SAMPLAN, informed_at=at)  # fmt: skip
        self.add(ClosingNotice, plan_id=plan.id, unit_id=None, person_id=plan.person["id"],
                 informed_by_id=plan.by.pk, method=ClosingNotice.Method.SAMPLAN,
                 informed_at=at)  # fmt: skip
        return at, reason

    def snapshot(self, plan) -> dict:
        """The established version, as samplan.plans.snapshot.plan_snapshot writes it."""
        principal = plan.initiator.organization
        return {
            "person": f"{plan.person['given_name']} {plan.person['family_name']}",
            "own_words": plan.own_words,
            "goals": [
                {
                    "uid": str(g["uid"]),
                    "term": str(Goal.Term(g["term"]).label),
                    "text": g["text"],
                    "topic": "",
                    "parent": None,
                    "follow_up_by": "",
                    "status": str(Goal.Status(g["status"]).label),
                }
                for g in plan.goals
            ],
            "interventions": [],
            "self_actions": plan.self_actions,
            "no_other_actors": False,
            "overall_responsibility": principal.name,
            "lead": str(plan.lead),
            "next_follow_up": self.clock.day(plan.next_follow_up).isoformat(),
            "participants": [
                {
                    "unit": unit.name,
                    "organization": unit.organization.name,
                    "contact_person": str(self.user(p["contact_person_id"])),
                }
                if p["contact_person_id"]
                else {
                    "unit": unit.name,
                    "organization": unit.organization.name,
                    "contact_person": "",
                }  # fmt: skip
                for unit in plan.units
                for p in [plan.participants[unit.pk]]
            ],
        }

    def user(self, pk: int) -> User:
        for users in self.staff.values():
            for user in users:
                if user.pk == pk:
                    return user
        raise KeyError(pk)

    def write_plan(self, plan, state, initiated_at, reasons, source, closed_at, reason) -> None:
        rng = self.rng
        established = plan.version is not None
        consented = state not in rules.BEFORE_CONSENT
        open_ = state != S.CLOSED
        next_follow_up = self.clock.day(plan.next_follow_up) if established and open_ else None
        deadline = rules.deadline_columns(
            SimpleNamespace(
                state=state,
                initiated_at=initiated_at,
                invitation_due=None,
                next_follow_up=next_follow_up,
                initiating_unit=plan.initiator,
                consents=_Many(SimpleNamespace(**c) for c in plan.consents),
            )
        )
        self.add(
            Plan,
            id=plan.id,
            person_id=plan.person["id"],
            state=state,
            lock_version=1 + len(plan.events),
            initiated_at=initiated_at,
            initiated_by_id=plan.by.pk,
            initiating_unit_id=plan.initiator.pk,
            initiative_source=source,
            initiative_source_detail="",
            reasons=reasons,
            reason_text=rng.choice(tx.REASON_TEXTS),
            own_words=plan.own_words if consented else "",
            works_well=rng.choice(tx.WORKS_WELL) if consented else "",
            works_badly=rng.choice(tx.WORKS_BADLY) if consented else "",
            questions="",
            interpreter_language="",
            easy_read=False,
            meeting_place_wish="",
            digital_participation=False,
            self_actions=plan.self_actions if established else "",
            no_other_actors=False,
            overall_responsibility_id=plan.initiator.organization_id if established else None,
            lead_id=plan.lead.pk if established else None,
            next_follow_up=next_follow_up,
            care_contact_id=None,
            invitation_due=None,
            current_version=1 if established else 0,
            unapproved_changes=0,
            kept_elsewhere="",
            kept_where="",
            made_on=None,
            lead_name="",
            closed_at=closed_at,
            closing_reason=reason,
            closing_text="Insatserna samordnas nu på annat sätt." if reason == CR.OTHER else "",
            **deadline,
        )
        if established:
            at, method, snapshot = plan.version
            self.add(
                PlanVersion,
                plan_id=plan.id,
                number=1,
                created_at=at,
                created_by_id=plan.by.pk,
                created_unit_id=plan.initiator.pk,
                snapshot=snapshot,
                approval=PlanVersion.Approval.APPROVED,
                approval_method=method,
                approved_at=at,
                approval_recorded_by_id=plan.by.pk,
                approval_comment="",
            )
        for at, kind, summary, before, after in sorted(plan.events, key=lambda e: e[0]):
            self.add(
                PlanEvent,
                plan_id=plan.id,
                at=at,
                actor_id=plan.by.pk,
                acting_unit_id=plan.initiator.pk,
                citizen_id=None,
                kind=kind,
                summary=summary,
                before=before,
                after=after,
            )

    # -- writing --

    def write(self) -> None:
        writer = Writer()
        order = [Person, Relation, Plan, Participant, Consent, Consent.units.through,
                 Consent.guardians.through, Consent.relatives.through, Goal, Meeting, MeetingCalendar, Invitee,
                 PlanVersion, FollowUp, ClosingNotice, PlanEvent]  # fmt: skip
        for model in order:
            rows = self.rows.get(model, [])
            columns = columns_of(model)
            fields = {f.attname: f for f in model._meta.concrete_fields}
            table = writer.table(model._meta.label, model, columns)
            for values in rows:
                table.add(tuple(self._value(fields[c], values) for c in columns))
        writer.flush()
        late = [e["at"] for e in self.rows.get(PlanEvent, []) if e["at"] >= self.clock.now]
        if late:
            raise RuntimeError(f"demo history: {len(late)} events after now")
        sequences_reset(writer.tables.values())

    @staticmethod
    def _value(field, values: dict):
        value = values[field.attname] if field.attname in values else field.get_default()
        if field.get_internal_type() == "JSONField":
            return json.dumps(value, cls=DjangoJSONEncoder)
        return value


def history_people():
    """The people the history registered: with a personnummer and no e-mail address, unlike
    the stories' people."""
    return Person.objects.filter(identity_kind=Person.IdentityKind.PERSONNUMMER, email="")


def history_plans():
    """The generated SIPs: those of the people the history registered."""
    return Plan.objects.filter(person__in=history_people())
