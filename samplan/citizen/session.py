"""The citizen's session in Min SIP: separate from staff login, identified by a Person.

A citizen never has a staff User. After a verified login (OpenID Connect at assurance level 3,
or the demo login in development) the session holds the person's id, how he or she logged in
and the assurance level. Everything else is looked up afresh on each request.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.urls import reverse

from samplan.people.models import Person

CITIZEN_SESSION_KEY = "samplan_citizen"


def citizen_login(request, person: Person, *, method: str, acr: str = "") -> None:
    """Start a citizen session: a new session (ending any staff login in this browser), with
    the same idle and absolute limits as staff sessions. Recorded as a security event."""
    from samplan.audit.models import SecurityEvent
    from samplan.audit.services import security_event_record

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
    from samplan.audit.models import SecurityEvent
    from samplan.audit.services import security_event_record

    person = current_citizen(request)
    if person is not None:
        security_event_record(
            kind=SecurityEvent.Kind.CITIZEN_LOGOUT, request=request, person=person
        )
    request.session.flush()


def _expired(data: dict, now: int) -> bool:
    idle = getattr(settings, "SESSION_IDLE_SECONDS", 30 * 60)
    absolute = getattr(settings, "SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
    return now - data.get("seen", 0) > idle or now - data.get("at", 0) > absolute


def current_citizen(request) -> Person | None:
    """The logged-in citizen, or None. An expired session (30 min idle, 12 h) is ended here."""
    data = request.session.get(CITIZEN_SESSION_KEY)
    if not data:
        return None
    now = int(time.time())
    if _expired(data, now):
        request.session.flush()
        return None
    if now - data.get("seen", 0) >= 60:
        request.session[CITIZEN_SESSION_KEY] = {**data, "seen": now}
    return Person.objects.filter(pk=data.get("person")).first()


def citizen_required(view):
    """Min SIP pages: need a citizen session (not a staff login); sets request.citizen."""

    @login_not_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        person = current_citizen(request)
        if person is None:
            url = reverse("citizen:login")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        request.citizen = person
        return view(request, *args, **kwargs)

    return wrapper
