"""Login lockout (django-axes), session key rotation at login and deactivated users."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.utils import timezone

from samplan.accounts.services import LOGIN_FAILURES_KEPT
from samplan.audit.models import SecurityEvent
from samplan.conftest import PASSWORD, login

LOGIN = "/konto/logga-in/"
LOCKED = "För många misslyckade försök. Vänta 15 minuter och försök igen, eller kontakta din administratör."


def fail(client, username="alice", **extra):
    return client.post(LOGIN, {"username": username, "password": "wrong"}, **extra)


def test_axes_guards_the_login_before_the_model_backend(settings):
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "samplan.accounts.backends.LoginThrottleBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME) == (5, 0.25)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", ["username", "ip_address"]]


def test_five_wrong_passwords_lock_out_even_the_right_one(client, alice):
    for _ in range(4):
        assert fail(client).status_code == 200
    response = fail(client)
    assert response.status_code == 429  # the fifth failure locks

    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert '<html lang="sv">' in page and "Inloggningen är spärrad" in page
    assert "_auth_user_id" not in client.session
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN).exists()


def test_every_failure_is_a_security_event_also_with_axes(client, alice):
    for _ in range(5):
        fail(client)
    client.post(LOGIN, {"username": "alice", "password": PASSWORD})  # refused: locked out
    failures = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_FAILED)
    # Five wrong passwords and the refused right one: Django still sends user_login_failed
    # when axes' backend stops the authentication.
    assert failures.count() == 6
    assert set(failures.values_list("attempted_username", "ip_address")) == {("alice", "127.0.0.1")}


def test_the_lockout_page_has_the_security_headers(client, alice):
    for _ in range(5):
        response = fail(client)
    assert response.status_code == 429
    assert "no-store" in response["Cache-Control"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_locked_user_cannot_log_in_from_another_address(client, alice, mona):
    for _ in range(5):
        fail(client)
    other_address = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert other_address.status_code == 429
    assert LOCKED in other_address.content.decode()
    assert login(client, mona)  # another user from the same address still logs in


def test_failures_spread_over_addresses_lock_the_username(client, alice):
    for number in range(5):
        fail(client, REMOTE_ADDR=f"10.0.0.{number}")
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429


def test_the_lockout_ends_after_the_cool_off(client, alice):
    for _ in range(5):
        fail(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    login(client, alice)


def test_a_successful_login_resets_the_failure_count(client, alice):
    for _ in range(4):
        fail(client)
    login(client, alice)
    client.post("/konto/logga-ut/")
    for _ in range(4):
        assert fail(client).status_code == 200
    login(client, alice)


def test_axes_keeps_no_login_log_of_its_own(client, alice):
    from axes.models import AccessFailureLog, AccessLog

    fail(client)
    login(client, alice)
    assert not AccessLog.objects.exists()
    assert not AccessFailureLog.objects.exists()


def make_attempts(count: int, minutes_ago: float, prefix: str) -> None:
    AccessAttempt.objects.bulk_create(
        AccessAttempt(
            username=f"{prefix}{i}",
            ip_address="10.0.0.1",
            user_agent="test",
            http_accept="*/*",
            path_info=LOGIN,
            get_data="",
            post_data="",
            failures_since_start=1,
        )
        for i in range(count)
    )
    AccessAttempt.objects.filter(username__startswith=prefix).update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )


def test_pruning_deletes_failure_counters_older_than_the_cool_off(db):
    make_attempts(3, minutes_ago=16, prefix="old")
    make_attempts(2, minutes_ago=5, prefix="recent")
    call_command("prune_login_failures", verbosity=0)
    assert sorted(AccessAttempt.objects.values_list("username", flat=True)) == [
        "recent0",
        "recent1",
    ]


def test_pruning_keeps_at_most_ten_thousand_counters_the_newest(db, capsys):
    make_attempts(3, minutes_ago=14, prefix="older")
    make_attempts(LOGIN_FAILURES_KEPT, minutes_ago=1, prefix="newer")
    call_command("prune_login_failures")
    assert AccessAttempt.objects.count() == LOGIN_FAILURES_KEPT
    assert not AccessAttempt.objects.filter(username__startswith="older").exists()
    assert "Deleted 0 expired and 3 excess" in capsys.readouterr().out


def test_the_session_key_changes_at_login(client, alice):
    planted = client.session  # e.g. a session id an attacker got the victim to use
    planted["planted"] = True
    planted.save()
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    login(client, alice)
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert not SessionStore().exists(before)


def test_deactivating_a_user_ends_the_session_at_the_next_request(client, alice):
    login(client, alice)
    assert client.get("/").status_code == 200
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session

    alice.is_active = True  # reactivation does not revive the old session
    alice.save(update_fields=["is_active"])
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/individer/sok/", "/konto/enhet/", "/sip/"])
def test_a_deactivated_user_reaches_no_page(client, alice, path):
    login(client, alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
