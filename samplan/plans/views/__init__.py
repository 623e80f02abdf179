"""The staff side of the SIP, one module per section of the plan. Views are thin: the plan is
loaded by `plan_view` (samplan.plans.access), a form is parsed, one service is called
(`attempt` / `submit` in base), a page is rendered."""

from samplan.plans.views.consent import (  # noqa: F401
    consent,
    consent_withdraw,
)
from samplan.plans.views.content import (  # noqa: F401
    contact_person,
    goal_edit,
    intervention_edit,
    plan_content,
    preparation,
)
from samplan.plans.views.followup import (  # noqa: F401
    close,
    closing_notices,
    follow_up,
)
from samplan.plans.views.interventions import (  # noqa: F401
    intervention_progress,
    our_interventions,
)
from samplan.plans.views.meetings import (  # noqa: F401
    meeting_cancel,
    meeting_change,
    meeting_invitation_pdf,
    meeting_mode,
    meeting_respond,
    meetings,
)
from samplan.plans.views.overview import (  # noqa: F401
    bring_in,
    history,
    join_request_answer,
    message_handled,
    plan_overview,
    plan_pdf,
)
from samplan.plans.views.protection import protected_details  # noqa: F401
from samplan.plans.views.relations import relations  # noqa: F401
from samplan.plans.views.versions import (  # noqa: F401
    approval,
    establish,
    version_detail,
    versions,
)
from samplan.plans.views.worklist import (  # noqa: F401
    plan_start,
    plan_start_receipt,
    start,
    worklist,
)
