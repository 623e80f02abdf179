"""The staff start page and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from samplan import policy
from samplan.plans.models import Plan


@require_GET
@policy.route("session")
def start(request: HttpRequest) -> HttpResponse:
    """Staff start page. A user with units but none chosen is asked to choose one first."""
    if request.acting_unit is None:
        if request.user.active_memberships().exists():
            return redirect(f"{reverse('accounts:choose_unit')}?next=/")
        if request.user.is_system_administrator:
            return redirect("admin:index")
    open_plans = 0
    if request.acting_unit is not None:
        open_plans = (
            Plan.objects.visible_to_unit(request.acting_unit)
            .exclude(state=Plan.State.CLOSED)
            .count()
        )
    return render(request, "core/start.html", {"open_plans": open_plans})


@login_not_required
@policy.public
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
