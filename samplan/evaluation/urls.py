"""The evaluation for staff, under /utvardering/: the figures, and one's own questionnaire."""

from django.urls import path

from samplan.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("resultat/", views.results, name="results"),
    path("<uuid:evaluation_id>/", views.staff_answer, name="answer"),
]
