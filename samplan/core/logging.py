"""Keep identity numbers out of every part of every log record.

A 500 on a form that carried a personnummer once wrote the number into the server log inside
the traceback, because only the message line was cleaned. The filter below therefore cleans
the whole record before any handler formats it: the message with its arguments, the
exception text and traceback, the stack, and extra fields.

Two kinds of evidence are used:

- shapes: anything that looks like a personnummer or samordningsnummer (10 or 12 digits,
  with or without separator or spaces) or a date-based reservnummer with letters in the
  serial part (19800101-T123);
- the request being served: a reservnummer has no fixed shape (each region gives its own),
  so every value the client sent in this request that could be an identity number of any
  kind is redacted wherever it appears in a record logged while serving the request.
  `RequestValuesMiddleware` makes the request known to the filter.
"""

import contextvars
import logging
import re
import traceback

IDENTITY_NUMBER_RE = re.compile(
    r"(?<![\dA-Za-z])"
    r"(?:(?:\d{2})?\d{6}[-+ ]?\d{4}"  # personnummer, samordningsnummer
    r"|(?:\d{2})?\d{6}[-+ ]?[A-Za-z]{1,2}\d{2,3})"  # reservnummer on a date with a letter
    r"(?![\dA-Za-z])"
)
REDACTED = "[identitetsnummer]"

# Shape of a value that could be an identity number of any kind (reservnummer included).
_CANDIDATE_RE = re.compile(r"^[A-Za-z0-9+-]{5,20}$")
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("x", logging.INFO, __file__, 1, "", (), None))
) | {"message", "asctime", "taskName"}

_current_request: contextvars.ContextVar = contextvars.ContextVar(
    "samplan_log_request", default=None
)


def _submitted_values(request) -> set[str]:
    """Values the client sent in this request that could be identity numbers."""
    values: set[str] = set()
    sources = [getattr(request, "GET", None)]
    if hasattr(request, "_post"):  # only what the request already parsed; never parse here
        sources.append(request._post)
    for source in sources:
        if source is None:
            continue
        for _key, items in source.lists():
            for item in items:
                text = re.sub(r"\s", "", str(item))
                if _CANDIDATE_RE.match(text) and any(c.isdigit() for c in text):
                    values.add(str(item).strip())
                    values.add(text)
    return {v for v in values if len(v) >= 5}


def redact(text: str, values: set[str] = frozenset()) -> str:
    """The text with every identity number replaced."""
    for value in sorted(values, key=len, reverse=True):
        text = re.sub(re.escape(value), REDACTED, text, flags=re.IGNORECASE)
    return IDENTITY_NUMBER_RE.sub(REDACTED, text)


class RedactIdentityNumbers(logging.Filter):
    """Clean message, arguments, exception, stack and extra fields of a record in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current_request.get()
        values = _submitted_values(request) if request is not None else set()
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = redact(message, values), ()
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_info = None  # no handler may format the raw exception again
        if record.exc_text:
            record.exc_text = redact(record.exc_text, values)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, values)
        for name, value in list(vars(record).items()):
            if name in _STANDARD_ATTRIBUTES:
                continue
            if isinstance(value, str):
                setattr(record, name, redact(value, values))
            elif redact(repr(value), values) != repr(value):
                setattr(record, name, redact(repr(value), values))
        return True


class RequestValuesMiddleware:
    """Lets the log filter know the request being served (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
