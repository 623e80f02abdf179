from django.urls import path

from samplan.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("ny/", views.plan_start, name="start"),
    path("vara-insatser/", views.our_interventions, name="our_interventions"),
    path("ny/registrerat/", views.plan_start_receipt, name="start_receipt"),
    path("<uuid:plan_id>/", views.plan_overview, name="overview"),
    path("<uuid:plan_id>/for-in/", views.bring_in, name="bring_in"),
    path("<uuid:plan_id>/forberedelse/", views.preparation, name="preparation"),
    path("<uuid:plan_id>/plan/", views.plan_content, name="content"),
    path("<uuid:plan_id>/mal/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path(
        "<uuid:plan_id>/insatser/<int:intervention_id>/",
        views.intervention_edit,
        name="intervention_edit",
    ),
    path(
        "<uuid:plan_id>/insatser/<int:intervention_id>/lage/",
        views.intervention_progress,
        name="intervention_progress",
    ),
    path(
        "<uuid:plan_id>/kontaktperson/<int:participant_id>/",
        views.contact_person,
        name="contact_person",
    ),
    path("<uuid:plan_id>/samtycke/", views.consent, name="consent"),
    path("<uuid:plan_id>/narstaende/", views.relations, name="relations"),
    path("<uuid:plan_id>/skyddade-uppgifter/", views.protected_details, name="protected"),
    path("<uuid:plan_id>/samtycke/aterkalla/", views.consent_withdraw, name="consent_withdraw"),
    path("<uuid:plan_id>/moten/", views.meetings, name="meetings"),
    path(
        "<uuid:plan_id>/moten/<int:meeting_id>/svar/", views.meeting_respond, name="meeting_respond"
    ),
    path(
        "<uuid:plan_id>/moten/<int:meeting_id>/andra/",
        views.meeting_change,
        name="meeting_change",
    ),
    path(
        "<uuid:plan_id>/moten/<int:meeting_id>/stall-in/",
        views.meeting_cancel,
        name="meeting_cancel",
    ),
    path("<uuid:plan_id>/moten/<int:meeting_id>/motesla/", views.meeting_mode, name="meeting_mode"),
    path(
        "<uuid:plan_id>/moten/<int:meeting_id>/kallelse.pdf",
        views.meeting_invitation_pdf,
        name="meeting_invitation_pdf",
    ),
    path("<uuid:plan_id>/faststall/", views.establish, name="establish"),
    path("<uuid:plan_id>/uppfoljning/", views.follow_up, name="follow_up"),
    path("<uuid:plan_id>/godkannande/", views.approval, name="approval"),
    path("<uuid:plan_id>/avsluta/", views.close, name="close"),
    path("<uuid:plan_id>/informerade/", views.closing_notices, name="closing_notices"),
    path("<uuid:plan_id>/versioner/", views.versions, name="versions"),
    path("<uuid:plan_id>/versioner/<int:number>/", views.version_detail, name="version"),
    path("<uuid:plan_id>/historik/", views.history, name="history"),
    path("<uuid:plan_id>/kopia.pdf", views.plan_pdf, name="pdf"),
    path(
        "<uuid:plan_id>/forfragningar/<int:request_id>/svar/",
        views.join_request_answer,
        name="join_request_answer",
    ),
    path(
        "<uuid:plan_id>/meddelanden/<int:message_id>/hanterat/",
        views.message_handled,
        name="message_handled",
    ),
]
