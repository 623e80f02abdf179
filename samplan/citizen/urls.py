"""Min SIP: the citizen's side of Samplan, under /min-sip/."""

from django.urls import path

from samplan.citizen import auth_views, views

app_name = "citizen"

urlpatterns = [
    path("", views.home, name="home"),
    path("logga-in/", auth_views.login_page, name="login"),
    path("logga-in/start/", auth_views.oidc_start, name="oidc_start"),
    path("logga-in/callback/", auth_views.oidc_callback, name="oidc_callback"),
    path("logga-in/demo/", auth_views.demo_login, name="demo_login"),
    path("logga-ut/", auth_views.logout, name="logout"),
    path("be-om-sip/<uuid:person_id>/", views.sip_request, name="sip_request"),
    path("<uuid:plan_id>/", views.plan_detail, name="plan"),
    path("<uuid:plan_id>/svara/", views.answer, name="answer"),
    path("<uuid:plan_id>/meddelande/", views.message, name="message"),
    path("<uuid:plan_id>/narstaende/", views.relatives, name="relatives"),
    path("<uuid:plan_id>/mote/<int:meeting_id>/", views.meeting_invite, name="meeting_invite"),
    path("<uuid:plan_id>/avsluta/", views.withdraw, name="withdraw"),
    path("<uuid:plan_id>/vem-har-last/", views.readers, name="readers"),
    path("<uuid:plan_id>/kopia.pdf", views.pdf, name="pdf"),
]
