from django.contrib.auth.decorators import login_not_required
from django.urls import path

from samplan import policy
from samplan.accounts import views

app_name = "accounts"

urlpatterns = [
    path("logga-in/", policy.public(login_not_required(views.LoginView.as_view())), name="login"),
    path("logga-ut/", policy.route("session")(views.LogoutView.as_view()), name="logout"),
    path("enhet/", views.choose_unit, name="choose_unit"),
    path("fortsatt-inloggad/", views.keep_alive, name="keep_alive"),
]
