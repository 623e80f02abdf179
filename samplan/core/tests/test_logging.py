import io
import logging
import sys

import pytest
from django.test import Client

from samplan.core.logging import REDACTED, RedactIdentityNumbers

PERSONNUMMER = "19811218-9876"
SAMORDNINGSNUMMER = "198112789870"  # day 18 + 60
RESERVNUMMER_ON_A_DATE = "19800101-T123"
RESERVNUMMER_LOCAL = "RM-1234"  # a region's own form: only known because it was sent


def record(msg, *args, exc_info=None, **extra) -> logging.LogRecord:
    entry = logging.LogRecord("x", logging.ERROR, __file__, 1, msg, args, exc_info)
    entry.__dict__.update(extra)
    return entry


def formatted(entry: logging.LogRecord) -> str:
    return logging.Formatter("{message} {detail}", style="{", defaults={"detail": ""}).format(entry)


def test_identity_numbers_are_removed_from_log_messages():
    entry = record("search for %s and %s failed", "19811218-9876", "811218+9876")
    RedactIdentityNumbers().filter(entry)
    assert entry.getMessage() == f"search for {REDACTED} and {REDACTED} failed"


def test_other_numbers_stay_in_log_messages():
    entry = record("GET /plan/42 took 12345 ms")
    RedactIdentityNumbers().filter(entry)
    assert entry.getMessage() == "GET /plan/42 took 12345 ms"


def test_identity_numbers_are_removed_from_the_traceback_the_stack_and_extra_fields():
    try:
        raise ValueError(f"{PERSONNUMMER} {SAMORDNINGSNUMMER} {RESERVNUMMER_ON_A_DATE}")
    except ValueError:
        entry = record(
            "failed",
            exc_info=sys.exc_info(),
            detail=f"number {PERSONNUMMER}",
            numbers=[SAMORDNINGSNUMMER],
        )
    entry.stack_info = f"Stack (most recent call last):\n  lookup({RESERVNUMMER_ON_A_DATE})"
    RedactIdentityNumbers().filter(entry)
    text = formatted(entry) + repr(vars(entry))
    for number in (PERSONNUMMER, SAMORDNINGSNUMMER, RESERVNUMMER_ON_A_DATE):
        assert number not in text
    assert "ValueError" in text and REDACTED in text


@pytest.fixture
def console_output():
    """What the configured console handler writes (the server log in production)."""
    handler = next(h for h in logging.getLogger("django").handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_a_server_error_logs_no_identity_number_of_any_kind(db, settings, console_output):
    settings.ROOT_URLCONF = "samplan.core.tests.failing_urls"
    client = Client(raise_request_exception=False)
    response = client.post(
        "/test-fel/",
        {
            "person": PERSONNUMMER,
            "coordination": SAMORDNINGSNUMMER,
            "reserve": RESERVNUMMER_LOCAL,
        },
    )
    assert response.status_code == 500
    log = console_output.getvalue()
    assert "Traceback" in log and "ValueError" in log  # the error is still there to debug
    for number in (PERSONNUMMER, SAMORDNINGSNUMMER, RESERVNUMMER_LOCAL):
        assert number not in log
        assert number.lower() not in log.lower()


def test_the_console_handler_uses_the_filter():
    from django.conf import settings

    assert "redact_identity_numbers" in settings.LOGGING["handlers"]["console"]["filters"]
