"""`in` for integer columns that ignores values no such column can hold.

Django's `in` lookup raises on a value that is not an integer (ValueError) and, on SQLite, on
one beyond 64 bits (OverflowError). Forms and the admin pass what the client sent straight into
`pk__in` (ModelMultipleChoiceField, the admin's autocomplete widget and its actions), so a
crafted id turned into a server error. Such a value can match no row, so it is left out; with
no value left the query matches nothing.
"""

from django.core.exceptions import ValidationError
from django.db.models import IntegerField
from django.db.models.lookups import In

SMALLEST, LARGEST = -(2**63), 2**63 - 1


class IntegerIn(In):
    def get_prep_lookup(self):
        if isinstance(self.rhs, list | tuple | set | frozenset) and not any(
            hasattr(value, "resolve_expression") for value in self.rhs
        ):
            self.rhs = [value for value in self.rhs if self._fits(value)]
        return super().get_prep_lookup()

    def _fits(self, value) -> bool:
        try:
            prepared = self.lhs.output_field.get_prep_value(value)
        except (ValueError, TypeError, ValidationError):
            return False
        return prepared is None or SMALLEST <= prepared <= LARGEST


def register() -> None:
    IntegerField.register_lookup(IntegerIn)
