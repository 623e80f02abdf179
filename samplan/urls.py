from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from samplan import policy
from samplan.plans import views as plan_views

urlpatterns = [
    path("", plan_views.start, name="start"),
    path("", include("samplan.core.urls")),
    path("konto/", include("samplan.accounts.urls")),
    path("individer/", include("samplan.people.urls")),
    path("sip/", include("samplan.plans.urls")),
    path("granskning/", include("samplan.review.urls")),
    path("min-sip/utvardering/", include("samplan.evaluation.citizen_urls")),
    path("min-sip/", include("samplan.citizen.urls")),
    path("forfragningar/", include("samplan.citizen.staff_urls")),
    path("utskrivning/", include("samplan.discharge.urls")),
    path("brister/", include("samplan.deviations.urls")),
    path("utvardering/", include("samplan.evaluation.urls")),
    path("statistik/", include("samplan.statistics.urls")),
    path("inkorg/", include("samplan.notifications.urls")),
    path("api/", include("samplan.api.urls")),  # record systems (docs/api.md)
    path("", include("samplan.ops.urls")),  # /health and /metrics (docs/operations.md)
    path("sprak/", policy.public(login_not_required(set_language)), name="set_language"),
    path("admin/", admin.site.urls),
]
