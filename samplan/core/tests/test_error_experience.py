"""One error experience: a failed submit says so in the title, focuses the summary, and every
summary link reaches its field, radio and checkbox groups included."""

import re

from django.test import Client

from samplan.testing.cast import login


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def test_a_failed_submit_starts_the_title_with_fel_and_focuses_the_summary(client, alice, sip):
    plan = sip.to("consented")
    login(client, alice)
    response = client.post(f"/sip/{plan.pk}/plan/", {"form": "goal", "goal-text": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"<title>Fel: ", html)
    assert re.search(r'class="error-summary" role="alert" tabindex="-1" autofocus', html)
    links = re.findall(r'<div class="error-summary".*?</div>', html, re.S)[0]
    targets = re.findall(r'href="#([^"]+)"', links)
    assert "id_goal-term" in targets  # a radio group
    assert set(targets) <= ids_in(html), set(targets) - ids_in(html)


def test_a_page_shown_without_errors_keeps_its_title(client, alice, sip):
    plan = sip.to("consented")
    login(client, alice)
    html = client.get(f"/sip/{plan.pk}/plan/").content.decode()
    assert "<title>Fel:" not in html and 'class="error-summary"' not in html


def test_the_staff_login_with_empty_fields_shows_the_summary():
    response = Client().post("/konto/logga-in/", {"username": "", "password": ""})
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "<title>Fel: " in html


def test_a_field_needed_only_sometimes_says_when_instead_of_optional(client, alice, sip):
    plan = sip.to("active")
    login(client, alice)
    html = client.get(f"/sip/{plan.pk}/uppfoljning/").content.decode()
    label = re.search(
        r'<label class="field__label" for="id_next_follow_up">(.*?)</label>', html, re.S
    )
    assert label and "behövs om SIP:en inte avslutas" in label.group(1)
    assert "frivilligt" not in label.group(1)


def test_no_select_offers_dashes_as_its_empty_choice(client, alice, sip):
    """An empty choice read aloud as "dash dash dash" helps nobody: it says "Välj …"."""
    plan = sip.to("active")
    login(client, alice)
    for page in ("plan/", "narstaende/", "uppfoljning/", "moten/", "samtycke/", "forberedelse/"):
        response = client.get(f"/sip/{plan.pk}/{page}")
        html = response.content.decode()
        assert response.status_code == 200, page
        assert "---------" not in html, page
    assert "Välj …" in client.get(f"/sip/{plan.pk}/plan/").content.decode()


def test_every_tab_of_a_plan_has_its_own_title(client, alice, sip):
    plan = sip.to("active")
    login(client, alice)
    titles = set()
    for tab in ["", "plan/", "moten/", "samtycke/", "narstaende/", "versioner/", "historik/"]:
        html = client.get(f"/sip/{plan.pk}/{tab}").content.decode()
        titles.add(re.search(r"<title>(.*?)</title>", html).group(1))
    assert len(titles) == 7 and all(plan.person.full_name in t for t in titles), titles


def test_each_contact_person_control_names_its_unit(client, alice, sip):
    plan = sip.to("active")
    login(client, alice)
    html = client.get(f"/sip/{plan.pk}/").content.decode()
    labels = re.findall(r'<label class="visually-hidden" for="cp-\d+">(.*?)</label>', html)
    buttons = re.findall(r'aria-label="(Välj kontaktperson på [^"]+)"', html)
    assert len(labels) >= 2 and len(set(labels)) == len(labels)
    assert len(set(buttons)) == len(buttons) == len(labels)


def test_a_too_long_text_says_how_long_it_is_in_plain_swedish(client, alice):
    login(client, alice)
    response = client.post("/individer/registrera/", {"given_name": "x" * 1001})
    html = response.content.decode()
    assert "tecken lång (nu 1001)" in html and "den har" not in html


def test_quotations_use_swedish_marks(client, alice, sip):
    plan = sip.to("active")
    login(client, alice)
    html = client.get(f"/sip/{plan.pk}/plan/").content.decode()
    assert "\u201d" in html and "\u201c" not in html
