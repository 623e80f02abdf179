from django.urls import path

from samplan.people import views

app_name = "people"

urlpatterns = [
    path("sok/", views.person_search, name="search"),
    path("registrera/", views.person_register_view, name="register"),
    path("<uuid:person_id>/listning/", views.person_listing, name="listing"),
]
