"""SIP plans as HL7 FHIR R4 resources (the read side of /api/fhir/R4/, docs/api.md).

Plain functions from the models to JSON-ready dicts; the endpoints are in
samplan.api.fhir_api. The tests validate every resource with `fhir.resources.R4B`:
fhir.resources 8 has R5 (its default), R4B and STU3 but no R4 package, and R4B is
wire-compatible with R4 (4.0.1) for every resource served here.

The individual is a contained Patient (`#patient`) in each resource, with the identity
number and name the pages show any unit that sees the plan; never the address or contact
details (protected identity keeps those), and a protected identity is labelled
restricted (v3-Confidentiality R). Staff are display-only references; units and
organisations are Organization references with their HSA-id or organisation number.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.evaluation import fhir as evaluation_fhir
from samplan.evaluation.results import SUPPRESS_BELOW
from samplan.notifications.ics import DURATION
from samplan.people import identity
from samplan.plans import rules
from samplan.plans.access import goals_seen, interventions_seen
from samplan.plans.models import Consent, Goal, Intervention, Meeting, Plan, PlanVersion
from samplan.plans.snapshot import snapshot_for

FHIR_VERSION = "4.0.1"
CONTENT_TYPE = "application/fhir+json"

# Identifier systems (docs/api.md, "FHIR R4").
PERSONNUMMER = "urn:oid:1.2.752.129.2.1.3.1"
SAMORDNINGSNUMMER = "urn:oid:1.2.752.129.2.1.3.3"
RESERVNUMMER = "urn:samplan:fhir:reservnummer"  # no national OID: local to Samplan
HSA_ID = "urn:oid:1.2.752.29.4.19"
# The organisation number as Inera's national services identify a care provider (X.520
# organizationIdentifier); ISO 6523 ICD 0007 (1.3.7) names the same number series.
ORGANISATIONSNUMMER = "urn:oid:2.5.4.97"
IDENTITY_SYSTEMS = {
    identity.PERSONNUMMER: PERSONNUMMER,
    identity.SAMORDNINGSNUMMER: SAMORDNINGSNUMMER,
    identity.RESERVNUMMER: RESERVNUMMER,
}

# Samplan's own code systems.
CATEGORY = "urn:samplan:fhir:careplan-category"
PLAN_STATE = "urn:samplan:fhir:plan-state"
TOPIC = "urn:samplan:fhir:topic"
GOAL_TERM = "urn:samplan:fhir:goal-term"
TEAM_ROLE = "urn:samplan:fhir:careteam-role"
MEETING_KIND = "urn:samplan:fhir:meeting-kind"
APPROVAL = "urn:samplan:fhir:version-approval"
PLAN_IDENTIFIER = "urn:samplan:fhir:plan"
PERSON = "urn:samplan:fhir:person"  # Samplan's id of the individual (search: patient)
# HL7 terminology.
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_CATEGORY = "http://loinc.org"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
PROVENANCE_ENTITY = "http://hl7.org/fhir/provenance-entity-role"

PATIENT = {"reference": "#patient"}

# Plan.State -> (CarePlan.status, CarePlan.intent). A closed plan whose consent was
# withdrawn is revoked rather than completed (careplan_status).
CAREPLAN_STATUS = {
    Plan.State.INITIATED: ("draft", "proposal"),
    Plan.State.CONSENT_REFUSED: ("on-hold", "proposal"),
    Plan.State.CONSENTED: ("draft", "plan"),
    Plan.State.INVITED: ("draft", "plan"),
    Plan.State.ACTIVE: ("active", "plan"),
    Plan.State.FOLLOW_UP: ("active", "plan"),
    Plan.State.REVISION: ("active", "plan"),
    Plan.State.CLOSED: ("completed", "plan"),
}
REVOKING_CLOSES = {Plan.ClosingReason.CONSENT_WITHDRAWN, Plan.ClosingReason.INDIVIDUAL_ENDED}

# Goal.Status -> (lifecycleStatus, achievementStatus or None).
GOAL_STATUS = {
    Goal.Status.OPEN: ("active", "in-progress"),
    Goal.Status.ACHIEVED: ("completed", "achieved"),
    Goal.Status.PARTLY: ("active", "improving"),
    Goal.Status.NOT_ACHIEVED: ("active", "not-achieved"),
    Goal.Status.DROPPED: ("cancelled", None),
}
ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

# Intervention.Status -> ServiceRequest.status.
INTERVENTION_STATUS = {
    Intervention.Status.PLANNED: "active",
    Intervention.Status.ONGOING: "active",
    Intervention.Status.DONE: "completed",
    Intervention.Status.CANCELLED: "revoked",
}

# Meeting.Status -> Appointment.status; Invitee.Response -> participant status.
MEETING_STATUS = {
    Meeting.Status.SCHEDULED: "booked",
    Meeting.Status.HELD: "fulfilled",
    Meeting.Status.CANCELLED: "cancelled",
}
INVITEE_STATUS = {"pending": "needs-action", "accepted": "accepted", "declined": "declined"}


# --- Small parts -----------------------------------------------------------------------------


def instant(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def coding(system: str, code: str, display: str = "") -> dict:
    result = {"system": system, "code": code}
    if display:
        result["display"] = str(display)
    return result


def concept(system: str, code: str, display: str = "") -> dict:
    return {"coding": [coding(system, code, display)], "text": str(display or code)}


def patient(person) -> dict:
    """The individual as a contained Patient: identifier and name only."""
    resource = {
        "resourceType": "Patient",
        "id": "patient",
        "identifier": [
            {
                "use": "official",
                "system": IDENTITY_SYSTEMS.get(person.identity_kind, RESERVNUMMER),
                "value": person.identity_number,
            },
            {"use": "secondary", "system": PERSON, "value": str(person.pk)},
        ],
        "name": [
            {
                "text": person.full_name,
                "family": person.family_name,
                "given": [person.given_name],
            }
        ],
    }
    if person.protected_identity:
        resource["meta"] = {"security": [coding(CONFIDENTIALITY, "R", "restricted")]}
    return resource


def organization_ref(organization) -> dict | None:
    if organization is None:
        return None
    ref = {"type": "Organization", "display": organization.name}
    if organization.hsa_id:
        ref["identifier"] = {"system": HSA_ID, "value": organization.hsa_id}
    elif organization.organization_number:
        ref["identifier"] = {
            "system": ORGANISATIONSNUMMER,
            "value": organization.organization_number.replace("-", ""),
        }
    return ref


def unit_ref(unit) -> dict | None:
    if unit is None:
        return None
    ref = {"type": "Organization", "display": unit.name}
    if unit.hsa_id:
        ref["identifier"] = {"system": HSA_ID, "value": unit.hsa_id}
    return ref


def staff_ref(user, fallback: str = "") -> dict | None:
    if user is None:
        return {"type": "Practitioner", "display": fallback} if fallback else None
    ref = {"type": "Practitioner", "display": user.get_full_name() or user.username}
    if user.hsa_id:
        ref["identifier"] = {"system": HSA_ID, "value": user.hsa_id}
    return ref


def careplan_ref(plan) -> dict:
    return {"reference": f"CarePlan/{plan.pk}"}


def meta(last_updated: datetime.datetime | None, person=None) -> dict:
    result = {}
    if last_updated is not None:
        result["lastUpdated"] = instant(last_updated)
    if person is not None and person.protected_identity:
        result["security"] = [coding(CONFIDENTIALITY, "R", "restricted")]
    return result


def base(resource_type: str, id_: str, plan, last_updated) -> dict:
    resource = {"resourceType": resource_type, "id": str(id_)}
    found = meta(last_updated, plan.person)
    if found:
        resource["meta"] = found
    resource["contained"] = [patient(plan.person)]
    return resource


def careplan_status(plan) -> tuple[str, str]:
    status, intent = CAREPLAN_STATUS[plan.state]
    if plan.state == Plan.State.CLOSED and plan.closing_reason in REVOKING_CLOSES:
        status = "revoked"
    return status, intent


# --- Resources -------------------------------------------------------------------------------


def version_in_force(plan) -> PlanVersion | None:
    if not plan.current_version:
        return None
    return plan.versions.filter(number=plan.current_version).first()


def careplan(actor, plan, last_updated, *, goals=None, interventions=None) -> dict:
    """The plan. Its goals and activities are those of the version in force (the latest the
    individual approved), as the consent lets the unit see them; before the plan is
    established, the working draft's."""
    goals = list(goals_seen(actor, plan)) if goals is None else goals
    interventions = (
        list(interventions_seen(actor, plan)) if interventions is None else interventions
    )
    status, intent = careplan_status(plan)
    resource = base("CarePlan", plan.pk, plan, last_updated)
    resource |= {
        "identifier": [{"system": PLAN_IDENTIFIER, "value": str(plan.pk)}],
        "status": status,
        "intent": intent,
        "category": [
            {
                "coding": [
                    coding(CATEGORY, "sip", _("Coordinated individual plan (SIP)")),
                    coding(PLAN_STATE, plan.state, plan.get_state_display()),
                ],
                "text": "SIP",
            }
        ],
        "title": _("SIP for %(name)s") % {"name": plan.person.full_name},
        "subject": PATIENT,
        "created": instant(plan.initiated_at),
    }
    period = {}
    established = plan.versions.order_by("number").values_list("created_at", flat=True).first()
    if established:
        period["start"] = instant(established)
    if plan.closed_at:
        period["end"] = instant(plan.closed_at)
    if period:
        resource["period"] = period
    if plan.overall_responsibility:
        resource["author"] = organization_ref(plan.overall_responsibility)
    contributors = [unit_ref(p.unit) for p in plan.participants.all() if p.is_active]
    if contributors:
        resource["contributor"] = contributors
    resource["careTeam"] = [{"reference": f"CareTeam/{plan.pk}"}]

    live_goals = {str(goal.uid): goal for goal in goals}
    live_items = {str(item.uid): item for item in interventions}
    version = version_in_force(plan)
    if version is not None:
        content = snapshot_for(
            version.snapshot, rules.item_limit(plan, getattr(actor, "unit", None))
        )
        # An item the consent keeps from the unit today stays hidden, whatever the
        # version recorded of its topic.
        hidden_goals = {str(u) for u in plan.goals.values_list("uid", flat=True)} - set(live_goals)
        hidden_items = {str(u) for u in plan.interventions.values_list("uid", flat=True)} - set(
            live_items
        )
        goal_rows = [
            (g["uid"], g.get("text", ""))
            for g in content.get("goals", [])
            if g["uid"] not in hidden_goals
        ]
        item_rows = [
            (i["uid"], i.get("what", ""))
            for i in content.get("interventions", [])
            if i["uid"] not in hidden_items
        ]
    else:
        goal_rows = [(uid, goal.text) for uid, goal in live_goals.items()]
        item_rows = [(uid, item.what) for uid, item in live_items.items()]
    if goal_rows:
        resource["goal"] = [
            _item_ref("Goal", uid, text, uid in live_goals) for uid, text in goal_rows
        ]
    if item_rows:
        resource["activity"] = [
            {"reference": _item_ref("ServiceRequest", uid, text, uid in live_items)}
            for uid, text in item_rows
        ]
    notes = []
    if plan.unapproved_changes and version is not None:
        notes.append(
            _("The working draft has changes the individual has not approved yet (%(count)s).")
            % {"count": plan.unapproved_changes}
        )
    if plan.state == Plan.State.REVISION:
        notes.append(_("A revised version awaits the individual's approval."))
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    consent = plan.current_consent
    if consent is not None:
        resource["supportingInfo"] = [{"reference": f"Consent/{consent.pk}"}]
    return resource


def _item_ref(kind: str, uid: str, text: str, live: bool) -> dict:
    """A reference to a goal or intervention of the version in force; one removed from the
    plan since (no longer a resource) is named by its uid and text only."""
    if live:
        return {"reference": f"{kind}/{uid}", "display": text[:200]}
    return {
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{uid}"},
        "display": text[:200],
    }


def goal(plan, item: Goal, last_updated, *, parent_seen: bool) -> dict:
    lifecycle, achievement = GOAL_STATUS[item.status]
    resource = base("Goal", item.uid, plan, last_updated)
    resource |= {
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{item.uid}"}],
        "lifecycleStatus": lifecycle,
        "category": [concept(GOAL_TERM, item.term, item.get_term_display())],
        "description": {"text": item.text},
        "subject": PATIENT,
        # The goals are the individual's own (docs/domain: "in the individual's own words").
        "expressedBy": PATIENT,
    }
    if achievement:
        resource["achievementStatus"] = {
            "coding": [coding(ACHIEVEMENT, achievement)],
            "text": item.get_status_display(),
        }
    if item.topic:
        resource["category"].append(concept(TOPIC, item.topic, item.get_topic_display()))
    if item.parent_id and parent_seen:
        resource["extension"] = [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/goal-relationship",
                "extension": [
                    {
                        "url": "type",
                        "valueCodeableConcept": {
                            "coding": [
                                coding("http://hl7.org/fhir/goal-relationship-type", "other")
                            ],
                            "text": _("Part of goal"),
                        },
                    },
                    {"url": "target", "valueReference": {"reference": f"Goal/{item.parent.uid}"}},
                ],
            }
        ]
    if item.follow_up_by_id:
        resource["note"] = [
            {
                "text": _("Followed up by %(name)s")
                % {"name": item.follow_up_by.get_full_name() or item.follow_up_by.username}
            }
        ]
    return resource


def service_request(plan, item: Intervention, last_updated, *, goal_uids) -> dict:
    """An intervention (insats): a separate resource, not CarePlan.activity.detail, which R5
    removes; the responsible unit or organisation is the performer."""
    resource = base("ServiceRequest", item.uid, plan, last_updated)
    resource |= {
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{item.uid}"}],
        "basedOn": [careplan_ref(plan)],
        "status": INTERVENTION_STATUS[item.status],
        "intent": "plan",
        "code": {"text": item.what},
        "subject": PATIENT,
        "performer": [unit_ref(item.unit) if item.unit else organization_ref(item.organization)],
    }
    categories = [
        concept("urn:samplan:fhir:intervention-status", item.status, item.get_status_display())
    ]
    if item.topic:
        categories.append(concept(TOPIC, item.topic, item.get_topic_display()))
    resource["category"] = categories
    if item.unit:
        resource["requester"] = organization_ref(item.organization)
    if item.start or item.frequency:
        timing = {}
        if item.start:
            timing["repeat"] = {"boundsPeriod": {"start": day(item.start)}}
        if item.frequency:
            timing["code"] = {"text": item.frequency}
        resource["occurrenceTiming"] = timing
    if item.responsible_person:
        resource["performer"].append({"type": "Practitioner", "display": item.responsible_person})
    if goal_uids:
        resource["supportingInfo"] = [{"reference": f"Goal/{uid}"} for uid in goal_uids]
    return resource


def careteam(plan, last_updated) -> dict:
    """Who takes part: the individual, each unit taking part (its contact person on its
    behalf), the lead and the principal with overall responsibility."""
    resource = base("CareTeam", plan.pk, plan, last_updated)
    if plan.state in rules.BEFORE_CONSENT:
        status = "proposed"
    elif plan.state == Plan.State.CLOSED:
        status = "inactive"
    else:
        status = "active"
    participants = [
        {"role": [concept(TEAM_ROLE, "individual", _("The individual"))], "member": PATIENT}
    ]
    for row in plan.participants.all():
        if not row.is_active:
            continue
        participants.append(
            {
                "role": [concept(TEAM_ROLE, "unit", row.get_access_display())],
                "member": unit_ref(row.unit),
                "period": {"start": instant(row.added_at)},
            }
        )
        if row.contact_person_id:
            participants.append(
                {
                    "role": [concept(TEAM_ROLE, "contact-person", _("Contact person"))],
                    "member": staff_ref(row.contact_person),
                    "onBehalfOf": unit_ref(row.unit),
                }
            )
    lead = staff_ref(plan.lead, plan.lead_name)
    if lead:
        participants.append(
            {"role": [concept(TEAM_ROLE, "lead", _("Lead (huvudansvarig)"))], "member": lead}
        )
    if plan.overall_responsibility:
        participants.append(
            {
                "role": [
                    concept(
                        TEAM_ROLE,
                        "overall-responsibility",
                        _("Principal with overall responsibility"),
                    )
                ],
                "member": organization_ref(plan.overall_responsibility),
            }
        )
        resource["managingOrganization"] = [organization_ref(plan.overall_responsibility)]
    resource |= {
        "status": status,
        "category": [concept(CATEGORY, "sip", _("Coordinated individual plan (SIP)"))],
        "name": _("SIP for %(name)s") % {"name": plan.person.full_name},
        "subject": PATIENT,
        "participant": participants,
    }
    period = {"start": instant(plan.initiated_at)}
    if plan.closed_at:
        period["end"] = instant(plan.closed_at)
    resource["period"] = period
    return resource


def consent_status(row: Consent, latest: Consent | None) -> str:
    if row.decision == Consent.Decision.REFUSED:
        return "rejected"
    if row.decision == Consent.Decision.WITHDRAWN or latest is None or row.pk != latest.pk:
        return "inactive"
    if row.valid_until and row.valid_until < timezone.localdate():
        return "inactive"
    return "active"


def consent(actor, plan, row: Consent, last_updated, *, latest) -> dict:
    """One consent decision. The exclusions (what the plan must not cover) and the limit the
    consent sets on the client's own unit are nested deny provisions; the limits on other
    units are not shown."""
    resource = base("Consent", row.pk, plan, last_updated)
    permit = row.decision == Consent.Decision.GIVEN
    provision = {"type": "permit" if permit else "deny"}
    period = {"start": day(row.decided_on)}
    if row.valid_until:
        period["end"] = day(row.valid_until)
    provision["period"] = period
    actors = [
        {
            "role": concept(PARTICIPATION, "IRCP", _("Unit that may take part")),
            "reference": unit_ref(unit),
        }
        for unit in row.units.all()
    ]
    if actors:
        provision["actor"] = actors
    provision["purpose"] = [coding(ACT_REASON, "COC", "coordination of care")]
    provision["data"] = [{"meaning": "related", "reference": careplan_ref(plan)}]
    nested = []
    if row.exclusions:
        nested.append({"type": "deny", "code": [{"text": row.exclusions}]})
    unit = getattr(actor, "unit", None)
    own_limit = next(
        (limit for limit in row.limits.all() if unit and limit.unit_id == unit.pk), None
    )
    if own_limit is not None:
        codes = [concept(TOPIC, topic) for topic in own_limit.topics]
        if own_limit.reach == own_limit.Reach.SHARED:
            codes.append({"text": own_limit.get_reach_display()})
        if codes:
            nested.append(
                {
                    "type": "deny",
                    "actor": [
                        {
                            "role": concept(PARTICIPATION, "IRCP", _("Unit that may take part")),
                            "reference": unit_ref(unit),
                        }
                    ],
                    "code": codes,
                }
            )
    if nested:
        provision["provision"] = nested
    performer = (
        [PATIENT]
        if row.given_by == Consent.GivenBy.INDIVIDUAL
        else [{"type": "RelatedPerson", "display": g.full_name} for g in row.guardians.all()]
    )
    resource |= {
        "status": consent_status(row, latest),
        "scope": concept(CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
        "category": [
            {
                "coding": [coding(CONSENT_CATEGORY, "59284-0", "Patient Consent")],
                "text": _("Consent to a SIP"),
            }
        ],
        "patient": PATIENT,
        "dateTime": instant(row.recorded_at),
        "policyRule": {"text": "SoL 2 kap. 7 §, HSL 16 kap. 4 §"},
        "provision": provision,
    }
    if performer:
        resource["performer"] = performer
    if row.recorded_unit_id:
        resource["organization"] = [unit_ref(row.recorded_unit)]
    return resource


def appointment(plan, meeting: Meeting, last_updated) -> dict:
    """A SIP meeting. Samplan records no end: the end is the start plus the hour the
    calendar invitation books (samplan.notifications.ics)."""
    resource = base("Appointment", meeting.pk, plan, last_updated)
    participants = []
    for invitee in meeting.invitees.all():
        if invitee.unit_id:
            actor = unit_ref(invitee.unit)
        elif invitee.person_id == plan.person_id:
            actor = PATIENT
        else:
            actor = {"type": "RelatedPerson", "display": invitee.person.full_name}
        entry = {
            "actor": actor,
            "required": "required",
            "status": INVITEE_STATUS.get(invitee.response, "needs-action"),
        }
        if invitee.attended:
            entry["type"] = [concept(PARTICIPATION, "ATND", _("Attended"))]
        participants.append(entry)
    chair = staff_ref(meeting.chair, meeting.chair_name)
    if chair:
        participants.append(
            {
                "type": [concept(PARTICIPATION, "PPRF", _("Chair"))],
                "actor": chair,
                "required": "information-only",
                "status": "accepted",
            }
        )
    if meeting.place:
        participants.append(
            {
                "actor": {"type": "Location", "display": meeting.place},
                "required": "information-only",
                "status": "accepted",
            }
        )
    if not participants:
        participants.append({"actor": PATIENT, "status": "needs-action"})
    resource |= {
        "status": MEETING_STATUS[meeting.status],
        "serviceType": [concept(MEETING_KIND, meeting.kind, meeting.get_kind_display())],
        "description": meeting.get_kind_display(),
        "start": instant(meeting.starts_at),
        "end": instant(meeting.starts_at + DURATION),
        "created": instant(meeting.created_at),
        "supportingInformation": [careplan_ref(plan)],
        "participant": participants,
    }
    return resource


def provenance(plan, version: PlanVersion, last_updated) -> dict:
    """Who made a version (established or revised) and whether the individual approved it."""
    resource = base("Provenance", version.pk, plan, last_updated)
    agents = [
        {
            "type": concept(PROVENANCE_AGENT, "author", "Author"),
            "who": staff_ref(version.created_by),
            "onBehalfOf": unit_ref(version.created_unit),
        }
    ]
    if version.approval == PlanVersion.Approval.APPROVED:
        agents.append({"type": concept(PROVENANCE_AGENT, "attester", "Attester"), "who": PATIENT})
        if version.approval_recorded_by_id:
            agents.append(
                {
                    "type": concept(PROVENANCE_AGENT, "enterer", "Enterer"),
                    "who": staff_ref(version.approval_recorded_by),
                }
            )
    resource |= {
        "target": [{"reference": f"CarePlan/{plan.pk}/_history/{version.number}"}],
        "recorded": instant(version.approved_at or version.created_at),
        "occurredDateTime": instant(version.created_at),
        "activity": {
            "coding": [coding(APPROVAL, version.approval, version.get_approval_display())],
            "text": version.get_approval_display(),
        },
        "agent": agents,
    }
    if version.approval_method:
        resource["reason"] = [{"text": version.get_approval_method_display()}]
    if version.number > 1:
        resource["entity"] = [
            {
                "role": "revision",
                "what": {"reference": f"CarePlan/{plan.pk}/_history/{version.number - 1}"},
            }
        ]
    return resource


# --- The evaluation: questionnaires, and answers in aggregate only ---------------------------

# A Samplan QuestionnaireResponse is an aggregate of many answers, never one person's: tagged,
# with no subject, author or source, and each count in an extension (docs/api.md).
AGGREGATE_TAG = "urn:samplan:fhir:aggregate"
ANSWER_COUNT = "urn:samplan:fhir:StructureDefinition:answer-count"
ANSWER_MEAN = "urn:samplan:fhir:StructureDefinition:answer-mean"
BY_RESPONDENT = "urn:samplan:fhir:StructureDefinition:answers-by-respondent"
EVALUATION_PERIOD = "urn:samplan:fhir:StructureDefinition:evaluation-period"
EVALUATION_UNIT = "urn:samplan:fhir:StructureDefinition:evaluation-unit"
RESPONDENTS = "urn:samplan:fhir:StructureDefinition:respondents"
RESPONDENT_CATEGORY = "urn:samplan:fhir:evaluation-respondent"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"


def questionnaire_resource(version) -> dict:
    """An instrument version as the Questionnaire its export file holds
    (samplan.evaluation.fhir), with an id; empty texts left out (FHIR has no empty string)."""
    exported = evaluation_fhir.questionnaire(version)
    resource = {
        "resourceType": "Questionnaire",
        "id": str(version.pk),
        "meta": {"lastUpdated": instant(version.created_at)},
    }
    resource |= {key: value for key, value in exported.items() if value not in ("", None)}
    return resource


def count_extension(shown, url: str = ANSWER_COUNT) -> dict:
    """A count as the pages show it: the number, or, for one hidden ("<5": 1 to 4, or hidden
    so that a 1 to 4 cannot be worked out), data-absent-reason `masked` in its place. The
    hidden number is never sent."""
    if isinstance(shown, int) and not isinstance(shown, bool):
        return {"url": url, "valueInteger": shown}
    return {"url": DATA_ABSENT, "valueCode": "masked"}


def evaluation_response(id_: str, unit, result, start, end) -> dict:
    """One questionnaire version's answers for the unit's occasions in a period, as figures:
    per question on a scale the number of answers, the mean, the count of each answer given
    and (the individual's side) the number and mean per respondent category, each suppressed
    exactly as the evaluation's page (samplan.evaluation.results). Free text is never sent."""
    version = result.version
    items = []
    for row in result.questions:
        question = row.question
        extensions = [count_extension(row.total.display)]
        if row.total.mean is not None:
            extensions.append({"url": ANSWER_MEAN, "valueDecimal": row.total.mean})
        if len(row.by_category) > 1:
            for code, label, cell in row.by_category:
                parts = [
                    {"url": "category", "valueCoding": coding(RESPONDENT_CATEGORY, code, label)},
                    count_extension(cell.display, "count"),
                ]
                if cell.mean is not None:
                    parts.append({"url": "mean", "valueDecimal": cell.mean})
                extensions.append({"url": BY_RESPONDENT, "extension": parts})
        item = {"linkId": question.link_id, "text": question.text_sv, "extension": extensions}
        answers = []
        if row.total.distribution:
            for option, (_label, shown) in zip(
                question.options, row.total.distribution, strict=True
            ):
                if shown == 0:  # an answer nobody gave is no answer
                    continue
                answers.append(
                    {
                        "extension": [count_extension(shown)],
                        "valueCoding": {"code": str(option["code"]), "display": option["sv"]},
                    }
                )
        if answers:
            item["answer"] = answers
        items.append(item)
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": id_,
        "meta": {
            "tag": [coding(AGGREGATE_TAG, "aggregate", _("Aggregated answers, never one person's"))]
        },
        "extension": [
            {"url": EVALUATION_PERIOD, "valuePeriod": {"start": day(start), "end": day(end)}},
            {"url": EVALUATION_UNIT, "valueReference": unit_ref(unit)},
            count_extension(
                result.answers if result.answers >= SUPPRESS_BELOW else "<5", RESPONDENTS
            ),
        ],
        "questionnaire": (f"{evaluation_fhir.canonical_url(version.instrument)}|{version.version}"),
        "status": "completed",
        "authored": day(end),
    }
    if items:
        resource["item"] = items
    return resource


# --- The access log: reads of a plan as AuditEvents ----------------------------------------------

AUDIT_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction"
SECURITY_ROLE = "http://terminology.hl7.org/CodeSystem/extra-security-role-type"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
ACCESS_CHANNEL = "urn:samplan:fhir:access-channel"


def audit_event(entry, plan) -> dict:
    """One read of the plan in the access log, after IHE BALP's basic read with a patient: the
    unit that read it and its organisation, never the staff member (the individual's extract
    names units; names are the unit manager's log review, docs/security.md)."""
    through_api = entry.channel == "api"
    resource = {
        "resourceType": "AuditEvent",
        "id": str(entry.pk),
        "meta": meta(entry.at, plan.person),
        "contained": [patient(plan.person)],
    }
    if through_api:
        event_type = coding(AUDIT_EVENT_TYPE, "rest", "RESTful Operation")
        subtypes = [coding(RESTFUL_INTERACTION, "read", "read")]
        agent_type = coding(DICOM, "110150", "Application")
    else:
        event_type = coding(DICOM, "110110", "Patient Record")
        subtypes = []
        agent_type = coding(SECURITY_ROLE, "humanuser", "human user")
    subtypes.append(coding(ACCESS_CHANNEL, entry.channel, entry.get_channel_display()))
    agents = [{"type": {"coding": [agent_type]}, "who": unit_ref(entry.unit), "requestor": True}]
    if entry.organization_id:
        agents.append(
            {
                "type": concept(PARTICIPATION, "RESP", _("Responsible organisation")),
                "who": organization_ref(entry.organization),
                "requestor": False,
            }
        )
    resource |= {
        "type": event_type,
        "subtype": subtypes,
        "action": "R",
        "recorded": instant(entry.at),
        "outcome": "0",
        "agent": agents,
        "source": {
            "site": "Samplan",
            "observer": {"display": "Samplan"},
            "type": [coding(SOURCE_TYPE, "4", "Application Server")],
        },
        "entity": [
            {
                "what": PATIENT,
                "type": coding(ENTITY_TYPE, "1", "Person"),
                "role": coding(OBJECT_ROLE, "1", "Patient"),
            },
            {
                "what": careplan_ref(plan),
                "type": coding(ENTITY_TYPE, "2", "System Object"),
                "role": coding(OBJECT_ROLE, "4", "Domain Resource"),
            },
        ],
    }
    return resource


# --- Outcomes and bundles --------------------------------------------------------------------


def operation_outcome(code: str, text: str, *, severity: str = "error", expression=None) -> dict:
    issue = {"severity": severity, "code": code, "details": {"text": text}, "diagnostics": text}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def searchset(resources: list[dict], included: list[dict], *, total, links, base_url) -> dict:
    entries = [
        {
            "fullUrl": f"{base_url}{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "match"},
        }
        for r in resources
    ] + [
        {
            "fullUrl": f"{base_url}{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "include"},
        }
        for r in included
    ]
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": instant(timezone.now()),
        "total": total,
        "link": links,
    }
    if entries:
        bundle["entry"] = entries
    return bundle
