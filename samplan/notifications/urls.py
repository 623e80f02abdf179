"""The inboxes, under /inkorg/: staff at /inkorg/, the citizen's at /inkorg/min-sip/."""

from django.urls import path

from samplan.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("las/", views.mark_read, name="mark_read"),
    path("min-sip/", views.citizen_inbox, name="citizen_inbox"),
    path("min-sip/las/", views.citizen_mark_read, name="citizen_mark_read"),
    path("min-sip/e-post/", views.citizen_email_preference, name="citizen_email"),
]
