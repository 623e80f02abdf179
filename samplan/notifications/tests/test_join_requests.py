"""Requests to take part: who is asked, who is told, and that nothing personal is written.

Olle's social psychiatry never takes part in Eva's SIP. His initiative for Eva reaches the
plan's lead and writing units (not him); he hears back only once the consent lets his unit
take part.
"""

import email
import email.policy

import pytest
from django.db import transaction
from django.utils import timezone

from samplan.notifications import services
from samplan.notifications.models import Notification
from samplan.notifications.tests.conftest import TASKS_IMMEDIATE, personal_data
from samplan.plans import services as plans
from samplan.plans.models import JoinRequest
from samplan.testing.cast import staff

Kind = Notification.Kind


def ask(cast, plan) -> JoinRequest:
    return plans.plan_initiate(
        actor=staff(cast.olle, cast.social_psychiatry), person=plan.person, reasons=["unclear"]
    )


def written(kind: str) -> tuple[set[str], set[str]]:
    rows = Notification.objects.filter(kind=kind).select_related("user")
    return (
        {n.user.username for n in rows if n.channel == "inbox"},
        {n.email for n in rows if n.channel == "email"},
    )


def test_a_request_asks_the_writing_units_and_the_lead_in_the_same_transaction(cast):
    plan = cast.plan()
    with pytest.raises(RuntimeError), transaction.atomic():
        ask(cast, plan)
        assert written(Kind.JOIN_REQUEST)[0]
        raise RuntimeError("the change rolls back")
    assert not Notification.objects.exists() and not JoinRequest.objects.exists()

    asked = ask(cast, plan)
    assert written(Kind.JOIN_REQUEST) == (
        {"alice", "bob", "bea"},
        {"bistand@kommun.test", "vc@region.test"},
    )
    assert not Notification.objects.filter(unit=cast.social_psychiatry).exists()
    assert all(n.plan_id == plan.pk for n in Notification.objects.all())
    assert services.join_request_queue(join_request=asked)  # again: the same rows
    assert Notification.objects.filter(kind=Kind.JOIN_REQUEST).count() == 5


def test_the_lead_is_asked_once_even_as_a_member_of_a_writing_unit(cast):
    plan = cast.plan()
    plans.plan_update(**cast.as_alice, plan=plan, expected_version=plan.lock_version, lead=cast.bea)
    ask(cast, plan)
    items = Notification.objects.filter(kind=Kind.JOIN_REQUEST, user=cast.bea)
    assert items.count() == 1


def test_only_a_unit_that_may_see_the_plan_is_told_it_takes_part(cast):
    plan = cast.plan()
    asked = ask(cast, plan)
    assert services.join_request_accepted_queue(join_request=asked) == []
    plans.consent_record(
        **cast.as_alice,
        plan=plan,
        decision="given",
        decided_on=timezone.localdate(),
        mode="written",
        given_by="individual",
        units=[cast.needs_assessment, cast.primary_care, cast.social_psychiatry],
    )
    assert written(Kind.JOIN_ACCEPTED) == ({"olle"}, {"sp@kommun.test"})
    item = Notification.objects.get(kind=Kind.JOIN_ACCEPTED, user=cast.olle)
    assert item.link == f"/sip/{plan.pk}/" and item.unit == cast.social_psychiatry


def test_canary_no_request_or_answer_carries_personal_data(
    cast, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = TASKS_IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        plan = cast.plan()
        ask(cast, plan)
        plans.consent_record(
            **cast.as_alice,
            plan=plan,
            decision="given",
            decided_on=timezone.localdate(),
            mode="written",
            given_by="individual",
            units=[cast.needs_assessment, cast.primary_care, cast.social_psychiatry],
        )
    assert {n.kind for n in Notification.objects.all()} == {Kind.JOIN_REQUEST, Kind.JOIN_ACCEPTED}
    assert len(mailoutbox) == 3  # the two writing units asked, the psychiatry told
    forbidden = [v.lower() for v in personal_data(cast, cast.olle.username, "Socialpsykiatri")]
    for sent in mailoutbox:
        message = email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
        content = str(message["Subject"]) + "\n" + message.get_body().get_content()
        leaked = [value for value in forbidden if value in content.lower()]
        assert not leaked, (leaked, content)
    for n in Notification.objects.all():
        text = f"{n.subject}\n{n.body}\n{n.link}".lower()
        assert not [value for value in forbidden if value in text], text
