"""An organisation's administrator manages her own organisation's staff, and nothing more.

The escalation paths of the penetration test (docs/security.md, finding 1) are refused here one by one;
the permission matrix (core/tests/test_admin_matrix.py) checks every administrator against
every object. Ida administers the municipality, Rolf the region; Ivar is the municipality's
other administrator; Adam is a superuser.
"""

import pytest
from django.test import Client

from samplan.accounts.models import Membership, Unit, User
from samplan.audit.models import SecurityEvent
from samplan.conftest import PASSWORD, login, make_user

Kind = SecurityEvent.Kind
NEW_PASSWORD = "a-brand-new-passphrase-17"
HIDDEN = "/admin/"  # Django's answer for an id it cannot find: back to the index


@pytest.fixture
def ida(needs_assessment) -> User:
    return make_user("ida", (needs_assessment, Membership.Role.ADMINISTRATOR))


@pytest.fixture
def ivar(social_psychiatry) -> User:
    return make_user("ivar", (social_psychiatry, Membership.Role.ADMINISTRATOR))


@pytest.fixture
def rolf(primary_care) -> User:
    return make_user("rolf", (primary_care, Membership.Role.ADMINISTRATOR))


@pytest.fixture
def as_ida(client, ida) -> Client:
    return login(client, ida)


def user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "title": user.title,
        "email": user.email,
        "phone": user.phone,
        "hsa_id": user.hsa_id,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    if user.is_active:
        data["is_active"] = "on"
    if user.is_superuser:
        data["is_superuser"] = "on"
    data.update(changes)
    return data


def new_membership_row(unit: Unit, role: str = Membership.Role.CASEWORKER) -> dict:
    return {
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-unit": str(unit.pk),
        "memberships-0-role": role,
        "memberships-0-is_active": "on",
    }


def password_form(password: str = NEW_PASSWORD) -> dict:
    return {"password1": password, "password2": password, "usable_password": "true"}


def can_log_in(user: User, password: str) -> bool:
    response = Client().post("/konto/logga-in/", {"username": user.username, "password": password})
    return response.status_code == 302


def page(response) -> str:
    return response.content.decode()


# --- The report's paths ----------------------------------------------------------------------


def test_an_organisations_administrator_cannot_set_a_superusers_password(as_ida, adam):
    path = f"/admin/accounts/user/{adam.pk}/password/"
    assert as_ida.get(path).status_code == 404  # not hers: as if there were no such user
    assert as_ida.post(path, password_form()).status_code == 404
    assert not can_log_in(adam, NEW_PASSWORD) and can_log_in(adam, PASSWORD)


def test_a_superuser_who_is_a_member_of_her_organisation_is_shown_but_not_changed(
    as_ida, adam, social_psychiatry
):
    Membership.objects.create(user=adam, unit=social_psychiatry, role=Membership.Role.CASEWORKER)
    assert as_ida.get(f"/admin/accounts/user/{adam.pk}/change/").status_code == 200
    path = f"/admin/accounts/user/{adam.pk}/password/"
    assert as_ida.get(path).status_code == 403
    assert as_ida.post(path, password_form()).status_code == 403
    response = as_ida.post(f"/admin/accounts/user/{adam.pk}/change/", user_form(adam))
    assert response.status_code == 403
    assert not can_log_in(adam, NEW_PASSWORD)
    assert not SecurityEvent.objects.filter(kind=Kind.PASSWORD_CHANGED_BY_ADMIN).exists()


def test_an_administrator_cannot_give_herself_a_membership_in_another_organisations_unit(
    as_ida, ida, primary_care
):
    response = as_ida.post(
        "/admin/accounts/membership/add/",
        {"user": ida.pk, "unit": primary_care.pk, "role": "caseworker", "is_active": "on"},
    )
    assert response.status_code == 200
    text = page(response)
    assert "Välj en enhet i en organisation som du administrerar." in text
    assert "Ingen kan ge sig själv behörighet" in text
    # Nor on her own page, nor on the other organisation's unit page (which she cannot find).
    as_ida.post(
        f"/admin/accounts/user/{ida.pk}/change/", user_form(ida, **new_membership_row(primary_care))
    )
    response = as_ida.get(f"/admin/accounts/unit/{primary_care.pk}/change/")
    assert response.status_code == 302 and response["Location"] == HIDDEN
    assert not Membership.objects.filter(user=ida, unit=primary_care).exists()
    # So she cannot act for the region's unit (and read its SIPs or access log).
    as_ida.post("/konto/enhet/", {"unit": primary_care.pk})
    assert "Vårdcentralen" not in page(as_ida.get("/"))
    assert not SecurityEvent.objects.filter(kind__startswith="membership_").exists()


def test_nobody_gives_himself_or_herself_access_in_the_own_organisation_either(
    as_ida, ida, adam, social_psychiatry
):
    response = as_ida.post(
        "/admin/accounts/membership/add/",
        {"user": ida.pk, "unit": social_psychiatry.pk, "role": "caseworker", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Ingen kan ge sig själv behörighet" in page(response)
    response = as_ida.post(
        f"/admin/accounts/user/{ida.pk}/change/",
        user_form(ida, **new_membership_row(social_psychiatry)),
    )
    assert not Membership.objects.filter(user=ida, unit=social_psychiatry).exists()
    # Her own administrator membership can neither be changed nor ended by herself.
    own = Membership.objects.get(user=ida)
    path = f"/admin/accounts/membership/{own.pk}/change/"
    assert as_ida.get(path).status_code == 200
    data = {"user": ida.pk, "unit": own.unit_id, "role": "unit_manager"}
    assert as_ida.post(path, data).status_code == 403
    assert (
        as_ida.post(f"/admin/accounts/membership/{own.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    # A superuser neither: somebody else gives him access.
    admin = login(Client(), adam)
    response = admin.post(
        "/admin/accounts/membership/add/",
        {"user": adam.pk, "unit": social_psychiatry.pk, "role": "caseworker", "is_active": "on"},
    )
    assert response.status_code == 200 and "Ingen kan ge sig själv behörighet" in page(response)
    assert not Membership.objects.filter(user=adam).exists()


def test_posting_the_superuser_flag_makes_nobody_a_superuser(as_ida, ida, alice):
    for user in (alice, ida):
        data = user_form(user, is_superuser="on", is_staff="on")
        response = as_ida.post(f"/admin/accounts/user/{user.pk}/change/", data)
        assert response.status_code == 302, page(response)[:2000]
        user.refresh_from_db()
        assert not user.is_superuser and not user.is_staff
    assert not SecurityEvent.objects.filter(kind=Kind.USER_PRIVILEGES_CHANGED).exists()


def test_an_administrator_cannot_change_another_administrator_of_her_organisation(
    as_ida, ivar, needs_assessment
):
    change = f"/admin/accounts/user/{ivar.pk}/change/"
    assert as_ida.get(change).status_code == 200  # staff of her organisation: shown
    assert as_ida.post(change, user_form(ivar, first_name="Hacked")).status_code == 403
    assert as_ida.post(change.replace("change", "password"), password_form()).status_code == 403
    assert as_ida.post(change.replace("change", "delete"), {"post": "yes"}).status_code == 403
    membership = ivar.memberships.get()
    path = f"/admin/accounts/membership/{membership.pk}/change/"
    data = {"user": ivar.pk, "unit": membership.unit_id, "role": "caseworker"}
    assert as_ida.post(path, data).status_code == 403  # neither demoted nor ended
    response = as_ida.post(
        "/admin/accounts/membership/add/",
        {"user": ivar.pk, "unit": needs_assessment.pk, "role": "caseworker", "is_active": "on"},
    )
    assert response.status_code == 200
    ivar.refresh_from_db()
    assert ivar.first_name == "Ivar" and can_log_in(ivar, PASSWORD)
    assert list(ivar.memberships.values_list("role", "is_active")) == [("administrator", True)]


def test_an_administrator_cannot_change_staff_who_also_work_for_another_organisation(
    as_ida, alice, primary_care, needs_assessment
):
    Membership.objects.create(user=alice, unit=primary_care, role=Membership.Role.CASEWORKER)
    change = f"/admin/accounts/user/{alice.pk}/change/"
    assert as_ida.get(change).status_code == 200
    assert as_ida.post(change.replace("change", "password"), password_form()).status_code == 403
    # Her access in the municipality is still the municipality's to manage; the region's
    # membership is not even shown.
    own_unit = alice.memberships.get(unit=needs_assessment)
    response = as_ida.get(f"/admin/accounts/membership/{own_unit.pk}/change/")
    assert response.context["has_change_permission"] is True
    other = alice.memberships.get(unit=primary_care)
    response = as_ida.get(f"/admin/accounts/membership/{other.pk}/change/")
    assert response.status_code == 302 and response["Location"] == HIDDEN


def test_only_a_superuser_gives_the_role_administrator(as_ida, alice, adam, social_psychiatry):
    data = {
        "user": alice.pk,
        "unit": social_psychiatry.pk,
        "role": "administrator",
        "is_active": "on",
    }
    response = as_ida.post("/admin/accounts/membership/add/", data)
    assert response.status_code == 200
    assert "Bara en superanvändare kan ge rollen administratör." in page(response)
    response = as_ida.post(
        f"/admin/accounts/user/{alice.pk}/change/",
        user_form(alice, **new_membership_row(social_psychiatry, "administrator")),
    )
    assert response.status_code == 200
    assert "Bara en superanvändare kan ge rollen administratör." in page(response)
    assert not alice.memberships.filter(role="administrator").exists()
    response = login(Client(), adam).post("/admin/accounts/membership/add/", data)
    assert response.status_code == 302
    event = SecurityEvent.objects.get(kind=Kind.MEMBERSHIP_CREATED)
    assert (event.actor, event.user, event.unit) == (adam, alice, social_psychiatry)
    assert event.detail == "role=administrator, active=yes"


def test_a_unit_of_another_organisation_in_the_membership_rows_is_refused_with_a_clear_error(
    as_ida, alice, primary_care
):
    response = as_ida.post(
        f"/admin/accounts/user/{alice.pk}/change/",
        user_form(alice, **new_membership_row(primary_care)),
    )
    assert response.status_code == 200
    assert "Välj en enhet i en organisation som du administrerar." in page(response)
    assert not alice.memberships.filter(unit=primary_care).exists()


def test_an_administrator_cannot_change_a_unit_she_is_a_member_of(as_ida, needs_assessment):
    needs_assessment_id = needs_assessment.pk
    response = as_ida.get(f"/admin/accounts/unit/{needs_assessment_id}/change/")
    assert response.status_code == 200 and response.context["has_change_permission"] is False
    # Nor through her organisation's page, e.g. to reactivate it.
    organization = needs_assessment.organization
    response = as_ida.post(
        f"/admin/accounts/organization/{organization.pk}/change/",
        {
            "name": organization.name,
            "kind": organization.kind,
            "organization_number": organization.organization_number,
            "municipality_code": organization.municipality_code,
            "hsa_id": "",
            "units-TOTAL_FORMS": "1",
            "units-INITIAL_FORMS": "1",
            "units-0-id": str(needs_assessment_id),
            "units-0-organization": str(organization.pk),
            "units-0-name": "Omdöpt",
            "units-0-kind": needs_assessment.kind,
            "units-0-email": needs_assessment.email,
            "units-0-phone": needs_assessment.phone,
            "units-0-is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Du kan inte ändra en enhet som du själv är medlem i" in page(response)
    needs_assessment.refresh_from_db()
    assert needs_assessment.name == "Biståndshandläggning"


@pytest.mark.parametrize("change", ["demote", "delete"])
def test_the_unit_page_refuses_changing_another_administrators_membership_row(
    as_ida, ivar, social_psychiatry, change
):
    row = ivar.memberships.get()
    unit = social_psychiatry
    data = {
        "organization": unit.organization_id,
        "name": unit.name,
        "kind": unit.kind,
        "email": unit.email,
        "phone": unit.phone,
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(row.pk),
        "memberships-0-unit": str(unit.pk),
        "memberships-0-user": str(ivar.pk),
        "memberships-0-role": "caseworker" if change == "demote" else "administrator",
        "memberships-0-is_active": "on",
    }
    if change == "delete":
        data["memberships-0-DELETE"] = "on"
    response = as_ida.post(f"/admin/accounts/unit/{unit.pk}/change/", data)
    assert response.status_code == 200
    assert "Bara en superanvändare kan ändra en administratörs medlemskap." in page(response)
    assert list(ivar.memberships.values_list("pk", "role")) == [(row.pk, "administrator")]


def test_a_unit_page_listing_an_administrator_and_a_superuser_saves_with_their_rows_unchanged(
    as_ida, ivar, adam, alice, social_psychiatry
):
    Membership.objects.create(user=adam, unit=social_psychiatry, role="caseworker")
    Membership.objects.create(user=alice, unit=social_psychiatry, role="caseworker")
    unit = social_psychiatry
    rows = list(unit.memberships.order_by("pk"))
    data = {
        "organization": unit.organization_id,
        "name": unit.name,
        "kind": unit.kind,
        "email": unit.email,
        "phone": "010-222 22 22",
        "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
    }
    for index, row in enumerate(rows):  # as the browser sends them back
        data |= {
            f"memberships-{index}-id": str(row.pk),
            f"memberships-{index}-unit": str(unit.pk),
            f"memberships-{index}-user": str(row.user_id),
            f"memberships-{index}-role": row.role,
            f"memberships-{index}-is_active": "on",
        }
    alice_row = rows.index(next(r for r in rows if r.user_id == alice.pk))
    data[f"memberships-{alice_row}-role"] = "unit_manager"
    response = as_ida.post(f"/admin/accounts/unit/{unit.pk}/change/", data)
    assert response.status_code == 302, page(response)[:3000]
    unit.refresh_from_db()
    assert unit.phone == "010-222 22 22"
    assert alice.memberships.get(unit=unit).role == "unit_manager"
    assert SecurityEvent.objects.filter(actor__isnull=False).count() == 1  # alice's change


# --- What she may do, and the evidence it leaves ------------------------------------------------


def test_an_administrator_creates_places_and_ends_staff_of_her_organisation(
    as_ida, ida, social_psychiatry
):
    response = as_ida.post(
        "/admin/accounts/user/add/",
        {
            "username": "nils",
            "first_name": "Nils",
            "last_name": "Ny",
            "email": "nils@example.invalid",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, page(response)[:3000]
    nils = User.objects.get(username="nils")
    assert response["Location"] == f"/admin/accounts/user/{nils.pk}/change/"
    assert as_ida.get(response["Location"]).status_code == 200

    response = as_ida.post(
        f"/admin/accounts/user/{nils.pk}/change/",
        user_form(nils, **new_membership_row(social_psychiatry)),
    )
    assert response.status_code == 302, page(response)[:3000]
    membership = nils.memberships.get()
    assert (membership.unit, membership.role) == (social_psychiatry, "caseworker")

    path = f"/admin/accounts/user/{nils.pk}/password/"
    assert as_ida.post(path, password_form()).status_code == 302
    assert can_log_in(nils, NEW_PASSWORD)

    response = as_ida.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        {"user": nils.pk, "unit": social_psychiatry.pk, "role": "caseworker"},
    )  # "active" left unticked
    assert response.status_code == 302, page(response)[:3000]
    membership.refresh_from_db()
    assert not membership.is_active

    response = as_ida.post(f"/admin/accounts/user/{nils.pk}/change/", user_form(nils, is_active=""))
    assert response.status_code == 302

    events = list(
        SecurityEvent.objects.filter(actor__isnull=False)
        .order_by("id")
        .values_list("kind", "actor", "user", "unit", "detail")
    )
    unit = social_psychiatry.pk
    assert events == [
        (Kind.USER_CREATED, ida.pk, nils.pk, None, "active=yes, superuser=no, staff=no"),
        (Kind.MEMBERSHIP_CREATED, ida.pk, nils.pk, unit, "role=caseworker, active=yes"),
        (Kind.PASSWORD_CHANGED_BY_ADMIN, ida.pk, nils.pk, None, ""),
        (Kind.MEMBERSHIP_ENDED, ida.pk, nils.pk, unit, "active=yes\u2192no"),
        (Kind.USER_PRIVILEGES_CHANGED, ida.pk, nils.pk, None, "active=yes\u2192no"),
    ]
    # She sees the events of her organisation in the admin; the region's admin does not.
    response = as_ida.get("/admin/audit/securityevent/")
    assert set(response.context["cl"].queryset.values_list("kind", flat=True)) >= {
        Kind.MEMBERSHIP_CREATED,
        Kind.MEMBERSHIP_ENDED,
        Kind.PASSWORD_CHANGED_BY_ADMIN,
    }


def test_every_change_of_a_membership_by_a_superuser_is_a_security_event(
    client, adam, carl, needs_assessment, social_psychiatry
):
    login(client, adam)
    membership = carl.memberships.get(unit=social_psychiatry)
    path = f"/admin/accounts/membership/{membership.pk}/change/"
    data = {
        "user": carl.pk,
        "unit": social_psychiatry.pk,
        "role": "unit_manager",
        "is_active": "on",
    }
    assert client.post(path, data).status_code == 302
    response = client.post(path.replace("change", "delete"), {"post": "yes"})
    assert response.status_code == 302
    data = user_form(carl, is_superuser="on")
    assert client.post(f"/admin/accounts/user/{carl.pk}/change/", data).status_code == 302
    events = SecurityEvent.objects.filter(actor__isnull=False).order_by("id")
    assert list(events.values_list("kind", "actor", "user", "unit", "detail")) == [
        (Kind.MEMBERSHIP_CHANGED, adam.pk, carl.pk, social_psychiatry.pk,
         "role=caseworker\u2192unit_manager"),
        (Kind.MEMBERSHIP_DELETED, adam.pk, carl.pk, social_psychiatry.pk,
         "role=unit_manager, active=yes"),
        (Kind.USER_PRIVILEGES_CHANGED, adam.pk, carl.pk, None, "superuser=no\u2192yes"),
    ]  # fmt: skip


def test_an_organisations_administrator_sees_only_her_organisations(
    as_ida, alice, bob, municipality, region, needs_assessment, primary_care
):
    def listed(path):
        return set(as_ida.get(path).context["cl"].queryset.values_list("pk", flat=True))

    assert listed("/admin/accounts/organization/") == {municipality.pk}
    assert listed("/admin/accounts/unit/") == set(municipality.units.values_list("pk", flat=True))
    assert bob.pk not in listed("/admin/accounts/user/") and alice.pk in listed(
        "/admin/accounts/user/"
    )
    assert listed("/admin/accounts/membership/") == set(
        Membership.objects.filter(unit__organization=municipality).values_list("pk", flat=True)
    )
    assert as_ida.get("/admin/accounts/organization/add/").status_code == 403
    path = f"/admin/accounts/organization/{municipality.pk}/delete/"
    assert as_ida.post(path, {"post": "yes"}).status_code == 403
    path = f"/admin/accounts/organization/{region.pk}/change/"
    assert as_ida.get(path)["Location"] == HIDDEN
    # Choices and the autocomplete offer nothing of the region either.
    response = as_ida.get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "membership", "field_name": "unit", "term": ""},
    )
    offered = {int(row["id"]) for row in response.json()["results"]}
    assert needs_assessment.pk in offered and primary_care.pk not in offered
    assert as_ida.get("/admin/notifications/failedemail/").status_code == 403
