"""Searches answered as GET pages without identity numbers in the address.

A search form is posted (the number stays in the body); the view keeps what was found in the
session under a short random id and redirects to `?sok=<id>`. The result is then an ordinary
GET: Back, reload and the next page work without the browser's "send the form again", and no
identity number reaches an address bar, a history or a server log. Ids live SEARCH_SECONDS and
at most KEEP of them per session."""

import secrets
import time

from django.http import HttpRequest

PARAM = "sok"
SEARCH_SECONDS = 30 * 60
KEEP = 20
_SESSION_KEY = "samplan_searches"


def remember(request: HttpRequest, kind: str, value: str | None) -> str:
    """Keep a search's result (an id or a query, or None for "nothing found"); return its id."""
    now = time.time()
    kept = {
        sid: entry
        for sid, entry in request.session.get(_SESSION_KEY, {}).items()
        if now - entry["at"] < SEARCH_SECONDS
    }
    newest = sorted(kept.items(), key=lambda item: item[1]["at"])[-(KEEP - 1) :]
    sid = secrets.token_urlsafe(9)
    request.session[_SESSION_KEY] = dict(newest) | {sid: {"at": now, "kind": kind, "value": value}}
    return sid


def query(sid: str) -> str:
    return f"?{PARAM}={sid}"


class Recalled:
    """What `?sok=` names: `asked` when the address has one, `expired` when it is gone."""

    def __init__(self, asked: bool, expired: bool = False, value: str | None = None):
        self.asked, self.expired, self.value = asked, expired, value


def recall(request: HttpRequest, kind: str) -> Recalled:
    sid = request.GET.get(PARAM)
    if not sid:
        return Recalled(asked=False)
    entry = request.session.get(_SESSION_KEY, {}).get(sid)
    if entry is None or entry["kind"] != kind or time.time() - entry["at"] >= SEARCH_SECONDS:
        return Recalled(asked=True, expired=True)
    return Recalled(asked=True, value=entry["value"])
