"""Discharge from inpatient care (lag 2017:612): the ward's steps, the notices to the units
concerned, and the SIP that starts at discharge when the patient consents.

Every step locks the admission, checks the rules (samplan.plans.rules), writes an
AdmissionEvent and sends `admission_notice`, so the outbox tells the units named in the notices
in the same transaction. Repeating a step with the same facts writes nothing new.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Membership, Unit, User
from samplan.core import dates
from samplan.discharge import signals
from samplan.discharge.models import Admission, AdmissionEvent, AdmissionRecipient
from samplan.people.models import Person
from samplan.plans import rules, services
from samplan.plans.models import Consent, Participant, Plan, PlanEvent
from samplan.plans.rules import refuse_unless
from samplan.plans.services.base import event_record, save_locked
from samplan.policy import Staff

State = Admission.State
Kind = AdmissionEvent.Kind
Decision = Admission.SipDecision


# --- Lists ------------------------------------------------------------------------------------


def admissions_of_ward(unit: Unit, *, discharged: bool) -> QuerySet:
    """The ward's patients: those still admitted, or those discharged, newest first."""
    admissions = Admission.objects.filter(ward=unit)
    admissions = (
        admissions.filter(state=State.DISCHARGED)
        if discharged
        else admissions.exclude(state=State.DISCHARGED)
    )
    return _listed(admissions).order_by("-admitted_on", "-registered_at", "pk")


def notices_to_unit(unit: Unit, *, unacknowledged: bool = False) -> QuerySet:
    """The admissions whose notices reach the unit, newest change first."""
    recipients = AdmissionRecipient.objects.filter(unit=unit)
    if unacknowledged:
        recipients = recipients.filter(acknowledged_at__isnull=True)
    admissions = Admission.objects.filter(pk__in=recipients.values("admission_id"))
    return _listed(admissions).order_by("-admitted_on", "-registered_at", "pk")


def _listed(admissions: QuerySet) -> QuerySet:
    return admissions.select_related(
        "person", "ward__organization", "care_contact", "care_contact_unit", "plan"
    ).prefetch_related("recipients__unit__organization")


def recipient_units(ward: Unit) -> QuerySet:
    """The units a ward can name in its notices: active units of municipalities and regions,
    other than hospital wards, by organisation."""
    units = (
        Unit.objects.filter(is_active=True)
        .exclude(kind=Unit.Kind.HOSPITAL_WARD)
        .select_related("organization")
        .order_by("organization__name", "name")
    )
    return units.filter(organization__kind__in=["municipality", "region"])


def care_contact_candidates(admission: Admission) -> QuerySet:
    """Staff of the outpatient care units named in the notices (the care contact's units)."""
    units = [r.unit for r in admission.recipients.all() if rules.outpatient_care(r.unit)]
    return (
        User.objects.filter(
            is_active=True,
            memberships__unit__in=units,
            memberships__is_active=True,
            memberships__role__in=rules.PLAN_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# --- Steps ------------------------------------------------------------------------------------


def _event(admission: Admission, actor: Staff, kind: str, summary: str, **after) -> None:
    event = AdmissionEvent.objects.create(
        admission=admission,
        actor=actor.user,
        acting_unit=actor.unit,
        kind=kind,
        summary=summary[:300],
        after={k: _plain(v) for k, v in after.items()},
    )
    signals.admission_notice.send(sender=Admission, admission=admission, step=kind, event=event)


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _locked(admission: Admission) -> Admission:
    return (
        Admission.objects.select_for_update()
        .select_related("person", "ward__organization")
        .get(pk=admission.pk)
    )


def _date(kind: str, value, field: str) -> None:
    rules.date_sane(kind, value, field)


@transaction.atomic
def admission_register(
    *,
    actor: Staff,
    person: Person,
    admitted_on: datetime.date,
    expected_needs: str,
    units: Iterable[Unit],
    reasons: Iterable[str] = (),
    planned_discharge: datetime.date | None = None,
) -> Admission:
    """The ward registers an admission of a patient expected to need interventions after
    discharge and sends the notice of admission (inskrivningsmeddelande) to the units named.
    The same admission again (same patient, ward and day, still admitted) is returned as it is."""
    ward = actor.unit
    refuse_unless(rules.registers_admissions(ward), _("Only a hospital ward registers admissions."))
    units = list(dict.fromkeys(units))
    refuse_unless(bool(units), _("Choose at least one unit to send the notice to."), "units")
    refuse_unless(
        all(rules.admission_recipient_valid(u, ward) for u in units),
        _("The notices go to active units of a municipality or a region."),
        "units",
    )
    refuse_unless(
        bool(expected_needs.strip()),
        _("Write which interventions the patient is expected to need after discharge."),
        "expected_needs",
    )
    _date("admitted", admitted_on, "admitted_on")
    if planned_discharge is not None:
        _date("planned_discharge", planned_discharge, "planned_discharge")
        refuse_unless(
            planned_discharge >= admitted_on,
            _("The planned discharge cannot be before the admission."),
            "planned_discharge",
        )
    reasons = [Plan.Reason.INPATIENT, *(r for r in reasons if r != Plan.Reason.INPATIENT)]
    refuse_unless(set(reasons) <= set(Plan.Reason.values), _("Unknown reason for the initiative."))
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True))
    open_here = Admission.objects.filter(person=person, ward=ward).exclude(state=State.DISCHARGED)
    same = open_here.filter(admitted_on=admitted_on).first()
    if same is not None:
        return same
    refuse_unless(
        not open_here.exists(),
        _("%(name)s is already registered as admitted to your ward.") % {"name": person.full_name},
    )
    admission = Admission.objects.create(
        person=person,
        ward=ward,
        registered_by=actor.user,
        admitted_on=admitted_on,
        expected_needs=expected_needs.strip(),
        reasons=reasons,
        planned_discharge=planned_discharge,
    )
    AdmissionRecipient.objects.bulk_create(
        AdmissionRecipient(admission=admission, unit=unit) for unit in units
    )
    _event(
        admission,
        actor,
        Kind.ADMITTED,
        _("Notice of admission sent to %(units)s") % {"units": ", ".join(u.name for u in units)},
        admitted_on=admitted_on,
        units=[u.name for u in units],
        planned_discharge=planned_discharge,
    )
    return admission


@transaction.atomic
def admission_inform(
    *,
    actor: Staff,
    admission: Admission,
    planned_discharge: datetime.date,
    information: str = "",
    lock_version: int | None = None,
) -> Admission:
    """The ward tells the units concerned the planned discharge date and what they need to
    prepare. Said again with a new date or text, it is a new notice."""
    admission = _open(admission, actor)
    _date("planned_discharge", planned_discharge, "planned_discharge")
    refuse_unless(
        planned_discharge >= admission.admitted_on,
        _("The planned discharge cannot be before the admission."),
        "planned_discharge",
    )
    information = information.strip()
    if (
        admission.state != State.ADMITTED
        and admission.planned_discharge == planned_discharge
        and admission.information == information
    ):
        return admission
    fields = {"planned_discharge": planned_discharge, "information": information}
    if admission.state == State.ADMITTED:
        fields["state"] = State.INFORMED
    fields["informed_at"] = timezone.now()
    expected = admission.lock_version if lock_version is None else lock_version
    save_locked(admission, expected=expected, fields=fields)
    _event(
        admission,
        actor,
        Kind.INFORMED,
        _("Planned discharge %(day)s told to the units concerned")
        % {"day": dates.day(planned_discharge)},
        planned_discharge=planned_discharge,
    )
    return admission


@transaction.atomic
def admission_ready(*, actor: Staff, admission: Admission, ready_on: datetime.date) -> Admission:
    """The ward's notice that the patient is ready for discharge (utskrivningsklar)."""
    admission = _open(admission, actor)
    if admission.ready_on == ready_on:
        return admission
    _date("discharge", ready_on, "ready_on")
    refuse_unless(
        ready_on >= admission.admitted_on,
        _("The patient cannot be ready for discharge before the admission."),
        "ready_on",
    )
    admission.ready_on, admission.state = ready_on, State.READY
    admission.save(update_fields=["ready_on", "state"])
    _event(
        admission,
        actor,
        Kind.READY,
        _("Ready for discharge from %(day)s") % {"day": dates.day(ready_on)},
        ready_on=ready_on,
    )
    return admission


@transaction.atomic
def care_contact_appoint(*, actor: Staff, admission: Admission, care_contact: User) -> Admission:
    """Appoint the designated care contact (fast vårdkontakt): a staff member of an outpatient
    care unit named in the notices, who calls the SIP meeting after the discharge."""
    admission = _locked(admission)
    refuse_unless(
        rules.appoints_care_contact(admission, actor.unit),
        _(
            "The designated care contact is appointed by the ward or outpatient care, before the discharge."
        ),
    )
    if admission.care_contact_id == care_contact.pk:
        return admission
    outpatient = [r.unit for r in admission.recipients.all() if rules.outpatient_care(r.unit)]
    memberships = Membership.objects.filter(
        user=care_contact, unit__in=outpatient, is_active=True, role__in=rules.PLAN_ROLES
    ).select_related("unit")
    units = [m.unit for m in memberships]
    refuse_unless(
        bool(units) and care_contact.is_active,
        _("The designated care contact works in an outpatient care unit named in the notices."),
        "care_contact",
    )
    unit = next((u for u in units if u.pk == actor.unit.pk), units[0])
    admission.care_contact, admission.care_contact_unit = care_contact, unit
    admission.save(update_fields=["care_contact", "care_contact_unit"])
    _event(
        admission,
        actor,
        Kind.CARE_CONTACT,
        _("%(name)s (%(unit)s) appointed designated care contact")
        % {"name": care_contact.get_full_name(), "unit": unit.name},
        care_contact=care_contact.get_full_name(),
        unit=unit.name,
    )
    return admission


@transaction.atomic
def admission_discharge(
    *,
    actor: Staff,
    admission: Admission,
    discharged_on: datetime.date,
    sip_decision: str,
    consent: bool = False,
    consent_mode: str = Consent.Mode.ORAL,
) -> Admission:
    """The ward records the discharge and sends the notice of it. With the patient's consent
    it starts the SIP: the reasons and the expected needs come from the admission, the units
    named in the notices take part (the consent's scope), the designated care contact is the
    plan's, and the invitations are due the local agreement's days after the discharge."""
    admission = _locked(admission)
    refuse_unless(admission.ward_id == actor.unit.pk, _("Only the ward records the discharge."))
    if admission.state == State.DISCHARGED:
        refuse_unless(
            admission.discharged_on == discharged_on and admission.sip_decision == sip_decision,
            _("The patient was discharged on %(day)s.")
            % {"day": dates.day(admission.discharged_on)},
        )
        return admission
    _date("discharge", discharged_on, "discharged_on")
    refuse_unless(
        discharged_on >= admission.admitted_on,
        _("The discharge cannot be before the admission."),
        "discharged_on",
    )
    rules.sip_at_discharge_valid(sip_decision, consent, admission.care_contact)
    refuse_unless(
        sip_decision != Decision.START or consent_mode in Consent.Mode.values,
        _("Say how the consent was given."),
        "consent_mode",
    )
    admission.state, admission.discharged_on = State.DISCHARGED, discharged_on
    admission.sip_decision = sip_decision
    admission.save(update_fields=["state", "discharged_on", "sip_decision"])
    _event(
        admission,
        actor,
        Kind.DISCHARGED,
        _("Discharged on %(day)s") % {"day": dates.day(discharged_on)},
        discharged_on=discharged_on,
        sip_decision=sip_decision,
    )
    if sip_decision == Decision.START:
        _sip_start(admission, actor, consent_mode)
    return admission


def _sip_start(admission: Admission, actor: Staff, consent_mode: str) -> None:
    person = admission.person
    try:
        started = services.plan_initiate(
            actor=actor,
            person=person,
            source=Plan.Source.STAFF,
            reasons=admission.reasons,
            reason_text=admission.expected_needs,
        )
    except rules.OpenPlanExists as exists:
        raise rules.RuleViolation(
            _(
                "%(name)s already has an open SIP. Choose that no new SIP is needed, and ask "
                "its lead to call a follow-up."
            )
            % {"name": person.full_name},
            "sip_decision",
        ) from exists
    if not isinstance(started, Plan):
        # An open SIP the ward does not see: the initiative became a request to take part,
        # which its lead answers; the units named in the notices have the discharge notice.
        _event(
            admission,
            actor,
            Kind.SIP_STARTED,
            _("The patient already has a SIP: the ward asked to take part"),
        )
        return
    plan = started
    units = [r.unit for r in admission.recipients.all()]
    services.consent_record(
        actor=actor,
        plan=plan,
        decision=Consent.Decision.GIVEN,
        decided_on=timezone.localdate(),
        mode=consent_mode,
        given_by=Consent.GivenBy.INDIVIDUAL,
        units=units,
    )
    due = rules.discharge_invitation_due(
        admission.discharged_on, rules.admission_agreement(admission.ward)
    )
    contact = admission.care_contact
    Plan.objects.filter(pk=plan.pk).update(care_contact=contact, invitation_due=due)
    plan.care_contact, plan.invitation_due = contact, due
    Participant.objects.filter(plan=plan, unit=admission.care_contact_unit).update(
        contact_person=contact
    )
    event_record(
        plan,
        actor=actor,
        kind=PlanEvent.Kind.CARE_CONTACT_SET,
        summary=_("%(name)s is the designated care contact; invitations due %(day)s")
        % {"name": contact.get_full_name(), "day": dates.day(due)},
        after={"care_contact": contact.get_full_name(), "invitation_due": due.isoformat()},
    )
    admission.plan, admission.invitation_due = Plan.objects.get(pk=plan.pk), due
    admission.save(update_fields=["plan", "invitation_due"])
    _event(
        admission,
        actor,
        Kind.SIP_STARTED,
        _("SIP started with the patient's consent; invitations due %(day)s")
        % {"day": dates.day(due)},
        invitation_due=due,
    )


@transaction.atomic
def notice_acknowledge(*, actor: Staff, admission: Admission) -> AdmissionRecipient:
    """A unit named in the notices acknowledges that it has read them and acts on them."""
    admission = _locked(admission)
    recipient = AdmissionRecipient.objects.filter(admission=admission, unit=actor.unit).first()
    refuse_unless(recipient is not None, _("The notices were not sent to your unit."))
    if recipient.acknowledged_at is not None:
        return recipient
    recipient.acknowledged_at, recipient.acknowledged_by = timezone.now(), actor.user
    recipient.save(update_fields=["acknowledged_at", "acknowledged_by"])
    AdmissionEvent.objects.create(
        admission=admission,
        actor=actor.user,
        acting_unit=actor.unit,
        kind=Kind.ACKNOWLEDGED,
        summary=_("%(unit)s acknowledged the notices") % {"unit": actor.unit.name},
    )
    return recipient


def invitations_sent(plan_id, day: datetime.date) -> None:
    """The plan's first invitations went out: the discharge deadline is met (or late)."""
    Admission.objects.filter(plan_id=plan_id, invited_on__isnull=True).update(invited_on=day)


def _open(admission: Admission, actor: Staff) -> Admission:
    admission = _locked(admission)
    refuse_unless(admission.ward_id == actor.unit.pk, _("Only the ward sends this notice."))
    refuse_unless(
        rules.admission_open(admission),
        _("The patient was discharged on %(day)s.") % {"day": dates.day(admission.discharged_on)},
    )
    return admission
