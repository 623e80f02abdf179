"""The citizen's session in Min SIP: separate from staff login, identified by a Person.

A citizen never has a staff User. After a verified login (OpenID Connect at assurance level 3,
or the demo login in development) the session holds the person's id, how he or she logged in
and the assurance level. Everything else is looked up afresh on each request.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from samplan import policy
from samplan.accounts.middleware import (
    LOGOUT_REASON_SESSION_KEY,
    SessionClock,
    login_url_back_to,
    session_owner,
)
from samplan.accounts.models import Membership, Unit, User
from samplan.audit.models import SecurityEvent
from samplan.audit.services import security_event_record
from samplan.core.redirects import return_path
from samplan.people.models import Person

CITIZEN_SESSION_KEY = "samplan_citizen"


def citizen_login(request, person: Person, *, method: str, acr: str = "") -> None:
    """Start a citizen session: a new session (ending any staff login in this browser), with
    the same idle and absolute limits as staff sessions. Recorded as a security event."""
    request.session.flush()
    now = int(time.time())
    request.session[CITIZEN_SESSION_KEY] = {
        "person": str(person.pk),
        "method": method,
        "acr": acr,
        "at": now,
        "seen": now,
    }
    security_event_record(kind=SecurityEvent.Kind.CITIZEN_LOGIN, request=request, person=person)


def citizen_logout(request) -> None:
    person = current_citizen(request)
    if person is not None:
        security_event_record(
            kind=SecurityEvent.Kind.CITIZEN_LOGOUT, request=request, person=person
        )
    request.session.flush()


def _expiry_reason(data: dict, now: int) -> str | None:
    """Why the session has ended ("absolute", "idle"), or None if it has not."""
    if now - data.get("at", 0) > getattr(settings, "SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60):
        return "absolute"
    if now - data.get("seen", 0) > getattr(settings, "SESSION_IDLE_SECONDS", 30 * 60):
        return "idle"
    return None


def current_citizen(request) -> Person | None:
    """The logged-in citizen, or None. An expired session (30 min idle, 12 h) is ended here;
    the login page then says why (as the staff login page does)."""
    data = request.session.get(CITIZEN_SESSION_KEY)
    if not data:
        return None
    now = int(time.time())
    reason = _expiry_reason(data, now)
    if reason is not None:
        request.session.flush()
        request.session[LOGOUT_REASON_SESSION_KEY] = reason
        return None
    if now - data.get("seen", 0) >= 60:
        request.session[CITIZEN_SESSION_KEY] = {**data, "seen": now}
    return Person.objects.filter(pk=data.get("person")).first()


class StaffRequest(HttpRequest):
    """What a staff page gets (as healthchecks types its authenticated request): a logged-in
    user acting for a unit. For type checkers and editors; set by the middleware."""

    user: User
    actor: policy.Staff
    acting_unit: Unit
    acting_membership: Membership


class CitizenRequest(HttpRequest):
    """What a Min SIP page gets: the individual, a guardian or a relative, logged in."""

    actor: policy.Citizen
    citizen: Person


class ActorMiddleware:
    """Sets request.actor: a policy.Staff acting for the chosen unit, a policy.Citizen in a
    Min SIP session, or None. (A citizen session and a staff login never share a session.)
    For a citizen, request.citizen is the Person too. Place after ActingUnitMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = None
        request.citizen = None
        membership = getattr(request, "acting_membership", None)
        if membership is not None:
            request.actor = policy.Staff(
                user=request.user, unit=membership.unit, role=membership.role
            )
        elif CITIZEN_SESSION_KEY in request.session:
            person = current_citizen(request)
            if person is not None:
                request.citizen = person
                request.actor = policy.Citizen(person=person)
                request.session_clock = _citizen_clock(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A staff route about no one object (a list, a search, a new initiative, the figures)
        is refused here when the policy refuses its action, so that no view can forget it:
        an analyst reaches the figures and nothing else."""
        actor = request.actor
        actions = policy.route_actions(view_func)
        if not isinstance(actor, policy.Staff) or actions is None:
            return None
        action = actions[0] if request.method in {"GET", "HEAD", "OPTIONS"} else actions[1]
        if action in policy.OBJECTLESS_ACTIONS and not policy.decide(actor, action, None):
            raise Http404
        return None


def _citizen_clock(request) -> SessionClock:
    """The Min SIP session's clocks, for the timeout warning and the keep-alive view."""
    session = request.session
    data = session[CITIZEN_SESSION_KEY]

    def store_last_seen(value: int) -> None:
        session[CITIZEN_SESSION_KEY] = {**session[CITIZEN_SESSION_KEY], "seen": value}

    return SessionClock(
        login_at=data.get("at", 0),
        last_seen=data.get("seen", 0),
        store_last_seen=store_last_seen,
        login_url=login_url_back_to(reverse("citizen:login"), return_path(request)),
        owner=session_owner("citizen", data.get("person")),
    )


def citizen_required(view):
    """Min SIP pages: need a citizen session (not a staff login); request.citizen is set."""

    @login_not_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        person = getattr(request, "citizen", None)
        if person is None:
            # Back to the page after login; for a form post, the page the form was on.
            return redirect(login_url_back_to(reverse("citizen:login"), return_path(request)))
        return view(request, *args, **kwargs)

    return wrapper
