"""Versions compared side by side: goals and interventions are matched by their stable uid."""

import copy

import pytest
from django.utils.functional import Promise

from samplan.plans import services
from samplan.plans.presenter import changes_in_words
from samplan.plans.snapshot import (
    GOAL_FIELDS,
    INTERVENTION_FIELDS,
    SCALARS,
    comparison,
    plan_snapshot,
    snapshot_diff,
)
from samplan.testing.cast import fresh

pytestmark = pytest.mark.usefixtures("messages_in_english")


def goal(uid, text, **extra):
    return {"uid": uid, "term": "Long-term", "text": text, "status": "In progress"} | extra


def intervention(uid, what, **extra):
    return {"uid": uid, "what": what, "organization": "Testby kommun", "unit": ""} | extra


def snapshot(goals=(), interventions=(), **scalars):
    return {"goals": list(goals), "interventions": list(interventions), **scalars}


def changes(rows):
    return {row["uid"]: row["change"] for row in rows}


def test_the_same_snapshot_has_no_changes():
    old = snapshot([goal("g1", "Bo kvar")], [intervention("i1", "Boendestöd")], lead="Alice")
    diff = snapshot_diff(old, copy.deepcopy(old))
    assert changes(diff["goals"]) == {"g1": "same"}
    assert changes(diff["interventions"]) == {"i1": "same"}
    assert {row["change"] for row in diff["scalars"]} == {"same"}


def test_a_goal_with_a_new_uid_is_added():
    diff = snapshot_diff(
        snapshot([goal("g1", "Bo kvar")]), snapshot([goal("g1", "Bo kvar"), goal("g2", "Arbeta")])
    )
    assert changes(diff["goals"]) == {"g1": "same", "g2": "added"}
    added = diff["goals"][1]
    assert (added["old"], added["new"]["text"], added["changed_fields"]) == (None, "Arbeta", [])


def test_a_goal_whose_uid_is_gone_is_removed():
    diff = snapshot_diff(
        snapshot([goal("g1", "Bo kvar"), goal("g2", "Arbeta")]), snapshot([goal("g2", "Arbeta")])
    )
    assert changes(diff["goals"]) == {"g1": "removed", "g2": "same"}
    assert diff["goals"][0]["new"] is None


def test_a_goal_with_the_same_uid_and_new_words_is_changed_not_replaced():
    diff = snapshot_diff(
        snapshot([goal("g1", "Bo kvar")]),
        snapshot([goal("g1", "Bo kvar med stöd", status="Achieved")]),
    )
    (row,) = diff["goals"]
    assert row["change"] == "changed" and row["changed_fields"] == ["text", "status"]


def test_the_same_words_under_a_new_uid_are_a_removal_and_an_addition():
    diff = snapshot_diff(snapshot([goal("g1", "Bo kvar")]), snapshot([goal("g2", "Bo kvar")]))
    assert changes(diff["goals"]) == {"g1": "removed", "g2": "added"}


def test_interventions_are_compared_by_uid_field_by_field():
    old = snapshot(
        interventions=[intervention("i1", "Boendestöd"), intervention("i2", "Läkarbesök")]
    )
    new = snapshot(
        interventions=[
            intervention("i2", "Läkarbesök", frequency="Varje månad"),
            intervention("i3", "Utredning av sjukpenning", organization="Försäkringskassan"),
        ]
    )
    diff = snapshot_diff(old, new)
    assert [(r["uid"], r["change"]) for r in diff["interventions"]] == [
        ("i1", "removed"),
        ("i2", "changed"),
        ("i3", "added"),
    ]
    assert diff["interventions"][1]["changed_fields"] == ["frequency"]


def test_the_plan_wide_fields_are_compared_one_by_one():
    old = snapshot(lead="Alice", next_follow_up="2027-01-01", own_words="Bo kvar")
    new = snapshot(lead="Bob", next_follow_up="2027-01-01", own_words="Bo kvar")
    rows = {row["label"]: row for row in snapshot_diff(old, new)["scalars"]}
    assert (rows["Lead"]["old"], rows["Lead"]["new"], rows["Lead"]["change"]) == (
        "Alice",
        "Bob",
        "changed",
    )
    assert rows["Next follow-up"]["change"] == "same"


def test_a_snapshot_keys_goals_and_interventions_by_uid(sip):
    plan = sip.to("invited")
    sip.fill(plan)
    main = plan.goals.get()
    sub = services.goal_save(**sip.as_alice, plan=plan, term="short", text="Handla", parent=main)
    care = plan.interventions.first()
    care.goals.set([main, sub])
    data = plan_snapshot(fresh(plan))
    assert [(g["uid"], g["parent"]) for g in data["goals"]] == [
        (str(main.uid), None),
        (str(sub.uid), str(main.uid)),
    ]
    assert data["interventions"][0]["uid"] == str(care.uid)
    assert data["interventions"][0]["goals"] == sorted([str(main.uid), str(sub.uid)])


def test_a_revision_compared_with_the_established_version(sip, region):
    plan = sip.to("active")
    kept, dropped = plan.goals.get(), plan.interventions.get(organization=region)
    # The replacement first: an established plan never lacks the region's part.
    services.intervention_save(
        **sip.as_alice, plan=plan, what="Psykiatrisk bedömning", organization=region
    )
    services.intervention_remove(**sip.as_alice, plan=plan, intervention=dropped)
    services.goal_save(
        **sip.as_alice,
        plan=plan,
        goal=kept,
        expected_version=kept.lock_version,
        term="long",
        text="Bo kvar hemma med stöd",
    )
    services.plan_revise(**sip.as_alice, plan=plan)
    first, second = (v.snapshot for v in plan.versions.order_by("number"))
    diff = snapshot_diff(first, second)
    assert changes(diff["goals"]) == {str(kept.uid): "changed"}
    assert sorted(changes(diff["interventions"]).values()) == ["added", "removed", "same", "same"]
    assert changes(diff["interventions"])[str(dropped.uid)] == "removed"


def shown(row) -> list[tuple[str, str, str]]:
    return [(str(f["label"]), f["old"], f["new"]) for f in row["fields"]]


def test_a_change_of_only_the_frequency_shows_the_old_and_the_new_frequency():
    old = snapshot(interventions=[intervention("i1", "Boendestöd", frequency="Varje vecka")])
    new = snapshot(interventions=[intervention("i1", "Boendestöd", frequency="Två dagar")])
    (row,) = comparison(old, new)["interventions"]
    assert (row["change"], row["title"]) == ("changed", "Boendestöd")
    assert shown(row) == [("How often", "Varje vecka", "Två dagar")]
    assert changes_in_words(old, new) == [
        "The intervention Boendestöd changes: how often now “Två dagar” (before: “Varje vecka”)."
    ]


def test_a_change_of_only_the_responsible_person_shows_the_old_and_the_new_person():
    old = snapshot(interventions=[intervention("i1", "Boendestöd", responsible_person="Lars")])
    new = snapshot(interventions=[intervention("i1", "Boendestöd", responsible_person="Fatima")])
    (row,) = comparison(old, new)["interventions"]
    assert shown(row) == [("Responsible person", "Lars", "Fatima")]


def test_dates_links_and_topics_are_shown_in_words():
    goals = [goal("g1", "Bo kvar"), goal("g2", "Arbeta")]
    old = snapshot(
        goals,
        [intervention("i1", "Boendestöd", start="2027-01-04", goals=["g1"]),
         intervention("i2", "Praktik")],
        next_follow_up="2027-03-01",
    )  # fmt: skip
    new = snapshot(
        goals,
        [intervention("i1", "Boendestöd", start="2027-02-01", goals=["g1", "g2"],
                      topic="housing", after="i2"),
         intervention("i2", "Praktik")],
        next_follow_up="2027-03-08",
    )  # fmt: skip
    diff = comparison(old, new)
    assert shown(diff["interventions"][0]) == [
        ("Start", "4 January 2027", "1 February 2027"),
        ("Comes after", "", "Praktik"),
        ("Serves the goals", "“Bo kvar”", "“Bo kvar”, “Arbeta”"),
        ("Topic", "", "Housing"),
    ]
    follow_up = next(row for row in diff["scalars"] if row["key"] == "next_follow_up")
    assert (follow_up["old"], follow_up["new"]) == ("1 March 2027", "8 March 2027")


def test_an_added_item_shows_what_it_says_and_an_unchanged_one_nothing():
    old = snapshot(interventions=[intervention("i1", "Boendestöd")])
    new = snapshot(
        interventions=[
            intervention("i1", "Boendestöd"),
            intervention("i2", "Praktik", frequency=""),
        ]
    )
    same, added = comparison(old, new)["interventions"]
    assert (same["change"], same["fields"]) == ("same", [])
    assert shown(added) == [("Organisation", "", "Testby kommun")]


def test_a_snapshot_older_than_a_field_does_not_count_as_a_change():
    old = snapshot([goal("g1", "Bo kvar")], [intervention("i1", "Boendestöd")])
    new = snapshot(
        [goal("g1", "Bo kvar", topic="", parent=None)],
        [intervention("i1", "Boendestöd", topic="", goals=[], after=None)],
    )
    diff = comparison(old, new)
    assert changes(diff["goals"]) == {"g1": "same"}
    assert changes(diff["interventions"]) == {"i1": "same"}


def test_the_labels_are_translated_when_shown_not_when_the_module_is_imported():
    # A label translated at import time stays in the language active then (Swedish, or none).
    assert all(isinstance(label, Promise) for _key, label in SCALARS)
    assert all(isinstance(label, Promise) for _key, label in GOAL_FIELDS + INTERVENTION_FIELDS)
