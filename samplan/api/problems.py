"""RFC 9457 problem details: every error of the API, in Swedish or (Accept-Language: en)
English."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from samplan.audit.services import AccessLogUnavailable
from samplan.plans.rules import RuleViolation

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:samplan:problem:"


class ScopeMissing(Exception):
    """The token lacks the scope the method needs (read for GET, write otherwise)."""

    def __init__(self, scope: str):
        super().__init__(scope)
        self.scope = scope


def problem(request, status: int, kind: str, title: str, detail: str, errors=None) -> JsonResponse:
    body = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type=CONTENT_TYPE)
    response["Content-Language"] = (
        request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "sv"
    )
    return response


def _pointer(location) -> dict:
    """A pydantic error location, e.g. ("query", "limit"), as where it is and a JSON pointer."""
    parts = [str(part) for part in location]
    where = parts[0] if parts else ""
    rest = parts[1:]
    if where == "body" and rest and rest[0] == "payload":
        rest = rest[1:]
    return {"in": where, "name": ".".join(rest), "pointer": "#/" + "/".join(rest)}


def validation_error(request, exc: ValidationError):
    errors = [
        {**_pointer(error.get("loc", ())), "detail": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return problem(
        request,
        400,
        "invalid-request",
        _("Invalid request"),
        _("One or more parameters are not valid."),
        errors=errors,
    )


def authentication_error(request, exc):
    response = problem(
        request,
        401,
        "unauthorized",
        _("Not authenticated"),
        _("A valid bearer access token is needed (it may have expired or been revoked)."),
    )
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def scope_missing(request, exc: ScopeMissing):
    response = problem(
        request,
        403,
        "insufficient-scope",
        _("Insufficient scope"),
        _("The access token does not have the scope %(scope)s.") % {"scope": exc.scope},
    )
    response["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{exc.scope}"'
    return response


def forbidden(request, exc):
    return problem(
        request,
        403,
        "forbidden",
        _("Forbidden"),
        _("The client may see this but not do this."),
    )


def not_found(request, exc):
    return problem(
        request,
        404,
        "not-found",
        _("Not found"),
        _("There is no such resource, or the client may not see it."),
    )


def rule_violation(request, exc: RuleViolation):
    errors = None
    if exc.field:
        errors = [
            {"in": "body", "name": exc.field, "pointer": f"#/{exc.field}", "detail": exc.message}
        ]
    return problem(
        request, 422, "rule-violation", _("Refused by a rule"), str(exc.message), errors=errors
    )


def http_error(request, exc: HttpError):
    return problem(request, exc.status_code, "http-error", _("Request refused"), str(exc.message))


def log_unavailable(request, exc):
    response = problem(
        request,
        503,
        "unavailable",
        _("Temporarily unavailable"),
        _("The service is temporarily unavailable. Try again in a moment."),
    )
    response["Retry-After"] = "60"
    return response


def server_error(request, exc):
    logger.exception("API error at %s", request.path, exc_info=exc)
    return problem(
        request,
        500,
        "server-error",
        _("Server error"),
        _("Something went wrong in Samplan. The error has been logged."),
    )


def register(api) -> None:
    """Every error of the API as a problem."""
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(AuthorizationError, forbidden)
    api.add_exception_handler(ScopeMissing, scope_missing)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(RuleViolation, rule_violation)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AccessLogUnavailable, log_unavailable)
    api.add_exception_handler(Exception, server_error)
