"""A form sent twice runs once: a double click, a slow connection, Back and send again.

Every POST form carries a one-time token (`{% once %}`, samplan.core.once). The journey below
sends each creating form of a SIP three times with the same token (the first, a double click,
and again after Back) and counts what was made: exactly one of each, and the repeats lead to
the first one's result. On PostgreSQL two threads also send the same form at the same moment.
The suite prints `double submit: N forms, M duplicates`.
"""

import datetime
import re
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from samplan.core.models import Submission
from samplan.core.once import FIELD, submissions_forget
from samplan.people.models import Person, Relation
from samplan.plans.models import Consent, Goal, Intervention, Meeting, Plan, PlanVersion
from samplan.testing.cast import begin, login
from samplan.testing.world import record_results

IN_A_MONTH = timezone.localdate() + datetime.timedelta(days=30)


class Repeats:
    """Sends a form three times with one token and counts what it made."""

    def __init__(self, client: Client):
        self.client = client
        self.forms = 0
        self.duplicates: list[str] = []

    def send(self, name: str, url: str, data: dict, made) -> None:
        token = str(uuid.uuid4())
        before = made()
        first = self.client.post(url, {**data, FIELD: token})
        errors = re.findall(
            r"field__error[^>]*>(.*?)</p>|error-summary.*?<li>(.*?)</li>",
            first.content.decode(),
            re.S,
        )
        assert first.status_code == 302, (name, errors)
        repeats = [self.client.post(url, {**data, FIELD: token}) for _ in range(2)]
        self.forms += 1
        if made() != before + 1:
            self.duplicates.append(f"{name}: {made() - before} made")
        for again in repeats:
            assert again.status_code == 302 and again["Location"] == first["Location"], name


def test_every_creating_form_of_a_sip_sent_three_times_makes_one(
    client, alice, bob, person, needs_assessment, primary_care
):
    login(client, alice)
    sent = Repeats(client)
    client.post("/sip/ny/", {"step": "find", "identity_number": "19811218-9876"})
    sent.send(
        "initiative",
        "/sip/ny/",
        {"step": "initiate", "person": person.pk, "source": "staff", "reasons": ["unclear"]},
        Plan.objects.count,
    )
    plan = Plan.objects.get()
    consent = {
        "decision": "given",
        "decided_on": timezone.localdate().isoformat(),
        "mode": "written",
        "units": [needs_assessment.pk, primary_care.pk],
    }
    sent.send("consent", f"/sip/{plan.pk}/samtycke/", consent, Consent.objects.count)
    starts = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    booking = {
        "starts_at": starts,
        "place": "Vårdcentralen, rum 3",
        f"unit_{primary_care.pk}": "digital",
        f"unit_{needs_assessment.pk}": "oral",
        f"person_{person.pk.hex}": "written",
    }
    sent.send("meeting", f"/sip/{plan.pk}/moten/", booking, Meeting.objects.count)
    goal = {"form": "goal", "goal-term": "long", "goal-text": "Bo kvar", "goal-status": "open"}
    sent.send("goal", f"/sip/{plan.pk}/plan/", goal, Goal.objects.count)
    intervention = {
        "form": "intervention",
        "intervention-what": "Boendestöd",
        "intervention-organization": needs_assessment.organization.pk,
        "intervention-responsible_unit": needs_assessment.pk,
        "intervention-status": "planned",
        "intervention-goals": [Goal.objects.get().pk],
    }
    sent.send("intervention", f"/sip/{plan.pk}/plan/", intervention, Intervention.objects.count)
    region = {
        **intervention,
        "intervention-what": "Läkemedelsgenomgång",
        "intervention-organization": primary_care.organization.pk,
        "intervention-responsible_unit": primary_care.pk,
    }
    assert client.post(f"/sip/{plan.pk}/plan/", region).status_code == 302
    relative = {
        "add": "1",
        "number": "19590122-9905",
        "given_name": "Leif",
        "family_name": "Holmgren",
        "kind": "relative",
    }
    sent.send("relation", f"/sip/{plan.pk}/narstaende/", relative, Relation.objects.count)
    details = {
        "form": "details",
        "details-lock_version": Plan.objects.get().lock_version,
        "details-overall_responsibility": needs_assessment.organization.pk,
        "details-lead": alice.pk,
        "details-next_follow_up": IN_A_MONTH.isoformat(),
        "details-no_other_actors": "on",
    }
    assert client.post(f"/sip/{plan.pk}/plan/", details).status_code == 302
    meeting = Meeting.objects.get()
    begin(meeting)
    attended = {"attended": [i.pk for i in meeting.invitees.all()]}
    assert client.post(f"/sip/{plan.pk}/moten/{meeting.pk}/motesla/", attended).status_code == 302
    establish = {"approval_method": "meeting_oral", "approved": "on"}
    sent.send("establish", f"/sip/{plan.pk}/faststall/", establish, PlanVersion.objects.count)
    follow_up = {
        "how_it_went": "Bra",
        "helped_hindered": "Boendestödet",
        "coordination_needed": "yes",
        "continue_interventions": "Ja",
        "decision": "revise",
        "next_follow_up": IN_A_MONTH.isoformat(),
        "approval_method": "meeting_oral",
    }
    sent.send("follow-up", f"/sip/{plan.pk}/uppfoljning/", follow_up, PlanVersion.objects.count)

    record_results("once", cases=sent.forms, mismatches=len(sent.duplicates))
    assert not sent.duplicates, sent.duplicates
    assert Person.objects.filter(identity_number="195901229905").count() == 1


def test_a_form_shown_again_with_errors_can_be_sent_corrected(client, alice, person, sip):
    plan = sip.to("consented", person=person)
    login(client, alice)
    token = str(uuid.uuid4())
    url = f"/sip/{plan.pk}/plan/"
    empty = {"form": "goal", "goal-term": "long", "goal-text": "", "goal-status": "open"}
    assert client.post(url, {**empty, FIELD: token}).status_code == 400
    corrected = {**empty, "goal-text": "Bo kvar", FIELD: token}
    assert client.post(url, corrected).status_code == 302
    assert Goal.objects.filter(plan=plan).count() == 1


def test_every_post_form_on_a_page_carries_its_own_token(client, alice, person, sip):
    plan = sip.to("active", person=person)
    login(client, alice)
    page = client.get(f"/sip/{plan.pk}/plan/").content.decode()
    # The session dialog's "stay logged in" is sent again each time it is used and creates
    # nothing: it is the one form without a token.
    forms = page.count('method="post"') - page.count('class="session-dialog__stay"')
    tokens = re.findall(rf'name="{FIELD}" value="([0-9a-f-]{{36}})"', page)
    assert forms >= 2 and len(tokens) == forms and len(set(tokens)) == forms


def test_the_worker_forgets_tokens_after_a_day(db):
    old = Submission.objects.create(token=uuid.uuid4(), path="/", location="/sip/")
    Submission.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    fresh = Submission.objects.create(token=uuid.uuid4(), path="/", location="/sip/")
    assert submissions_forget() == 1
    assert list(Submission.objects.all()) == [fresh]


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_the_same_moment_make_one_goal(alice, person, sip):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    plan = sip.to("consented", person=person)
    clients = [login(Client(), alice) for _ in range(2)]
    token = str(uuid.uuid4())
    data = {
        "form": "goal",
        "goal-term": "long",
        "goal-text": "Samtidigt",
        "goal-status": "open",
        FIELD: token,
    }
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def send(c: Client) -> None:
        try:
            barrier.wait()
            answers.append(c.post(f"/sip/{plan.pk}/plan/", data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = Goal.objects.filter(plan=plan).count()
    record_results("once", cases=1, mismatches=made - 1)
    assert sorted(answers) == [302, 302] and made == 1


def test_a_plan_has_one_first_meeting_whatever_the_way_in(sip):
    """The database refuses a second first meeting; a cancelled one may be booked again."""
    from django.db import IntegrityError, transaction

    plan = sip.to("invited")
    first = Meeting.objects.get(plan=plan, kind="first")
    same = {"plan": plan, "kind": "first", "starts_at": first.starts_at}
    people = {"invited_by": first.invited_by, "chair": first.chair, "recorder": first.recorder}
    unique = pytest.raises(IntegrityError, match="meeting_one_first_per_plan|UNIQUE")
    with unique, transaction.atomic():
        Meeting.objects.create(**same, **people, place="Rum 3")
    Meeting.objects.filter(pk=first.pk).update(status="cancelled")
    Meeting.objects.create(**same, **people, place="Rum 4")
    assert Meeting.objects.filter(plan=plan, kind="first").count() == 2
