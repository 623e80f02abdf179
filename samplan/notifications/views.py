"""The inboxes: a staff member's own items at /inkorg/, the citizen's in Min SIP at
/inkorg/min-sip/. Each shows only the recipient's own items; changes are POST only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samplan import policy
from samplan.core.parsing import parse_ids
from samplan.notifications import services
from samplan.notifications.forms import EmailPreferenceForm
from samplan.notifications.models import NotificationPreference
from samplan.people.session import citizen_required

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
        "items": page.object_list,
        "page": page,
        "unread_count": items.filter(read_at__isnull=True).count(),
    }


@require_http_methods(["GET"])
@policy.route("session")
def inbox(request: HttpRequest) -> HttpResponse:
    items = services.inbox_for_user(request.user).select_related("unit")
    return render(request, "notifications/inbox.html", _page(request, items))


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
    context = _page(request, services.inbox_for_person(person))
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
