"""Discharge from inpatient care, under /utskrivning/."""

from django.urls import path

from samplan.discharge import views

app_name = "discharge"

urlpatterns = [
    path("", views.admission_list, name="list"),
    path("ny/", views.admission_register, name="register"),
    path("<uuid:admission_id>/", views.admission_detail, name="detail"),
]
