"""A child in Min SIP: the guardians decide until 18; from the local agreement's age (16 unless
agreed otherwise) the child reads his or her plan and may write, but never approves or ends it."""

import datetime

from django.test import Client
from django.utils import timezone

from samplan.people.models import Relation
from samplan.plans import forms as f
from samplan.plans.models import CitizenMessage, LocalAgreement, Plan
from samplan.testing.cast import begin, citizen_client, fresh, login, make_person


def born_years_ago(years: int) -> str:
    day = timezone.localdate() - datetime.timedelta(days=365 * years + 40)
    return day.strftime("%Y%m%d")


def child_with_plan(sip, years: int, serial: str):
    child = make_person(born_years_ago(years), serial, "Erik", "Barnsson")
    mother = make_person("19800101", "239", "Maja", "Barnsson")
    Relation.objects.create(person=child, related=mother, kind="guardian")
    plan = sip.initiate(child)
    sip.consent(plan, given_by="guardians", guardians=[mother])
    return child, mother, fresh(plan)


def test_a_13_year_old_does_not_see_the_plan_and_is_told_why(sip):
    child, _mother, plan = child_with_plan(sip, 13, "118")
    client = citizen_client(child)
    assert client.get(f"/min-sip/{plan.pk}/").status_code == 404
    assert client.post(f"/min-sip/{plan.pk}/avsluta/").status_code == 404
    home = client.get("/min-sip/").content.decode()
    assert "Du har en SIP, men den visas inte här förrän du är äldre" in home
    assert "Du har ingen SIP i Samplan" not in home


def test_a_16_year_old_reads_and_writes_but_does_not_approve_end_or_invite(sip):
    child, _mother, plan = child_with_plan(sip, 16, "126")
    client = citizen_client(child)
    page = client.get(f"/min-sip/{plan.pk}/").content.decode()
    assert "Det här är din plan" in page and "Din SIP" in page
    assert "Avsluta din SIP" not in page and "Bjud in eller ta bort en närstående" not in page
    assert "Skriv till den som är ansvarig" in page
    for path in ("avsluta/", "narstaende/", "vem-har-last/"):
        assert client.get(f"/min-sip/{plan.pk}/{path}").status_code == 403, path
    assert client.post(f"/min-sip/{plan.pk}/avsluta/").status_code == 403
    assert client.post(f"/min-sip/{plan.pk}/svara/", {"approved": "yes"}).status_code == 403
    assert fresh(plan).state != Plan.State.CLOSED

    response = client.post(
        f"/min-sip/{plan.pk}/meddelande/",
        {
            "kind": "comment",
            "text": "Kan mötet vara på eftermiddagen?",
            "to_units": [sip.needs_assessment.pk],
        },
    )
    assert response.status_code == 302
    assert CitizenMessage.objects.get(plan=plan).author == child


def test_the_guardian_still_decides_for_a_16_year_old(sip):
    _child, mother, plan = child_with_plan(sip, 16, "134")
    page = citizen_client(mother).get(f"/min-sip/{plan.pk}/").content.decode()
    assert "Eriks SIP" not in page  # the full name on the plan page
    assert "Erik Barnssons SIP" in page
    assert "Avsluta din SIP" in page


def test_the_local_agreement_sets_the_age_a_child_reads_from(sip):
    child, _mother, plan = child_with_plan(sip, 14, "142")
    client = citizen_client(child)
    assert client.get(f"/min-sip/{plan.pk}/").status_code == 404
    LocalAgreement.objects.update_or_create(
        organization=plan.initiating_unit.organization, defaults={"child_reads_from_age": 14}
    )
    assert client.get(f"/min-sip/{plan.pk}/").status_code == 200


def test_an_adult_decides_himself_from_his_18th_birthday(sip):
    adult = make_person(born_years_ago(18), "150", "Adam", "Vuxen")
    plan = sip.initiate(adult)
    sip.consent(plan)
    page = citizen_client(adult).get(f"/min-sip/{plan.pk}/").content.decode()
    assert "Avsluta din SIP" in page and "Det här är din plan" not in page


def test_one_guardian_withdrawing_ends_the_consent_and_the_record_names_her(sip):
    from samplan.notifications.models import Notification

    child, mother, plan = child_with_plan(sip, 10, "168")
    father = make_person("19790202", "257", "Jonas", "Barnsson")
    Relation.objects.create(person=child, related=father, kind="guardian")
    response = citizen_client(mother).post(f"/min-sip/{plan.pk}/avsluta/", {"confirm": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = fresh(plan)
    withdrawal = plan.current_consent
    assert plan.state == Plan.State.CLOSED and withdrawal.decision == "withdrawn"
    assert list(withdrawal.guardians.all()) == [mother]
    assert withdrawal.recorded_by_citizen == mother
    told = set(
        Notification.objects.filter(plan=plan, kind="plan_closed").values_list("person", flat=True)
    )
    assert {mother.pk, father.pk} <= told and child.pk not in told  # a 10-year-old: not in Min SIP


def test_the_childs_own_view_is_heard_at_each_meeting_and_follow_up(sip, alice):
    child, mother, _plan = child_with_plan(sip, 12, "176")
    plan = sip.initiate(make_person(born_years_ago(12), "184", "Ida", "Barnsson"))
    Relation.objects.create(person=plan.person, related=mother, kind="guardian")
    sip.consent(plan, given_by="guardians", guardians=[mother])
    meeting = sip.invite(plan)
    begin(meeting)
    client = login(Client(), alice)
    response = client.post(
        f"/sip/{plan.pk}/moten/{meeting.pk}/motesla/",
        {"form": "attendance", "child_view": "Ida vill ha möten efter skolan."},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert (
        "Ida vill ha möten efter skolan." in client.get(f"/sip/{plan.pk}/moten/").content.decode()
    )

    sip.fill(plan)
    sip.establish(plan)
    sip.follow_up(plan, child_view="Ida tycker att det har blivit bättre.")
    assert plan.follow_ups.get().child_view == "Ida tycker att det har blivit bättre."


def test_an_adults_plan_has_no_childs_view(sip, person):
    plan = sip.to("active", person=person)
    sip.follow_up(plan, child_view="ignored")
    assert plan.follow_ups.get().child_view == ""


def test_every_guardian_is_invited_to_a_childs_meeting_unless_staff_untick_one(sip, alice):
    child, mother, plan = child_with_plan(sip, 10, "192")
    father = make_person("19790303", "265", "Jonas", "Barnsson")
    Relation.objects.create(person=child, related=father, kind="guardian")
    form = f.MeetingForm(plan=fresh(plan))
    chosen = {p.pk for name, p in form.person_fields if form.fields[name].initial}
    assert chosen == {child.pk, mother.pk, father.pk}
