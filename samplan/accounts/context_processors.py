from samplan import policy


def acting_unit(request) -> dict:
    """The acting unit and the other units the user may switch to, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = user.memberships_remembered()
    return {
        "acting_unit": getattr(request, "acting_unit", None),
        "acting_membership": getattr(request, "acting_membership", None),
        "user_memberships": memberships,
        "reviews_access_log": bool(
            policy.decide(getattr(request, "actor", None), "log.review", request.acting_unit)
        ),
        "works_with_plans": bool(policy.decide(getattr(request, "actor", None), "plan.list", None)),
        "reads_statistics": bool(
            policy.decide(getattr(request, "actor", None), "statistics.view", None)
        ),
    }
