"""Finding and registering individuals. Identity numbers travel only in POST bodies."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samplan import policy
from samplan.accounts.access import acting_unit_required
from samplan.people.access import person_card
from samplan.people.forms import PersonRegisterForm, PersonSearchForm
from samplan.people.models import Person
from samplan.people.services import CONTACT_FIELDS, person_register


@require_http_methods(["GET", "POST"])
@acting_unit_required
@policy.route("person.lookup")
def person_search(request: HttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.POST or None)
    context: dict = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            number = form.cleaned_data["identity_number"]
            person = Person.objects.filter(
                identity_kind=number.kind, identity_number=number.value
            ).first()
            context["searched"] = True
            if person is not None:
                context.update(person_card(request, person))
        else:
            status = 400
    return render(request, "people/search.html", context, status=status)


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
                **{key: data[key] for key in CONTACT_FIELDS},
            )
        except ValidationError as error:  # registered by someone else at the same moment
            form.add_error("number", error.message_dict.get("number", error.messages))
            return render(request, "people/register.html", {"form": form}, status=400)
        messages.success(request, _("%(name)s is registered.") % {"name": person.full_name})
        return render(
            request,
            "people/search.html",
            {
                "form": PersonSearchForm(),
                "searched": True,
                **person_card(request, person),
            },
        )
    status = 400 if form.is_bound else 200
    return render(request, "people/register.html", {"form": form}, status=status)
