"""The evaluation's cast: a plan established at a first meeting that the individual, a
relative, Bob's primary care and Frida's office attended, and helpers to answer."""

import datetime

import pytest
from django.apps import apps

from samplan.evaluation import default
from samplan.evaluation.models import EvaluationRequest, InstrumentVersion
from samplan.plans import services
from samplan.plans.models import Plan
from samplan.testing.cast import begin, fresh, soon, staff


@pytest.fixture
def version(db) -> InstrumentVersion:
    """Samplan's own questionnaire, version 1 (the data migration), in use."""
    default.install(apps)  # again, after a browser test's flush took the migration's rows
    return InstrumentVersion.objects.get(instrument__code="samplan-sip-evaluation", version="1")


@pytest.fixture
def staff_version(version) -> InstrumentVersion:
    """Samplan's own questionnaire for staff, version 1 (installed with the individual's)."""
    return InstrumentVersion.objects.get(
        instrument__code="samplan-sip-evaluation-staff", version="1"
    )


def hold(sip, plan: Plan, kind: str = "first", *, absent=()) -> None:
    """Record the plan's scheduled meeting of `kind` as held, everyone invited attending
    except the people or units in `absent`."""
    meeting = fresh(plan).meetings.get(kind=kind, status="scheduled")
    begin(meeting)
    attended = [i.pk for i in meeting.invitees.all() if (i.person or i.unit) not in set(absent)]
    services.meeting_held(**sip.as_alice, meeting=meeting, attended=attended)


def established(sip, relative=None, *, relative_attends: bool = True) -> Plan:
    """A plan established at a first meeting; the relative (if any) invited, attending or not."""
    plan = sip.initiate()
    sip.consent(plan, relatives=[relative] if relative else [])
    people = [(sip.person, "oral")] + ([(relative, "oral")] if relative else [])
    sip.invite(plan, invited_people=people)
    sip.fill(plan)
    hold(sip, plan, absent=() if relative_attends else (relative,))
    sip.establish(plan, hold_meeting=False)
    return fresh(plan)


def followed_up(sip, plan: Plan, relative=None) -> Plan:
    """A follow-up at a held follow-up meeting, everyone invited attending."""
    people = [(sip.person, "oral")] + ([(relative, "oral")] if relative else [])
    sip.invite(
        plan,
        kind="follow_up",
        starts_at=soon() + datetime.timedelta(days=1),
        invited_people=people,
    )
    hold(sip, plan, kind="follow_up")
    meeting = fresh(plan).meetings.filter(kind="follow_up", status="held").latest("starts_at")
    sip.follow_up(fresh(plan), meeting=meeting)
    return fresh(plan)


def requests_of(plan: Plan):
    return EvaluationRequest.objects.filter(plan=plan)


@pytest.fixture
def as_bob(bob, primary_care):
    return staff(bob, primary_care)
