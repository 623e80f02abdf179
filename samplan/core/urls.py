from django.urls import path

from samplan.core import views

app_name = "core"

urlpatterns = [
    path("halsa/", views.health, name="health"),
    path("golv/", views.floor, name="floor"),
]
