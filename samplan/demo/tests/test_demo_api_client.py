"""The demo world's record system: the steps of docs/api.md's curl walk-through work with the
demo client and its key from the repository."""

import io
import re
from pathlib import Path

from django.core.management import call_command

from samplan.accounts.models import Unit
from samplan.demo.api_client import DEMO_CLIENT_ID, DEMO_KEY_PATH, load_demo_api_client
from samplan.testing.cast import make_unit

DOCS = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def test_the_demo_client_gets_a_token_with_the_command_s_assertion_and_reads(client, region):
    make_unit(region, "Vårdcentralen Åsby", Unit.Kind.PRIMARY_CARE)
    demo = load_demo_api_client()
    assert load_demo_api_client() == demo  # loaded again: kept
    out = io.StringIO()
    call_command(
        "api_assertion",
        client_id=str(DEMO_CLIENT_ID),
        key=str(DEMO_KEY_PATH),
        kid="demo-1",
        audience="http://testserver/api/oauth/token",
        stdout=out,
    )
    response = client.post(
        "/api/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": out.getvalue().strip(),
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "read write"
    token = response.json()["access_token"]
    plans = client.get("/api/v1/plans", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert plans.status_code == 200 and plans.json()["count"] == 0


def test_the_walk_through_names_the_demo_client_and_its_key():
    text = DOCS.read_text()
    assert str(DEMO_CLIENT_ID) in text
    assert "samplan/demo/keys/demo-api-client.pem" in text
    assert re.search(r"manage\.py api_assertion", text)
