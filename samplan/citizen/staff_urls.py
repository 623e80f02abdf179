"""Requests for a SIP from Min SIP, as the receiving unit sees them, under /forfragningar/."""

from django.urls import path

from samplan.citizen import staff_views as views

app_name = "requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("skicka/", views.request_refer, name="refer"),
    path("<uuid:sip_request_id>/", views.request_answer, name="answer"),
]
