from django.core.management import call_command

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.demo.history import history_people
from samplan.evaluation.models import EvaluationAnswer
from samplan.people import identity
from samplan.people.models import Person, Relation


def test_the_demo_world_is_realistic_and_loading_it_twice_changes_nothing(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet_logins=True)
    counted = (Organization, Unit, User, Membership, Person, Relation, EvaluationAnswer)
    first = [m.objects.count() for m in counted]
    call_command("load_demo", quiet_logins=True)
    second = [m.objects.count() for m in counted]
    assert first == second

    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert kinds == {"region", "municipality", "other"}
    assert Organization.objects.filter(kind="municipality").count() == 2
    assert 10 <= User.objects.count() <= 20
    # the stories' people, with the busy unit's caseload (samplan.demo.caseload); the history
    # behind them (samplan.demo.history) has its own
    assert 60 <= Person.objects.exclude(pk__in=history_people()).count() <= 100
    for org in Organization.objects.all():
        org.full_clean()
    for person in Person.objects.exclude(identity_kind="reservnummer"):
        parsed = identity.parse_identity_number(person.identity_number)
        assert (parsed.kind, parsed.birth_date) == (person.identity_kind, person.birth_date)
    assert Person.objects.filter(identity_kind="samordningsnummer").count() == 1
    assert Person.objects.filter(protected_identity=True).count() >= 2
    children = [p for p in Person.objects.all() if p.is_child()]
    assert children and all(child.guardians.exists() for child in children)
    assert User.objects.filter(memberships__role="unit_manager").exists()
    multi = [u for u in User.objects.all() if u.memberships.count() > 1]
    assert multi, "someone should work in several units, to show the unit switch"
    # The history's evaluation: every kind of respondent, enough for figures in the busy unit.
    assert set(EvaluationAnswer.objects.values_list("category", flat=True)) == {
        "individual",
        "guardian",
        "relative",
        "staff",
    }
    busy = Unit.objects.get(name="Biståndshandläggning Åsby")
    assert EvaluationAnswer.objects.filter(units=busy).count() >= 100
    assert {m.role for m in Membership.objects.all()} >= {"analyst", "joint_analyst"}


def test_the_demo_world_has_sips_in_every_state(db, settings):
    from samplan.plans.models import Plan

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet_logins=True)
    assert set(Plan.objects.values_list("state", flat=True)) == set(Plan.State.values)
    revised = Plan.objects.get(person__given_name="Ulla", state="revision")
    assert revised.versions.count() == 2
    assert Plan.objects.filter(closing_reason="consent_withdrawn").exists()
