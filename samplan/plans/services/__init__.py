"""Every change to a SIP goes through one of these functions, one module per section of the
plan: initiative, consent, content, meetings, versions, closing, Min SIP.

Each takes the actor (`actor=`, a policy.Staff or policy.Citizen, keyword-only), checks its
rule (samplan.plans.rules), makes the change in one transaction and writes a PlanEvent with
who acted and a before/after summary. Views, the demo and tasks call them; callers import this
package (`from samplan.plans import services`), not the shared steps in `base`.
"""

from samplan.plans.rules import ConsentDoesNotCover, OpenPlanExists, RuleViolation  # noqa: F401
from samplan.plans.services.base import StaleEdit, deadlines_refresh  # noqa: F401
from samplan.plans.services.closing import (  # noqa: F401
    closing_notices_record,
    followup_record,
    plan_close,
)
from samplan.plans.services.consent import (  # noqa: F401
    consent_record,
    consent_withdraw,
)
from samplan.plans.services.content import (  # noqa: F401
    CONTENT_FIELDS,
    PREPARATION_FIELDS,
    contact_person_set,
    goal_remove,
    goal_save,
    intervention_progress,
    intervention_remove,
    intervention_save,
    plan_update,
)
from samplan.plans.services.elsewhere import (  # noqa: F401
    plan_bring_in,
    plan_register_elsewhere,
)
from samplan.plans.services.initiative import (  # noqa: F401
    join_request_answer,
    plan_initiate,
)
from samplan.plans.services.meetings import (  # noqa: F401
    invitation_respond,
    meeting_cancel,
    meeting_held,
    meeting_invitation_withdraw,
    meeting_invite_person,
    meeting_reschedule,
    meeting_schedule,
)
from samplan.plans.services.min_sip import (  # noqa: F401
    citizen_message_handle,
    citizen_message_send,
    lead_units,
    message_units,
    relative_access_grant,
    relative_access_revoke,
)
from samplan.plans.services.protection import (  # noqa: F401
    contact_grant_give,
    contact_grant_revoke,
)
from samplan.plans.services.relations import (  # noqa: F401
    plan_relation_add,
    plan_relation_end,
)
from samplan.plans.services.versions import (  # noqa: F401
    copy_given_record,
    copy_recipients,
    copy_taken_in_min_sip,
    pending_version,
    plan_establish,
    plan_revise,
    version_approval_record,
)
