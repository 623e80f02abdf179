"""API clients in the admin: registered by a system administrator of the unit's
organisation, with a JWKS of public keys; suspending revokes the client's tokens."""

import json

import pytest
from joserfc.jwk import RSAKey

from samplan.accounts.models import Membership
from samplan.api.models import ApiClient, ApiToken
from samplan.api.tests.helpers import RecordSystem
from samplan.testing.cast import login, make_user

ADD = "/admin/api/apiclient/add/"


@pytest.fixture
def olof(needs_assessment):
    """The municipality's system administrator."""
    return make_user("olof", (needs_assessment, Membership.Role.ADMINISTRATOR), is_staff=True)


def public_jwks() -> str:
    return json.dumps({"keys": [RSAKey.generate_key(2048).as_dict(private=False)]})


def form(unit, jwks, **extra) -> dict:
    return {"name": "Treserva", "unit": unit.pk, "may_read": "on", "jwks": jwks} | extra


def test_an_administrator_registers_a_client_for_a_unit_of_the_organisation(
    client, olof, needs_assessment
):
    login(client, olof)
    response = client.post(ADD, form(needs_assessment, public_jwks(), is_active="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    registered = ApiClient.objects.get()
    assert registered.unit == needs_assessment and registered.user.is_active
    assert registered.user.memberships.get().role == Membership.Role.SYSTEM


def test_an_administrator_cannot_register_for_another_organisation(client, olof, primary_care):
    login(client, olof)
    response = client.post(ADD, form(primary_care, public_jwks(), is_active="on"))
    assert response.status_code == 200
    assert not ApiClient.objects.exists()


def test_a_clients_of_another_organisation_is_not_found(client, olof, primary_care):
    other = RecordSystem(primary_care).client
    login(client, olof)
    response = client.get(f"/admin/api/apiclient/{other.pk}/change/")
    assert response.status_code in (302, 404)
    assert "Journalsystemet" not in client.get("/admin/api/apiclient/").content.decode()


def test_a_key_set_that_is_not_json_or_private_is_refused_once_at_the_field(
    client, olof, needs_assessment
):
    login(client, olof)
    response = client.post(ADD, form(needs_assessment, "{not json", is_active="on"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["jwks"]
    private = json.dumps({"keys": [RSAKey.generate_key(2048).as_dict(private=True)]})
    response = client.post(ADD, form(needs_assessment, private, is_active="on"))
    errors = response.context["adminform"].form.errors["jwks"]
    assert len(errors) == 1 and "privat nyckel" in errors[0]
    assert not ApiClient.objects.exists()


def test_suspending_a_client_in_the_admin_revokes_its_tokens(client, adam, needs_assessment):
    system = RecordSystem(needs_assessment)
    system.token(client)
    login(client, adam)
    change = f"/admin/api/apiclient/{system.client.pk}/change/"
    page = client.get(change)
    assert page.status_code == 200
    jwks = json.dumps(system.client.jwks)
    response = client.post(change, form(needs_assessment, jwks, name="Journalsystemet"))
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    system.client.refresh_from_db()
    assert not system.client.is_active and not system.client.user.is_active
