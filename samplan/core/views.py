"""The health check and the benchmark's floor. (The staff start page is
samplan.plans.views.start.)"""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from samplan import policy


@login_not_required
@policy.public
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@policy.route("session")
def floor(request: HttpRequest) -> HttpResponse:
    """The benchmark's floor (docs/performance.md): a signed-in page with the whole middleware
    and one query, so that a page's time can be told as a multiple of what any page costs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
