"""Consent that is enforced: what the individual keeps from a unit, that unit never sees.

"Ekonomin ska inte diskuteras med Försäkringskassan": the consent keeps the topic economy from
Försäkringskassan's office, which then sees no goal or intervention about economy on any page,
in the versions, the history or the PDF copy, and cannot write one. A unit may also be limited
to the shared goals and its own interventions. Everyone else still sees the whole plan.
"""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from samplan.plans import access, services
from samplan.plans.models import ConsentLimit, Intervention
from samplan.plans.rules import RuleViolation
from samplan.testing.cast import fresh, in_days, login, staff

DEBT_ADVICE = "Skuldrådgivning hos kommunens budget- och skuldrådgivare"
DEBT_GOAL = "Jag vill bli skuldfri"
ECONOMY = [ConsentLimit.Reach.WHOLE, ["economy"]]


def limited_plan(sip, *, reach="whole", topics=("economy",), unit=None):
    """An established plan whose consent keeps `topics` from Försäkringskassan's office (or
    `unit`) and, with reach "shared", limits it to the shared goals and its own interventions."""
    plan = sip.initiate()
    sip.consent(plan, limits=[(unit or sip.social_insurance, reach, list(topics))])
    sip.invite(plan)
    sip.fill(plan)
    goal = services.goal_save(
        **sip.as_alice, plan=fresh(plan), term="long", text=DEBT_GOAL, topic="economy"
    )
    services.intervention_save(
        **sip.as_alice,
        plan=fresh(plan),
        what=DEBT_ADVICE,
        topic="economy",
        organization=sip.municipality,
        responsible_unit=sip.needs_assessment,
        goals=[goal],
    )
    sip.establish(plan)
    return fresh(plan)


def as_frida(sip):
    return staff(sip.frida, sip.social_insurance)


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)  # cells wrap


# --- Services ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_unit_kept_from_a_topic_sees_no_goal_or_intervention_about_it(sip):
    plan = limited_plan(sip)
    frida, alice = as_frida(sip), staff(sip.alice, sip.needs_assessment)
    assert DEBT_ADVICE not in {i.what for i in access.interventions_seen(frida, plan)}
    assert DEBT_GOAL not in {g.text for g in access.goals_seen(frida, plan)}
    assert "Utredning av sjukpenning" in {i.what for i in access.interventions_seen(frida, plan)}
    assert DEBT_ADVICE in {i.what for i in access.interventions_seen(alice, plan)}
    assert DEBT_GOAL in {g.text for g in access.goals_seen(alice, plan)}


@pytest.mark.django_db
def test_a_unit_limited_to_the_shared_plan_sees_the_goals_and_only_its_own_interventions(sip):
    plan = limited_plan(sip, reach="shared", topics=())
    seen = {i.what for i in access.interventions_seen(as_frida(sip), plan)}
    assert seen == {"Utredning av sjukpenning"}
    assert DEBT_GOAL in {g.text for g in access.goals_seen(as_frida(sip), plan)}


@pytest.mark.django_db
def test_a_withdrawal_does_not_lift_the_limits(sip):
    plan = limited_plan(sip)
    services.consent_withdraw(
        **sip.as_alice, plan=fresh(plan), decided_on=in_days(0), mode="written"
    )
    assert DEBT_ADVICE not in {i.what for i in access.interventions_seen(as_frida(sip), plan)}


@pytest.mark.django_db
def test_the_limited_unit_cannot_write_about_the_topic_kept_from_it(sip, messages_in_english):
    plan = limited_plan(sip)
    with pytest.raises(RuleViolation) as refused:
        services.goal_save(
            actor=as_frida(sip),
            plan=fresh(plan),
            term="short",
            text="Betala hyran",
            topic="economy",
        )
    assert refused.value.field == "topic"


@pytest.mark.django_db
def test_a_unit_limited_to_its_own_interventions_cannot_write_another_units(
    sip, messages_in_english
):
    plan = limited_plan(sip, reach="shared", topics=())
    with pytest.raises(RuleViolation) as refused:
        services.intervention_save(
            actor=as_frida(sip),
            plan=fresh(plan),
            what="Hemtjänst",
            organization=sip.municipality,
            responsible_unit=sip.needs_assessment,
        )
    assert refused.value.field == "responsible_unit"


@pytest.mark.django_db
def test_no_unit_is_made_responsible_for_a_topic_kept_from_it(sip, messages_in_english):
    plan = limited_plan(sip)
    with pytest.raises(RuleViolation) as refused:
        services.intervention_save(
            **sip.as_alice,
            plan=fresh(plan),
            what="Ansökan om bostadsbidrag",
            topic="economy",
            organization=sip.agency,
            responsible_unit=sip.social_insurance,
        )
    assert refused.value.field == "topic"


@pytest.mark.django_db
def test_a_limit_that_clashes_with_an_intervention_of_the_unit_is_refused(sip, messages_in_english):
    plan = sip.to("active")
    services.intervention_save(
        **sip.as_alice,
        plan=fresh(plan),
        what="Aktivitetsstöd",
        topic="economy",
        organization=sip.agency,
        responsible_unit=sip.social_insurance,
    )
    with pytest.raises(RuleViolation):
        sip.consent(fresh(plan), limits=[(sip.social_insurance, "whole", ["economy"])])
    assert not ConsentLimit.objects.exists()


@pytest.mark.django_db
def test_saving_an_intervention_keeps_the_links_the_limited_unit_cannot_see(sip):
    plan = limited_plan(sip)
    debt = Intervention.objects.get(plan=plan, what=DEBT_ADVICE)
    own = Intervention.objects.get(plan=plan, what="Utredning av sjukpenning")
    services.intervention_save(
        actor=staff(sip.alice, sip.needs_assessment),
        plan=fresh(plan),
        intervention=own,
        expected_version=own.lock_version,
        what=own.what,
        organization=sip.agency,
        responsible_unit=sip.social_insurance,
        depends_on=debt,
        goals=list(plan.goals.all()),
    )
    own.refresh_from_db()
    services.intervention_save(
        actor=as_frida(sip),
        plan=fresh(plan),
        intervention=own,
        expected_version=own.lock_version,
        what="Utredning av sjukpenning, beslut i mars",
        organization=sip.agency,
        responsible_unit=sip.social_insurance,
        goals=[],
    )
    own.refresh_from_db()
    assert own.depends_on == debt
    assert DEBT_GOAL in {g.text for g in own.goals.all()}


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_limited_unit_reads_the_plan_without_the_topic(client, sip):
    plan = limited_plan(sip)
    html = login(client, sip.frida).get(reverse("plans:content", args=[plan.pk])).content.decode()
    assert DEBT_ADVICE not in html and DEBT_GOAL not in html
    assert "Utredning av sjukpenning" in html
    html = login(Client(), sip.alice).get(reverse("plans:content", args=[plan.pk])).content.decode()
    assert DEBT_ADVICE in html and DEBT_GOAL in html
    assert "Ekonomi" in html  # the topic shows beside the item
    assert "Lokalkontoret" in html  # and whom the consent keeps it from


@pytest.mark.django_db
def test_the_limited_unit_cannot_open_a_hidden_item(client, sip):
    plan = limited_plan(sip, unit=sip.primary_care)  # a unit that writes in the plan
    debt = Intervention.objects.get(plan=plan, what=DEBT_ADVICE)
    goal = plan.goals.get(text=DEBT_GOAL)
    login(client, sip.bob)
    assert client.get(reverse("plans:content", args=[plan.pk])).status_code == 200
    # A hidden item answers as one that is not in the plan: the same page, nothing of it shown.
    for name, item in (("plans:intervention_edit", debt), ("plans:goal_edit", goal)):
        response = client.get(reverse(name, args=[plan.pk, item.pk]), follow=True)
        page = response.content.decode()
        assert response.redirect_chain[-1][0] == reverse("plans:content", args=[plan.pk])
        assert "finns inte längre i planen" in page
        assert DEBT_ADVICE not in page and DEBT_GOAL not in page
    alice = login(Client(), sip.alice)
    assert alice.get(reverse("plans:intervention_edit", args=[plan.pk, debt.pk])).status_code == 200


@pytest.mark.django_db
def test_versions_history_and_copy_keep_the_topic_from_the_limited_unit(client, sip):
    plan = limited_plan(sip)
    version = plan.versions.order_by("-number").first()
    login(client, sip.frida)
    pages = [
        reverse("plans:versions", args=[plan.pk]),
        reverse("plans:version", args=[plan.pk, version.number]),
        reverse("plans:history", args=[plan.pk]),
        reverse("plans:overview", args=[plan.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert DEBT_ADVICE not in html and DEBT_GOAL not in html, url
    text = pdf_text(client.get(reverse("plans:pdf", args=[plan.pk])))
    assert "Skuldrådgivning" not in text and "skuldfri" not in text
    assert "Utredning av sjukpenning" in text
    alice = login(Client(), sip.alice)
    history = alice.get(reverse("plans:history", args=[plan.pk])).content.decode()
    assert DEBT_ADVICE in history
    text = pdf_text(alice.get(reverse("plans:pdf", args=[plan.pk])))
    assert "Skuldrådgivning" in text


@pytest.mark.django_db
def test_the_limited_unit_is_told_its_topic_is_refused_next_to_the_field(client, sip):
    plan = limited_plan(sip, unit=sip.primary_care)
    response = login(client, sip.bob).post(
        reverse("plans:content", args=[plan.pk]),
        {
            "form": "goal",
            "goal-lock_version": 0,
            "goal-term": "short",
            "goal-text": "Betala hyran",
            "goal-topic": "economy",
            "goal-status": "open",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_goal-topic_error"' in html
    assert "inte ta del av" in html.split('id="id_goal-topic_error"')[1][:300]
    select = html.split('name="goal-topic"')[1].split(">")[0]
    assert "id_goal-topic_error" in select  # aria-describedby ties the message to the field
    assert not fresh(plan).goals.filter(text="Betala hyran").exists()


@pytest.mark.django_db
def test_the_consent_form_records_a_limit_and_shows_it(client, sip):
    plan = sip.initiate()
    login(client, sip.alice)
    response = client.post(
        reverse("plans:consent", args=[plan.pk]),
        {
            "decision": "given",
            "mode": "written",
            "given_by": "individual",
            "decided_on": in_days(0).isoformat(),
            "units": [u.pk for u in sip.scope],
            "exclusions": "Ekonomin ska inte diskuteras med Försäkringskassan",
            "limit_unit_0": sip.social_insurance.pk,
            "limit_reach_0": "whole",
            "limit_topics_0": ["economy"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    limit = ConsentLimit.objects.get(consent__plan=plan)
    assert (limit.unit, limit.reach, limit.topics) == (sip.social_insurance, "whole", ["economy"])
    html = client.get(reverse("plans:consent", args=[plan.pk])).content.decode()
    assert "Ekonomi" in html and "Lokalkontoret" in html


@pytest.mark.parametrize(
    "row, field, message",
    [
        ({"limit_reach_0": "shared"}, "limit_unit_0", "Välj vilken enhet"),
        (
            {"limit_unit_0": "other", "limit_topics_0": ["economy"]},
            "limit_unit_0",
            "Kryssa i enheten",
        ),
        ({"limit_unit_0": "insurance", "limit_reach_0": "whole"}, "limit_topics_0", "Välj vad"),
    ],
)
@pytest.mark.django_db
def test_a_limit_that_makes_no_sense_is_refused_next_to_its_field(
    client, sip, social_psychiatry, row, field, message
):
    plan = sip.initiate()
    units = {"insurance": sip.social_insurance.pk, "other": social_psychiatry.pk}
    row = {k: units.get(v, v) if isinstance(v, str) else v for k, v in row.items()}
    login(client, sip.alice)
    response = client.post(
        reverse("plans:consent", args=[plan.pk]),
        {
            "decision": "given",
            "mode": "written",
            "given_by": "individual",
            "decided_on": in_days(0).isoformat(),
            "units": [u.pk for u in sip.scope],
            **row,
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html
    error = html.split(f'id="id_{field}_error"')[1][:400]
    assert message in error
    assert not plan.consents.exists()
