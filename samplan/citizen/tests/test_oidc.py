"""Citizen login with OpenID Connect, against a real (local) OpenID provider.

The flow is driven as a browser would: Django's test client asks to start a login, `requests`
follows the redirect to the provider (which approves at once and redirects back with a code),
and the test client brings that callback URL back to Samplan. Samplan's own server-to-server
calls (discovery, JWKS, token) go to the local provider over HTTP on 127.0.0.1.
"""

import logging
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from samplan.citizen import oidc
from samplan.citizen.tests.oidc_provider import (
    COORDINATION_NUMBER_CLAIM,
    LOA2,
    LOA3,
    LOA4,
    PERSONNUMMER_CLAIM,
    Behaviour,
    Provider,
)
from samplan.people import identity
from samplan.people.models import Person
from samplan.people.session import CITIZEN_SESSION_KEY

HOME = "/min-sip/"
LOGIN = "/min-sip/logga-in/"


@pytest.fixture
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def oidc_settings(settings, provider, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # never through a proxy in tests
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = provider.client_id
    settings.OIDC_CLIENT_SECRET = provider.client_secret
    settings.OIDC_VERIFY_TLS = False  # plain http on 127.0.0.1
    settings.CITIZEN_DEMO_LOGIN = False
    oidc.clear_caches()
    yield settings
    oidc.clear_caches()


@pytest.fixture
def coordination_person(db) -> Person:
    number = identity.parse_identity_number(
        identity.identity_number_with_check_digit("19900571992")
    )
    assert number.kind == identity.SAMORDNINGSNUMMER
    return Person.objects.create(
        identity_kind=number.kind,
        identity_number=number.value,
        birth_date=number.birth_date,
        given_name="Aleksandra",
        family_name="Nowak",
    )


def go_to_provider(client: Client, provider: Provider, next_url: str = "", **behaviour) -> str:
    """Start a login and let the provider answer; the callback URL it sends the browser to."""
    provider.behaviour = Behaviour(**behaviour)
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    start = client.get(reverse("citizen:oidc_start") + query)
    assert start.status_code == 302, start.content[:300]
    assert start["Location"].startswith(provider.issuer + "/authorize?")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def log_in(client: Client, provider: Provider, **behaviour):
    return client.get(go_to_provider(client, provider, **behaviour))


def citizen_session(client: Client):
    return client.session.get(CITIZEN_SESSION_KEY)


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    query = {k: v for k, v in query.items() if v is not None}
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- Success --------------------------------------------------------------------------------


def test_a_verified_individual_is_logged_in_and_sent_to_min_sip(client, provider, person):
    response = log_in(client, provider, personnummer=person.identity_number)

    assert response.status_code == 302
    assert response["Location"] == HOME
    session = citizen_session(client)
    assert session["person"] == str(person.pk)
    assert (session["method"], session["acr"]) == ("oidc", LOA3)
    # The pending login was used up; the login starts a new session.
    assert not client.session.get(oidc.PENDING_SESSION_KEY)


def test_the_request_uses_pkce_state_nonce_and_asks_for_assurance_level_3(client, provider, person):
    log_in(client, provider, personnummer=person.identity_number)

    [request] = provider.authorization_requests
    assert request["response_type"] == "code"
    assert request["code_challenge_method"] == "S256" and request["code_challenge"]
    assert len(request["state"]) >= 40 and len(request["nonce"]) >= 40
    assert request["acr_values"] == "http://id.elegnamnden.se/loa/1.0/loa3"
    assert request["scope"].split() == ["openid", "https://id.oidc.se/scope/naturalPersonNumber"]
    assert request["redirect_uri"] == "http://testserver/min-sip/logga-in/callback/"
    [token_request] = provider.token_requests
    assert token_request["code_verifier"] and "client_secret" not in token_request  # Basic auth


def test_identity_numbers_never_appear_in_a_url(client, provider, person):
    callback = go_to_provider(client, provider, personnummer=person.identity_number)
    response = client.get(callback)

    urls = [callback, response["Location"], *(str(r) for r in provider.authorization_requests)]
    for url in urls:
        assert person.identity_number not in url and person.identity_number[2:] not in url


def test_assurance_level_4_is_accepted(client, provider, person):
    response = log_in(client, provider, personnummer=person.identity_number, acr=LOA4)

    assert response.status_code == 302
    assert citizen_session(client)["acr"] == LOA4


def test_a_person_with_a_samordningsnummer_logs_in(client, provider, coordination_person):
    number = coordination_person.identity_number
    response = log_in(client, provider, claims={COORDINATION_NUMBER_CLAIM: number})

    assert response.status_code == 302 and response["Location"] == HOME
    assert citizen_session(client)["person"] == str(coordination_person.pk)


def test_a_samordningsnummer_in_the_personnummer_claim_is_accepted_too(
    client, provider, coordination_person
):
    response = log_in(client, provider, personnummer=coordination_person.identity_number)

    assert response.status_code == 302
    assert citizen_session(client)["person"] == str(coordination_person.pk)


def test_login_goes_on_to_the_min_sip_page_asked_for(client, provider, person):
    callback = go_to_provider(
        client, provider, next_url="/min-sip/sip/123/", personnummer=person.identity_number
    )
    assert client.get(callback)["Location"] == "/min-sip/sip/123/"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "/sip/"])
def test_login_never_goes_on_to_another_site_or_a_staff_page(client, provider, person, next_url):
    callback = go_to_provider(
        client, provider, next_url=next_url, personnummer=person.identity_number
    )
    assert client.get(callback)["Location"] == HOME


def test_a_rotated_provider_key_is_fetched_again(client, provider, person):
    assert log_in(client, provider, personnummer=person.identity_number).status_code == 302
    provider.key = type(provider.key).generate_key(2048, parameters={"kid": "test-key-2"})

    other = Client()
    response = log_in(other, provider, personnummer=person.identity_number)
    assert response.status_code == 302
    assert citizen_session(other)["person"] == str(person.pk)


# --- Refusals -------------------------------------------------------------------------------

REFUSALS = {
    "wrong signature": ({"wrong_key": True}, 400, "id_token_signature"),
    "wrong audience": ({"audience": "someone-else"}, 400, "id_token_claim (aud)"),
    "wrong issuer": ({"issuer": "https://evil.example"}, 400, "id_token_claim (iss)"),
    "expired token": ({"expired": True}, 400, "id_token_expired"),
    "wrong nonce": ({"nonce": "not-the-nonce-we-sent"}, 400, "id_token_claim (nonce)"),
    "assurance level 2": ({"acr": LOA2}, 403, "acr_not_accepted"),
    "no assurance level": ({"acr": None}, 403, "acr_not_accepted"),
    "no identity number": ({"personnummer": None}, 400, "identity_claim_missing"),
    "malformed identity number": (
        {"personnummer": "199913011234"},
        400,
        "identity_claim_invalid",
    ),
    "provider error": ({"error": "access_denied"}, 400, "provider_error (access_denied)"),
}


@pytest.mark.parametrize("case", REFUSALS.keys())
def test_a_refused_login_shows_a_clear_page_and_leaves_no_session(
    client, provider, person, caplog, case
):
    behaviour, status, logged = REFUSALS[case]
    behaviour = {"personnummer": person.identity_number} | behaviour

    with caplog.at_level(logging.WARNING, logger="samplan.citizen.oidc"):
        response = log_in(client, provider, **behaviour)

    assert response.status_code == status
    assert citizen_session(client) is None
    text = response.content.decode()
    assert "Inloggningen fungerade inte" in text
    assert f"Citizen login refused: {logged}" in caplog.text
    assert person.identity_number not in caplog.text
    assert person.identity_number[2:] not in caplog.text


def test_too_low_assurance_says_what_to_use_instead(client, provider, person):
    response = log_in(client, provider, personnummer=person.identity_number, acr=LOA2)

    assert response.status_code == 403
    assert "BankID" in response.content.decode()


def test_a_refusal_also_ends_an_earlier_citizen_session(client, provider, person):
    assert log_in(client, provider, personnummer=person.identity_number).status_code == 302
    response = log_in(client, provider, personnummer=person.identity_number, wrong_key=True)

    assert response.status_code == 400
    assert citizen_session(client) is None


def test_a_replayed_callback_is_refused(client, provider, person):
    callback = go_to_provider(client, provider, personnummer=person.identity_number)
    assert client.get(callback).status_code == 302

    again = client.get(callback)
    assert again.status_code == 400
    assert citizen_session(client) is None


def test_a_callback_taken_to_another_browser_is_refused(client, provider, person):
    callback = go_to_provider(client, provider, personnummer=person.identity_number)

    attacker = Client()
    response = attacker.get(callback)
    assert response.status_code == 400
    assert citizen_session(attacker) is None
    # The state is tied to the session that started the login, which can still finish it.
    assert client.get(callback).status_code == 302


def test_a_wrong_state_is_refused_and_uses_up_nothing(client, provider, person, caplog):
    callback = go_to_provider(client, provider, personnummer=person.identity_number)

    with caplog.at_level(logging.WARNING, logger="samplan.citizen.oidc"):
        response = client.get(with_query(callback, state="forged-state"))
    assert response.status_code == 400
    assert "unknown_state" in caplog.text
    assert citizen_session(client) is None
    assert provider.token_requests == []  # the code was never exchanged


def test_a_callback_without_state_is_refused(client, provider, person):
    callback = go_to_provider(client, provider, personnummer=person.identity_number)

    response = client.get(with_query(callback, state=None))
    assert response.status_code == 400
    assert citizen_session(client) is None


def test_a_callback_without_any_login_started_is_refused(client, db):
    response = client.get(reverse("citizen:oidc_callback") + "?code=x&state=y")
    assert response.status_code == 400
    assert citizen_session(client) is None


def test_both_identity_claims_at_once_are_refused(client, provider, person, coordination_person):
    response = log_in(
        client,
        provider,
        personnummer=person.identity_number,
        claims={COORDINATION_NUMBER_CLAIM: coordination_person.identity_number},
    )
    assert response.status_code == 400
    assert citizen_session(client) is None


def test_a_configured_claim_name_is_used(client, provider, person, oidc_settings):
    oidc_settings.OIDC_PERSONNUMMER_CLAIM = "personal_number"
    response = log_in(client, provider, claims={"personal_number": person.identity_number})
    assert response.status_code == 302

    other = Client()
    refused = log_in(other, provider, claims={PERSONNUMMER_CLAIM: person.identity_number})
    assert refused.status_code == 400


def test_a_wrong_client_secret_is_refused_by_the_provider(client, provider, person, settings):
    settings.OIDC_CLIENT_SECRET = "not-the-secret"
    response = log_in(client, provider, personnummer=person.identity_number)

    assert response.status_code == 400
    assert citizen_session(client) is None


def test_an_unreachable_provider_gives_a_calm_page_not_an_error(client, settings, provider):
    provider.stop()
    settings.OIDC_ISSUER = provider.issuer  # nothing listens there any more
    response = client.get(reverse("citizen:oidc_start"))

    assert response.status_code == 503
    assert "svarar inte" in response.content.decode()


def test_a_discovery_document_for_another_issuer_is_not_trusted(client, settings, provider):
    settings.OIDC_ISSUER = provider.issuer + "/other"
    # The provider serves no discovery document there: refuse, do not fall back.
    assert client.get(reverse("citizen:oidc_start")).status_code == 503


# --- Unknown person -------------------------------------------------------------------------


def test_a_verified_person_without_a_sip_is_told_so_and_not_logged_in(client, provider, db):
    stranger = identity.identity_number_with_check_digit("19700101123")
    response = log_in(client, provider, personnummer=stranger)

    assert response.status_code == 200
    assert "Du har ingen SIP i Samplan." in response.content.decode()
    assert citizen_session(client) is None


# --- Login page, disabled OIDC, logout ------------------------------------------------------


def test_the_login_page_offers_e_legitimation(client):
    response = client.get(LOGIN)
    text = response.content.decode()

    assert response.status_code == 200
    assert "Logga in i Min SIP" in text
    assert "BankID" in text and "Freja eID" in text
    assert "Logga in med e-legitimation" in text
    assert reverse("citizen:demo_login") not in text  # demo login is off here


def test_the_login_form_starts_the_login_with_a_post(client, provider, person):
    provider.behaviour = Behaviour(personnummer=person.identity_number)
    start = client.post(reverse("citizen:oidc_start"), {"next": "/min-sip/sip/1/"})
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)

    response = client.get(answer.headers["Location"])
    assert response["Location"] == "/min-sip/sip/1/"


def test_without_oidc_settings_the_oidc_views_lead_to_the_login_page(client, settings, db):
    settings.OIDC_CLIENT_SECRET = ""
    for name in ("citizen:oidc_start", "citizen:oidc_callback"):
        response = client.get(reverse(name) + "?code=x&state=y")
        assert (response.status_code, response["Location"]) == (302, LOGIN)
    assert client.session.get(oidc.PENDING_SESSION_KEY) is None


def test_without_oidc_or_demo_the_login_page_says_login_is_not_set_up(client, settings):
    settings.OIDC_CLIENT_SECRET = ""
    text = client.get(LOGIN).content.decode()

    assert "inte inställd" in text
    assert "Logga in med e-legitimation" not in text


def test_logout_ends_the_session_and_says_so(client, provider, person):
    log_in(client, provider, personnummer=person.identity_number)

    response = client.post(reverse("citizen:logout"), follow=True)
    assert response.redirect_chain == [(LOGIN, 302)]
    assert citizen_session(client) is None
    assert "Du har loggat ut från Min SIP." in response.content.decode()


def test_logout_needs_a_post(client, provider, person):
    log_in(client, provider, personnummer=person.identity_number)

    assert client.get(reverse("citizen:logout")).status_code == 405
    assert citizen_session(client) is not None
