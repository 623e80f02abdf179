"""Per-request account rules: session lifetime, and the acting unit re-checked against live
memberships."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth import middleware as auth_middleware
from django.http import QueryDict
from django.shortcuts import redirect, resolve_url
from django.utils.crypto import salted_hmac

from samplan.core.redirects import return_path

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


def seconds_left(login_at: int, last_seen: int, at: int) -> int:
    """Seconds until a session with these clocks ends, idle or absolute, whichever is first."""
    idle = getattr(settings, "SESSION_IDLE_SECONDS", 30 * 60) - (at - last_seen)
    absolute = getattr(settings, "SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60) - (at - login_at)
    return max(0, min(idle, absolute))


def login_url_back_to(login_url: str, page: str, field: str = "next") -> str:
    """The login page, with `next` set to the page to return to (if there is one)."""
    if not page:
        return login_url
    query = QueryDict(mutable=True)
    query[field] = page
    return f"{login_url}?{query.urlencode(safe='/')}"


def session_owner(kind: str, pk: object) -> str:
    """An opaque tag for whose session it is (not the id itself), so that text kept in a
    browser tab is never filled in for someone else who logs in there afterwards."""
    return salted_hmac("samplan.session-owner", f"{kind}:{pk}").hexdigest()[:20]


@dataclass
class SessionClock:
    """The clocks of the live session a request runs in, staff or Min SIP alike.

    Set as `request.session_clock` by the middleware that checked the session (here for
    staff, samplan.people.session.ActorMiddleware for citizens); absent when no one is logged
    in. base.html hands `seconds_left` and `warning_seconds` to static/samplan/session.js,
    which warns before the idle timeout; the keep-alive view calls `touch`.
    """

    login_at: int
    last_seen: int
    store_last_seen: Callable[[int], None]  # writes a new last_seen to the session
    login_url: str  # the login page, with `next` back to this page
    owner: str  # whose session, as an opaque tag: the script keeps form text per owner

    def seconds_left(self, at: int | None = None) -> int:
        return seconds_left(self.login_at, self.last_seen, now() if at is None else at)

    @property
    def warning_seconds(self) -> int:
        return getattr(settings, "SESSION_WARNING_SECONDS", 2 * 60)

    def touch(self) -> int:
        """Restart the idle clock now (the absolute one runs on); the seconds then left."""
        at = now()
        self.last_seen = at
        self.store_last_seen(at)
        return self.seconds_left(at)


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
            # Back to the page after login: a form post cannot be repeated, so the page the
            # form was on, never the posted URL (it may answer only POST).
            return redirect(login_url_back_to(login_path, return_path(request)))

        if at - session[LAST_SEEN_SESSION_KEY] >= LAST_SEEN_WRITE_INTERVAL:
            session[LAST_SEEN_SESSION_KEY] = at

        def store_last_seen(value: int) -> None:
            session[LAST_SEEN_SESSION_KEY] = value

        request.session_clock = SessionClock(
            login_at=session[LOGIN_AT_SESSION_KEY],
            last_seen=session[LAST_SEEN_SESSION_KEY],
            store_last_seen=store_last_seen,
            login_url=login_url_back_to(resolve_url(settings.LOGIN_URL), return_path(request)),
            owner=session_owner("staff", request.user.pk),
        )
        return self.get_response(request)


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, except that a form posted without a session (it ended in another tab, or
    was flushed) is sent to the login with `next` = the page the form was on, not the posted
    URL: after login that URL would answer a GET with 405."""

    def handle_no_permission(self, request, view_func):
        if request.method in {"GET", "HEAD"}:
            return super().handle_no_permission(request, view_func)
        login_url = resolve_url(self.get_login_url(view_func))
        field = self.get_redirect_field_name(view_func)
        return redirect(login_url_back_to(login_url, return_path(request), field))


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
