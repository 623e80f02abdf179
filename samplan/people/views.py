"""Finding and registering individuals. Identity numbers travel only in POST bodies; results
are GET pages named by a short-lived search id (samplan.core.searches)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.core import searches
from samplan.core.redirects import safe_next
from samplan.people.access import person_card
from samplan.people.forms import ListingForm, PersonRegisterForm, PersonSearchForm
from samplan.people.models import Person
from samplan.people.services import CONTACT_FIELDS, person_listing_set, person_register


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("person.lookup")
def person_search(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            number = form.cleaned_data["identity_number"]
            person = Person.objects.filter(
                identity_kind=number.kind, identity_number=number.value
            ).first()
            found = str(person.pk) if person else None
            return redirect(
                reverse("people:search")
                + searches.query(searches.remember(request, "person", found))
            )
        return render(request, "people/search.html", {"form": form}, status=400)
    context: dict = {"form": form}
    recalled = searches.recall(request, "person")
    if recalled.expired:
        messages.info(request, _("That search has expired. Search again."))
    elif recalled.asked:
        context |= {"searched": True, "sid": request.GET[searches.PARAM]}
        person = Person.objects.filter(pk=recalled.value).first() if recalled.value else None
        if person is not None:
            context.update(person_card(request, person))
            context["listing_form"] = ListingForm(
                initial={"listed_primary_care": person.listed_primary_care_id}
            )
    return render(request, "people/search.html", context)


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("person.lookup")
def person_register_view(request: HttpRequest) -> HttpResponse:
    form = PersonRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = person_register(
                actor=request.user,
                number=data["parsed_identity"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                birth_date=data.get("birth_date"),
                protected_identity=data["protected_identity"],
                listed_primary_care=data["listed_primary_care"],
                **{key: data[key] for key in CONTACT_FIELDS},
            )
        except ValidationError as error:  # registered by someone else at the same moment
            form.add_error("number", error.message_dict.get("number", error.messages))
            return render(request, "people/register.html", {"form": form}, status=400)
        messages.success(request, _("%(name)s is registered.") % {"name": person.full_name})
        sid = searches.remember(request, "person", str(person.pk))
        return redirect(reverse("people:search") + searches.query(sid))
    status = 400 if form.is_bound else 200
    return render(request, "people/register.html", {"form": form}, status=status)


@require_http_methods(["POST"])
@acting_unit_required
@policy.route("person.lookup")
def person_listing(request: HttpRequest, person_id) -> HttpResponse:
    """Record where the individual is listed in primary care, from the person card."""
    person = get_object_or_404(Person, pk=person_id)
    form = ListingForm(request.POST)
    back = safe_next(request, request.POST.get("next")) or reverse("people:search")
    if not form.is_valid():
        messages.error(request, _("Choose an active primary care centre."))
        return redirect(back)
    try:
        person_listing_set(
            actor=request.user, person=person, unit=form.cleaned_data["listed_primary_care"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("The listing is saved."))
    return redirect(back)
