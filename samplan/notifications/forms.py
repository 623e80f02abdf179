from django import forms
from django.utils.translation import gettext_lazy as _


class EmailPreferenceForm(forms.Form):
    email_ok = forms.BooleanField(
        label=_("E-mail me when there is something new in my inbox"),
        required=False,
        help_text=_(
            "The e-mail only says whom the news is from and links here: no names, no details, "
            "and the subject does not say SIP."
        ),
    )
