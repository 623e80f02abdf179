from django.urls import path

from samplan.review import views

app_name = "audit"

urlpatterns = [
    path("", views.log_review, name="review"),
    path("utdrag/", views.person_extract, name="extract"),
]
