"""The statistics section, under /statistik/."""

from django.urls import path

from samplan.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.statistics, name="index"),
    path("export.<str:fmt>", views.statistics_export, name="export"),
    path("diagram/<str:chart>.svg", views.statistics_chart, name="chart"),
]
