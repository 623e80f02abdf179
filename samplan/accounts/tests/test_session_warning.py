"""The timeout warning's server side: the seconds left on every logged-in page, the keep-alive
view, and the way back to the page after the session has run out (never a POST-only URL).

The staff clock is samplan.accounts.middleware.now, replaced here; the citizen session reads
time.time, replaced as in samplan/citizen/tests/test_min_sip.py. No test sleeps. The browser
side is samplan/citizen/tests/test_browser_session_timeout.py.
"""

import html
import re
import time

import pytest
from django.test import Client

from samplan.accounts import middleware
from samplan.core.once import FIELD
from samplan.people.session import CITIZEN_SESSION_KEY
from samplan.testing.cast import PASSWORD, citizen_client, login

MINUTE = 60
KEEP_ALIVE = "/konto/fortsatt-inloggad/"
LOGIN = "/konto/logga-in/"
IDLE = "Du loggades ut efter 30 minuter utan aktivitet."


class Clock:
    def __init__(self) -> None:
        self.at = 1_900_000_000

    def __call__(self) -> int:
        return self.at

    def advance(self, seconds: int) -> None:
        self.at += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(middleware, "now", clock)
    return clock


@pytest.fixture
def wall(monkeypatch):
    """Sets time.time (the citizen session's clock, and the staff one's underneath)."""
    start = time.time()

    def move_to(seconds: float) -> None:
        """Set the clock to `seconds` after the test began."""
        monkeypatch.setattr("samplan.people.session.time.time", lambda: start + seconds)

    return move_to


def dialog_data(page: str) -> dict:
    """The data- attributes of the timeout dialog, or {} if the page has none."""
    match = re.search(r'<dialog id="session-timeout"(.*?)>', page, re.S)
    if not match:
        return {}
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', match[1])}


# --- What a page tells the script ----------------------------------------------------------


def test_a_staff_page_tells_the_seconds_left_and_when_to_warn(client, alice, clock, settings):
    settings.SESSION_WARNING_SECONDS = 90
    login(client, alice)
    clock.advance(30)  # last_seen is written at most once a minute: this request leaves it
    data = dialog_data(client.get("/individer/sok/?q=eva").content.decode())
    assert data["seconds-left"] == str(30 * MINUTE - 30)
    assert data["warning-seconds"] == "90"
    assert data["login-url"] == "/konto/logga-in/?next=/individer/sok/%3Fq%3Deva"
    assert re.fullmatch("[0-9a-f]{20}", data["owner"])  # an opaque tag, not the user's id


def test_the_seconds_left_never_pass_the_twelve_hour_limit(client, alice, clock):
    login(client, alice)
    for _ in range(35):  # active all day
        clock.advance(20 * MINUTE)
        client.get("/")
    data = dialog_data(client.get("/").content.decode())
    assert data["seconds-left"] == str(12 * 60 * MINUTE - 35 * 20 * MINUTE)


def test_the_dialog_is_accessible_markup_with_swedish_text(client, alice):
    login(client, alice)
    page = client.get("/").content.decode()
    dialog = page[page.index('<dialog id="session-timeout"') : page.index("</dialog>")]
    assert 'aria-modal="true"' in dialog and 'aria-labelledby="session-timeout-title"' in dialog
    assert '<h2 id="session-timeout-title">Du loggas snart ut</h2>' in dialog
    assert "Fortsätt vara inloggad" in dialog and "Logga ut" in dialog
    assert f'action="{KEEP_ALIVE}"' in dialog and 'action="/konto/logga-ut/"' in dialog
    assert "csrfmiddlewaretoken" in dialog
    assert '/static/samplan/session.js" defer></script>' in page


def test_pages_without_a_session_have_no_dialog_but_the_script(client):
    page = client.get(LOGIN).content.decode()
    assert dialog_data(page) == {} and "session.js" in page
    assert dialog_data(client.get("/min-sip/logga-in/").content.decode()) == {}


def test_a_min_sip_page_tells_the_seconds_left_and_its_own_login(sip):
    plan = sip.to("follow_up")
    client = citizen_client(sip.person)
    data = dialog_data(client.get(f"/min-sip/{plan.pk}/").content.decode())
    assert 29 * MINUTE < int(data["seconds-left"]) <= 30 * MINUTE
    assert data["login-url"] == f"/min-sip/logga-in/?next=/min-sip/{plan.pk}/"
    page = client.get(f"/min-sip/{plan.pk}/").content.decode()
    assert 'action="/min-sip/logga-ut/"' in page[page.index('<dialog id="session-timeout"') :]


def test_the_owner_differs_between_people(client, alice, bob, sip):
    login(client, alice)
    alices = dialog_data(client.get("/").content.decode())["owner"]
    bobs = dialog_data(login(Client(), bob).get("/").content.decode())["owner"]
    evas = dialog_data(citizen_client(sip.person).get("/min-sip/").content.decode())["owner"]
    assert len({alices, bobs, evas}) == 3


# --- The keep-alive view -------------------------------------------------------------------


def test_keep_alive_is_refused_without_a_session(client, db):
    response = client.post(KEEP_ALIVE)
    assert response.status_code == 403 and response.json() == {"logged_in": False}
    assert client.get(KEEP_ALIVE).status_code == 405


def test_keep_alive_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(KEEP_ALIVE).status_code == 403
    page = client.get("/konto/enhet/").content.decode()
    dialog = page[page.index('<dialog id="session-timeout"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', dialog)[1]
    assert client.post(KEEP_ALIVE, {"csrfmiddlewaretoken": token}).status_code == 200


def test_keep_alive_restarts_the_staff_idle_clock(client, alice, clock):
    login(client, alice)
    clock.advance(28 * MINUTE + 30)
    response = client.post(KEEP_ALIVE)
    assert response.status_code == 200
    assert response.json() == {"logged_in": True, "seconds_left": 30 * MINUTE}
    assert client.session[middleware.LAST_SEEN_SESSION_KEY] == clock.at

    clock.advance(29 * MINUTE)  # 57.5 minutes after the last page: still logged in
    assert client.get("/").status_code == 200


def test_keep_alive_restarts_the_clock_even_within_the_write_interval(client, alice, clock):
    login(client, alice)
    clock.advance(30)
    assert client.post(KEEP_ALIVE).json()["seconds_left"] == 30 * MINUTE
    assert client.session[middleware.LAST_SEEN_SESSION_KEY] == clock.at


def test_keep_alive_does_not_pass_the_twelve_hour_limit(client, alice, clock):
    login(client, alice)
    for _ in range(36):
        clock.advance(20 * MINUTE)
        client.post(KEEP_ALIVE)
    assert client.post(KEEP_ALIVE).json()["seconds_left"] == 0


def test_keep_alive_after_the_timeout_does_not_revive_the_session(client, alice, clock):
    login(client, alice)
    clock.advance(30 * MINUTE + 1)
    response = client.post(KEEP_ALIVE, HTTP_REFERER="http://testserver/individer/sok/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/logga-in/?next=/individer/sok/"
    assert "_auth_user_id" not in client.session
    assert client.post(KEEP_ALIVE).status_code == 403


def test_keep_alive_restarts_the_citizen_idle_clock(sip, wall):
    client = citizen_client(sip.person)
    wall(25 * MINUTE)
    response = client.post(KEEP_ALIVE)
    assert response.status_code == 200 and response.json()["seconds_left"] == 30 * MINUTE
    wall(50 * MINUTE)  # 25 minutes after the keep-alive
    assert client.get("/min-sip/").status_code == 200


def test_keep_alive_is_refused_to_an_ended_citizen_session(sip, wall):
    client = citizen_client(sip.person)
    wall(31 * MINUTE)
    assert client.post(KEEP_ALIVE).status_code == 403
    assert CITIZEN_SESSION_KEY not in client.session


# --- Back to the page after the timeout (staff) --------------------------------------------


def test_an_expired_post_returns_to_the_page_the_form_was_on(client, alice, clock):
    login(client, alice)
    clock.advance(31 * MINUTE)
    response = client.post(
        "/individer/registrera/",
        {"given_name": "Eva"},
        HTTP_REFERER="http://testserver/individer/sok/?q=eva",
    )
    assert response.status_code == 302
    assert response["Location"] == "/konto/logga-in/?next=/individer/sok/%3Fq%3Deva"

    page = client.get(response["Location"]).content.decode()
    assert IDLE in page and 'name="next" value="/individer/sok/?q=eva"' in page
    again = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "next": "/individer/sok/?q=eva"}
    )
    assert again.status_code == 302 and again["Location"] == "/individer/sok/?q=eva"
    assert client.get(again["Location"]).status_code == 200  # a GET, never a 405


@pytest.mark.parametrize(
    "referer",
    [
        "",
        "https://evil.example/individer/sok/",
        "http://testserver/individer/registrera/",  # the posted URL itself (a form with errors)
        "http://testserver//evil.example/",
    ],
)
def test_an_expired_post_without_a_page_to_return_to_goes_to_the_login(
    client, alice, clock, referer
):
    login(client, alice)
    clock.advance(31 * MINUTE)
    headers = {"HTTP_REFERER": referer} if referer else {}
    response = client.post("/individer/registrera/", {}, **headers)
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_a_post_without_any_session_returns_to_the_page_the_form_was_on(client, sip, db):
    plan = sip.to("follow_up")
    page = f"http://testserver/sip/{plan.pk}/"
    response = client.post(
        f"/sip/{plan.pk}/meddelanden/1/hanterat/", {FIELD: "x"}, HTTP_REFERER=page
    )
    assert response.status_code == 302
    assert response["Location"] == f"/konto/logga-in/?next=/sip/{plan.pk}/"
    assert client.get(f"/sip/{plan.pk}/")["Location"] == f"/konto/logga-in/?next=/sip/{plan.pk}/"


def test_the_login_goes_on_only_to_a_page_of_this_site(client, alice):
    for unsafe in ("https://evil.example/", "//evil.example/", "/\\evil.example", "start"):
        response = client.post(LOGIN, {"username": "alice", "password": PASSWORD, "next": unsafe})
        assert response.status_code == 302 and response["Location"] == "/", unsafe
        client.post("/konto/logga-ut/")


# --- Back to the page after the timeout (Min SIP) ------------------------------------------


@pytest.fixture
def demo_on(settings):
    settings.CITIZEN_DEMO_LOGIN = True
    settings.OIDC_CLIENT_SECRET = ""


def test_an_expired_min_sip_post_returns_to_the_plan_after_the_demo_login(sip, demo_on, wall):
    plan = sip.to("follow_up")
    client = citizen_client(sip.person)
    wall(31 * MINUTE)
    response = client.post(
        f"/min-sip/{plan.pk}/meddelande/",
        {"kind": "comment", "text": "Hej"},
        HTTP_REFERER=f"http://testserver/min-sip/{plan.pk}/",
    )
    back = f"/min-sip/{plan.pk}/"
    assert response.status_code == 302
    assert response["Location"] == f"/min-sip/logga-in/?next={back}"

    page = client.get(response["Location"]).content.decode()
    assert IDLE in page
    assert f'href="/min-sip/logga-in/demo/?next={back}"' in page
    demo = client.get(f"/min-sip/logga-in/demo/?next={back}").content.decode()
    assert f'name="next" value="{back}"' in demo
    logged_in = client.post("/min-sip/logga-in/demo/", {"person": str(sip.person.pk), "next": back})
    assert logged_in.status_code == 302 and logged_in["Location"] == back
    assert client.get(back).status_code == 200


def test_an_expired_min_sip_post_to_its_own_url_goes_to_the_plain_login(sip, wall):
    plan = sip.to("follow_up")
    client = citizen_client(sip.person)
    wall(31 * MINUTE)
    url = f"/min-sip/{plan.pk}/meddelande/"
    response = client.post(url, {"text": "Hej"}, HTTP_REFERER=f"http://testserver{url}")
    assert response.status_code == 302 and response["Location"] == "/min-sip/logga-in/"


def test_a_wrong_choice_in_the_demo_login_keeps_the_way_back(client, sip, demo_on):
    plan = sip.to("follow_up")
    back = f"/min-sip/{plan.pk}/"
    response = client.post("/min-sip/logga-in/demo/", {"person": "nobody", "next": back})
    assert response.status_code == 400
    assert f'name="next" value="{back}"' in response.content.decode()


def test_the_citizen_inbox_is_a_page_to_return_to(sip, demo_on, wall):
    sip.to("follow_up")
    client = citizen_client(sip.person)
    wall(31 * MINUTE)
    response = client.get("/inkorg/min-sip/")
    assert response["Location"] == "/min-sip/logga-in/?next=/inkorg/min-sip/"
    logged_in = client.post(
        "/min-sip/logga-in/demo/", {"person": str(sip.person.pk), "next": "/inkorg/min-sip/"}
    )
    assert logged_in["Location"] == "/inkorg/min-sip/"
    staff_page = client.post(
        "/min-sip/logga-in/demo/", {"person": str(sip.person.pk), "next": "/inkorg/"}
    )
    assert staff_page["Location"] == "/min-sip/"
