import logging

from samplan.core.logging import REDACTED, RedactIdentityNumbers


def record(msg, *args) -> logging.LogRecord:
    return logging.LogRecord("x", logging.INFO, __file__, 1, msg, args, None)


def test_identity_numbers_are_removed_from_log_messages():
    entry = record("search for %s and %s failed", "19811218-9876", "811218+9876")
    RedactIdentityNumbers().filter(entry)
    assert entry.getMessage() == f"search for {REDACTED} and {REDACTED} failed"


def test_other_numbers_stay_in_log_messages():
    entry = record("GET /plan/42 took 12345 ms")
    RedactIdentityNumbers().filter(entry)
    assert entry.getMessage() == "GET /plan/42 took 12345 ms"


def test_the_console_handler_uses_the_filter():
    from django.conf import settings

    assert "redact_identity_numbers" in settings.LOGGING["handlers"]["console"]["filters"]
