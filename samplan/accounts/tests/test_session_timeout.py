"""Sessions end after 30 minutes without a request and 12 hours after login.

The clock is samplan.accounts.middleware.now, replaced here: no test sleeps.
"""

import pytest
from django.contrib.sessions.models import Session

from samplan.accounts import middleware
from samplan.audit.models import SecurityEvent
from samplan.conftest import login

MINUTE = 60
IDLE = "Du loggades ut efter 30 minuter utan aktivitet."
ABSOLUTE = "Du loggades ut: en session varar högst 12 timmar."


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


def test_login_starts_both_clocks(client, alice, clock):
    login(client, alice)
    session = client.session
    assert session[middleware.LOGIN_AT_SESSION_KEY] == clock.at
    assert session[middleware.LAST_SEEN_SESSION_KEY] == clock.at


def test_any_login_starts_the_clocks_not_only_the_login_page(client, alice, clock):
    client.force_login(alice)  # as the admin login or any other login() call
    assert client.session[middleware.LOGIN_AT_SESSION_KEY] == clock.at


def test_activity_keeps_the_session_alive(client, alice, clock):
    login(client, alice)
    for _ in range(4):
        clock.advance(29 * MINUTE)
        assert client.get("/").status_code == 200


def test_thirty_minutes_without_activity_log_out(client, alice, clock):
    login(client, alice)
    clock.advance(30 * MINUTE + 1)
    response = client.get("/individer/sok/?q=eva")
    assert response.status_code == 302
    assert response["Location"] == "/konto/logga-in/?next=/individer/sok/%3Fq%3Deva"
    assert "_auth_user_id" not in client.session

    page = client.get(response["Location"]).content.decode()
    assert IDLE in page
    logout = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGOUT)
    assert logout.user == alice
    assert IDLE not in client.get("/konto/logga-in/").content.decode()  # shown once


def test_thirty_minutes_exactly_is_still_active(client, alice, clock):
    login(client, alice)
    clock.advance(30 * MINUTE)
    assert client.get("/").status_code == 200


def test_a_session_lasts_at_most_twelve_hours_however_active(client, alice, clock):
    login(client, alice)
    for _ in range(36):  # a request every 20 minutes for 12 hours
        clock.advance(20 * MINUTE)
        assert client.get("/").status_code == 200
    clock.advance(20 * MINUTE)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")
    assert ABSOLUTE in client.get(response["Location"]).content.decode()


def test_an_expired_form_post_goes_to_the_login_page_without_next(client, alice, clock):
    login(client, alice)
    clock.advance(31 * MINUTE)
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302 and response["Location"] == "/konto/logga-in/"


def test_an_expired_session_asking_for_the_login_page_gets_it_with_the_reason(client, alice, clock):
    login(client, alice)
    clock.advance(31 * MINUTE)
    response = client.get("/konto/logga-in/")
    assert response.status_code == 200
    assert IDLE in response.content.decode()


def test_last_seen_is_written_at_most_once_a_minute(client, alice, clock):
    login(client, alice)
    started = clock.at
    key = client.cookies["sessionid"].value
    expires = Session.objects.get(session_key=key).expire_date

    clock.advance(59)
    assert client.get("/").status_code == 200
    assert client.session[middleware.LAST_SEEN_SESSION_KEY] == started
    assert Session.objects.get(session_key=key).expire_date == expires  # not saved

    clock.advance(1)
    assert client.get("/").status_code == 200
    assert client.session[middleware.LAST_SEEN_SESSION_KEY] == started + 60


def test_the_timeouts_come_from_settings(client, alice, clock, settings):
    settings.SESSION_IDLE_SECONDS = 5 * MINUTE
    login(client, alice)
    clock.advance(5 * MINUTE + 1)
    assert client.get("/").status_code == 302


def test_a_session_from_before_the_clocks_existed_is_ended(client, alice, clock):
    login(client, alice)
    session = client.session
    del session[middleware.LOGIN_AT_SESSION_KEY]
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert IDLE not in page and ABSOLUTE not in page


def test_the_session_cookie_lives_at_most_twelve_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    position = settings.MIDDLEWARE.index
    assert position("samplan.accounts.middleware.SessionTimeoutMiddleware") == (
        position("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )
