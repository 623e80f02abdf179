"""The evaluation after a follow-up, in Debian's Chromium, in Swedish (done-when test).

Erik Andersson's SIP is followed up by his lead, Anna Lind. Erik finds the evaluation on his
Min SIP start page, switches to easy-read, leaves a question out (the error is shown at it),
answers by keyboard and mouse and sends. Anna cannot see his answer anywhere on the SIP's pages
and has no results page; Sara Holm, the unit manager, sees no figures with one answer, and the
figures (never the free text) once five have answered.
"""

import pytest
from playwright.sync_api import Page, expect

from samplan.accounts.models import Membership, Unit
from samplan.evaluation.models import EvaluationAnswer, EvaluationRequest
from samplan.plans import services
from samplan.plans.models import Plan
from samplan.policy import Staff
from samplan.testing.axe import scan
from samplan.testing.browser import citizen_log_in, staff_log_in
from samplan.testing.cast import fresh, in_days

pytestmark = pytest.mark.browser

SECRET = "Sömnen är bättre nu, tack vare Camilla"
EASY_READ_QUESTIONS = [
    "Jag fick säga det som är viktigt för mig.",
    "Jag vet vem som gör vad.",
    "Jag vet vem som ansvarar för allt tillsammans.",
    "Jag vet när vi ska träffas igen och prata om planen.",
    "Jag fick vara med och bestämma vilka som var med.",
    "Min SIP hjälper mig.",
]


def follow_up(plan: Plan) -> None:
    unit = Unit.objects.get(name="Biståndshandläggning Åsby")
    lead = Membership.objects.get(user__username="anna.lind", unit=unit)
    services.followup_record(
        actor=Staff(user=lead.user, unit=unit, role=lead.role),
        plan=fresh(plan),
        how_it_went="Bättre",
        helped_hindered="Boendestödet",
        coordination_needed=True,
        continue_interventions="Ja",
        decision="continue",
        next_follow_up=in_days(90),
    )


def test_the_individual_evaluates_after_a_follow_up_and_only_figures_of_five_are_shown(
    demo_world, page: Page
):
    # The demo history's answers aside: this test counts Erik's answer from none.
    EvaluationAnswer.objects.all().delete()
    plan = Plan.objects.get(person__given_name="Erik", person__family_name="Andersson")
    follow_up(plan)
    request = EvaluationRequest.objects.get(
        plan=plan, occasion="follow_up", person=plan.person, state="open"
    )

    # Erik finds the evaluation on his start page and switches to easy-read
    page.set_viewport_size({"width": 360, "height": 800})
    citizen_log_in(page, "Erik Andersson")
    card = page.locator(".evaluation-card")
    expect(card).to_be_visible()
    scan(page)
    card.locator(f"a[href='/min-sip/utvardering/{request.pk}/']").click()
    expect(
        page.get_by_role("heading", name="Samplans utvärdering av SIP, version 1")
    ).to_be_visible()
    scan(page)
    page.get_by_role("link", name="På lätt svenska").click()
    expect(page.get_by_role("heading", name="Vad tycker du om din SIP?")).to_be_visible()

    # He leaves the last question out: the error is at it
    for question in EASY_READ_QUESTIONS[:-1]:
        page.get_by_role("group", name=question).get_by_label("Ja, oftast").check()
    page.get_by_label("Vill du säga något mer?").fill(SECRET)
    page.locator("form.evaluation__form button[type=submit]").click()
    expect(page.locator("#id_sip_helps_error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    scan(page)
    assert not EvaluationAnswer.objects.exists()

    # By keyboard: the first answer of the group, then on to "Ja, helt" with the arrow keys
    page.get_by_role("group", name=EASY_READ_QUESTIONS[-1]).get_by_label("Nej, inte alls").focus()
    page.keyboard.press("Space")
    for _step in range(4):
        page.keyboard.press("ArrowDown")
    expect(
        page.get_by_role("group", name=EASY_READ_QUESTIONS[-1]).get_by_label("Ja, helt")
    ).to_be_checked()
    page.locator("form.evaluation__form button[type=submit]").click()
    expect(page.locator(".notice--ok")).to_be_visible()
    scan(page)
    answer = EvaluationAnswer.objects.get()
    assert answer.answers["sip_helps"] == "5" and answer.category == "individual"
    request.refresh_from_db()
    assert request.state == "answered"

    # The staff of the plan cannot see his answer anywhere, nor any results page
    staff_log_in(page, "anna.lind", "Biståndshandläggning Åsby")
    for path in ("", "plan/", "moten/", "versioner/", "historik/"):
        page.goto(page.base_url + f"/sip/{plan.pk}/{path}")
        expect(page.locator("main")).not_to_contain_text(SECRET)
        expect(page.locator("main")).not_to_contain_text("Ja, helt")
    page.goto(page.base_url + "/inkorg/")
    expect(page.locator("main")).not_to_contain_text(SECRET)
    response = page.goto(page.base_url + "/utvardering/resultat/")
    assert response.status in {403, 404}

    # The unit manager sees nothing with one answer
    staff_log_in(page, "sara.holm")
    page.goto(page.base_url + "/utvardering/resultat/")
    expect(page.locator("main .notice")).to_be_visible()
    expect(page.locator("main caption")).to_have_count(0)
    scan(page)

    # Four more answer: now the figures are shown, never the free text
    unit = Unit.objects.get(name="Biståndshandläggning Åsby")
    for _n in range(4):
        more = EvaluationAnswer.objects.create(
            version=answer.version,
            occasion="follow_up",
            category="staff",
            month=answer.month,
            answers={"sip_helps": "4"},
        )
        more.units.set([unit])
    page.reload()
    expect(page.locator("main caption").first).to_be_visible()
    helps = page.locator(
        "tr", has=page.get_by_role("rowheader", name="Sammantaget hjälper SIP:en mig.")
    )
    expect(helps.first.locator("td").first).to_have_text("5")
    expect(page.locator("main")).not_to_contain_text(SECRET)
    scan(page)
