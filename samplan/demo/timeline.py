"""The demo's history: each SIP lived step by step through the real services, every step at
its own moment in the past.

`time_machine` moves the clock to each step's moment while the service runs, so the services'
own timestamps (events, versions, approvals, notifications, copies) and their own rules hold:
a consent is never dated after the day it is recorded, a meeting is booked for a time ahead
and recorded as held only after it started, a follow-up sets a date after its own day. Nothing
happens today or later: the last steps are yesterday's. Moments are counted from the day the
world is loaded, so the demo looks the same whichever day it is loaded (deterministic: there is
no randomness here).
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import time_machine
from django.utils import timezone

from samplan.accounts.models import Membership, Unit, User
from samplan.people.models import Person
from samplan.plans import services
from samplan.plans.models import (
    Consent,
    CopyGiven,
    Goal,
    Intervention,
    Invitee,
    JoinRequest,
    Meeting,
    Plan,
    PlanVersion,
)
from samplan.policy import Citizen, Staff

CASEWORKER = Membership.Role.CASEWORKER


class Clock:
    """Moments in the past, counted in days from the day the world is loaded."""

    def __init__(self, now: datetime.datetime | None = None):
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def moment(self, offset: int, hour: int, minute: int = 0) -> datetime.datetime:
        """The local time `hour:minute` on the day `offset` days from today."""
        return timezone.make_aware(
            datetime.datetime.combine(self.day(offset), datetime.time(hour, minute))
        )

    @contextmanager
    def at(self, offset: int, hour: int, minute: int = 0) -> Iterator[None]:
        """Run the block as if it were that moment. Only the past: the demo never acts ahead."""
        when = self.moment(offset, hour, minute)
        if when >= self.now:
            raise ValueError(f"a demo step in the future: {when:%Y-%m-%d %H:%M}")
        with time_machine.travel(when, tick=False):
            yield


@dataclass(frozen=True)
class FollowUp:
    """One follow-up in a plan's history, recorded at a follow-up meeting."""

    decision: str = "continue"  # continue, revise, close
    # A revision is approved at the meeting (meeting_oral, meeting_written), a few days later
    # by phone ("phone") or in Min SIP ("min_sip"), or not yet ("": it waits for the answer).
    approval: str = "meeting_oral"
    approver: str = ""  # who answers in Min SIP (a representative's key); the individual if empty
    answers: tuple[str, str, str] = ("", "", "")  # how it went, helped or hindered, continue
    achieved: int | None = None  # the goal (by position) reached at this follow-up
    new_goal: tuple[str, str, str] | None = None  # term, text, topic
    closing_reason: str = ""
    closing_text: str = ""
    summary: str = ""
    child_view: str = ""


@dataclass
class Story:
    """One individual's SIP from the initiative to where it stands today.

    Days are counted back from today (`age`: the initiative; `last_follow_up`, `closed`,
    messages) or ahead (`meeting_in`, `next_follow_up`; a negative `next_follow_up` is overdue).
    """

    person: str  # the individual's demo key
    by: str  # the username of the staff member who took the initiative
    unit: str  # his or her unit
    units: list[str]  # the units the consent lets take part
    # initiated, refused, consented, invited, active, follow_up, revision, closed
    stage: str
    age: int
    reasons: list[str] = field(default_factory=lambda: ["several_units"])
    source: str = Plan.Source.STAFF
    source_detail: str = ""
    consent_after: int = 2  # days from the initiative to the consent
    meeting_after: int = 10  # days from the consent to the first meeting
    meeting_in: int = 5  # stage invited: the first meeting, days ahead
    meeting_hour: int = 13
    moved_from: int | None = None  # stage invited: first booked for this day ahead, then moved
    unanswered: bool = False  # stage invited: the units have not answered yet
    declines: dict[str, str] = field(default_factory=dict)  # unit -> why it cannot come
    goals: list[tuple[str, str, str]] = field(default_factory=list)  # term, text, topic
    # unit, what, topic, how often
    interventions: list[tuple[str, str, str, str]] = field(default_factory=list)
    # own_words, works_well, ... (services.PREPARATION_FIELDS)
    preparation: dict = field(default_factory=dict)
    self_actions: str = ""
    lead: str = ""  # username; the initiator if empty
    # covered by the consent, invited to the meetings
    relatives: list[str] = field(default_factory=list)
    limits: list[tuple[str, str, list[str]]] = field(default_factory=list)  # unit, reach, topics
    exclusions: str = ""
    child_view: str = ""
    place: str = ""
    video: bool = False
    notes: tuple[str, str] = ("", "")  # the first meeting: opening, summary
    approval_method: str = PlanVersion.Method.MEETING_ORAL
    follow_ups: list[FollowUp] = field(default_factory=list)
    last_follow_up: int = 30
    next_follow_up: int = 30
    follow_up_booked: int = 5  # stage follow_up: the meeting was booked this many days ago
    follow_up_place: str = ""
    closed: tuple[int, str, str] | None = None  # days ago, reason, text (moved, withdrawn, ...)
    # days ago, kind, text, handled this many days later (None: not yet)
    messages: list[tuple[int, str, str, int | None]] = field(default_factory=list)
    relative_access: list[tuple[str, list[str], int]] = field(default_factory=list)
    grant: tuple[str, str] | None = None  # unit, reason: a protected individual's contact details
    join: tuple[str, str, int] | None = None  # username, unit, days ago: a request to take part


class Cast:
    """The demo's staff and units, read once."""

    def __init__(self, people: dict[str, Person]):
        self.people = people
        self.units = {u.name: u for u in Unit.objects.select_related("organization")}
        self.users = {u.username: u for u in User.objects.all()}
        self.roles = {
            (m.user_id, m.unit_id): m.role for m in Membership.objects.filter(is_active=True)
        }
        members: dict[int, list[User]] = {}
        for m in (
            Membership.objects.filter(is_active=True)
            .select_related("user")
            .order_by("user__username")
        ):
            members.setdefault(m.unit_id, []).append(m.user)
        self.members = members

    def staff(self, username: str, unit_name: str) -> Staff:
        user, unit = self.users[username], self.units[unit_name]
        return Staff(user=user, unit=unit, role=self.roles[(user.pk, unit.pk)])

    def member(self, unit: Unit, prefer: str = "") -> Staff | None:
        """Who answers for the unit: `prefer` if he or she works there, else its first
        caseworker (by username), else anyone of its staff; None for a unit without staff."""
        users = self.members.get(unit.pk, [])
        caseworkers = [u for u in users if self.roles[(u.pk, unit.pk)] == CASEWORKER]
        chosen = [u for u in users if u.username == prefer] or caseworkers or users
        if not chosen:
            return None
        user = chosen[0]
        return Staff(user=user, unit=unit, role=self.roles[(user.pk, unit.pk)])

    def manager(self, unit: Unit) -> Staff:
        role = Membership.Role.UNIT_MANAGER
        user = next(u for u in self.members.get(unit.pk, []) if self.roles[(u.pk, unit.pk)] == role)
        return Staff(user=user, unit=unit, role=role)


def live(story: Story, cast: Cast, clock: Clock) -> Plan:
    """Take the story's SIP through the services, step by step, to its stage today."""
    return Life(story, cast, clock).run()


class Life:
    def __init__(self, story: Story, cast: Cast, clock: Clock):
        self.s, self.cast, self.clock = story, cast, clock
        self.person = cast.people[story.person]
        self.actor = cast.staff(story.by, story.unit)
        self.units = [cast.units[name] for name in story.units]
        self.child = self.person.is_child(clock.today)
        self.guardians = list(self.person.guardians) if self.child else []
        self.relatives = [cast.people[key] for key in story.relatives]
        self.goals: list[Goal] = []
        self.plan: Plan | None = None

    # --- the steps, in order -------------------------------------------------------------

    def run(self) -> Plan:
        s = self.s
        d0 = -s.age
        with self.clock.at(d0, 8 + s.age % 3, 5 + (s.age * 7) % 50):
            self.plan = services.plan_initiate(
                actor=self.actor,
                person=self.person,
                reasons=s.reasons,
                source=s.source,
                source_detail=s.source_detail,
            )
        if s.stage == "initiated":
            return self.plan
        dc = d0 + s.consent_after
        if s.stage == "refused":
            with self.clock.at(dc, 10, 15):
                self.consent(Consent.Decision.REFUSED)
            return self.plan
        with self.clock.at(dc, 10, 15):
            self.consent(Consent.Decision.GIVEN)
        if s.preparation:
            with self.clock.at(dc, 10, 40):
                self.update(**s.preparation)
        if s.stage == "consented":
            return self.plan
        self.contact_persons(dc)
        if s.stage == "invited":
            self.first_meeting(dc, s.meeting_in)
            return self.plan
        dm = dc + s.meeting_after
        meeting = self.first_meeting(dc, dm)
        days = self.follow_up_days(dm)
        self.establish(meeting, dm, next_follow_up=days[0] if days else s.next_follow_up)
        for number, (followup, day) in enumerate(zip(s.follow_ups, days, strict=True)):
            after = days[number + 1] if number + 1 < len(days) else s.next_follow_up
            before = days[number - 1] if number else dm
            self.follow_up(followup, day, after, booked=max(before + 1, day - 14))
        self.extras(dm)
        if s.stage == "follow_up":
            booked = -s.follow_up_booked
            self.book_follow_up(booked, s.next_follow_up, s.follow_up_place or s.place)
        if s.closed:
            self.close(*s.closed)
        return self.plan

    def consent(self, decision: str) -> None:
        s = self.s
        given_by = Consent.GivenBy.GUARDIANS if self.child else Consent.GivenBy.INDIVIDUAL
        if decision == Consent.Decision.REFUSED:
            services.consent_record(
                actor=self.actor,
                plan=self.plan,
                decision=decision,
                decided_on=timezone.localdate(),
                mode=Consent.Mode.ORAL,
                given_by=given_by,
                guardians=self.guardians[:1],
            )
            return
        services.consent_record(
            actor=self.actor,
            plan=self.plan,
            decision=decision,
            decided_on=timezone.localdate(),
            mode=Consent.Mode.WRITTEN,
            given_by=given_by,
            guardians=self.guardians,
            units=self.units,
            relatives=self.relatives,
            child_view=s.child_view if self.child else "",
            exclusions=s.exclusions,
            limits=[(self.cast.units[name], reach, topics) for name, reach, topics in s.limits],
        )

    def update(self, actor: Staff | None = None, **fields) -> None:
        self.plan.refresh_from_db()
        services.plan_update(
            actor=actor or self.actor,
            plan=self.plan,
            expected_version=self.plan.lock_version,
            **fields,
        )

    def contact_persons(self, dc: int) -> None:
        """The day after the consent, the first other unit with staff names its contact
        person (the initiator is the contact person of his or her own unit)."""
        if dc + 1 > -1:
            return
        for participant in self.plan.participants.select_related("unit"):
            if participant.contact_person_id:
                continue
            member = self.cast.member(participant.unit, prefer=self.s.lead)
            if member is not None:
                with self.clock.at(dc + 1, 8, 40):
                    services.contact_person_set(
                        actor=member, plan=self.plan, participant=participant, person=member.user
                    )
                return

    def invited_people(self) -> list[tuple[Person, str]]:
        people = [(self.person, Invitee.Mode.WRITTEN)]
        people += [(g, Invitee.Mode.WRITTEN) for g in self.guardians]
        people += [(r, Invitee.Mode.ORAL) for r in self.relatives]
        return people

    def meeting_place(self) -> dict:
        s = self.s
        if s.video:
            slug = f"{self.person.given_name}-{self.person.family_name}".lower()
            slug = slug.translate(str.maketrans("åäöéšć", "aaoesc"))
            return {"place": "", "video_link": f"https://mote.demo.samplan.invalid/sip/{slug}"}
        return {"place": s.place or f"{self.actor.unit.name}, samtalsrummet"}

    def first_meeting(self, dc: int, day: int) -> Meeting:
        s = self.s
        booked_for = s.moved_from if s.moved_from is not None else day
        with self.clock.at(dc, 11, 5):
            meeting = services.meeting_schedule(
                actor=self.actor,
                plan=self.plan,
                kind=Meeting.Kind.FIRST,
                starts_at=self.clock.moment(booked_for, s.meeting_hour),
                invited_units=[(u, Invitee.Mode.DIGITAL) for u in self.units],
                invited_people=self.invited_people(),
                **self.meeting_place(),
            )
        if s.moved_from is not None:
            with self.clock.at(dc + 1, 15, 30):
                meeting.refresh_from_db()
                services.meeting_reschedule(
                    actor=self.actor,
                    meeting=meeting,
                    expected_version=meeting.lock_version,
                    starts_at=self.clock.moment(day, s.meeting_hour),
                    **self.meeting_place(),
                )
        if not s.unanswered:
            self.answer(meeting, min(dc + 1 + (s.moved_from is not None), day - 1))
        return meeting

    def answer(self, meeting: Meeting, day: int) -> None:
        """The day after the invitation the other invited units with staff answer, and staff
        record the individual's answer (not if that day has not come yet)."""
        if day > -1:
            return
        invitees = [
            i
            for i in meeting.invitees.select_related("unit")
            if i.person_id == self.person.pk or (i.unit_id and i.unit_id != self.actor.unit.pk)
        ]
        for number, invitee in enumerate(invitees):
            actor = (
                self.actor
                if invitee.person_id
                else self.cast.member(invitee.unit, prefer=self.s.lead)
            )
            if actor is None:
                continue
            reason = self.s.declines.get(invitee.unit.name, "") if invitee.unit_id else ""
            with self.clock.at(day, 9 + number, (20 + 7 * number) % 60):
                services.invitation_respond(
                    actor=actor,
                    invitee=invitee,
                    response=Invitee.Response.DECLINED if reason else Invitee.Response.ACCEPTED,
                    reason=reason,
                )

    def lead_actor(self) -> Staff:
        """The lead, acting for his or her unit that takes part."""
        username = self.s.lead or self.s.by
        user = self.cast.users[username]
        for unit in [self.actor.unit, *self.units]:
            if (user.pk, unit.pk) in self.cast.roles:
                return self.cast.staff(username, unit.name)
        raise ValueError(f"{username} works in no unit of the plan")

    def write(self, day: int, hour: int) -> None:
        """In meeting mode: the goals in the individual's words, then who does what, a few
        minutes apart from ten past the hour."""
        s = self.s
        minute = 10
        for term, text, topic in s.goals:
            with self.clock.at(day, hour, minute):
                goal = services.goal_save(
                    actor=self.actor, plan=self.plan, term=term, text=text, topic=topic
                )
            self.goals.append(goal)
            minute += 3
        start = self.clock.day(day + 3)
        for unit_name, what, topic, frequency in s.interventions:
            unit = self.cast.units[unit_name]
            served = [g for g in self.goals if topic and g.topic == topic] or self.goals[:1]
            with self.clock.at(day, hour, minute):
                services.intervention_save(
                    actor=self.actor,
                    plan=self.plan,
                    what=what,
                    topic=topic,
                    organization=unit.organization,
                    responsible_unit=unit,
                    start=start,
                    frequency=frequency,
                    status=Intervention.Status.ONGOING,
                    goals=served,
                )
            minute += 4

    def establish(self, meeting: Meeting, dm: int, *, next_follow_up: int) -> None:
        s = self.s
        hour = s.meeting_hour
        principal = next(
            u.organization for u in [self.actor.unit, *self.units] if u.organization.is_principal
        )
        kinds = {self.cast.units[name].organization.kind for name, *_rest in s.interventions}
        self.write(dm, hour)
        with self.clock.at(dm, hour, 50):
            self.update(
                overall_responsibility=principal,
                lead=self.cast.users[s.lead or s.by],
                next_follow_up=self.clock.day(next_follow_up),
                no_other_actors="other" not in kinds,
                self_actions=s.self_actions,
            )
        opening, summary = s.notes
        with self.clock.at(dm, hour + 1, 20):
            self.hold(self.actor, meeting, opening, summary, s.child_view)
            version = services.plan_establish(
                actor=self.actor, plan=self.plan, approval_method=s.approval_method
            )
            services.copy_given_record(
                actor=self.actor,
                plan=self.plan,
                version=version,
                given_to=self.guardians[0] if self.child else self.person,
                given_on=timezone.localdate(),
                method=CopyGiven.Method.AT_MEETING,
            )

    def hold(
        self, actor: Staff, meeting: Meeting, opening: str, summary: str, child_view: str = ""
    ) -> None:
        came = meeting.invitees.exclude(response=Invitee.Response.DECLINED)
        services.meeting_held(
            actor=actor,
            meeting=meeting,
            attended=came.values_list("pk", flat=True),
            opening_notes=opening,
            summary_notes=summary,
            child_view=child_view if self.child else "",
        )

    def follow_up_days(self, dm: int) -> list[int]:
        """The days of the follow-ups in the history, evenly between the first meeting and
        the last follow-up."""
        count = len(self.s.follow_ups)
        last = -self.s.last_follow_up
        return [dm + round((n + 1) * (last - dm) / count) for n in range(count)]

    def book_follow_up(self, booked: int, day: int, place: str) -> Meeting:
        lead = self.lead_actor()
        with self.clock.at(booked, 15, 10):
            self.plan.refresh_from_db()
            return services.meeting_schedule(
                actor=lead,
                plan=self.plan,
                kind=Meeting.Kind.FOLLOW_UP,
                starts_at=self.clock.moment(day, 10),
                invited_units=[(u, Invitee.Mode.DIGITAL) for u in self.units],
                invited_people=self.invited_people(),
                **({"place": place} if place else self.meeting_place()),
            )

    def follow_up(self, followup: FollowUp, day: int, after: int, *, booked: int) -> None:
        s = self.s
        lead = self.lead_actor()
        meeting = self.book_follow_up(booked, day, s.follow_up_place)
        with self.clock.at(day, 10, 5):
            if followup.achieved is not None:
                goal = self.goals[followup.achieved]
                goal.refresh_from_db()
                services.goal_save(
                    actor=lead,
                    plan=self.plan,
                    goal=goal,
                    expected_version=goal.lock_version,
                    term=goal.term,
                    text=goal.text,
                    topic=goal.topic,
                    status=Goal.Status.ACHIEVED,
                )
            if followup.new_goal:
                term, text, topic = followup.new_goal
                self.goals.append(
                    services.goal_save(
                        actor=lead, plan=self.plan, term=term, text=text, topic=topic
                    )
                )
        with self.clock.at(day, 11, 10):
            self.hold(lead, meeting, "", followup.summary, followup.child_view)
            how, helped, carry_on = followup.answers
            at_meeting = followup.approval in {"meeting_oral", "meeting_written"}
            services.followup_record(
                actor=lead,
                plan=self.plan,
                how_it_went=how,
                helped_hindered=helped,
                coordination_needed=followup.decision != "close",
                continue_interventions=carry_on,
                decision=followup.decision,
                next_follow_up=None if followup.decision == "close" else self.clock.day(after),
                meeting=meeting,
                approval_method=followup.approval if at_meeting else "",
                closing_reason=followup.closing_reason,
                closing_text=followup.closing_text,
                child_view=followup.child_view,
            )
        if followup.decision == "revise" and followup.approval in {"phone", "min_sip"}:
            self.approve_later(followup, day + 3)

    def approve_later(self, followup: FollowUp, day: int) -> None:
        with self.clock.at(day, 18 if followup.approval == "min_sip" else 10, 25):
            if followup.approval == "min_sip":
                approver = self.cast.people[followup.approver] if followup.approver else self.person
                services.version_approval_record(
                    actor=Citizen(person=approver), plan=self.plan, approved=True
                )
            else:
                services.version_approval_record(
                    actor=self.lead_actor(),
                    plan=self.plan,
                    approved=True,
                    method=PlanVersion.Method.PHONE,
                )

    def extras(self, dm: int) -> None:
        """What happened beside the meetings: a protected individual's contact details granted
        to a unit, a relative invited to Min SIP, messages from Min SIP, another unit's
        initiative that became a request to take part."""
        s = self.s
        if s.grant:
            unit_name, reason = s.grant
            with self.clock.at(dm + 1, 9, 0):
                services.contact_grant_give(
                    actor=self.cast.manager(self.actor.unit),
                    plan=self.plan,
                    unit=self.cast.units[unit_name],
                    reason=reason,
                    valid_until=self.clock.day(dm + 181),
                )
        for relative, sections, days_ago in s.relative_access:
            with self.clock.at(-days_ago, 20, 5):
                services.relative_access_grant(
                    actor=Citizen(person=self.person),
                    plan=self.plan,
                    relative=self.cast.people[relative],
                    sections=sections,
                )
        author = self.guardians[0] if self.child else self.person
        for days_ago, kind, text, handled in s.messages:
            with self.clock.at(-days_ago, 19, 35):
                message = services.citizen_message_send(
                    actor=Citizen(person=author), plan=self.plan, kind=kind, text=text
                )
            if handled is not None:
                with self.clock.at(-days_ago + handled, 9, 10):
                    services.citizen_message_handle(actor=self.lead_actor(), message=message)
        if s.join:
            username, unit_name, days_ago = s.join
            with self.clock.at(-days_ago, 11, 45):
                request = services.plan_initiate(
                    actor=self.cast.staff(username, unit_name),
                    person=self.person,
                    reasons=["several_units"],
                    reason_text="Behöver samordnas med den psykiatriska behandlingen.",
                )
            assert isinstance(request, JoinRequest)

    def close(self, days_ago: int, reason: str, text: str) -> None:
        with self.clock.at(-days_ago, 10, 30):
            if reason == Plan.ClosingReason.CONSENT_WITHDRAWN:
                services.consent_withdraw(
                    actor=self.lead_actor(),
                    plan=self.plan,
                    decided_on=timezone.localdate(),
                    mode=Consent.Mode.ORAL,
                    note=text,
                )
            else:
                services.plan_close(
                    actor=self.lead_actor(), plan=self.plan, reason=reason, text=text
                )
