"""A plan that no longer accepts a form does not offer it, and a form posted to it anyway
gets a Swedish page that says why and gives back what was typed."""

import re

import pytest

from samplan.plans import services
from samplan.plans.models import Goal, Plan, PlanVersion
from samplan.testing.cast import fresh, in_days, login

CLOSED_FORMS = ["uppfoljning", "avsluta", "forberedelse", "faststall"]


@pytest.mark.parametrize("page", CLOSED_FORMS)
def test_a_closed_plan_shows_no_form_to_fill_in(client, alice, sip, page):
    plan = sip.to("closed")
    login(client, alice)
    overview = client.get(f"/sip/{plan.pk}/").content.decode()
    assert f"/sip/{plan.pk}/{page}/" not in overview
    response = client.get(f"/sip/{plan.pk}/{page}/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Det går inte längre" in html
    assert "avslutades" in html
    assert 'method="post" class="card form"' not in html


def test_a_follow_up_posted_after_the_plan_closed_keeps_the_text(client, alice, sip):
    plan = sip.to("follow_up")
    login(client, alice)
    assert "<form" in client.get(f"/sip/{plan.pk}/uppfoljning/").content.decode()
    services.plan_close(
        **sip.as_alice, plan=plan, reason="not_needed"
    )  # someone else closes it while the follow-up is being written
    response = client.post(
        f"/sip/{plan.pk}/uppfoljning/",
        {"how_it_went": "Bättre med boendestödet", "lock_version": "3", "coordination_needed": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="sv">' in html and "Det gick inte att spara" in html
    assert "avslutades" in html and "Bättre med boendestödet" in html
    typed = html.split("<textarea")[1].split("</textarea>")[0]
    assert typed.endswith(">Bättre med boendestödet")  # no machine values such as "3" or "1"


def test_a_post_by_someone_who_may_not_read_the_plan_stays_refused(client, sip, olle):
    plan = sip.to("closed")
    login(client, olle)
    response = client.post(f"/sip/{plan.pk}/uppfoljning/", {"how_it_went": "x"})
    assert response.status_code in (403, 404)
    assert "x" not in response.content.decode().split("<main")[-1].split("</h1>")[-1][:200]


def test_editing_a_goal_someone_removed_says_so_and_keeps_the_text(client, alice, sip):
    plan = sip.to("consented")
    goal = sip.goal(plan, "Bo kvar hemma")
    login(client, alice)
    Goal.objects.filter(pk=goal.pk).delete()
    response = client.get(f"/sip/{plan.pk}/mal/{goal.pk}/", follow=True)
    assert "Målet finns inte längre i planen" in response.content.decode()
    response = client.post(f"/sip/{plan.pk}/mal/{goal.pk}/", {"text": "Bo kvar i Åsby"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Målet finns inte längre i planen" in html and "Bo kvar i Åsby" in html
    assert fresh(plan).state == Plan.State.CONSENTED


def test_a_second_follow_up_written_on_the_same_version_is_refused_as_stale(client, alice, sip):
    plan = sip.to("follow_up")
    login(client, alice)
    page = client.get(f"/sip/{plan.pk}/uppfoljning/").content.decode()
    basis = re.search(r'name="basis" value="([^"]+)"', page).group(1)
    answers = {
        "how_it_went": "Bättre",
        "helped_hindered": "Fast kontakt",
        "coordination_needed": "yes",
        "continue_interventions": "Ja",
        "decision": "continue",
        "next_follow_up": in_days(90).isoformat(),
        "basis": basis,
    }
    first = client.post(f"/sip/{plan.pk}/uppfoljning/", answers)
    assert first.status_code == 302
    versions = PlanVersion.objects.filter(plan=plan).count()
    # A colleague in another tab sends the follow-up written on the same version.
    second = client.post(
        f"/sip/{plan.pk}/uppfoljning/", answers | {"how_it_went": "Sämre", "decision": "revise"}
    )
    html = second.content.decode()
    assert second.status_code == 400
    assert "medan du skrev din" in html and "Sämre" in html
    assert PlanVersion.objects.filter(plan=plan).count() == versions
    assert fresh(plan).follow_ups.count() == 1
    # Sent again after reading, it is meant and goes in.
    again = re.search(r'name="basis" value="([^"]+)"', html).group(1)
    third = client.post(
        f"/sip/{plan.pk}/uppfoljning/", answers | {"basis": again, "decision": "continue"}
    )
    assert third.status_code == 302 and fresh(plan).follow_ups.count() == 2
