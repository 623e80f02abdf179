"""Where the individual is listed in primary care: recorded from the person card, and offered
first where a unit is chosen for him or her (issue 14)."""

from samplan.conftest import login
from samplan.plans import forms as f
from samplan.testing.cast import Sip


def test_staff_record_the_listing_from_the_person_card(client, alice, person, primary_care):
    login(client, alice)
    result = client.post("/individer/sok/", {"identity_number": "198112189876"})["Location"]
    page = client.get(result).content.decode()
    assert 'name="listed_primary_care"' in page and "Vårdcentralen (Region Test)" in page
    response = client.post(
        f"/individer/{person.pk}/listning/",
        {"listed_primary_care": primary_care.pk, "next": result},
    )
    assert response.status_code == 302 and response["Location"] == result
    person.refresh_from_db()
    assert person.listed_primary_care == primary_care
    assert "Listad på" in client.get(result).content.decode()


def test_only_a_primary_care_centre_can_be_the_listing(client, alice, person, needs_assessment):
    login(client, alice)
    response = client.post(
        f"/individer/{person.pk}/listning/",
        {"listed_primary_care": needs_assessment.pk},
        follow=True,
    )
    assert "Välj en aktiv vårdcentral." in response.content.decode()
    person.refresh_from_db()
    assert person.listed_primary_care is None


def test_the_listed_primary_care_centre_is_offered_first_in_the_consent(sip: Sip, person):
    plan = sip.initiate()
    person.listed_primary_care = sip.primary_care
    person.save(update_fields=["listed_primary_care"])
    plan.refresh_from_db()
    form = f.ConsentForm(plan=plan)
    first_pk, first_label = list(form.fields["units"].widget.choices)[0]
    assert first_pk == sip.primary_care.pk
    assert "listad här" in str(first_label)
