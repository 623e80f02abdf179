"""Asking: after the plan is established and after each follow-up, those who took part are
asked once each; a relative who did not take part is not."""

import datetime

import time_machine
from django.utils import timezone

from samplan.evaluation import services
from samplan.evaluation.models import Category, EvaluationRequest
from samplan.evaluation.tasks import evaluation_expire
from samplan.evaluation.tests.conftest import established, followed_up, hold, requests_of
from samplan.notifications.models import Notification

ONE_DAY = datetime.timedelta(days=1)


def asked(plan, occasion="established"):
    return {
        (r.person or r.user, r.category)
        for r in requests_of(plan).filter(occasion=occasion).select_related("person", "user")
    }


def test_establishing_asks_the_individual_the_relative_and_the_staff_who_took_part(
    sip, relative, version, staff_version, alice, bob, frida, primary_care
):
    plan = established(sip, relative)
    who = asked(plan)
    assert (sip.person, Category.INDIVIDUAL) in who
    assert (relative, Category.RELATIVE) in who
    assert (alice, Category.STAFF) in who
    # Staff get the staff's questionnaire, the individual and the relative the individual's.
    for request in requests_of(plan):
        expected = staff_version if request.category == Category.STAFF else version
        assert request.version == expected, request.category
    # Each request keeps the units that took part, for the figures.
    request = requests_of(plan).get(person=sip.person)
    assert primary_care in request.units.all() and sip.needs_assessment in request.units.all()


def test_staff_are_asked_in_their_inbox_and_the_citizens_are_not_emailed(
    sip, relative, version, alice
):
    plan = established(sip, relative)
    request = requests_of(plan).get(user=alice)
    item = Notification.objects.get(kind=Notification.Kind.EVALUATION_REQUEST, user=alice)
    assert item.link == f"/utvardering/{request.pk}/"
    assert not Notification.objects.filter(
        kind=Notification.Kind.EVALUATION_REQUEST, person__isnull=False
    ).exists()


def test_a_relative_who_did_not_take_part_is_not_asked(sip, relative, version):
    plan = established(sip, relative, relative_attends=False)
    assert not requests_of(plan).filter(person=relative).exists()
    assert requests_of(plan).filter(person=sip.person).exists()


def test_a_follow_up_asks_again_and_each_occasion_asks_each_person_once(
    sip, relative, version, alice
):
    plan = followed_up(sip, established(sip, relative), relative)
    assert (sip.person, Category.INDIVIDUAL) in asked(plan, "follow_up")
    assert (relative, Category.RELATIVE) in asked(plan, "follow_up")
    assert requests_of(plan).filter(person=sip.person).count() == 2
    # Hearing of the same occasion again asks nobody twice.
    before = requests_of(plan).count()
    services.plan_established_received(None, plan=plan, version=None, actor=sip.as_alice["actor"])
    assert requests_of(plan).count() == before
    items = Notification.objects.filter(kind=Notification.Kind.EVALUATION_REQUEST, user=alice)
    assert items.count() == 2


def test_for_a_child_the_guardians_are_asked_not_the_child(sip, child, guardians, version):
    plan = sip.initiate(child)
    sip.consent(plan, given_by="guardians", guardians=guardians)
    sip.invite(plan, invited_people=[(g, "oral") for g in guardians])
    sip.fill(plan)
    hold(sip, plan)
    sip.establish(plan, hold_meeting=False)
    who = {(r.person, r.category) for r in requests_of(plan).filter(person__isnull=False)}
    assert who == {(g, Category.GUARDIAN) for g in guardians}


def test_a_request_expires_after_30_days(sip, version):
    plan = established(sip)
    request = requests_of(plan).get(person=sip.person)
    assert (request.expires_on - request.asked_on).days == 30
    assert services.evaluation_requests_expire(request.expires_on) == 0
    day_after = request.expires_on + datetime.timedelta(days=1)
    assert services.evaluation_requests_expire(day_after) >= 1
    request.refresh_from_db()
    assert request.state == EvaluationRequest.State.EXPIRED


def test_the_worker_closes_the_requests_not_answered_in_time(sip, version):
    plan = established(sip)
    request = requests_of(plan).get(person=sip.person)
    later = datetime.datetime.combine(request.expires_on, datetime.time(12)) + ONE_DAY
    with time_machine.travel(timezone.make_aware(later), tick=False):
        assert evaluation_expire.call()["expired"] >= 1
    request.refresh_from_db()
    assert request.state == EvaluationRequest.State.EXPIRED


def test_a_staff_request_asks_the_staff_questionnaire_and_a_citizen_request_the_individual_s(
    sip, version, staff_version, alice
):
    plan = established(sip)
    staff_request = requests_of(plan).get(user=alice)
    citizen_request = requests_of(plan).get(person=sip.person)
    assert staff_request.version == staff_version
    assert staff_version.instrument.audience == "staff"
    assert staff_version.title_sv == "Samplans utvärdering av SIP för personal, version 1"
    staff_questions = set(staff_version.questions.values_list("link_id", flat=True))
    assert {"own_goals_guided", "clear_overall_responsibility"} <= staff_questions
    assert citizen_request.version == version
    assert "sip_helps" in set(version.questions.values_list("link_id", flat=True))


def test_without_a_staff_questionnaire_in_use_only_the_individual_s_side_is_asked(
    sip, version, staff_version
):
    staff_version.in_use = False
    staff_version.save(update_fields=["in_use"])
    plan = established(sip)
    assert {r.category for r in requests_of(plan)} == {Category.INDIVIDUAL}
