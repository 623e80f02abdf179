"""The inboxes: a staff member's own items at /inkorg/, the citizen's in Min SIP at
/inkorg/min-sip/. Each shows only the recipient's own items; changes are POST only.

The items store no names: each says which SIP it is about when the page is shown, and only
to those the policy lets see that plan (staff read the individual's name, which the access
log records; the citizen reads "din SIP" and the organisation it comes from)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samplan import policy
from samplan.audit.services import access_log_record_many
from samplan.core.parsing import parse_ids
from samplan.core.templatetags.samplan import possessive
from samplan.notifications import services
from samplan.notifications.forms import EmailPreferenceForm
from samplan.notifications.models import NotificationPreference
from samplan.people.session import citizen_required
from samplan.plans.access import plans_visible_to
from samplan.plans.models import Plan

PAGE_SIZE = 50  # newest first, a bounded page at a time


def _chosen_ids(request: HttpRequest) -> list[int] | None:
    """The items a mark-read form names: None for all of them."""
    if request.POST.get("all"):
        return None
    return parse_ids(request.POST.getlist("notification"))


def _page(request: HttpRequest, items) -> dict:
    """One page of the inbox, and how many of all the items are unread (an indexed count)."""
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("sida"))
    return {
        "items": list(page.object_list),
        "page": page,
        "unread_count": items.filter(read_at__isnull=True).count(),
    }


def _plans_seen(visible, items) -> set:
    """The plans of the items that are in `visible` (a query of the plans the reader may
    see: the policy's query side, samplan.plans.access)."""
    plan_ids = {item.plan_id for item in items if item.plan_id}
    if not plan_ids:
        return set()
    return set(visible.filter(pk__in=plan_ids).values_list("pk", flat=True))


def _name_plans_for_staff(request: HttpRequest, items) -> None:
    """Each item says whose SIP it is about when one of the user's units may see the plan
    (one query for all of them); the access log records the individuals named."""
    for item in items:
        item.about, item.sender = "", ""
    if not any(item.plan_id for item in items):
        return
    memberships = request.user.memberships.filter(is_active=True, unit__is_active=True)
    seen_by_any = Q()
    for membership in memberships.select_related("unit"):
        actor = policy.Staff(user=request.user, unit=membership.unit, role=membership.role)
        seen_by_any |= Q(pk__in=plans_visible_to(actor).values("pk"))
    visible = Plan.objects.filter(seen_by_any) if seen_by_any else Plan.objects.none()
    seen = _plans_seen(visible, items)
    named = {}
    for item in items:
        if item.plan_id in seen:
            item.about = _("%(owner)s SIP") % {"owner": possessive(item.plan.person.full_name)}
            named[item.plan_id] = item.plan
    access_log_record_many(
        request=request, action="inbox", items=[(plan.person, plan) for plan in named.values()]
    )


def _name_plans_for_citizen(person, items) -> None:
    """Each item says which SIP it is about ("din SIP", or a child's) and which organisation
    it comes from, when the person may still see that plan."""
    for item in items:
        item.about, item.sender = "", ""
    if not any(item.plan_id for item in items):
        return
    seen = _plans_seen(plans_visible_to(policy.Citizen(person=person)), items)
    for item in items:
        if item.plan_id in seen:
            plan = item.plan
            if plan.person_id == person.pk:
                item.about = _("your SIP")
            else:
                item.about = _("%(owner)s SIP") % {"owner": possessive(plan.person.given_name)}
            item.sender = services.sender_name(plan)


@require_http_methods(["GET"])
@policy.route("session")
def inbox(request: HttpRequest) -> HttpResponse:
    items = services.inbox_for_user(request.user).select_related("unit", "plan__person")
    context = _page(request, items)
    _name_plans_for_staff(request, context["items"])
    return render(request, "notifications/inbox.html", context)


@require_POST
@policy.route("session")
def mark_read(request: HttpRequest) -> HttpResponse:
    changed = services.inbox_mark_read(user=request.user, notification_ids=_chosen_ids(request))
    if changed:
        messages.success(request, _("Marked as read."))
    return redirect("notifications:inbox")


@require_http_methods(["GET"])
@policy.route("citizen.session")
@citizen_required
def citizen_inbox(request: HttpRequest) -> HttpResponse:
    person = request.citizen
    preference = NotificationPreference.objects.filter(person=person).first()
    items = services.inbox_for_person(person).select_related(
        "plan__person", "plan__overall_responsibility", "plan__initiating_unit__organization"
    )
    context = _page(request, items)
    _name_plans_for_citizen(person, context["items"])
    context["email_form"] = EmailPreferenceForm(
        initial={"email_ok": bool(preference and preference.email_ok)}
    )
    context["email_address"] = person.email  # the person's own (person.contact: own)
    return render(request, "notifications/citizen_inbox.html", context)


@require_POST
@policy.route("citizen.session")
@citizen_required
def citizen_mark_read(request: HttpRequest) -> HttpResponse:
    changed = services.inbox_mark_read(
        person=request.citizen, notification_ids=_chosen_ids(request)
    )
    if changed:
        messages.success(request, _("Marked as read."))
    return redirect("notifications:citizen_inbox")


@require_POST
@policy.route("citizen.session")
@citizen_required
def citizen_email_preference(request: HttpRequest) -> HttpResponse:
    form = EmailPreferenceForm(request.POST)
    form.is_valid()  # a missing box is "no"; nothing else can be wrong
    email_ok = bool(form.cleaned_data.get("email_ok"))
    services.email_preference_set(person=request.citizen, email_ok=email_ok)
    if email_ok:
        messages.success(request, _("You will get an e-mail when there is news."))
    else:
        messages.success(request, _("You will not get e-mail from Samplan."))
    return redirect("notifications:citizen_inbox")
