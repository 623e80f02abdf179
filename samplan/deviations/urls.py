"""Collaboration failures, under /brister/."""

from django.urls import path

from samplan.deviations.views import learning, reports

app_name = "deviations"

urlpatterns = [
    path("", reports.deviation_list, name="list"),
    path("ny/", reports.deviation_report, name="report"),
    path("forslag/avfarda/", reports.suggestion_dismiss, name="dismiss"),
    path("larande/", learning.learning, name="learning"),
    path("larande/export.<str:fmt>", learning.learning_export, name="learning_export"),
    path("<uuid:deviation_id>/", reports.deviation_detail, name="detail"),
    path("<uuid:deviation_id>/export.<str:fmt>", reports.deviation_export, name="export"),
]
