"""Min SIP: the individual, a guardian, a representative or an invited relative sees and acts
on the plan, each as far as the policy allows.

Every page loads the plan through the policy (404 for anything not one's own, so existence
does not leak) and every read is written to the access log.
"""

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samplan import policy
from samplan.audit.services import access_log_record_many, person_extract
from samplan.citizen import forms as f
from samplan.citizen import services as citizen_services
from samplan.citizen.models import SipRequest
from samplan.core.parsing import parse_uuid
from samplan.people.models import Person, Relation
from samplan.people.session import CitizenRequest, citizen_required
from samplan.plans import rules, services
from samplan.plans.access import plan_view, plans_visible_to
from samplan.plans.models import Plan
from samplan.plans.pdf import pdf_response
from samplan.plans.presenter import plan_for_citizen, role_of
from samplan.plans.rules import RuleViolation
from samplan.plans.views.base import attempt


@require_http_methods(["GET"])
@policy.route("citizen.session")
@citizen_required
def home(request: CitizenRequest) -> HttpResponse:
    """The citizen's plans: his or her own, a child's, a represented individual's, or one he
    or she was invited to."""
    person = request.citizen
    plans = list(
        plans_visible_to(request.actor)
        .select_related("person")
        .prefetch_related("person__relations", "consents")
        .order_by("-initiated_at")
    )
    # A new version waits for this reader's answer only if he or she may give it.
    rows = [
        (
            plan,
            role_of(plan, person),
            rules.may_start("version.approve", plan)
            and bool(policy.decide(request.actor, "plan.approve", plan)),
        )
        for plan in plans
    ]
    access_log_record_many(
        request=request, action="citizen:home", items=[(plan.person, plan) for plan in plans]
    )
    # A child too young to read his or her plan is told why it is not shown (not "no SIP").
    own_not_shown = (
        person.is_child()
        and not any(plan.person_id == person.pk for plan in plans)
        and Plan.objects.filter(person=person).exists()
    )
    subjects = _may_ask_for(person)
    having = set(
        Plan.objects.filter(person__in=subjects)
        .exclude(state__in=rules.NOT_OPEN)
        .values_list("person_id", flat=True)
    )
    asks = [subject for subject in subjects if subject.pk not in having]
    sip_requests = list(
        # The requests asked in Min SIP; not staff referrals to a receiving unit.
        SipRequest.objects.filter(person__in=subjects, asked_by__isnull=False)
        .select_related("person")
        .prefetch_related("organizations")
        .order_by("-created_at")[:20]
    )
    context = {
        "rows": rows,
        "citizen": person,
        "own_not_shown": own_not_shown,
        "asks": asks,
        "sip_requests": sip_requests,
    }
    return render(request, "citizen/home.html", context)


def _may_ask_for(person: Person) -> list[Person]:
    """The individuals this person may ask for a SIP for: himself or herself, and each child
    he or she is a guardian of."""
    children = Person.objects.filter(
        relations__related=person, relations__kind=Relation.Kind.GUARDIAN
    ).prefetch_related("relations")
    return [subject for subject in [person, *children] if rules.may_ask_for_sip(person, subject)]


@require_http_methods(["GET", "POST"])
@policy.route("citizen.session")
@citizen_required
def sip_request(request: CitizenRequest, person_id) -> HttpResponse:
    """Ask for a SIP: for oneself, or a guardian for a child. Anyone else gets 404."""
    subject = next((p for p in _may_ask_for(request.citizen) if p.pk == person_id), None)
    if subject is None:
        raise Http404
    if rules.has_open_plan(subject):
        # Nothing to ask for: the page says so (a post would be refused by the service too).
        context = {"form": None, "subject": subject, "for_self": subject.pk == request.citizen.pk}
        return render(request, "citizen/sip_request.html", context)
    form = f.SipRequestForm(request.POST if request.method == "POST" else None, person=subject)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sent = attempt(
            form,
            lambda: citizen_services.sip_request_send(
                actor=request.actor,
                person=subject,
                organizations=data["organizations"],
                text=data["text"],
                contact_way=data["contact_way"],
                contact_detail=data["contact_detail"],
            ),
        )
        if sent:
            messages.success(
                request,
                _("Your request is sent. You will be contacted. You see the answer here."),
            )
            return redirect("citizen:home")
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "subject": subject, "for_self": subject.pk == request.citizen.pk}
    return render(request, "citizen/sip_request.html", context, status=status)


@plan_view("plan.view", methods=("GET",), citizen=True)
def plan_detail(request: CitizenRequest, plan: Plan) -> HttpResponse:
    prefetch_related_objects([plan], "consents__units__organization", "consents__relatives")
    view = plan_for_citizen(plan, request.citizen)
    return render(
        request,
        "citizen/plan.html",
        {
            "view": view,
            "plan": plan,
            "citizen": request.citizen,
            "answer_form": f.AnswerForm(),
            "message_form": f.MessageForm(plan=plan),
        },
    )


def _act(request, form, action, success: str, plan: Plan) -> HttpResponse | None:
    """The one posting style (plans.views.base.attempt): a valid form runs one service; a
    refused rule becomes a message on the form; success goes back to the plan."""
    if not (form.is_valid() and attempt(form, lambda: action(form.cleaned_data))):
        return None
    messages.success(request, success)
    return redirect("citizen:plan", plan_id=plan.pk)


def _detail_with(request, plan, status=400, **forms) -> HttpResponse:
    context = {
        "view": plan_for_citizen(plan, request.citizen),
        "plan": plan,
        "citizen": request.citizen,
        "answer_form": f.AnswerForm(),
        "message_form": f.MessageForm(plan=plan),
        **forms,
    }
    return render(request, "citizen/plan.html", context, status=status)


@plan_view("plan.view", "plan.approve", methods=("POST",), citizen=True)
def answer(request: CitizenRequest, plan: Plan) -> HttpResponse:
    """Approve or decline a new version of the plan."""
    if not rules.may_start("version.approve", plan):
        # Answered already (another tab, the other guardian) or withdrawn: say so on the plan.
        messages.info(request, _("No version is waiting for your approval."))
        return redirect("citizen:plan", plan_id=plan.pk)
    form = f.AnswerForm(request.POST)
    done = _act(
        request,
        form,
        lambda d: services.version_approval_record(
            actor=request.actor, plan=plan, approved=d["approved"], comment=d["comment"]
        ),
        _("Thank you. Your answer is saved and your contact person can see it."),
        plan,
    )
    return done or _detail_with(request, plan, answer_form=form)


@plan_view("plan.view", "plan.comment", methods=("POST",), citizen=True)
def message(request: CitizenRequest, plan: Plan) -> HttpResponse:
    """A comment, a proposed change or a request for a new SIP, to the lead's worklist."""
    form = f.MessageForm(request.POST, plan=plan)
    done = _act(
        request,
        form,
        lambda d: services.citizen_message_send(
            actor=request.actor, plan=plan, kind=d["kind"], text=d["text"], to_units=d["to_units"]
        ),
        _("Thank you. Your message is sent to those you chose."),
        plan,
    )
    return done or _detail_with(request, plan, message_form=form)


def _covered_relatives(plan: Plan):
    consent = plan.current_consent
    if not rules.consent_given(consent):
        return Person.objects.none()
    return consent.relatives.all()


@plan_view("plan.manage", "plan.manage", citizen=True)
def relatives(request: CitizenRequest, plan: Plan) -> HttpResponse:
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
            services.relative_access_revoke(actor=request.actor, plan=plan, relative=relative)
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
                actor=request.actor, plan=plan, relative=d["relative"], sections=d["sections"]
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


@plan_view("plan.manage", "plan.manage", citizen=True)
def meeting_invite(request: CitizenRequest, plan: Plan, meeting_id: int) -> HttpResponse:
    """Invite someone of one's own choosing to a booked meeting, within the consent, or
    withdraw such an invitation before the meeting (the individual, or a guardian)."""
    meeting = plan.meetings.filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    prefetch_related_objects([plan], "consents__relatives", "person__relations__related")
    relations = list(plan.person.relations.all())
    covered = {r.related_id for r in relations if rules.may_invite_to_meeting(plan, r.related)}
    form = f.MeetingInviteForm(
        request.POST if request.method == "POST" and "remove" not in request.POST else None,
        relations=relations,
        covered=covered,
    )
    if request.method == "POST" and "remove" in request.POST:
        chosen = parse_uuid(request.POST["remove"])
        person = Person.objects.filter(pk=chosen).first() if chosen else None
        try:
            if person is None:
                raise RuleViolation(_("You can only withdraw an invitation you made yourself."))
            services.meeting_invitation_withdraw(
                actor=request.actor, meeting=meeting, person=person
            )
            messages.success(
                request,
                _("%(name)s is no longer invited to the meeting.") % {"name": person.full_name},
            )
        except RuleViolation as error:
            messages.error(request, error.message)
        return redirect("citizen:meeting_invite", plan_id=plan.pk, meeting_id=meeting.pk)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        if attempt(
            form,
            lambda: services.meeting_invite_person(
                actor=request.actor, meeting=meeting, person=person
            ),
        ):
            messages.success(
                request,
                _("%(name)s is invited to the meeting and is told so.")
                % {"name": person.full_name},
            )
            return redirect("citizen:meeting_invite", plan_id=plan.pk, meeting_id=meeting.pk)
    chosen = rules.invited_in_min_sip(plan)
    invitees = [
        (invitee, (meeting.pk, str(invitee.person_id)) in chosen)
        for invitee in meeting.invitees.select_related("unit", "person").order_by("pk")
    ]
    context = {
        "plan": plan,
        "meeting": meeting,
        "form": form,
        "invitees": invitees,
        "open": rules.invitations_open(plan, meeting),
        "has_people": bool(relations),
        "citizen": request.citizen,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizen/meeting_invite.html", context, status=status)


@plan_view("plan.manage", "plan.manage", citizen=True)
def withdraw(request: CitizenRequest, plan: Plan) -> HttpResponse:
    """End the SIP by withdrawing the consent, after a clear explanation of what happens.
    Only an open SIP with a given consent can be ended so (the page offers it only then)."""
    if not rules.consent_withdrawable(plan):
        if plan.is_closed:
            messages.info(request, _("The SIP is already ended."))
        else:
            messages.info(
                request,
                _(
                    "There is no consent to withdraw yet. If you do not want a SIP, tell the "
                    "person who asked you."
                ),
            )
        return redirect("citizen:plan", plan_id=plan.pk)
    form = f.WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _act(
            request,
            form,
            lambda d: services.consent_withdraw(actor=request.actor, plan=plan),
            _("Your SIP is ended. The person responsible has been told."),
            plan,
        )
        if done:
            return done
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizen/withdraw.html", {"plan": plan, "form": form}, status=status)


@plan_view("plan.manage", "plan.manage", methods=("GET",), citizen=True)
def readers(request: CitizenRequest, plan: Plan) -> HttpResponse:
    """Who has read the plan: which unit, and when (from the access log)."""
    rows = [row for row in person_extract(plan.person) if row["unit__name"]]
    return render(request, "citizen/readers.html", {"plan": plan, "rows": rows})


@plan_view("plan.view", methods=("GET",), citizen=True)
def pdf(request: CitizenRequest, plan: Plan) -> HttpResponse:
    """The plan as a PDF copy: the same content as the page. Taking the copy of the version in
    force is recorded (once per version and person) as a copy given in Min SIP. Before the
    plan is established there is nothing to print: the plan page says so."""
    if not rules.is_established(plan):
        messages.info(
            request, _("There is no plan to print yet. It can be printed once it is established.")
        )
        return redirect("citizen:plan", plan_id=plan.pk)
    view = plan_for_citizen(plan, request.citizen)
    response = pdf_response(view)
    if not view.pending:
        services.copy_taken_in_min_sip(actor=request.actor, plan=plan, version=view.version)
    return response
