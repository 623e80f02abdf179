"""Login, logout and the acting-unit choice."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from samplan import policy
from samplan.accounts.forms import ChooseUnitForm, LoginForm
from samplan.accounts.middleware import ACTING_UNIT_SESSION_KEY, LOGOUT_REASON_SESSION_KEY
from samplan.accounts.services import acting_unit_choose
from samplan.core.redirects import safe_next

LOGOUT_REASONS = {
    "idle": gettext_lazy("You were logged out after 30 minutes without activity."),
    "absolute": gettext_lazy("You were logged out: a session lasts at most 12 hours."),
}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        reason = request.session.pop(LOGOUT_REASON_SESSION_KEY, None)
        if reason in LOGOUT_REASONS:
            messages.info(request, LOGOUT_REASONS[reason])
        return super().get(request, *args, **kwargs)

    def get_redirect_url(self):
        """`next`, back to the page the user was on (after a timeout, say): only a path on
        this site (Django checks url_has_allowed_host_and_scheme; safe_next also refuses
        what is not a plain local path)."""
        return safe_next(self.request, super().get_redirect_url())

    def form_valid(self, form):
        response = super().form_valid(form)
        memberships = list(self.request.user.active_memberships()[:2])
        if len(memberships) == 1:
            _set_acting_unit(self.request, memberships[0].unit)
        return response


class LogoutView(auth_views.LogoutView):
    pass


def _set_acting_unit(request: HttpRequest, unit) -> None:
    acting_unit_choose(
        actor=request.user, unit=unit, previous_unit=request.acting_unit, request=request
    )
    request.session[ACTING_UNIT_SESSION_KEY] = unit.pk


def _safe_next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


@require_http_methods(["GET", "POST"])
@policy.route("session")
def choose_unit(request: HttpRequest) -> HttpResponse:
    """Choose or switch the unit the user acts for. Every change is recorded."""
    form = ChooseUnitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            _set_acting_unit(request, unit)
        except ValidationError as error:
            form.add_error("unit", error)
        else:
            messages.success(request, _("You now act for %(unit)s.") % {"unit": unit})
            return HttpResponseRedirect(_safe_next(request) or reverse("start"))
    if request.acting_unit and not form.is_bound:
        form.initial["unit"] = request.acting_unit.pk
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "accounts/choose_unit.html",
        {"form": form, "next": _safe_next(request)},
        status=status,
    )


@policy.public  # staff and Min SIP alike; refused unless a session is live
@login_not_required
@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """ "Stay logged in" in the timeout warning (static/samplan/session.js): restart the idle
    clock of the session, staff or citizen, and tell the script how long it now lasts. The
    session middleware has ended an expired session before this view runs."""
    clock = getattr(request, "session_clock", None)
    if clock is None:
        return JsonResponse({"logged_in": False}, status=403)
    return JsonResponse({"logged_in": True, "seconds_left": clock.touch()})
