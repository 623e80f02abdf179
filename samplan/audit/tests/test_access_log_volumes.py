"""The sealer counts the reads per unit, user and day, so the log review of a unit with
hundreds of thousands of reads a month counts them from a few hundred rows."""

import datetime

import pytest
from django.db.models import Sum
from django.utils import timezone

from samplan.audit.models import AccessLogVolume
from samplan.audit.services import access_log_purge
from samplan.audit.tests.access_log_helpers import record, record_at, seal, staff_request
from samplan.review.sampling import period, user_volumes

YEAR = datetime.timedelta(days=365)


@pytest.fixture
def as_alice(alice, needs_assessment):
    return staff_request(alice, needs_assessment)


@pytest.fixture
def as_bob(bob, primary_care):
    return staff_request(bob, primary_care)


def counted(**where) -> int:
    return AccessLogVolume.objects.filter(**where).aggregate(n=Sum("reads"))["n"] or 0


def test_each_sealed_read_is_counted_once_for_its_unit_user_and_day(
    db, as_alice, as_bob, alice, bob, needs_assessment, primary_care, person
):
    record(as_alice, person, count=7)
    record(as_bob, person, count=3)
    record(as_alice, person, count=2)
    assert seal() == 0  # nothing left: sealing again counts nothing twice
    today = timezone.now().astimezone(datetime.UTC).date()
    assert counted(unit=needs_assessment, user=alice, day=today) == 9
    assert counted(unit=primary_care, user=bob, day=today) == 3
    assert AccessLogVolume.objects.filter(unit=needs_assessment, user=alice).count() == 1


def test_reads_not_yet_sealed_are_counted_too_and_only_once(
    db, as_alice, alice, needs_assessment, person
):
    record(as_alice, person, count=30)  # sealed: in the counts
    record(as_alice, person, count=10, sealed=False)  # waiting for the sealer: in the log
    start, end = period(30)
    assert user_volumes(needs_assessment, start, end) == [(alice.pk, "alice", 40)]
    seal()
    assert user_volumes(needs_assessment, start, end) == [(alice.pk, "alice", 40)]


def test_reads_outside_the_period_are_not_counted(db, alice, needs_assessment, person):
    record_at(timezone.now() - datetime.timedelta(days=60), alice, needs_assessment, person, 5)
    record_at(timezone.now() - datetime.timedelta(days=2), alice, needs_assessment, person, 4)
    start, end = period(30)
    assert user_volumes(needs_assessment, start, end) == [(alice.pk, "alice", 4)]


def test_the_purge_removes_the_counts_of_the_days_it_removes(
    db, as_alice, alice, needs_assessment, person
):
    long_ago = timezone.now() - 11 * YEAR  # beyond any retention
    record_at(long_ago, alice, needs_assessment, person, count=3)
    record(as_alice, person, count=2)
    assert counted() == 5
    access_log_purge()
    assert counted() == 2
    assert not AccessLogVolume.objects.filter(day__lt=timezone.now().date() - YEAR).exists()
