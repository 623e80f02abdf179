"""Logging in to and out of Min SIP: e-legitimation through OpenID Connect, or the demo login.

All of these views are public (a citizen is not logged in yet) and none is a staff page, so
each is marked `policy.public` and `login_not_required`. See docs/citizen-login.md.
"""

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Case, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from samplan import policy
from samplan.accounts.middleware import LOGOUT_REASON_SESSION_KEY
from samplan.accounts.views import LOGOUT_REASONS
from samplan.citizen import oidc
from samplan.people.models import Person, Relation
from samplan.people.session import CITIZEN_SESSION_KEY, citizen_login, citizen_logout
from samplan.plans import rules
from samplan.plans.models import Plan

logger = logging.getLogger(__name__)

LOGIN_TEMPLATE = "citizen/login.html"
DEMO_TEMPLATE = "citizen/demo_login.html"


def _home_url() -> str:
    return reverse("citizen:home")


# Where Min SIP's pages are: its own and the citizen's inbox.
CITIZEN_PAGES = ("citizen:home", "notifications:citizen_inbox")


def _safe_next(request, value: str | None) -> str:
    """A page in Min SIP to go to after login, or "" (never another site or a staff page)."""
    if not value:
        return ""
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    in_min_sip = value.startswith(tuple(reverse(name) for name in CITIZEN_PAGES))
    if not allowed or not in_min_sip or value.startswith("//"):
        return ""
    return value


def _after_login(next_url: str):
    return redirect(next_url or _home_url())


def _login_context(request, **extra) -> dict:
    return {
        "oidc_enabled": oidc.oidc_enabled(),
        "demo_enabled": bool(getattr(settings, "CITIZEN_DEMO_LOGIN", False)),
        "next": _safe_next(request, request.GET.get("next")),
        **extra,
    }


def _forget_citizen(request) -> None:
    """A login that did not go ahead leaves no citizen session behind (not even an older one)."""
    request.session.pop(CITIZEN_SESSION_KEY, None)


@policy.public
@login_not_required
@require_safe
def login_page(request):
    """The login page; after a timeout it says why the citizen was logged out, and `next`
    leads back to the page he or she was on."""
    reason = request.session.pop(LOGOUT_REASON_SESSION_KEY, None)
    if reason in LOGOUT_REASONS:
        messages.info(request, LOGOUT_REASONS[reason])
    return render(request, LOGIN_TEMPLATE, _login_context(request))


# --- OpenID Connect -------------------------------------------------------------------------

PROBLEM_TITLE = gettext_lazy("The login did not work")
NO_SIP_TITLE = gettext_lazy("You have no SIP in Samplan.")


def _refused(request, refusal: oidc.LoginRefused):
    refusal.log()
    _forget_citizen(request)
    context = _login_context(request, problem={"title": PROBLEM_TITLE, "text": refusal.message})
    return render(request, LOGIN_TEMPLATE, context, status=refusal.status)


@policy.public
@login_not_required
@require_http_methods(["GET", "POST"])
def oidc_start(request):
    """Send the person to the e-identification service (the provider's login page)."""
    if not oidc.oidc_enabled():
        return redirect("citizen:login")  # the login page says what there is instead
    source = request.POST if request.method == "POST" else request.GET
    try:
        url = oidc.authorization_url(request, _safe_next(request, source.get("next")))
    except oidc.LoginRefused as refusal:
        return _refused(request, refusal)
    return redirect(url)


@policy.public
@login_not_required
@require_GET
def oidc_callback(request):
    """The provider sends the person back here: verify everything, then log in or refuse."""
    if not oidc.oidc_enabled():
        return redirect("citizen:login")
    try:
        login = oidc.complete_login(request)
    except oidc.LoginRefused as refusal:
        return _refused(request, refusal)
    number = login.number
    person = Person.objects.filter(identity_kind=number.kind, identity_number=number.value).first()
    if person is None:
        logger.info("Citizen login: verified, but no individual is registered with that number")
        _forget_citizen(request)
        return render(request, LOGIN_TEMPLATE, _login_context(request, no_sip=True))
    citizen_login(request, person, method="oidc", acr=login.acr)
    return _after_login(login.next_url)


# --- Demo login (development only) ----------------------------------------------------------


DEMO_PLANS_SHOWN = 100


def demo_people() -> list[dict]:
    """The individuals one can be in the demo: each with what he or she is in some SIP.

    The individual of a plan, a guardian of a child with a plan, a representative whose
    appointment covers the SIP, or a relative covered by the current consent of a plan.
    """
    roles: dict[uuid.UUID, dict] = {}

    def add(person: Person, role: str) -> None:
        entry = roles.setdefault(person.pk, {"person": person, "roles": []})
        if role not in entry["roles"]:
            entry["roles"].append(role)

    # The newest plans only: a demo page must not read every plan of a national database.
    # Those of people with an e-mail address on file come first (the demo world's characters,
    # not the people of the history generated behind them for the statistics).
    without_email = Case(When(person__email="", then=1), default=0)
    newest = Plan.objects.order_by(without_email, "-initiated_at", "pk").values("pk")
    newest = newest[:DEMO_PLANS_SHOWN]
    plans = (
        Plan.objects.filter(pk__in=newest)
        .select_related("person")
        .prefetch_related("consents__relatives", "person__relations__related")
    )
    for plan in plans:
        subject = plan.person
        add(subject, _("individual"))
        for relation in subject.relations.all():
            if rules.acts_for_child(relation.related, plan):
                add(relation.related, _("guardian of %(name)s") % {"name": subject.given_name})
            elif relation.kind in Relation.REPRESENTATIVES and rules.represents(
                relation.related, plan
            ):
                add(
                    relation.related,
                    _("%(kind)s for %(name)s")
                    % {"kind": relation.get_kind_display(), "name": subject.given_name},
                )
        consent = plan.current_consent
        if rules.consent_given(consent) and not rules.is_closed(plan):
            for relative in consent.relatives.all():
                add(relative, _("relative of %(name)s") % {"name": subject.given_name})
    people = sorted(roles.values(), key=lambda e: (e["person"].family_name, e["person"].given_name))
    return [{"person": entry["person"], "role": ", ".join(entry["roles"])} for entry in people]


@policy.public
@login_not_required
@require_http_methods(["GET", "POST"])
def demo_login(request):
    """Choose whom to be, without e-legitimation. Off unless CITIZEN_DEMO_LOGIN is True."""
    if not getattr(settings, "CITIZEN_DEMO_LOGIN", False):
        raise Http404
    people = demo_people()
    if request.method == "POST":
        chosen = request.POST.get("person", "")
        person = next((e["person"] for e in people if str(e["person"].pk) == chosen), None)
        if person is not None:
            citizen_login(request, person, method="demo", acr="demo")
            return _after_login(_safe_next(request, request.POST.get("next")))
        error = _("Choose one of the people in the list.")
        next_url = _safe_next(request, request.POST.get("next"))
        context = {"people": people, "error": error, "next": next_url}
        return render(request, DEMO_TEMPLATE, context, status=400)
    next_url = _safe_next(request, request.GET.get("next"))
    return render(request, DEMO_TEMPLATE, {"people": people, "next": next_url})


# --- Logout ---------------------------------------------------------------------------------


@policy.public
@login_not_required
@require_POST
def logout(request):
    citizen_logout(request)
    messages.success(request, _("You have logged out of Min SIP."))
    return redirect("citizen:login")
