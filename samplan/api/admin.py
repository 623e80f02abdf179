"""API clients in the admin: a system administrator registers the record systems of his or
her organisations' units (docs/api.md)."""

import json

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from samplan.accounts.admin_scope import SystemAdministratorOnly, administration_scope
from samplan.api import services
from samplan.api.jwks import jwks_problem
from samplan.api.models import ApiClient


class JwksField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, indent=2)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return {}
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(
                _("The key set is not valid JSON. Paste the JWKS as the record system gave it.")
            ) from None

    def validate(self, value):
        problem = jwks_problem(value)
        if problem:
            raise forms.ValidationError(problem)


class ApiClientForm(forms.ModelForm):
    jwks = JwksField(
        label=_("public keys (JWKS)"),
        help_text=_('The record system\'s public keys as a JWKS: {"keys": [...]}.'),
    )

    class Meta:
        model = ApiClient
        fields = ["name", "unit", "may_read", "may_write", "jwks", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "unit", "client_id", "may_read", "may_write", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]
    readonly_fields = ["client_id", "user", "created_at"]
    superuser_only = False
    organization_path = "unit__organization"

    def may_change(self, request, obj) -> bool:
        return administration_scope(request).covers(obj.unit.organization_id)

    def save_model(self, request, obj, form, change) -> None:
        services.api_client_save(actor=request.user, client=obj)
