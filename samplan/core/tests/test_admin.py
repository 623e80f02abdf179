from samplan.accounts.models import Membership, Organization
from samplan.conftest import login, make_user


def test_a_system_administrator_manages_organisations_in_the_admin(client, adam):
    login(client, adam)
    assert client.get("/admin/").status_code == 200
    response = client.post(
        "/admin/accounts/organization/add/",
        {
            "name": "Region Ny",
            "kind": "region",
            "organization_number": "2321000016",
            "municipality_code": "",
            "hsa_id": "",
            "units-TOTAL_FORMS": "1",
            "units-INITIAL_FORMS": "0",
            "units-0-name": "Vårdcentralen Ny",
            "units-0-kind": "primary_care",
            "units-0-email": "vc@example.invalid",
            "units-0-phone": "010-1",
            "units-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    region = Organization.objects.get(name="Region Ny")
    assert region.organization_number == "232100-0016"
    assert region.units.get().name == "Vårdcentralen Ny"


def test_the_admin_shows_a_clear_error_for_a_bad_organisation_number(client, adam):
    login(client, adam)
    response = client.post(
        "/admin/accounts/organization/add/",
        {
            "name": "Fel",
            "kind": "region",
            "organization_number": "232100-0017",
            "units-TOTAL_FORMS": "0",
            "units-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Kontrollsiffran i organisationsnumret är fel." in response.content.decode()


def test_a_caseworker_gets_no_admin_access_even_with_the_staff_flag(client, alice):
    alice.is_staff = True
    alice.save()
    login(client, alice)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get("/admin/accounts/organization/").status_code == 302
    assert not Organization.objects.filter(name="Hack").exists()
    client.post("/admin/accounts/organization/add/", {"name": "Hack", "kind": "other"})
    assert not Organization.objects.filter(name="Hack").exists()


def test_a_unit_manager_gets_no_admin_access(client, mona):
    login(client, mona)
    assert client.get("/admin/").status_code == 302


def test_a_member_with_the_administrator_role_may_use_the_admin(client, needs_assessment):
    ida = make_user("ida", (needs_assessment, Membership.Role.ADMINISTRATOR))
    login(client, ida)
    assert client.get("/admin/accounts/unit/").status_code == 200


def test_the_staff_start_page_links_to_the_admin_only_for_administrators(client, alice, adam):
    login(client, alice)
    assert "/admin/" not in client.get("/").content.decode()


def test_an_administrator_sets_a_local_agreement_for_an_organisation(client, adam, municipality):
    login(client, adam)
    response = client.post(
        "/admin/plans/localagreement/add/",
        {
            "organization": municipality.pk,
            "consent_within_days": 3,
            "first_meeting_within_days": 10,
            "due_soon_days": 5,
            "child_reads_from_age": 15,
            "discharge_invitation_within_days": 2,
            "discharge_days_counted": "working",
            "failure_first_step_days": 14,
            "escalation_steps-TOTAL_FORMS": "0",
            "escalation_steps-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert municipality.local_agreement.first_meeting_within_days == 10
    assert municipality.local_agreement.discharge_days_counted == "working"


def test_an_administrator_gives_the_local_agreement_an_escalation_ladder(
    client, adam, municipality, mona
):
    login(client, adam)
    response = client.post(
        "/admin/plans/localagreement/add/",
        {
            "organization": municipality.pk,
            "consent_within_days": 5,
            "first_meeting_within_days": 15,
            "due_soon_days": 7,
            "child_reads_from_age": 16,
            "discharge_invitation_within_days": 3,
            "discharge_days_counted": "calendar",
            "failure_first_step_days": 10,
            "escalation_steps-TOTAL_FORMS": "2",
            "escalation_steps-INITIAL_FORMS": "0",
            "escalation_steps-0-number": "2",
            "escalation_steps-0-name": "Verksamhetschefer",
            "escalation_steps-0-days": "14",
            "escalation_steps-0-members": [str(mona.pk)],
            "escalation_steps-1-number": "3",
            "escalation_steps-1-name": "Ledningsgrupp för samverkan",
            "escalation_steps-1-days": "30",
            "escalation_steps-1-email": "ledningsgrupp@example.invalid",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = municipality.local_agreement
    assert agreement.failure_first_step_days == 10
    steps = list(agreement.escalation_steps.order_by("number"))
    assert [(s.number, s.days) for s in steps] == [(2, 14), (3, 30)]
    assert list(steps[0].members.all()) == [mona]
    assert steps[1].email == "ledningsgrupp@example.invalid"
    page = client.get(f"/admin/plans/localagreement/{agreement.pk}/change/").content.decode()
    assert "Ledningsgrupp för samverkan" in page


def test_plans_are_not_in_the_admin(client, adam):
    login(client, adam)
    assert client.get("/admin/plans/plan/").status_code == 404
