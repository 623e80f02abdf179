"""Discharge from inpatient care (lag 2017:612): the ward's notices, who sees the patient, the
designated care contact and the SIP that starts at discharge with the patient's consent."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from samplan import policy
from samplan.accounts.models import Membership, Unit
from samplan.audit.models import AccessLogEntry
from samplan.conftest import make_unit, make_user
from samplan.discharge import services
from samplan.discharge.models import Admission, AdmissionEvent
from samplan.notifications.models import Notification
from samplan.plans import rules
from samplan.plans.models import LocalAgreement, Plan, PlanEvent
from samplan.plans.rules import RuleViolation
from samplan.policy import Staff
from samplan.testing.world import staff_client


@pytest.fixture
def ward(region) -> Unit:
    return make_unit(region, "Avdelning 7 medicin", Unit.Kind.HOSPITAL_WARD)


@pytest.fixture
def nina(ward):
    return make_user("nina", (ward, Membership.Role.CASEWORKER))


@pytest.fixture
def home_care(municipality) -> Unit:
    unit = make_unit(municipality, "Hemtjänst", Unit.Kind.HOME_CARE)
    unit.email = "hemtjanst@example.invalid"
    unit.save(update_fields=["email"])
    return unit


@pytest.fixture
def hanna(home_care):
    return make_user("hanna", (home_care, Membership.Role.CASEWORKER))


def as_(user, unit) -> Staff:
    return Staff(user=user, unit=unit, role=Membership.Role.CASEWORKER)


@pytest.fixture
def admitted(nina, ward, person, home_care, primary_care, bob, hanna):
    today = timezone.localdate()
    return services.admission_register(
        actor=as_(nina, ward),
        person=person,
        admitted_on=today - datetime.timedelta(days=2),
        expected_needs="Hemtjänst morgon och kväll, hjälp med läkemedel.",
        units=[home_care, primary_care],
        reasons=[Plan.Reason.SEVERAL_UNITS],
    )


def discharge(admission, nina, ward, **kwargs):
    values = {
        "discharged_on": timezone.localdate(),
        "sip_decision": "start",
        "consent": True,
        "consent_mode": "oral",
    }
    return services.admission_discharge(
        actor=as_(nina, ward), admission=admission, **{**values, **kwargs}
    )


def test_the_ward_registers_an_admission_and_each_named_unit_is_told(
    admitted, home_care, hanna, bob
):
    assert admitted.state == "admitted"
    assert admitted.reasons == ["inpatient", "several_units"]
    assert [e.kind for e in admitted.events.all()] == ["admitted"]
    told = Notification.objects.filter(kind="discharge_notice")
    assert {n.user for n in told if n.channel == "inbox"} == {hanna, bob}
    assert told.filter(channel="email", unit=home_care).count() == 1
    # Nothing personal in the notices
    assert all(admitted.person.family_name not in n.subject + n.body for n in told)


def test_registering_the_same_admission_again_writes_nothing_new(
    admitted, nina, ward, person, home_care
):
    again = services.admission_register(
        actor=as_(nina, ward),
        person=person,
        admitted_on=admitted.admitted_on,
        expected_needs="Samma igen",
        units=[home_care],
    )
    assert again.pk == admitted.pk and Admission.objects.count() == 1
    assert AdmissionEvent.objects.count() == 1


def test_only_a_hospital_ward_registers_admissions(alice, needs_assessment, person, home_care):
    with pytest.raises(RuleViolation, match="Bara en vårdavdelning"):
        services.admission_register(
            actor=as_(alice, needs_assessment),
            person=person,
            admitted_on=timezone.localdate(),
            expected_needs="x",
            units=[home_care],
        )
    assert not policy.decide(as_(alice, needs_assessment), "admission.register", None)


def test_bad_input_is_refused_at_the_field(nina, ward, person, home_care):
    actor, today = as_(nina, ward), timezone.localdate()
    cases = [
        ({"units": []}, "units"),
        ({"units": [ward]}, "units"),
        ({"expected_needs": "  "}, "expected_needs"),
        ({"admitted_on": today + datetime.timedelta(days=1)}, "admitted_on"),
        ({"admitted_on": datetime.date(1999, 1, 1)}, "admitted_on"),
        ({"planned_discharge": today - datetime.timedelta(days=5)}, "planned_discharge"),
    ]
    for change, field in cases:
        values = {"admitted_on": today, "expected_needs": "Hemtjänst", "units": [home_care]}
        with pytest.raises(RuleViolation) as refused:
            services.admission_register(actor=actor, person=person, **{**values, **change})
        assert refused.value.field == field, change


def test_only_the_ward_and_the_units_named_see_the_patient(
    admitted, nina, ward, hanna, home_care, bob, primary_care, alice, needs_assessment
):
    for user, unit in [(nina, ward), (hanna, home_care), (bob, primary_care)]:
        assert policy.decide(as_(user, unit), "admission.view", admitted)
        response = staff_client(user, unit).get(reverse("discharge:detail", args=[admitted.pk]))
        assert response.status_code == 200 and admitted.person.full_name in response.text
    outsider = staff_client(alice, needs_assessment)
    assert outsider.get(reverse("discharge:detail", args=[admitted.pk])).status_code == 404
    assert admitted.person.full_name not in outsider.get(reverse("discharge:list")).text
    # Every read is logged
    assert (
        AccessLogEntry.objects.filter(person=admitted.person, action="admission.view").count() == 3
    )
    # The units named may not write the ward's notices; the ward may not acknowledge them
    assert (
        policy.decide(as_(hanna, home_care), "admission.edit", admitted)
        is policy.Decision.FORBIDDEN
    )
    assert (
        policy.decide(as_(nina, ward), "admission.acknowledge", admitted)
        is policy.Decision.FORBIDDEN
    )


def test_the_named_units_list_their_notices_and_acknowledge_them(admitted, hanna, home_care):
    client = staff_client(hanna, home_care)
    page = client.get(reverse("discharge:list") + "?visa=nya")
    assert admitted.person.full_name in page.text
    response = client.post(reverse("discharge:detail", args=[admitted.pk]), {"form": "acknowledge"})
    assert response.status_code == 302
    recipient = admitted.recipients.get(unit=home_care)
    assert recipient.acknowledged_by == hanna
    assert admitted.person.full_name not in client.get(reverse("discharge:list") + "?visa=nya").text


def test_each_notice_is_an_event_and_reaches_the_units(admitted, nina, ward, bob, primary_care):
    actor, today = as_(nina, ward), timezone.localdate()
    services.admission_inform(
        actor=actor, admission=admitted, planned_discharge=today, information="Rullator behövs."
    )
    services.admission_ready(actor=actor, admission=admitted, ready_on=today)
    services.care_contact_appoint(actor=actor, admission=admitted, care_contact=bob)
    admitted.refresh_from_db()
    assert admitted.state == "ready" and admitted.care_contact == bob
    assert admitted.care_contact_unit == primary_care
    kinds = list(admitted.events.values_list("kind", flat=True))
    assert kinds == ["admitted", "informed", "ready", "care_contact"]
    bob_told = Notification.objects.filter(user=bob, kind="discharge_notice")
    assert bob_told.count() == 4  # three unit notices and his appointment
    # The same step again writes nothing
    services.admission_ready(actor=actor, admission=admitted, ready_on=today)
    services.care_contact_appoint(actor=actor, admission=admitted, care_contact=bob)
    assert admitted.events.count() == 4


def test_the_care_contact_works_in_outpatient_care_named_in_the_notices(
    admitted, nina, ward, hanna
):
    with pytest.raises(RuleViolation) as refused:
        services.care_contact_appoint(actor=as_(nina, ward), admission=admitted, care_contact=hanna)
    assert refused.value.field == "care_contact"


def test_discharge_with_consent_starts_the_sip_with_the_admissions_facts(
    admitted, nina, ward, bob, primary_care, home_care
):
    services.care_contact_appoint(actor=as_(nina, ward), admission=admitted, care_contact=bob)
    discharged = discharge(admitted, nina, ward)
    plan = discharged.plan
    assert plan is not None and plan.state == "consented"
    assert plan.reasons == ["inpatient", "several_units"]
    assert plan.reason_text == admitted.expected_needs
    assert plan.care_contact == bob
    assert set(plan.participants.filter(is_active=True).values_list("unit", flat=True)) == {
        home_care.pk,
        primary_care.pk,
    }
    # Default local agreement: three calendar days from the discharge
    due = timezone.localdate() + datetime.timedelta(days=3)
    assert discharged.invitation_due == due == plan.invitation_due
    assert (plan.deadline_kind, plan.deadline_due) == ("invitation", due)
    assert plan.events.filter(kind=PlanEvent.Kind.CARE_CONTACT_SET).exists()
    # The care contact sees the plan and is told; the ward no longer takes part
    assert policy.decide(as_(bob, primary_care), "plan.view", plan)
    assert not policy.decide(as_(nina, ward), "plan.view", plan)
    assert Notification.objects.filter(user=bob, plan=plan, kind="discharge_notice").exists()
    # Once the invitations go out, the deadline is met
    assert rules.invitation_deadline_status(due, None) == "ok"
    services.invitations_sent(plan.pk, timezone.localdate())
    discharged.refresh_from_db()
    assert rules.invitation_deadline_status(due, discharged.invited_on) == "met"


def test_a_discharge_sip_without_consent_is_refused(admitted, nina, ward, bob):
    services.care_contact_appoint(actor=as_(nina, ward), admission=admitted, care_contact=bob)
    with pytest.raises(RuleViolation) as refused:
        discharge(admitted, nina, ward, consent=False)
    assert refused.value.field == "consent"
    admitted.refresh_from_db()
    assert admitted.state == "admitted" and admitted.plan is None
    assert not Plan.objects.exists()
    # Without consent the discharge is recorded, and no SIP starts
    discharged = discharge(admitted, nina, ward, sip_decision="no_consent", consent=False)
    assert discharged.state == "discharged" and discharged.plan is None
    assert not Plan.objects.exists()


def test_a_discharge_sip_needs_a_designated_care_contact(admitted, nina, ward):
    with pytest.raises(RuleViolation, match="fasta vårdkontakten"):
        discharge(admitted, nina, ward)


def test_the_discharge_form_shows_the_consent_error_at_its_field(admitted, nina, ward, bob):
    services.care_contact_appoint(actor=as_(nina, ward), admission=admitted, care_contact=bob)
    client = staff_client(nina, ward)
    response = client.post(
        reverse("discharge:detail", args=[admitted.pk]),
        {
            "form": "discharge",
            "discharged_on": timezone.localdate().isoformat(),
            "sip_decision": "start",
            "consent_mode": "oral",
        },
    )
    assert response.status_code == 400
    assert 'aria-describedby="id_consent_helptext id_consent_error"' in response.text or (
        'id="id_consent_error"' in response.text
    )
    assert "endast med patientens samtycke" in response.text


def test_discharging_twice_makes_one_sip(admitted, nina, ward, bob):
    services.care_contact_appoint(actor=as_(nina, ward), admission=admitted, care_contact=bob)
    first = discharge(admitted, nina, ward)
    again = discharge(admitted, nina, ward)
    assert first.plan_id == again.plan_id and Plan.objects.count() == 1


@pytest.mark.parametrize(
    ("counted", "discharged", "due"),
    [
        # Friday 4 December 2026: three calendar days is Monday, three working days Wednesday
        ("calendar", datetime.date(2026, 12, 4), datetime.date(2026, 12, 7)),
        ("working", datetime.date(2026, 12, 4), datetime.date(2026, 12, 9)),
        # Over Christmas: 24, 25, 26 December and the weekend are not working days
        ("working", datetime.date(2026, 12, 22), datetime.date(2026, 12, 29)),
        # Midsummer Eve (Friday 19 June 2026) is a day off
        ("working", datetime.date(2026, 6, 18), datetime.date(2026, 6, 24)),
    ],
)
def test_the_invitation_deadline_is_counted_across_weekends_as_the_local_agreement_says(
    counted, discharged, due
):
    agreement = LocalAgreement(discharge_invitation_within_days=3, discharge_days_counted=counted)
    assert rules.discharge_invitation_due(discharged, agreement) == due


def test_the_local_agreement_of_the_wards_region_sets_the_days(admitted, nina, ward, bob, region):
    LocalAgreement.objects.create(
        organization=region, discharge_invitation_within_days=2, discharge_days_counted="working"
    )
    services.care_contact_appoint(actor=as_(nina, ward), admission=admitted, care_contact=bob)
    with time_machine.travel(
        datetime.datetime(2026, 12, 4, 10, tzinfo=timezone.get_current_timezone())
    ):
        Admission.objects.filter(pk=admitted.pk).update(admitted_on=datetime.date(2026, 12, 1))
        admitted.refresh_from_db()
        discharged = discharge(admitted, nina, ward, discharged_on=datetime.date(2026, 12, 4))
    assert discharged.invitation_due == datetime.date(2026, 12, 8)  # Friday + 2 working days
