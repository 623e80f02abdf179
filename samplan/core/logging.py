"""Logging filter that keeps identity numbers out of application logs."""

import logging
import re

IDENTITY_NUMBER_RE = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
REDACTED = "[identitetsnummer]"


class RedactIdentityNumbers(logging.Filter):
    """Replace anything shaped like a personnummer or samordningsnummer in a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if IDENTITY_NUMBER_RE.search(message):
            record.msg = IDENTITY_NUMBER_RE.sub(REDACTED, message)
            record.args = ()
        return True
