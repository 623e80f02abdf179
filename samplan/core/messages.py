"""Django's own validation messages that Samplan words differently in Swedish. They are listed
here so that `makemessages` keeps them in Samplan's catalogue, which is read before Django's:
Django's Swedish says "(den har 10000)" of a text, where a person expects "(nu 10000)"."""

from django.utils.translation import ngettext_lazy

OVERRIDDEN = [
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
]
