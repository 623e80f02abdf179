"""The demo world shows collaboration failures in every state and every way of concluding them,
each made through the services at its own past moment, and proposes a report for a first meeting
that is overdue; loading them again adds nothing."""

from django.core.management import call_command
from django.utils import timezone

from samplan.accounts.models import Membership, Unit, User
from samplan.demo.caseload import BUSY
from samplan.demo.deviations import load_demo_deviations
from samplan.demo.timeline import Clock
from samplan.demo.world import PEOPLE
from samplan.deviations import services
from samplan.deviations.models import Deviation, DeviationAction, DeviationEvent
from samplan.people.models import Person
from samplan.plans import rules
from samplan.plans.models import EscalationStep
from samplan.policy import Staff

Event = DeviationEvent.Kind


def test_the_demo_world_has_collaboration_failures_in_every_state(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet_logins=True)
    now, today = timezone.now(), timezone.localdate()

    assert set(Deviation.objects.values_list("state", flat=True)) == set(Deviation.State.values)
    concluded = set(Deviation.objects.values_list("conclusion", flat=True))
    assert {Deviation.Conclusion.RESOLVED, Deviation.Conclusion.NOT_A_FAILURE} <= concluded
    events = DeviationEvent.objects.all()
    # Escalated by the unit managers (a conclusion that moves it up), and by the worker.
    assert events.filter(kind=Event.ESCALATED, actor__isnull=False).exists()
    assert events.filter(kind=Event.ESCALATED, actor__isnull=True).exists()
    assert events.filter(kind=Event.OVERDUE).exists()
    assert Deviation.objects.filter(level=2, state="handling").exists()
    for kind in (Event.COMMENTED, Event.ACTION_AGREED, Event.ACTION_DONE, Event.REFERENCE):
        assert events.filter(kind=kind).exists(), kind
    assert Deviation.objects.filter(state="reported", events__kind=Event.REPORTED).exists()

    # A report is about a SIP its reporter's unit takes part in; without one, a unit manager's.
    for deviation in Deviation.objects.select_related("plan", "reporting_unit"):
        if deviation.plan is not None:
            assert rules.takes_part(deviation.plan, deviation.reporting_unit), deviation
    without = Deviation.objects.filter(plan__isnull=True)
    assert without.exists()
    for deviation in without:
        role = Membership.objects.get(user=deviation.reporter, unit=deviation.reporting_unit).role
        assert role == Membership.Role.UNIT_MANAGER

    # All of it in the past, and what is open is within its step: the worker's sweep today
    # finds nothing due.
    assert not events.filter(at__gt=now).exists()
    assert not Deviation.objects.filter(reported_at__gt=now).exists()
    assert not Deviation.objects.filter(level_due__lt=today).exists()
    assert services.deviations_escalate_due() == []

    # The ladders: the region's heads of operations are a member of step 2.
    region_heads = EscalationStep.objects.get(
        agreement__organization__kind="region", number=2
    ).members.values_list("username", flat=True)
    assert list(region_heads) == ["eva.strand"]
    assert EscalationStep.objects.filter(number=3, name="Ledningsgrupp för samverkan").count() == 3

    # A first meeting overdue by the local agreement is proposed as a report.
    busy = Unit.objects.get(name=BUSY)
    anna = Staff(user=User.objects.get(username="anna.lind"), unit=busy, role="caseworker")
    keys = [s.key for s in services.suggestions_for(anna)]
    assert any(key.startswith("deadline:first_meeting:") for key in keys), keys

    # Loading the reports again adds nothing.
    counted = [Deviation, DeviationEvent, DeviationAction, EscalationStep]
    before = [model.objects.count() for model in counted]
    people = {p.key: Person.objects.get(given_name=p.given, family_name=p.family) for p in PEOPLE}
    assert load_demo_deviations(people, Clock()) == 0
    assert [model.objects.count() for model in counted] == before
