"""The questionnaires in the admin (superusers): versions and their questions, an import of a
FHIR Questionnaire JSON file as a new version, and an export of a version as one.

A version that has been asked with is never changed (its answers keep meaning what they meant):
a change is a new version. Requests and answers are not in the admin at all."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from samplan.accounts.admin_scope import SystemAdministratorOnly
from samplan.evaluation import fhir
from samplan.evaluation.models import (
    EvaluationAnswer,
    EvaluationRequest,
    Instrument,
    InstrumentVersion,
    Question,
)

MAX_FILE_BYTES = 1_000_000


def version_used(version: InstrumentVersion) -> bool:
    return (
        EvaluationRequest.objects.filter(version=version).exists()
        or EvaluationAnswer.objects.filter(version=version).exists()
    )


class QuestionInline(SystemAdministratorOnly, admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        "position",
        "link_id",
        "kind",
        "required",
        "text_sv",
        "text_en",
        "text_easy_sv",
        "options",
    ]

    def may_change(self, request, obj) -> bool:
        return obj is None or not version_used(obj)

    def may_add(self, request, obj=None) -> bool:
        return obj is None or not version_used(obj)


class VersionInline(SystemAdministratorOnly, admin.TabularInline):
    model = InstrumentVersion
    extra = 0
    fields = ["version", "title_sv", "in_use"]
    readonly_fields = fields
    show_change_link = True

    def may_add(self, request, obj=None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    list_display = ["name", "code", "audience", "publisher"]
    fields = ["name", "code", "audience", "publisher", "url"]
    inlines = [VersionInline]

    def may_delete(self, request, obj) -> bool:
        return not obj.versions.exists()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("FHIR Questionnaire (JSON file)"),
        error_messages={"required": _("Choose a JSON file with a FHIR Questionnaire.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        raw = upload.read()
        try:
            self.parsed = fhir.parse_questionnaire(raw)
        except fhir.FhirImportError as error:
            raise forms.ValidationError(str(error)) from None
        self.raw = raw
        return upload


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(SystemAdministratorOnly, admin.ModelAdmin):
    list_display = ["title_sv", "instrument", "version", "in_use", "created_at"]
    list_filter = ["instrument", "in_use"]
    fields = [
        "instrument",
        "version",
        "in_use",
        "title_sv",
        "title_en",
        "title_easy_sv",
        "intro_sv",
        "intro_en",
        "intro_easy_sv",
    ]
    inlines = [QuestionInline]
    actions = ["export_fhir"]
    change_list_template = "admin/evaluation/instrumentversion/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # Once asked with, only whether it is in use may change.
        if obj is not None and version_used(obj):
            return [f for f in self.fields if f != "in_use"]
        return []

    def may_delete(self, request, obj) -> bool:
        return not version_used(obj)

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="evaluation_instrumentversion_import",
            )
        ]
        return urls + super().get_urls()

    def import_view(self, request):
        """Import a FHIR Questionnaire JSON file as a new version (not in use yet)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                version = fhir.questionnaire_import(form.raw)
            except fhir.FhirImportError as error:
                form.add_error("file", str(error))
            else:
                self.message_user(
                    request,
                    _("Imported %(title)s, version %(version)s. It is not in use until you say so.")
                    % {"title": version.title_sv, "version": version.version},
                    messages.SUCCESS,
                )
                return redirect(
                    reverse("admin:evaluation_instrumentversion_change", args=[version.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import FHIR Questionnaire"),
            "form": form,
        }
        return render(
            request,
            "admin/evaluation/instrumentversion/import.html",
            context,
            status=400 if form.errors else 200,
        )

    @admin.action(description=_("Export as FHIR Questionnaire (JSON)"), permissions=["view"])
    def export_fhir(self, request, queryset):
        versions = list(queryset.select_related("instrument")[:2])
        if len(versions) != 1:
            self.message_user(request, _("Choose one version to export."), messages.WARNING)
            return None
        version = versions[0]
        body = json.dumps(fhir.questionnaire(version), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/fhir+json; charset=utf-8")
        filename = f"{version.instrument.code}-{version.version}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
