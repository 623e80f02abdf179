"""Who may do what with organisations, units and acting units."""

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse


def acting_unit_required(view):
    """Staff pages act on behalf of a unit: send the user to choose one first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.acting_unit is None:
            url = reverse("accounts:choose_unit")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper
