"""Min SIP: the individual, a guardian or an invited relative sees and acts on the plan.

Every page loads the plan through the policy (404 for anything not one's own, so existence
does not leak) and every read is written to the access log.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samplan import policy
from samplan.audit.review import person_extract
from samplan.audit.services import access_log_record
from samplan.citizen import forms as f
from samplan.citizen.pdf import pdf_response
from samplan.citizen.presenter import plan_for_citizen, role_of
from samplan.citizen.session import citizen_required
from samplan.core.parsing import parse_uuid
from samplan.people.models import Person
from samplan.plans import services
from samplan.plans.models import Plan
from samplan.plans.rules import RuleViolation

GET_POST = ["GET", "POST"]


def citizen_plan(read: str = "plan.view", write: str = "plan.manage"):
    """Load one plan for the citizen through the policy; log the read; pass the plan on."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, plan_id, *args, **kwargs):
            actor = policy.Citizen(person=request.citizen)
            plan = Plan.objects.select_related("person", "lead").filter(pk=plan_id).first()
            action = read if request.method in ("GET", "HEAD") else write
            decision = policy.decide(actor, action, plan) if plan else policy.Decision.NOT_FOUND
            if decision is policy.Decision.NOT_FOUND:
                raise Http404
            if decision is policy.Decision.FORBIDDEN:
                raise PermissionDenied
            access_log_record(
                request=request,
                action=request.resolver_match.view_name,
                person=plan.person,
                obj=plan,
            )
            return view(request, plan, *args, **kwargs)

        return policy.route(read, write)(citizen_required(wrapper))

    return decorate


@require_http_methods(["GET"])
@policy.route("citizen.session")
@citizen_required
def home(request: HttpRequest) -> HttpResponse:
    """The citizen's plans: his or her own, a child's, or one he or she was invited to."""
    person = request.citizen
    plans = list(
        policy.plans_visible_to(policy.Citizen(person=person))
        .select_related("person")
        .order_by("-initiated_at")
    )
    rows = [(plan, role_of(plan, person)) for plan in plans]
    for plan in plans:
        access_log_record(request=request, action="citizen:home", person=plan.person, obj=plan)
    return render(request, "citizen/home.html", {"rows": rows, "citizen": person})


@require_http_methods(["GET"])
@citizen_plan()
def plan_detail(request: HttpRequest, plan: Plan) -> HttpResponse:
    view = plan_for_citizen(plan, request.citizen)
    return render(
        request,
        "citizen/plan.html",
        {
            "view": view,
            "plan": plan,
            "citizen": request.citizen,
            "answer_form": f.AnswerForm(),
            "message_form": f.MessageForm(),
        },
    )


def _act(request, form, action, success: str, plan: Plan) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except RuleViolation as error:
        form.add_error(None, error.message)
        return None
    messages.success(request, success)
    return redirect("citizen:plan", plan_id=plan.pk)


def _detail_with(request, plan, status=400, **forms) -> HttpResponse:
    context = {
        "view": plan_for_citizen(plan, request.citizen),
        "plan": plan,
        "citizen": request.citizen,
        "answer_form": f.AnswerForm(),
        "message_form": f.MessageForm(),
        **forms,
    }
    return render(request, "citizen/plan.html", context, status=status)


@require_POST
@citizen_plan(write="plan.approve")
def answer(request: HttpRequest, plan: Plan) -> HttpResponse:
    """Approve or decline a new version of the plan."""
    form = f.AnswerForm(request.POST)
    done = _act(
        request,
        form,
        lambda d: services.version_answer_by_citizen(
            citizen=request.citizen, plan=plan, approved=d["approved"], comment=d["comment"]
        ),
        _("Thank you. Your answer is saved and your contact person can see it."),
        plan,
    )
    return done or _detail_with(request, plan, answer_form=form)


@require_POST
@citizen_plan(write="plan.comment")
def message(request: HttpRequest, plan: Plan) -> HttpResponse:
    """A comment, a proposed change or a request for a new SIP, to the lead's worklist."""
    form = f.MessageForm(request.POST)
    done = _act(
        request,
        form,
        lambda d: services.citizen_message_send(
            citizen=request.citizen, plan=plan, kind=d["kind"], text=d["text"]
        ),
        _("Thank you. Your message is sent to the person responsible for your SIP."),
        plan,
    )
    return done or _detail_with(request, plan, message_form=form)


def _covered_relatives(plan: Plan):
    consent = plan.current_consent
    if consent is None or consent.decision != "given":
        return Person.objects.none()
    return consent.relatives.all()


@require_http_methods(GET_POST)
@citizen_plan(read="plan.manage", write="plan.manage")
def relatives(request: HttpRequest, plan: Plan) -> HttpResponse:
    """Invite a relative covered by the consent to see chosen parts, or remove one."""
    form = f.RelativeForm(
        request.POST if request.method == "POST" else None, relatives=_covered_relatives(plan)
    )
    if request.method == "POST" and request.POST.get("remove"):
        chosen = parse_uuid(request.POST["remove"])
        relative = _covered_relatives(plan).filter(pk=chosen).first() if chosen else None
        try:
            if relative is None:
                raise RuleViolation(_("The relative has no access to remove."))
            services.relative_access_revoke(citizen=request.citizen, plan=plan, relative=relative)
            messages.success(
                request, _("%(name)s can no longer see your SIP.") % {"name": relative.full_name}
            )
        except RuleViolation as error:
            messages.error(request, error.message)
        return redirect("citizen:relatives", plan_id=plan.pk)
    if request.method == "POST":
        done = _act(
            request,
            form,
            lambda d: services.relative_access_grant(
                citizen=request.citizen, plan=plan, relative=d["relative"], sections=d["sections"]
            ),
            _("The relative is invited."),
            plan,
        )
        if done:
            return done
    accesses = plan.relative_accesses.filter(revoked_at__isnull=True).select_related("relative")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "citizen/relatives.html",
        {"plan": plan, "form": form, "accesses": accesses, "citizen": request.citizen},
        status=status,
    )


@require_http_methods(GET_POST)
@citizen_plan(read="plan.manage", write="plan.manage")
def withdraw(request: HttpRequest, plan: Plan) -> HttpResponse:
    """End the SIP by withdrawing the consent, after a clear explanation of what happens."""
    form = f.WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _act(
            request,
            form,
            lambda d: services.consent_withdraw_by_citizen(citizen=request.citizen, plan=plan),
            _("Your SIP is ended. The person responsible has been told."),
            plan,
        )
        if done:
            return done
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizen/withdraw.html", {"plan": plan, "form": form}, status=status)


@require_http_methods(["GET"])
@citizen_plan(read="plan.manage")
def readers(request: HttpRequest, plan: Plan) -> HttpResponse:
    """Who has read the plan: which unit, and when (from the access log)."""
    rows = [row for row in person_extract(plan.person) if row["unit__name"]]
    return render(request, "citizen/readers.html", {"plan": plan, "rows": rows})


@require_http_methods(["GET"])
@citizen_plan()
def pdf(request: HttpRequest, plan: Plan) -> HttpResponse:
    """The plan as a PDF copy: the same content as the page."""
    return pdf_response(plan_for_citizen(plan, request.citizen))
