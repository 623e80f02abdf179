"""Retention: entries are kept at least five years, and purging old ones keeps the chain whole."""

import datetime
import os
import subprocess
import sys

import pytest
from django.utils import timezone

from samplan.audit.models import AccessLogEntry, AccessLogHead
from samplan.audit.tests.access_log_helpers import (
    ENTRIES,
    chain_rows,
    record,
    record_at,
    run_command,
    staff_request,
    tamper,
)

YEAR = datetime.timedelta(days=365)


@pytest.fixture
def aged_log(alice, needs_assessment, person):
    """Entries written eleven and twelve years ago, then four years ago, then now."""
    now = timezone.now()
    record_at(now - 12 * YEAR, alice, needs_assessment, person, count=3)
    record_at(now - 11 * YEAR, alice, needs_assessment, person, count=2)
    record_at(now - 4 * YEAR, alice, needs_assessment, person, count=2)
    record(staff_request(alice, needs_assessment), person, count=3)
    assert run_command("verify_access_log") == (0, "access log OK: 10 entries", "")
    return chain_rows()


def test_the_purge_removes_entries_past_the_retention_and_the_rest_still_verifies(
    aged_log, alice, needs_assessment, person
):
    code, out, err = run_command("purge_access_log")
    assert (code, err) == (0, "")
    assert out.startswith("purged 5 access log entries older than 3653 days (before ")
    assert out.endswith("the chain now starts after sequence 5")
    assert [row["sequence"] for row in chain_rows()] == [6, 7, 8, 9, 10]
    head = AccessLogHead.objects.get()
    assert (head.anchor_sequence, head.anchor_hash) == (5, aged_log[4]["entry_hash"])
    assert run_command("verify_access_log") == (0, "access log OK: 5 entries", "")

    record(staff_request(alice, needs_assessment), person)
    assert run_command("verify_access_log") == (0, "access log OK: 6 entries", "")
    assert run_command("purge_access_log")[1].startswith("purged 0 access log entries")


def test_a_dry_run_counts_and_deletes_nothing(aged_log):
    code, out, _err = run_command("purge_access_log", "--dry-run")
    assert code == 0 and out.startswith("would purge 5 access log entries older than 3653 days")
    assert AccessLogEntry.objects.count() == 10
    assert AccessLogHead.objects.get().anchor_sequence == 0


def test_a_log_younger_than_the_retention_is_left_alone(db, alice, needs_assessment, person):
    record(staff_request(alice, needs_assessment), person, count=4)
    assert run_command("purge_access_log")[1].startswith("purged 0 access log entries")
    assert run_command("verify_access_log") == (0, "access log OK: 4 entries", "")


def test_purging_everything_leaves_an_empty_chain_that_goes_on(db, alice, needs_assessment, person):
    record_at(timezone.now() - 11 * YEAR, alice, needs_assessment, person, count=4)
    assert run_command("purge_access_log")[1].startswith("purged 4 access log entries")
    assert AccessLogEntry.objects.count() == 0
    assert run_command("verify_access_log") == (0, "access log OK: 0 entries", "")
    record(staff_request(alice, needs_assessment), person)
    assert AccessLogEntry.objects.get().sequence == 5
    assert run_command("verify_access_log") == (0, "access log OK: 1 entries", "")


def test_the_purge_refuses_to_remove_the_evidence_of_a_broken_chain(aged_log):
    tamper(f'UPDATE "{ENTRIES}" SET object_id = %s WHERE sequence = 2', ["other"])
    code, out, err = run_command("purge_access_log")
    assert (code, out) == (1, "")
    assert err.startswith("access log BROKEN at sequence 2 (id ")
    assert err.endswith("Nothing was purged.")
    assert AccessLogEntry.objects.count() == 10


def test_the_purge_keeps_entries_that_were_written_out_of_time_order(
    db, alice, needs_assessment, person
):
    """Only a prefix of the chain goes: an old time after a young one (a clock set back) stays."""
    now = timezone.now()
    record_at(now - 11 * YEAR, alice, needs_assessment, person)
    record_at(now - YEAR, alice, needs_assessment, person)
    record_at(now - 11 * YEAR, alice, needs_assessment, person)
    assert run_command("purge_access_log")[1].startswith("purged 1 access log entries")
    assert [row["sequence"] for row in chain_rows()] == [2, 3]
    assert run_command("verify_access_log") == (0, "access log OK: 2 entries", "")


# --- The setting ---------------------------------------------------------------------------

PRINT_RETENTION = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.ACCESS_LOG_RETENTION_DAYS)"
)


def retention_setting(value: str | None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "ACCESS_LOG_RETENTION_DAYS"}
    environment["DJANGO_SETTINGS_MODULE"] = "samplan.settings"
    if value is not None:
        environment["ACCESS_LOG_RETENTION_DAYS"] = value
    return subprocess.run(
        [sys.executable, "-c", PRINT_RETENTION],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_retention_is_ten_years_unless_set():
    result = retention_setting(None)
    assert (result.returncode, result.stdout.strip()) == (0, "3653"), result.stderr


def test_a_retention_of_five_years_is_accepted():
    result = retention_setting("1827")
    assert (result.returncode, result.stdout.strip()) == (0, "1827"), result.stderr


def test_a_retention_under_five_years_refuses_to_start():
    result = retention_setting("1826")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ACCESS_LOG_RETENTION_DAYS must be at least 1827" in result.stderr
