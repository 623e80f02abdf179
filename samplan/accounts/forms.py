from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import Unit
from samplan.core import choices


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is wrong. Check them and try again."),
        "inactive": _("This account is not active. Contact your administrator."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No autofocus: keyboard and screen-reader users start at the skip link, as on every page.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        bound_login_fields(self)


def bound_login_fields(form: AuthenticationForm) -> None:
    """Django sets the username's max_length after the field is built, so nothing checks it;
    an over-long name must be refused here, before it reaches the lockout counters."""
    username = form.fields["username"]
    username.validators.append(MaxLengthValidator(username.max_length))
    username.error_messages["max_length"] = _("A username has at most %(limit_value)d characters.")
    form.fields["password"].validators.append(MaxLengthValidator(4096))
    form.fields["password"].error_messages["max_length"] = _("The password is too long.")


class ChooseUnitForm(forms.Form):
    unit = choices.ModelChoiceField(
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
