from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import Unit


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is wrong. Check them and try again."),
        "inactive": _("This account is not active. Contact your administrator."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No autofocus: keyboard and screen-reader users start at the skip link, as on every page.
        self.fields["username"].widget.attrs.pop("autofocus", None)


class ChooseUnitForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Acting unit"),
        queryset=Unit.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the unit you work for now."),
            "invalid_choice": _("You are not an active member of that unit."),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            memberships__user=user, memberships__is_active=True, is_active=True
        ).select_related("organization")
        self.fields["unit"].label_from_instance = lambda unit: str(unit)
