from samplan.citizen.session import CITIZEN_SESSION_KEY, current_citizen


def citizen(request) -> dict:
    """The citizen logged in to Min SIP, for the header (no query when nobody is)."""
    session = getattr(request, "session", None)
    if session is None or CITIZEN_SESSION_KEY not in session:
        return {}
    return {"citizen_user": current_citizen(request)}
