"""The demo world's API client: a record system of the primary care unit, with a key pair
whose private half is in the repository (samplan/demo/keys/, demo only), so the curl
walk-through in docs/api.md works against `make run`."""

import uuid
from pathlib import Path

from joserfc.jwk import RSAKey

from samplan.accounts.models import Unit
from samplan.api import services
from samplan.api.models import ApiClient

DEMO_CLIENT_ID = uuid.UUID("0d3e5a1c-5a1b-4c5e-9a10-5a3b1a000001")
DEMO_KEY_PATH = Path(__file__).parent / "keys" / "demo-api-client.pem"
DEMO_KEY_ID = "demo-1"
DEMO_UNIT = "Vårdcentralen Åsby"


def demo_key() -> RSAKey:
    return RSAKey.import_key(DEMO_KEY_PATH.read_bytes(), parameters={"kid": DEMO_KEY_ID})


def load_demo_api_client() -> ApiClient:
    """The demo client (read and write), created once and kept as it is afterwards."""
    client = ApiClient.objects.filter(client_id=DEMO_CLIENT_ID).first()
    if client is not None:
        return client
    return services.api_client_save(
        actor=None,
        client=ApiClient(
            client_id=DEMO_CLIENT_ID,
            name="Journalsystemet Åsby vårdcentral (demo)",
            unit=Unit.objects.get(name=DEMO_UNIT),
            may_read=True,
            may_write=True,
            jwks={"keys": [demo_key().as_dict(private=False)]},
        ),
    )
