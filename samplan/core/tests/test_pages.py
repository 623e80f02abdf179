from samplan.conftest import login


def test_the_login_page_is_swedish_and_declares_its_language(client, db):
    response = client.get("/konto/logga-in/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in page
    assert "Logga in i Samplan" in page
    assert 'href="#main"' in page  # skip link


def test_a_caseworker_sees_a_swedish_start_page_for_the_acting_unit(client, alice):
    login(client, alice)
    page = client.get("/").content.decode()
    assert "Välkommen, Alice" in page
    assert "Du arbetar för Biståndshandläggning på Testby kommun." in page
    assert "<main" in page and 'aria-label="Huvudmeny"' in page


def test_every_page_forbids_caching_framing_and_inline_script(client, alice):
    login(client, alice)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "script-src 'self'" in csp
    assert "<script>" not in response.content.decode()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_page_can_be_switched_to_english(client, alice):
    login(client, alice)
    client.post("/sprak/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Welcome, Alice" in page


def test_the_health_check_is_public_and_touches_the_database(client, db):
    response = client.get("/halsa/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_passwords_are_hashed_with_argon2():
    from django.conf import settings as real

    from samplan import settings as module

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert real.AUTH_USER_MODEL == "accounts.User"
