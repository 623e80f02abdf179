"""Per-request account rules: session lifetime, and the acting unit re-checked against live
memberships."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, resolve_url

ACTING_UNIT_SESSION_KEY = "samplan_acting_unit_id"
LOGIN_AT_SESSION_KEY = "samplan_login_at"
LAST_SEEN_SESSION_KEY = "samplan_last_seen"
LOGOUT_REASON_SESSION_KEY = "samplan_logout_reason"

# last_seen is written at most this often, so an active user does not save the session on
# every request. The idle timeout may therefore end a session up to this much early.
LAST_SEEN_WRITE_INTERVAL = 60


def now() -> int:
    """The clock for session lifetime, in epoch seconds. Tests replace it instead of sleeping."""
    return int(time.time())


def session_lifetime_start(session) -> None:
    """Start the idle and absolute clocks of a freshly logged-in session."""
    at = now()
    session[LOGIN_AT_SESSION_KEY] = at
    session[LAST_SEEN_SESSION_KEY] = at


def session_expiry_reason(session, at: int) -> str | None:
    """Why the session has ended at `at` ("absolute", "idle", "unknown"), or None if it has not.

    A session without the clocks (one from before they existed) is ended as "unknown".
    """
    login_at = session.get(LOGIN_AT_SESSION_KEY)
    last_seen = session.get(LAST_SEEN_SESSION_KEY)
    if not isinstance(login_at, int) or not isinstance(last_seen, int):
        return "unknown"
    if at - login_at > getattr(settings, "SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60):
        return "absolute"
    if at - last_seen > getattr(settings, "SESSION_IDLE_SECONDS", 30 * 60):
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """Logs out after 30 minutes without a request and 12 hours after login, whichever is first.

    Also ends a session whose user can no longer log in (deactivated): Django then treats the
    request as anonymous but keeps the session; it is flushed here, so reactivating the account
    does not revive the old session. Place right after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if not request.user.is_authenticated:
            if SESSION_KEY in session:
                session.flush()
            return self.get_response(request)

        at = now()
        reason = session_expiry_reason(session, at)
        if reason is not None:
            logout(request)  # flushes the session and records the logout as a security event
            session = request.session
            session[LOGOUT_REASON_SESSION_KEY] = reason
            login_path = resolve_url(settings.LOGIN_URL)
            if request.path == login_path:
                return self.get_response(request)  # the login page shows why
            if request.method in {"GET", "HEAD"}:
                return redirect_to_login(request.get_full_path())
            return redirect(login_path)  # a form post cannot be repeated after login

        if at - session[LAST_SEEN_SESSION_KEY] >= LAST_SEEN_WRITE_INTERVAL:
            session[LAST_SEEN_SESSION_KEY] = at
        return self.get_response(request)


class ActingUnitMiddleware:
    """Sets request.acting_unit and request.acting_membership (or None).

    The membership is read on every request, so a membership that is ended or a unit that is
    deactivated stops acting at once, not at the next login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.acting_unit = None
        request.acting_membership = None
        unit_id = request.session.get(ACTING_UNIT_SESSION_KEY)
        if request.user.is_authenticated:
            # All of the user's live memberships in one query: the header lists them and
            # is_system_administrator reads them (User.memberships_remember).
            memberships = request.user.memberships_remember()
            membership = next((m for m in memberships if m.unit_id == unit_id), None)
            if unit_id is not None and membership is None:
                del request.session[ACTING_UNIT_SESSION_KEY]
            elif membership is not None:
                request.acting_membership = membership
                request.acting_unit = membership.unit
        return self.get_response(request)
