"""Model choice fields whose choices are read in one query.

Django's ModelChoiceIterator reads its queryset with .iterator(), which on PostgreSQL opens a
server-side cursor: DECLARE, FETCH and CLOSE, three round trips for a list of a few dozen
units or staff. A form page with eight such fields spent more time on cursors than on data.
Choice lists are short by construction (a plan's units, goals, members), so they are read
as an ordinary query instead.
"""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

# The empty choice of a select, read aloud as words rather than "dash dash dash".
EMPTY_LABEL = _("Choose …")


class ListedChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator

    def __init__(self, *args, empty_label=EMPTY_LABEL, **kwargs):
        super().__init__(*args, empty_label=empty_label, **kwargs)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoiceIterator
