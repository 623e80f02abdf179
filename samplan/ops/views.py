"""`/health` for monitoring (the database, the worker, the outbox: 503 when one is red) and
`/metrics` for Prometheus. `/halsa/` stays the load balancers' check (the app and its
database), so that a stopped worker does not take the servers out of rotation."""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from samplan import policy
from samplan.ops import checks
from samplan.ops.metrics import exposition


@require_GET
@policy.public
@login_not_required
def health(request) -> JsonResponse:
    found = checks.health()
    ok = all(check.ok for check in found)
    body = {
        "status": "ok" if ok else "fail",
        "checks": {
            check.name: {"ok": check.ok, "detail": check.detail, "seconds": check.seconds}
            for check in found
        },
    }
    response = JsonResponse(body, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@policy.public
@login_not_required
def metrics(request) -> HttpResponse:
    """Needs `Authorization: Bearer <METRICS_TOKEN>` when the setting is set; without it, only
    outside production (404 in production, so nothing is open by accident)."""
    token = settings.METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), token.encode()):
            raise Http404
    elif settings.PRODUCTION:
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
