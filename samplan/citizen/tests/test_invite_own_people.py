"""Min SIP: the individual invites people of his or her own choosing to the SIP meeting,
within the consent (issue 14, part 5), and may withdraw such an invitation before the meeting.

The cast (samplan/testing/cast.py): Eva's SIP is consented with her brother Erik among the
relatives it covers, and Alice has booked the first meeting; Karin, Eva's friend, is
registered around Eva but not in the consent.
"""

import pytest

from samplan.notifications.models import Notification
from samplan.people.models import Relation
from samplan.plans import services
from samplan.plans.models import Invitee, PlanEvent
from samplan.plans.rules import RuleViolation
from samplan.policy import Citizen
from samplan.testing.cast import begin, citizen_client, fresh, login, make_person


@pytest.fixture
def booked(sip, relative):
    plan = sip.initiate()
    sip.consent(plan, relatives=[relative])
    meeting = sip.invite(plan)
    return fresh(plan), meeting


@pytest.fixture
def karin(person):
    karin = make_person("19800101", "234", "Karin", "Vän")
    Relation.objects.create(person=person, related=karin, kind="relative", description="vän")
    return karin


def _path(plan, meeting) -> str:
    return f"/min-sip/{plan.pk}/mote/{meeting.pk}/"


def test_the_individual_invites_a_relative_within_the_consent(booked, person, relative):
    plan, meeting = booked
    client = citizen_client(person)
    assert (
        "Bjud in någon du själv väljer till mötet"
        in client.get(f"/min-sip/{plan.pk}/").content.decode()
    )
    page = client.get(_path(plan, meeting)).content.decode()
    assert "Erik Exempel (bror)" in page

    response = client.post(_path(plan, meeting), {"person": str(relative.pk)})

    assert response.status_code == 302
    invitee = Invitee.objects.get(meeting=meeting, person=relative)
    assert invitee.mode == Invitee.Mode.DIGITAL
    event = PlanEvent.objects.filter(plan=plan, kind=PlanEvent.Kind.MEETING_CHANGED).latest("pk")
    assert event.citizen == person and event.actor is None
    assert event.after == {"meeting": meeting.pk, "invited": str(relative.pk)}
    assert "Erik Exempel" in event.summary
    # Erik is told, with the meeting in his calendar; no one else hears of it again.
    told = Notification.objects.filter(kind=Notification.Kind.MEETING_INVITATION, person=relative)
    assert told.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.MEETING_CHANGED).exists()
    page = client.get(_path(plan, meeting)).content.decode()
    assert "inbjuden av dig" in page


def test_staff_see_the_invitee_as_invited_by_the_individual(
    booked, person, relative, client, alice
):
    plan, meeting = booked
    services.meeting_invite_person(actor=Citizen(person), meeting=meeting, person=relative)
    page = login(client, alice).get(f"/sip/{plan.pk}/moten/").content.decode()
    assert "Erik Exempel" in page and "inbjuden av den enskilde i Min SIP" in page


def test_someone_outside_the_consent_is_refused_at_the_field(booked, person, karin):
    plan, meeting = booked
    response = citizen_client(person).post(_path(plan, meeting), {"person": str(karin.pk)})
    assert response.status_code == 400
    errors = response.context["form"].errors["person"]
    assert errors == [
        "Karin Vän finns inte med i ditt samtycke. Be din kontaktperson ändra samtycket först."
    ]
    assert "finns inte med i ditt samtycke" in response.content.decode()
    assert not Invitee.objects.filter(meeting=meeting, person=karin).exists()


def test_a_relative_cannot_invite(booked, person, relative, karin):
    plan, meeting = booked
    services.relative_access_grant(
        actor=Citizen(person), plan=plan, relative=relative, sections=["meetings"]
    )
    client = citizen_client(relative)
    assert client.get(f"/min-sip/{plan.pk}/").status_code == 200  # he sees the plan
    assert (
        "Bjud in någon du själv väljer" not in client.get(f"/min-sip/{plan.pk}/").content.decode()
    )
    assert client.get(_path(plan, meeting)).status_code in {403, 404}
    response = client.post(_path(plan, meeting), {"person": str(relative.pk)})
    assert response.status_code in {403, 404}
    assert not Invitee.objects.filter(meeting=meeting, person=relative).exists()
    with pytest.raises(RuleViolation):
        services.meeting_invite_person(actor=Citizen(relative), meeting=meeting, person=relative)
    # Someone with no part in the plan does not even learn that it exists.
    assert (
        citizen_client(karin).post(_path(plan, meeting), {"person": str(relative.pk)}).status_code
        == 404
    )


def test_a_meeting_already_held_refuses(booked, sip, person, relative):
    plan, meeting = booked
    begin(meeting)
    services.meeting_held(**sip.as_alice, meeting=meeting, attended=[])
    response = citizen_client(person).post(_path(plan, meeting), {"person": str(relative.pk)})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Mötet har börjat eller är inte längre bokat. Inbjudningarna kan inte längre ändras."
    ]
    assert not Invitee.objects.filter(meeting=meeting, person=relative).exists()


def test_a_meeting_that_has_begun_refuses(booked, person, relative):
    plan, meeting = booked
    begin(meeting)
    response = citizen_client(person).post(_path(plan, meeting), {"person": str(relative.pk)})
    assert response.status_code == 400
    assert not Invitee.objects.filter(meeting=meeting, person=relative).exists()


def test_inviting_the_same_person_twice_writes_nothing_new(booked, person, relative):
    plan, meeting = booked
    actor = Citizen(person)
    first = services.meeting_invite_person(actor=actor, meeting=meeting, person=relative)
    counts = (PlanEvent.objects.count(), Notification.objects.count(), Invitee.objects.count())
    again = services.meeting_invite_person(actor=actor, meeting=meeting, person=relative)
    assert again.pk == first.pk
    assert (
        PlanEvent.objects.count(),
        Notification.objects.count(),
        Invitee.objects.count(),
    ) == counts
    response = citizen_client(person).post(_path(plan, meeting), {"person": str(relative.pk)})
    assert response.status_code == 302
    assert Invitee.objects.count() == counts[2]


def test_the_individual_withdraws_an_own_invitation_before_the_meeting(booked, person, relative):
    plan, meeting = booked
    services.meeting_invite_person(actor=Citizen(person), meeting=meeting, person=relative)
    response = citizen_client(person).post(_path(plan, meeting), {"remove": str(relative.pk)})
    assert response.status_code == 302
    assert not Invitee.objects.filter(meeting=meeting, person=relative).exists()
    event = PlanEvent.objects.filter(plan=plan, kind=PlanEvent.Kind.MEETING_CHANGED).latest("pk")
    assert event.after == {"meeting": meeting.pk, "withdrawn": str(relative.pk)}
    assert Notification.objects.filter(
        kind=Notification.Kind.MEETING_CANCELLED, person=relative
    ).exists()
    # Invited again, he is invited again.
    services.meeting_invite_person(actor=Citizen(person), meeting=meeting, person=relative)
    assert Invitee.objects.filter(meeting=meeting, person=relative).exists()


def test_an_invitation_staff_made_is_not_the_individuals_to_withdraw(booked, person):
    plan, meeting = booked
    # Alice invited Eva herself when booking.
    assert Invitee.objects.filter(meeting=meeting, person=person).exists()
    with pytest.raises(RuleViolation):
        services.meeting_invitation_withdraw(actor=Citizen(person), meeting=meeting, person=person)
    assert Invitee.objects.filter(meeting=meeting, person=person).exists()


def test_a_guardian_invites_for_a_child(sip, child, guardians):
    plan = sip.initiate(child)
    sip.consent(plan, given_by="guardians", guardians=guardians)
    meeting = sip.invite(plan)
    response = citizen_client(guardians[0]).post(
        _path(plan, meeting), {"person": str(guardians[1].pk)}
    )
    assert response.status_code == 302
    assert Invitee.objects.filter(meeting=meeting, person=guardians[1]).exists()
