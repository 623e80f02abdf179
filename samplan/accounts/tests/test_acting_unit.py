from samplan.audit.models import SecurityEvent
from samplan.conftest import PASSWORD, login


def test_a_user_with_one_unit_acts_for_it_straight_after_login(client, alice, needs_assessment):
    response = login(client, alice)
    assert response.get("/").status_code == 200
    page = client.get("/").content.decode()
    assert "Biståndshandläggning" in page
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACTING_UNIT_CHOSEN)
    assert (event.user, event.unit) == (alice, needs_assessment)


def test_a_user_with_several_units_is_asked_to_choose_one(client, carl):
    response = client.post("/konto/logga-in/", {"username": "carl", "password": PASSWORD})
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/enhet/")
    page = client.get(response["Location"]).content.decode()
    assert "Vilken enhet arbetar du för nu?" in page
    assert "Biståndshandläggning" in page and "Socialpsykiatri" in page


def test_choosing_a_unit_shows_it_in_the_header_and_is_recorded(client, carl, social_psychiatry):
    login(client, carl)
    response = client.post("/konto/enhet/", {"unit": social_psychiatry.pk, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert 'class="who__unit"' in page and "Socialpsykiatri" in page
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACTING_UNIT_CHOSEN)
    assert event.user == carl and event.unit == social_psychiatry


def test_switching_unit_is_recorded_with_the_previous_unit(
    client, carl, needs_assessment, social_psychiatry
):
    login(client, carl)
    client.post("/konto/enhet/", {"unit": needs_assessment.pk})
    client.post("/konto/enhet/", {"unit": social_psychiatry.pk})
    switch = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACTING_UNIT_SWITCHED)
    assert (switch.unit, switch.previous_unit) == (social_psychiatry, needs_assessment)


def test_a_unit_the_user_does_not_belong_to_cannot_be_chosen(client, carl, primary_care):
    login(client, carl)
    response = client.post("/konto/enhet/", {"unit": primary_care.pk})
    assert response.status_code == 400
    assert "Du är inte aktiv medlem i den enheten." in response.content.decode()
    assert not SecurityEvent.objects.filter(unit=primary_care).exists()


def test_an_ended_membership_stops_acting_at_the_next_request(client, alice):
    login(client, alice)
    assert client.get("/").status_code == 200
    alice.memberships.update(is_active=False)
    page = client.get("/").content.decode()
    assert "Biståndshandläggning" not in page
    assert "inte kopplat till någon enhet" in page


def test_the_next_parameter_cannot_send_the_user_to_another_site(client, carl, needs_assessment):
    login(client, carl)
    response = client.post(
        "/konto/enhet/", {"unit": needs_assessment.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_logins_logouts_and_failures_are_security_events(client, alice):
    client.post("/konto/logga-in/", {"username": "alice", "password": "wrong"})
    login(client, alice)
    client.post("/konto/logga-ut/")
    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["login_failed", "login", "acting_unit_chosen", "logout"]


def test_a_wrong_password_gives_a_clear_swedish_message(client, alice):
    response = client.post("/konto/logga-in/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord" in response.content.decode()


def test_a_membership_ended_in_the_admin_stops_acting_at_the_very_next_request(
    client, carl, adam, social_psychiatry
):
    from django.test import Client

    from samplan.accounts.models import Membership

    login(client, carl)
    client.post("/konto/enhet/", {"unit": social_psychiatry.pk})
    assert "Socialpsykiatri" in client.get("/").content.decode()

    membership = Membership.objects.get(user=carl, unit=social_psychiatry)
    admin_client = login(Client(), adam)
    response = admin_client.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        {"user": carl.pk, "unit": social_psychiatry.pk, "role": membership.role},
    )  # the "active" box left unticked
    assert response.status_code == 302, response.content.decode()[:2000]
    membership.refresh_from_db()
    assert not membership.is_active

    response = client.get("/")
    assert response.status_code == 302  # asked to choose among the units left
    assert response["Location"].startswith("/konto/enhet/")
    page = client.get(response["Location"]).content.decode()
    assert 'class="who__unit"' not in page
    assert "Socialpsykiatri" not in page and "Biståndshandläggning" in page


def test_a_deactivated_unit_stops_acting_at_the_next_request(client, alice, needs_assessment):
    login(client, alice)
    needs_assessment.is_active = False
    needs_assessment.save(update_fields=["is_active"])
    page = client.get("/").content.decode()
    assert 'class="who__unit"' not in page and "Biståndshandläggning" not in page
