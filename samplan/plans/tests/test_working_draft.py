"""The approved plan and the working draft: what the individual approved is the plan; staff
edits after that wait, marked as unapproved, until a revision is approved (the plan may not
change without the individual's approval)."""

import re

from django.test import Client

from samplan.plans import services
from samplan.plans.presenter import plan_for_citizen
from samplan.testing.cast import fresh, login, make_person, refused


def staff_page(alice, path: str) -> str:
    return login(Client(), alice).get(path).content.decode()


def test_an_edit_to_an_established_plan_waits_as_an_unapproved_change(sip, alice):
    plan = sip.to("active")
    sip.goal(plan, "Jag vill börja simma igen")
    plan = fresh(plan)
    assert (plan.current_version, plan.unapproved_changes) == (1, 1)

    page = staff_page(alice, f"/sip/{plan.pk}/")
    assert "Ändringar som den enskilde inte har godkänt: 1" in page
    assert "Version 1 gäller" in page
    compared = staff_page(alice, f"/sip/{plan.pk}/versioner/?utkast=1")
    assert "Arbetsutkast, inte godkänt" in compared and "Jag vill börja simma igen" in compared

    # The individual still reads the approved version.
    view = plan_for_citizen(plan, plan.person)
    assert view.version.number == 1 and view.pending is None
    assert all(g["text"] != "Jag vill börja simma igen" for g in view.snapshot["goals"])


def test_an_edit_undone_leaves_nothing_unapproved(sip):
    plan = sip.to("active")
    goal = sip.goal(plan, "Jag vill börja simma igen")
    services.goal_remove(**sip.as_alice, plan=fresh(plan), goal=goal)
    assert fresh(plan).unapproved_changes == 0


def test_the_draft_reaches_the_individual_only_as_a_version_he_or_she_approves(sip):
    plan = sip.to("active")
    sip.goal(plan, "Jag vill börja simma igen")
    sip.follow_up(plan, decision="revise")
    plan = fresh(plan)
    assert (plan.state, plan.current_version) == ("revision", 1)

    view = plan_for_citizen(plan, plan.person)
    assert view.pending.number == 2
    assert "Nytt mål: ”Jag vill börja simma igen”." in [str(line) for line in view.changes]

    services.version_approval_record(**sip.as_alice, plan=plan, approved=True, method="phone")
    plan = fresh(plan)
    assert (plan.state, plan.current_version, plan.unapproved_changes) == ("active", 2, 0)
    view = plan_for_citizen(plan, plan.person)
    assert any(g["text"] == "Jag vill börja simma igen" for g in view.snapshot["goals"])


def test_a_declined_revision_leaves_the_approved_version_in_force(sip, alice):
    plan = sip.to("active")
    sip.goal(plan, "Jag vill börja simma igen")
    sip.follow_up(plan, decision="revise")
    services.version_approval_record(
        **sip.as_alice, plan=fresh(plan), approved=False, method="phone", comment="Inte simning"
    )
    plan = fresh(plan)
    # The draft keeps the declined change (the follow-up's new date is not one to approve).
    assert (plan.state, plan.current_version, plan.unapproved_changes) == ("active", 1, 1)
    assert plan.versions.get(number=2).approval == "declined"

    page = staff_page(alice, f"/sip/{plan.pk}/")
    assert "Version 1 gäller" in page and "Version 2 gäller" not in page
    assert "Den enskilde sa nej till version 2: ”Inte simning”" in page
    view = plan_for_citizen(plan, plan.person)
    assert view.version.number == 1 and view.pending is None

    # The next revision is version 3: the declined version 2 is kept as it was.
    sip.follow_up(plan, decision="revise")
    assert fresh(plan).versions.get(number=3).approval == "pending"


def test_an_empty_form_cannot_remove_the_lead_or_the_follow_up_date(sip, alice):
    plan = sip.to("active")
    client = login(Client(), alice)
    response = client.post(
        f"/sip/{plan.pk}/plan/",
        {
            "form": "details",
            "details-lock_version": plan.lock_version,
            "details-overall_responsibility": plan.overall_responsibility_id,
            "details-lead": "",
            "details-next_follow_up": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ett upprättat SIP måste ha en huvudansvarig" in page
    select = re.search(r'<select name="details-lead"[^>]*>', page).group(0)
    # The error is tied to the field: the select names the paragraph that holds it.
    assert re.search(r'aria-describedby="[^"]*id_details-lead_error\b', select)
    assert 'id="id_details-lead_error"' in page
    after = fresh(plan)
    assert (after.lead_id, after.next_follow_up) == (plan.lead_id, plan.next_follow_up)
    assert after.versions.count() == 1


def test_the_service_refuses_emptying_the_required_fields_too(sip):
    plan = sip.to("active")
    for field in ("lead", "next_follow_up", "overall_responsibility"):
        with refused("Ett upprättat SIP måste"):
            services.plan_update(
                **sip.as_alice, plan=fresh(plan), expected_version=fresh(plan).lock_version,
                **{field: None},
            )  # fmt: skip
    before_consent = sip.to("invited", person=make_person("19700101", "123", "Nils", "Nilsson"))
    services.plan_update(
        **sip.as_alice,
        plan=before_consent,
        expected_version=before_consent.lock_version,
        lead=None,
    )
