from django import forms
from django.utils.translation import gettext_lazy as _


class EmailPreferenceForm(forms.Form):
    email_ok = forms.BooleanField(
        label=_("E-mail me when there is something new in my inbox"),
        required=False,
        help_text=_(
            "The e-mail only says that there is news and links here: no names, no details."
        ),
    )
