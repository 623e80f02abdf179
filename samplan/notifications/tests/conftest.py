"""The cast of the notification tests.

Alice (needs assessment) leads; Bob and Bea work at the primary care centre, Cilla's
membership there has ended; Olle's social psychiatry never takes part. Every unit has its own
functional mailbox. Eva (the shared `person`) has an e-mail address; whether she agreed to
e-mail is up to each test. Her meeting is "Hemma hos Eva" at her street address: the canary.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.db.models import Q, QuerySet
from django.utils import timezone

from samplan.accounts.models import Membership, Unit, User
from samplan.conftest import make_user
from samplan.notifications import services
from samplan.notifications.models import Notification
from samplan.people.models import Person
from samplan.plans import services as plans
from samplan.plans.models import Meeting, Plan
from samplan.testing.cast import staff

CASEWORKER = Membership.Role.CASEWORKER
PLACE = "Hemma hos Eva, Hemliga gatan 1"
TASKS_IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEETING_KINDS = [
    Notification.Kind.MEETING_INVITATION,
    Notification.Kind.MEETING_CHANGED,
    Notification.Kind.MEETING_CANCELLED,
]


@dataclass
class Cast:
    alice: User
    bob: User
    bea: User
    cilla: User
    olle: User
    needs_assessment: Unit
    primary_care: Unit
    social_psychiatry: Unit
    person: Person

    @property
    def as_alice(self) -> dict:
        return {"actor": staff(self.alice, self.needs_assessment)}

    def plan(self, person: Person | None = None) -> Plan:
        """A SIP with consent: the needs assessment and the primary care centre take part."""
        plan = plans.plan_initiate(
            **self.as_alice, person=person or self.person, reasons=[Plan.Reason.SEVERAL_UNITS]
        )
        plans.consent_record(
            **self.as_alice,
            plan=plan,
            decision="given",
            decided_on=timezone.localdate(),
            mode="written",
            given_by="individual" if not (person and person.is_child()) else "guardians",
            guardians=list(person.guardians) if person and person.is_child() else [],
            units=[self.needs_assessment, self.primary_care],
        )
        return Plan.objects.get(pk=plan.pk)

    def meeting(self, plan: Plan, *, days: float = 5, invite_person: bool = True) -> Meeting:
        """A first meeting through the plans service, inviting both units (and Eva). The
        service writes the invitations itself: see `written_for`."""
        return plans.meeting_schedule(
            **self.as_alice,
            plan=plan,
            kind="first",
            starts_at=timezone.now() + datetime.timedelta(days=days),
            place=PLACE,
            invited_units=[(self.primary_care, "digital"), (self.needs_assessment, "digital")],
            invited_people=[(plan.person, "written")] if invite_person else [],
        )

    def move(self, meeting: Meeting, *, to: datetime.datetime) -> Meeting:
        """Move the meeting through the plans service; it tells the invitees of the change."""
        meeting = Meeting.objects.get(pk=meeting.pk)
        return plans.meeting_reschedule(
            **self.as_alice,
            meeting=meeting,
            expected_version=meeting.lock_version,
            starts_at=to,
            place=meeting.place,
            video_link=meeting.video_link,
        )

    def emails_for(self) -> None:
        """Eva agrees to e-mail."""
        services.email_preference_set(person=self.person, email_ok=True)


def written_for(meeting: Meeting, *, sequence: int = 0) -> QuerySet:
    """What was written for one version of the meeting's calendar entry, oldest first:
    sequence 0 is the invitation meeting_schedule wrote, each change and the cancellation
    one higher. Found by meeting_invitations_queue's dedupe key,
    "<kind>:meeting:<id>:seq<n>:<recipient>"."""
    same_version = Q()
    for kind in MEETING_KINDS:
        same_version |= Q(dedupe_key__startswith=f"{kind}:meeting:{meeting.pk}:seq{sequence}:")
    return (
        Notification.objects.filter(same_version)
        .select_related("user", "person", "unit")
        .order_by("pk")
    )


def unit(organization, name: str, kind: str, email: str) -> Unit:
    return Unit.objects.create(
        organization=organization, name=name, kind=kind, email=email, phone="010-100 00 00"
    )


@pytest.fixture
def cast(municipality, region, person) -> Cast:
    needs_assessment = unit(
        municipality, "Biståndshandläggning", Unit.Kind.NEEDS_ASSESSMENT, "bistand@kommun.test"
    )
    social_psychiatry = unit(
        municipality, "Socialpsykiatri", Unit.Kind.SOCIAL_PSYCHIATRY, "sp@kommun.test"
    )
    primary_care = unit(region, "Vårdcentralen", Unit.Kind.PRIMARY_CARE, "Vc@Region.test")
    cilla = make_user("cilla", (primary_care, CASEWORKER))
    cilla.memberships.update(is_active=False)
    person.email = "eva.exempel@mejl.test"
    person.save(update_fields=["email"])
    return Cast(
        alice=make_user("alice", (needs_assessment, CASEWORKER), last_name="Ahl"),
        bob=make_user("bob", (primary_care, CASEWORKER), last_name="Berg"),
        bea=make_user("bea", (primary_care, CASEWORKER)),
        cilla=cilla,
        olle=make_user("olle", (social_psychiatry, CASEWORKER)),
        needs_assessment=needs_assessment,
        primary_care=primary_care,
        social_psychiatry=social_psychiatry,
        person=person,
    )


def personal_data(cast: Cast, *extra: str) -> list[str]:
    """What must never be in an e-mail: names, identity number, address, phone, the place."""
    person = cast.person
    number = person.identity_number
    values = [
        person.given_name,
        person.family_name,
        number,
        number[:8],
        person.identity_display,
        person.street_address,
        "Hemliga",
        person.postal_code,
        person.city,
        person.phone,
        PLACE,
        "Hemma hos",
        cast.alice.first_name,
        cast.alice.last_name,
        cast.bob.last_name,
        *extra,
    ]
    return [value for value in values if value]
