"""The token endpoint (RFC 6749 client credentials, RFC 7523 private_key_jwt)."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from samplan import policy
from samplan.api import problems, services


def _error(error: str, description: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="samplan"'
    return response


@policy.public
@login_not_required
@csrf_exempt
def token(request):
    """POST grant_type=client_credentials, client_assertion_type=...jwt-bearer,
    client_assertion=<JWT>, scope (optional): an access token for five minutes."""
    if request.method != "POST":
        response = _error("invalid_request", _("Use POST."), 405)
        response["Allow"] = "POST"
        return response
    data = request.POST
    if data.get("grant_type") != "client_credentials":
        return _error(
            "unsupported_grant_type", _("Only the grant type client_credentials is supported.")
        )
    if data.get("client_assertion_type") != services.ASSERTION_TYPE or not data.get(
        "client_assertion"
    ):
        return _error(
            "invalid_client",
            _("Authenticate with a signed client assertion (private_key_jwt)."),
            401,
        )
    try:
        token, row = services.token_issue(
            assertion=data["client_assertion"],
            audience=request.build_absolute_uri(reverse("api_token")),
            scope=data.get("scope"),
        )
    except services.TokenRefused as refused:
        return _error(refused.error, refused.description, refused.status)
    return JsonResponse(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": services.TOKEN_SECONDS,
            "scope": row.scope,
        }
    )


@policy.public
@login_not_required
@csrf_exempt
def unknown(request, rest: str = ""):
    """Any other path under /api/: a 404 problem, not the pages' HTML."""
    return problems.not_found(request, None)
