"""Password spraying: a few guesses at many usernames are throttled per address and in total."""

import datetime

import pytest
from django.utils import timezone

from samplan.accounts.models import Membership
from samplan.audit.models import SecurityEvent
from samplan.conftest import PASSWORD, login, make_user

LOGIN = "/konto/logga-in/"
ADMIN_LOGIN = "/admin/login/"
FROM_NETWORK = "För många misslyckade inloggningar från ditt nätverk."
LIMITED = "Inloggningen är tillfälligt begränsad eftersom många inloggningar har misslyckats."
SPRAYER = "203.0.113.7"


@pytest.fixture
def thirteen_accounts(needs_assessment):
    return [
        make_user(f"user{n}", (needs_assessment, Membership.Role.CASEWORKER)) for n in range(13)
    ]


def spray(client, usernames, rounds, address=SPRAYER):
    for _ in range(rounds):
        for username in usernames:
            client.post(
                LOGIN, {"username": username, "password": "Sommar2026!"}, REMOTE_ADDR=address
            )


def test_spraying_52_failures_over_13_accounts_throttles_the_address(client, thirteen_accounts):
    spray(client, [u.username for u in thirteen_accounts], rounds=4)  # 4 each: no user locked
    response = client.post(LOGIN, {"username": "user0", "password": PASSWORD}, REMOTE_ADDR=SPRAYER)
    assert response.status_code == 429
    assert FROM_NETWORK in response.content.decode()
    assert "_auth_user_id" not in client.session
    throttled = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_THROTTLED)
    assert throttled.filter(ip_address=SPRAYER).exists()


def test_a_throttled_address_does_not_stop_people_elsewhere(client, thirteen_accounts):
    spray(client, [u.username for u in thirteen_accounts], rounds=2)  # 26: over 20
    response = client.post(
        LOGIN, {"username": "user0", "password": PASSWORD}, REMOTE_ADDR="198.51.100.1"
    )
    assert response.status_code == 302


def test_the_admin_login_is_throttled_too(client, thirteen_accounts, adam):
    spray(client, [u.username for u in thirteen_accounts], rounds=2)
    response = client.post(
        ADMIN_LOGIN, {"username": adam.username, "password": PASSWORD}, REMOTE_ADDR=SPRAYER
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_global_limit_refuses_addresses_that_failed_while_many_fail(
    client, settings, thirteen_accounts
):
    settings.LOGIN_FAILURE_LIMIT_GLOBAL = 30
    names = [u.username for u in thirteen_accounts]
    for number in range(15):  # 30 failures from 15 addresses: no address over its limit
        spray(client, names[:2], rounds=1, address=f"192.0.2.{number}")
    refused = client.post(
        LOGIN, {"username": "user5", "password": PASSWORD}, REMOTE_ADDR="192.0.2.3"
    )
    assert refused.status_code == 429
    assert LIMITED in refused.content.decode()
    clean = client.post(
        LOGIN, {"username": "user5", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )
    assert clean.status_code == 302  # an address without failures still gets in


def test_the_throttle_lifts_after_the_cool_off(client, thirteen_accounts):
    spray(client, [u.username for u in thirteen_accounts], rounds=2)
    SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_FAILED).update(
        at=timezone.now() - datetime.timedelta(minutes=16)
    )
    response = client.post(LOGIN, {"username": "user0", "password": PASSWORD}, REMOTE_ADDR=SPRAYER)
    assert response.status_code == 302


def test_a_lockout_is_a_security_event(client, alice):
    for _ in range(5):
        client.post(LOGIN, {"username": "alice", "password": "wrong"})
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_LOCKED_OUT)
    assert event.attempted_username == "alice"


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_an_over_long_username_gets_a_form_error_not_a_server_error(client, path):
    response = client.post(path, {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Ett användarnamn har högst 150 tecken." in response.content.decode()


def test_a_right_login_from_a_clean_address_still_works(client, alice):
    assert login(client, alice)
