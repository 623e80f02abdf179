"""The GetCarePlans-shaped export: the header of each approved plan the unit may read, SIP as
the type, the author's unit and care giver with their HSA-ids; each plan listed is logged."""

import pytest

from samplan.api.tests.helpers import RecordSystem
from samplan.audit.models import AccessLogEntry
from samplan.testing.cast import make_person


@pytest.fixture
def system(primary_care) -> RecordSystem:
    return RecordSystem(primary_care)


def test_the_export_lists_the_approved_plans_the_unit_sees(client, system, sip):
    sip.needs_assessment.hsa_id = "SE2120000142-E001"
    sip.needs_assessment.save()
    approved = sip.to("active")
    sip.to("consented", make_person("19800202", "123", "Ej", "Fastställd"))  # no version yet
    sip.initiate(person=make_person("19900101", "123", "Olle", "Annan"))  # not ours to see
    token = system.token(client)
    response = system.get(client, "/api/v1/careplans", token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    header = item["carePlanHeader"]
    version = approved.versions.get(number=1)
    assert header["documentId"] == f"{approved.pk}/1"
    assert header["patientId"] == {"id": "198112189876", "type": "1.2.752.129.2.1.3.1"}
    unit = header["accountableHealthcareProfessional"]["healthcareProfessionalOrgUnit"]
    assert unit == {"orgUnitHSAId": "SE2120000142-E001", "orgUnitName": sip.needs_assessment.name}
    assert header["legalAuthenticator"]["signatureTime"] is not None
    assert version.approval == "approved"
    assert item["carePlanBody"]["typeOfCarePlan"]["code"] == "SIP"
    assert item["carePlanBody"]["url"] == f"/api/v1/plans/{approved.pk}"
    logged = AccessLogEntry.objects.filter(channel=AccessLogEntry.Channel.API)
    assert [(e.action, e.object_id) for e in logged] == [("api:careplans", str(approved.pk))]


def test_the_export_is_refused_without_a_token(client, sip):
    response = client.get("/api/v1/careplans")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
