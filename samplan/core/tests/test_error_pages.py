"""Error pages speak Swedish and say what to do next, for every error status."""

from django.test import Client

from samplan.conftest import login


def test_an_unknown_page_answers_404_in_swedish(client, alice):
    login(client, alice)
    response = client.get("/sip/00000000-0000-0000-0000-000000000000/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="sv">' in page and "Sidan finns inte" in page and "Till startsidan" in page


def test_a_wrong_method_answers_405_in_swedish_with_the_allowed_methods(client, alice):
    login(client, alice)
    response = client.post("/inkorg/")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    page = response.content.decode()
    assert '<html lang="sv">' in page and "Det går inte här" in page


def test_a_malformed_body_answers_400_in_swedish(client, alice):
    login(client, alice)
    response = client.generic("POST", "/konto/enhet/", b"garbage", "multipart/form-data")
    assert response.status_code == 400
    assert "Förfrågan kunde inte läsas" in response.content.decode()


def test_an_expired_form_answers_403_in_swedish(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/konto/logga-in/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


def test_a_server_error_answers_500_in_swedish(db, settings):
    settings.ROOT_URLCONF = "samplan.core.tests.failing_urls"
    client = Client(raise_request_exception=False)
    response = client.post("/test-fel/", {"person": "1", "coordination": "2", "reserve": "3"})
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="sv">' in page and "Något gick fel" in page
