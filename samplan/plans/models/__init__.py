from samplan.plans.models.agreement import EscalationStep, LocalAgreement
from samplan.plans.models.consent import Consent, ConsentLimit
from samplan.plans.models.content import Goal, Intervention, Topic
from samplan.plans.models.join import JoinRequest
from samplan.plans.models.meeting import Invitee, Meeting
from samplan.plans.models.plan import CitizenMessage, Participant, Plan, PlanEvent, RelativeAccess
from samplan.plans.models.version import (
    ClosingNotice,
    CopyGiven,
    FollowUp,
    PlanVersion,
    VersionCopy,
)

__all__ = [
    "CitizenMessage",
    "EscalationStep",
    "ClosingNotice",
    "CopyGiven",
    "RelativeAccess",
    "Consent",
    "ConsentLimit",
    "LocalAgreement",
    "FollowUp",
    "Goal",
    "Intervention",
    "Invitee",
    "JoinRequest",
    "Meeting",
    "Participant",
    "Plan",
    "PlanEvent",
    "PlanVersion",
    "Topic",
    "VersionCopy",
]
