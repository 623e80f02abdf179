"""Typed parsing of raw request values that no form field covers (hidden ids, id lists).

`str.isdigit()` accepts Unicode digits such as "²" that `int()` then refuses, and a UUID
field raises ValidationError on anything else: both once became server errors.
"""

import re
import uuid

_ASCII_ID = re.compile(r"^[0-9]{1,18}$")  # fits a 64-bit integer column


def parse_id(value: object) -> int | None:
    """A database id written in ASCII digits, or None."""
    if isinstance(value, str) and _ASCII_ID.match(value.strip()):
        return int(value.strip())
    return None


def parse_ids(values) -> list[int]:
    """The valid ids among `values` (others are left out), in order, without repeats."""
    ids = (parse_id(value) for value in values)
    return list(dict.fromkeys(i for i in ids if i is not None))


def parse_uuid(value: object) -> uuid.UUID | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None
