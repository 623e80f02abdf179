"""The evaluation in Min SIP, under /min-sip/utvardering/."""

from django.urls import path

from samplan.evaluation import views

app_name = "evaluation_citizen"

urlpatterns = [
    path("<uuid:evaluation_id>/", views.citizen_answer, name="answer"),
]
