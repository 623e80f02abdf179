"""The demo's generated history: two years of SIPs behind the stories, for the statistics."""

import datetime
import hashlib

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samplan.accounts.middleware import ACTING_UNIT_SESSION_KEY
from samplan.accounts.models import Membership, User
from samplan.demo.history import PLANS, SEED, History, history_plans, load_demo_history
from samplan.demo.timeline import Clock
from samplan.demo.world import DEMO_PASSWORD
from samplan.plans.models import Plan
from samplan.statistics.indicators import HIDDEN
from samplan.statistics.models import PlanFact
from samplan.testing.cast import citizen_client


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet_logins=True)


def _checksum(rows) -> str:
    lines = sorted(
        f"{row['id']}|{row['initiated_at'].isoformat()}|{row['state']}|{row['closed_at']}"
        for row in rows
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_the_demo_has_two_years_of_sips_with_their_statistics(demo):
    assert Plan.objects.count() >= 300
    first = Plan.objects.order_by("initiated_at").first().initiated_at
    assert timezone.now() - first >= datetime.timedelta(days=18 * 30)
    # Every plan has its facts; most of the older generated ones are closed, some still open.
    assert PlanFact.objects.count() == Plan.objects.count()
    states = set(history_plans().values_list("state", flat=True))
    assert {"closed", "active", "follow_up", "consent_refused"} <= states
    reasons = set(history_plans().values_list("closing_reason", flat=True))
    assert len(reasons - {""}) >= 5


def _staff(user: User, unit_id: int) -> Client:
    client = Client()
    response = client.post(
        "/konto/logga-in/", {"username": user.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    session = client.session
    session[ACTING_UNIT_SESSION_KEY] = unit_id
    session.save()
    return client


def test_the_unit_manager_sees_sips_started_in_most_months_without_suppression(demo):
    sara = User.objects.get(username="sara.holm")
    client = _staff(sara, sara.memberships.get().unit_id)
    response = client.get(reverse("statistics:index"))
    assert response.status_code == 200
    by_month = response.context["result"].table("by_month")
    started = [cells[0] for _month, cells in by_month.rows]
    assert len(started) == 12
    shown = [n for n in started if n != HIDDEN and n >= 5]
    assert len(shown) >= 9, started


def test_the_generated_sips_open_for_staff_who_take_part_and_in_min_sip(demo):
    for state in ("closed", "active", "follow_up", "invited", "consent_refused"):
        plan = history_plans().filter(state=state).order_by("initiated_at", "pk").last()
        assert plan is not None, state
        participant = plan.participants.filter(is_active=True).order_by("pk").first()
        member = Membership.objects.filter(unit=participant.unit, is_active=True).first()
        if member is None:
            member = Membership.objects.get(unit=plan.initiating_unit, user=plan.initiated_by)
        staff = _staff(member.user, member.unit_id)
        response = staff.get(reverse("plans:overview", args=[plan.pk]), follow=True)
        assert response.status_code == 200, (state, response.redirect_chain)
        citizen = citizen_client(plan.person)
        assert citizen.get(reverse("citizen:home")).status_code == 200
        assert citizen.get(reverse("citizen:plan", args=[plan.pk])).status_code == 200


def test_the_history_is_the_same_at_every_load_and_is_written_once(demo):
    clock = Clock()
    runs = []
    for _run in range(2):
        history = History(clock, SEED)
        history.generate(PLANS)
        runs.append(_checksum(history.rows[Plan]))
    assert runs[0] == runs[1]
    count = Plan.objects.count()
    assert load_demo_history(clock) == 0
    assert Plan.objects.count() == count
