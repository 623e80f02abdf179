"""The report pages of collaboration failures: the list with proposals, reporting, the joint
handling page and the exports; who gets them, who gets 404, and where the individual is named.

The cast: Bob (caseworker at the region's primary care centre) reports about Eva's SIP, which
Alice's needs assessment initiated; Mona is the needs assessment's unit manager, Vera the
primary care centre's, Ulf the psychiatric clinic's (a unit not concerned)."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from samplan.accounts.models import Membership
from samplan.audit.models import AccessLogEntry
from samplan.conftest import make_user
from samplan.deviations import services
from samplan.deviations.models import Deviation, DeviationEvent, SuggestionDismissal
from samplan.plans.models import Invitee, Participant
from samplan.testing.cast import staff
from samplan.testing.world import staff_client

UM = Membership.Role.UNIT_MANAGER
LIST = reverse("deviations:list")
REPORT = reverse("deviations:report")


@pytest.fixture
def plan(sip):
    return sip.to("active")


@pytest.fixture
def vera(primary_care):
    return make_user("vera", (primary_care, UM))


@pytest.fixture
def ulf(psychiatry):
    return make_user("ulf", (psychiatry, UM))


@pytest.fixture
def reported(plan, bob, primary_care, needs_assessment, mona, vera) -> Deviation:
    return services.deviation_report(
        actor=staff(bob, primary_care),
        kind=Deviation.Kind.INVITATION_UNANSWERED,
        what_happened="Biståndshandläggningen svarade inte på kallelsen till mötet.",
        happened_on=timezone.localdate() - datetime.timedelta(days=2),
        consequence="Mötet fick flyttas en vecka.",
        units=[needs_assessment],
        plan=plan,
    )


def report_data(plan, unit, **change) -> dict:
    data = {
        "sip": str(plan.pk) if plan else "",
        "kind": Deviation.Kind.INVITATION_UNANSWERED,
        "what_happened": "Ingen kom från biståndshandläggningen.",
        "happened_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "consequence": "Insatsen blev försenad.",
        "units": [unit.pk],
    }
    return data | change


def error_at(html: str, field: str) -> str:
    """The message shown at a field, tied to it for screen readers."""
    match = re.search(rf'<p class="field__error" id="id_{field}_error">(.*?)</p>', html, re.S)
    assert match, f"no error at {field}"
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert any(f"id_{field}_error" in value.split() for value in described)
    return match.group(1)


# --- Reporting --------------------------------------------------------------------------------


def test_a_caseworker_reports_a_failure_in_a_sip_her_unit_takes_part_in(
    plan, bob, primary_care, needs_assessment
):
    client = staff_client(bob, primary_care)
    page = client.get(f"{REPORT}?sip={plan.pk}")
    assert page.status_code == 200
    assert plan.person.full_name in page.text and needs_assessment.name in page.text
    assert primary_care.name not in page.text.split("Vilka enheter")[1]  # never its own unit

    response = client.post(REPORT, report_data(plan, needs_assessment))

    deviation = Deviation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("deviations:detail", args=[deviation.pk])
    assert set(deviation.units.all()) == {primary_care, needs_assessment}
    assert (deviation.plan, deviation.reporter) == (plan, bob)
    detail = client.get(response["Location"])
    assert "Bristen är rapporterad" in detail.text
    assert plan.person.full_name in detail.text
    assert AccessLogEntry.objects.filter(
        user=bob, person=plan.person, action="deviation.view"
    ).exists()


def test_the_sip_overview_links_to_the_report_form(plan, bob, primary_care):
    page = staff_client(bob, primary_care).get(reverse("plans:overview", args=[plan.pk]))
    assert f'{REPORT}?sip={plan.pk}"' in page.text
    assert "Rapportera brist i samverkan" in page.text


def test_a_caseworker_cannot_report_without_a_sip_and_is_told_at_the_field(
    bob, primary_care, needs_assessment
):
    client = staff_client(bob, primary_care)
    response = client.post(REPORT, report_data(None, needs_assessment))
    assert response.status_code == 400
    assert "bara en enhetschef" in error_at(response.text, "plan")
    assert 'href="#id_plan"' in response.text and 'id="id_plan"' in response.text
    # Said at once, with the other mistakes
    response = client.post(REPORT, {"kind": "other"})
    assert "bara en enhetschef" in error_at(response.text, "plan")
    error_at(response.text, "what_happened")
    assert not Deviation.objects.exists()


def test_a_unit_manager_reports_without_a_sip(mona, needs_assessment, primary_care):
    response = staff_client(mona, needs_assessment).post(REPORT, report_data(None, primary_care))
    assert response.status_code == 302
    deviation = Deviation.objects.get()
    assert (
        deviation.plan is None and deviation.agreement_organization == needs_assessment.organization
    )


def test_an_identity_number_in_the_text_is_refused_at_its_field(
    plan, bob, primary_care, needs_assessment
):
    data = report_data(plan, needs_assessment, what_happened="Gäller 19811218-9876, som väntade.")
    response = staff_client(bob, primary_care).post(REPORT, data)
    assert response.status_code == 400
    assert "Skriv inget personnummer" in error_at(response.text, "what_happened")
    assert "Gäller 19811218-9876, som väntade." in response.text  # the text is kept
    assert not Deviation.objects.exists()


def test_a_sip_the_unit_does_not_take_part_in_is_not_found(plan, olle, psychiatry):
    client = staff_client(olle, psychiatry)
    assert client.get(f"{REPORT}?sip={plan.pk}").status_code == 404
    assert client.get(f"{REPORT}?sip=not-a-uuid").status_code == 404
    assert client.post(REPORT, report_data(plan, psychiatry)).status_code == 404
    assert not Deviation.objects.exists()


# --- The list and the proposals ---------------------------------------------------------------


def test_the_units_concerned_list_the_report_and_others_do_not(
    reported, mona, needs_assessment, ulf, psychiatry, bob, primary_care
):
    mona_list = staff_client(mona, needs_assessment).get(LIST)
    assert mona_list.status_code == 200
    assert reverse("deviations:detail", args=[reported.pk]) in mona_list.text
    assert "En kallelse besvarades inte i tid" in mona_list.text
    mine = staff_client(bob, primary_care).get(LIST + "?visa=mina")
    assert reverse("deviations:detail", args=[reported.pk]) in mine.text
    concluded = staff_client(bob, primary_care).get(LIST + "?visa=avslutade")
    assert reverse("deviations:detail", args=[reported.pk]) not in concluded.text
    other = staff_client(ulf, psychiatry).get(LIST)
    assert other.status_code == 200
    assert reverse("deviations:detail", args=[reported.pk]) not in other.text


def test_the_nav_links_to_the_failures_for_any_acting_unit(frida, social_insurance):
    page = staff_client(frida, social_insurance).get(reverse("start"))
    assert f'href="{LIST}"' in page.text and "Brister i samverkan" in page.text


@pytest.fixture
def declined(plan, primary_care):
    """Primary care declined the invitation to the plan's meeting: a proposed report for the
    needs assessment."""
    invitee = Invitee.objects.filter(meeting__plan=plan, unit=primary_care).first()
    assert invitee is not None
    Invitee.objects.filter(pk=invitee.pk).update(response=Invitee.Response.DECLINED)
    return invitee


def test_a_proposal_is_listed_and_fills_in_the_report(declined, plan, alice, needs_assessment):
    client = staff_client(alice, needs_assessment)
    page = client.get(LIST)
    assert "Förslag på rapporter" in page.text
    key = f"invitation:{declined.pk}"
    assert f"forslag={key}" in page.text.replace("%3A", ":")
    assert plan.person.full_name in page.text
    assert AccessLogEntry.objects.filter(
        user=alice, action="deviation.list", person=plan.person
    ).exists()

    form = client.get(f"{REPORT}?forslag={key}")
    assert form.status_code == 200
    assert "Ifyllt från Samplans förslag" in form.text
    assert re.search(r'value="principal_absent"[^>]*checked', form.text)
    assert f'name="units" value="{declined.unit.pk}"' in form.text
    assert f'name="suggestion" value="{key}"' in form.text
    data = report_data(plan, declined.unit, kind="principal_absent", suggestion=key)
    assert client.post(REPORT, data).status_code == 302
    assert Deviation.objects.get().suggestion == key
    assert "Förslag på rapporter" not in client.get(LIST).text


def test_a_proposal_is_dismissed_with_a_reason(declined, alice, needs_assessment):
    client = staff_client(alice, needs_assessment)
    key = f"invitation:{declined.pk}"
    refused = client.post(reverse("deviations:dismiss"), {"key": key, "reason": " "}, follow=True)
    assert "Skriv varför" in refused.text
    assert not SuggestionDismissal.objects.exists()
    done = client.post(
        reverse("deviations:dismiss"), {"key": key, "reason": "Mötet flyttades."}, follow=True
    )
    assert done.redirect_chain[-1][0] == LIST
    assert SuggestionDismissal.objects.get().reason == "Mötet flyttades."
    assert "Förslag på rapporter" not in done.text
    assert client.get(reverse("deviations:dismiss")).status_code == 405


def test_an_old_proposal_sends_back_to_the_list(alice, needs_assessment):
    response = staff_client(alice, needs_assessment).get(f"{REPORT}?forslag=invitation:0")
    assert response.status_code == 302 and response["Location"] == LIST


# --- Who sees a report ------------------------------------------------------------------------


def test_an_uninvolved_unit_manager_gets_404_on_the_report_and_its_exports(
    reported, ulf, psychiatry
):
    client = staff_client(ulf, psychiatry)
    assert client.get(reverse("deviations:detail", args=[reported.pk])).status_code == 404
    for fmt in ("json", "pdf"):
        assert client.get(reverse("deviations:export", args=[reported.pk, fmt])).status_code == 404
    response = client.post(
        reverse("deviations:detail", args=[reported.pk]), {"form": "comment", "text": "Hej"}
    )
    assert response.status_code == 404
    assert not reported.events.filter(kind=DeviationEvent.Kind.COMMENTED).exists()


def test_a_caseworker_of_a_unit_concerned_who_did_not_report_gets_404(
    reported, alice, needs_assessment
):
    response = staff_client(alice, needs_assessment).get(
        reverse("deviations:detail", args=[reported.pk])
    )
    assert response.status_code == 404


def test_the_individual_is_named_only_to_a_unit_taking_part_in_the_sip(
    reported, plan, mona, needs_assessment, vera, primary_care
):
    # The needs assessment's part in the SIP ended after the report
    Participant.objects.filter(plan=plan, unit=needs_assessment).update(is_active=False)
    name, pseudonym = plan.person.full_name, services.pseudonym(reported)
    detail = reverse("deviations:detail", args=[reported.pk])

    for page in (
        staff_client(mona, needs_assessment).get(detail),
        staff_client(mona, needs_assessment).get(LIST),
    ):
        assert page.status_code == 200
        assert pseudonym in page.text and name not in page.text
        assert reverse("plans:overview", args=[plan.pk]) not in page.text
    assert not AccessLogEntry.objects.filter(user=mona, person=plan.person).exists()

    page = staff_client(vera, primary_care).get(detail)
    assert name in page.text and reverse("plans:overview", args=[plan.pk]) in page.text
    assert AccessLogEntry.objects.filter(
        user=vera, person=plan.person, action="deviation.view"
    ).exists()


# --- The joint handling -----------------------------------------------------------------------


def post_form(client, deviation, form: str, **data):
    return client.post(reverse("deviations:detail", args=[deviation.pk]), {"form": form, **data})


def test_the_unit_managers_comment_agree_an_action_and_conclude(
    reported, mona, needs_assessment, vera, primary_care, bob
):
    detail = reverse("deviations:detail", args=[reported.pk])
    mona_client, vera_client = (
        staff_client(mona, needs_assessment),
        staff_client(vera, primary_care),
    )
    page = mona_client.get(detail)
    for form in ("comment", "action", "conclude", "reference"):
        assert f'name="form" value="{form}"' in page.text
    assert "Enhetscheferna för de berörda enheterna" in page.text  # the ladder's first step

    assert (
        post_form(mona_client, reported, "comment", text="Vi ser över rutinen.").status_code == 302
    )
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = post_form(
        vera_client, reported, "action", what="Ny rutin för kallelser", owner=mona.pk, due=due
    )
    assert response.status_code == 302
    action = reported.actions.get()
    assert (action.owner, action.due.isoformat()) == (mona, due)

    # The owner marks it done
    assert post_form(mona_client, reported, "action_done", action=action.pk).status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None

    reported.refresh_from_db()
    response = post_form(
        vera_client, reported, "conclude", conclusion="resolved",
        conclusion_text="Rutinen är ändrad.", lock_version=reported.lock_version,
    )  # fmt: skip
    assert response.status_code == 302
    reported.refresh_from_db()
    assert (reported.state, reported.conclusion) == ("concluded", "resolved")
    assert [e.kind for e in reported.events.all()] == [
        "reported", "commented", "action_agreed", "action_done", "concluded",
    ]  # fmt: skip
    page = mona_client.get(detail)
    assert 'name="form" value="comment"' not in page.text  # concluded: nothing more to handle
    assert "Vi ser över rutinen." in page.text and "Rutinen är ändrad." in page.text


def test_errors_are_shown_at_the_field(reported, mona, needs_assessment, alice):
    client = staff_client(mona, needs_assessment)
    response = post_form(client, reported, "comment", text="Gäller 198112189876")
    assert response.status_code == 400
    assert "Skriv inget personnummer" in error_at(response.text, "text")
    # An owner outside the units concerned is not among the choices
    outsider = make_user("otto")
    response = post_form(client, reported, "action", what="X", owner=outsider.pk, due="2099-01-01")
    assert response.status_code == 400
    error_at(response.text, "owner")
    assert not reported.actions.exists()


def test_a_conclusion_on_a_report_changed_meanwhile_is_refused_with_a_clear_message(
    reported, mona, needs_assessment, vera, primary_care
):
    client = staff_client(mona, needs_assessment)
    stale = reported.lock_version
    post_form(staff_client(vera, primary_care), reported, "comment", text="Vi tar det.")
    response = post_form(
        client, reported, "conclude", conclusion="not_a_failure",
        conclusion_text="Inget fel.", lock_version=stale,
    )  # fmt: skip
    assert response.status_code == 400
    assert "Någon annan ändrade rapporten" in response.text
    assert "Inget fel." in response.text  # the text is kept
    reported.refresh_from_db()
    assert reported.state == "handling"
    # Sent again, it starts from the report as it is now
    fresh = re.search(r'name="lock_version" value="(\d+)"', response.text).group(1)
    assert int(fresh) == reported.lock_version


def test_the_reporter_follows_the_report_but_does_not_handle_it(reported, bob, primary_care):
    client = staff_client(bob, primary_care)
    page = client.get(reverse("deviations:detail", args=[reported.pk]))
    assert page.status_code == 200
    assert 'name="form" value="comment"' not in page.text
    assert 'name="form" value="reference"' in page.text  # its own organisation's number
    response = post_form(client, reported, "comment", text="Jag vill också säga något.")
    assert response.status_code == 403
    assert "Jag vill också säga något." in response.text
    assert post_form(client, reported, "nonsense").status_code == 404
    assert post_form(client, reported, "reference", reference="AV-2026-17").status_code == 302
    assert reported.references.get().reference == "AV-2026-17"


# --- Exports ----------------------------------------------------------------------------------


def test_the_json_export_is_the_report_with_the_individual_as_far_as_the_reader_may_see(
    reported, plan, mona, needs_assessment, vera, primary_care
):
    primary_care.hsa_id = "SE2321000016-1234"
    primary_care.save(update_fields=["hsa_id"])
    url = reverse("deviations:export", args=[reported.pk, "json"])
    response = staff_client(vera, primary_care).get(url)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="brist-{reported.pk.hex[:8]}.json"'
    )
    data = json.loads(response.content)
    assert data["id"] == str(reported.pk)
    assert data["kind"]["code"] == "invitation_unanswered" and data["kind"]["label"]
    assert data["happened_on"] == reported.happened_on.isoformat()
    assert data["reporter"]["unit"]["name"] == primary_care.name
    assert {u["name"] for u in data["units"]} == {primary_care.name, needs_assessment.name}
    assert "SE2321000016-1234" in {u["hsa_id"] for u in data["units"]}
    assert data["state"]["code"] == "reported" and data["level"] == 1
    assert data["individual"] == {
        "pseudonym": services.pseudonym(reported),
        "name": plan.person.full_name,
        "plan": str(plan.pk),
    }
    assert [e["kind"] for e in data["events"]] == ["reported"]
    assert plan.person.identity_number not in response.content.decode()

    Participant.objects.filter(plan=plan, unit=needs_assessment).update(is_active=False)
    data = json.loads(staff_client(mona, needs_assessment).get(url).content)
    assert data["individual"] == {"pseudonym": services.pseudonym(reported)}


def test_the_pdf_export_is_a_pdf(reported, vera, primary_care):
    client = staff_client(vera, primary_care)
    response = client.get(reverse("deviations:export", args=[reported.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith(f'brist-{reported.pk.hex[:8]}.pdf"')
    assert client.get(reverse("deviations:export", args=[reported.pk, "xml"])).status_code == 404
