def citizen(request) -> dict:
    """The citizen logged in to Min SIP, for the header (set by the actor middleware)."""
    person = getattr(request, "citizen", None)
    return {"citizen_user": person} if person is not None else {}
