"""The demo world is lived in: a year of SIPs whose history lies in the past and holds
together, a busy unit, varied plans, inboxes without stale invitations; and loading it again
adds nothing."""

import collections
import datetime

from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.demo.history import history_plans
from samplan.demo.notifications import meeting_of
from samplan.demo.world import DEMO_PASSWORD
from samplan.notifications.models import Notification
from samplan.people.models import Person, Relation
from samplan.plans import rules
from samplan.plans.access import plans_of_unit
from samplan.plans.models import (
    CitizenMessage,
    Consent,
    CopyGiven,
    FollowUp,
    Goal,
    Intervention,
    Invitee,
    JoinRequest,
    LocalAgreement,
    Meeting,
    Plan,
    PlanEvent,
    PlanVersion,
)

BUSY = "Biståndshandläggning Åsby"
COUNTED = [
    Organization, Unit, User, Membership, Person, Relation, Plan, PlanEvent, PlanVersion,
    Consent, Meeting, Invitee, Goal, Intervention, FollowUp, CopyGiven, CitizenMessage,
    JoinRequest, LocalAgreement, Notification,
]  # fmt: skip


def load(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", quiet_logins=True)


def test_loading_the_demo_world_again_adds_nothing_and_its_inboxes_work(db, client, settings):
    load(settings)
    first = {m.__name__: m.objects.count() for m in COUNTED}
    call_command("load_demo", quiet_logins=True)
    assert {m.__name__: m.objects.count() for m in COUNTED} == first
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"meeting_invitation", "plan_closed", "deadline_overdue", "approval_waiting"} <= kinds

    staff = User.objects.get(username="anna.lind")
    response = client.post(
        "/konto/logga-in/", {"username": staff.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    client.post("/konto/enhet/", {"unit": Unit.objects.get(name=BUSY).pk})
    page = client.get("/inkorg/").content.decode()
    assert "Markera som läst" in page  # today's reminders are new; the history's are read


def test_the_demo_world_is_lived_in(db, settings):
    load(settings)
    now, today = timezone.now(), timezone.localdate()

    # Nothing is dated in the future.
    stamps = [
        (PlanEvent, "at"), (PlanVersion, "created_at"), (PlanVersion, "approved_at"),
        (Notification, "created_at"), (Notification, "sent_at"), (Notification, "read_at"),
        (Consent, "recorded_at"), (FollowUp, "recorded_at"), (Meeting, "created_at"),
        (CopyGiven, "recorded_at"), (CitizenMessage, "created_at"), (Plan, "initiated_at"),
        (Plan, "closed_at"), (JoinRequest, "created_at"),
    ]  # fmt: skip
    for model, name in stamps:
        assert not model.objects.filter(**{f"{name}__gt": now}).exists(), (model, name)
    assert not Consent.objects.filter(decided_on__gt=today).exists()
    assert not CopyGiven.objects.filter(given_on__gt=today).exists()
    # ... and each plan's history runs in order: from its initiative, a meeting booked before
    # it starts and recorded as held only after it started, a consent not dated before the SIP.
    assert not PlanEvent.objects.filter(at__lt=F("plan__initiated_at")).exists()
    assert not Meeting.objects.filter(created_at__gte=F("starts_at")).exists()
    for event in PlanEvent.objects.filter(kind=PlanEvent.Kind.MEETING_HELD):
        assert event.at >= Meeting.objects.get(pk=event.after["meeting"]).starts_at
    assert not Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__gt=now).exists()
    assert not Meeting.objects.filter(status=Meeting.Status.SCHEDULED, starts_at__lt=now).exists()
    for plan in Plan.objects.exclude(consents=None).prefetch_related("consents"):
        started = timezone.localdate(plan.initiated_at)
        assert all(c.decided_on >= started for c in plan.consents.all()), plan
    spread = Plan.objects.filter(initiated_at__lt=now - datetime.timedelta(days=180))
    assert spread.count() >= 5  # a year of SIPs, not all made today

    # Inboxes hold no invitation to a meeting already held; the history's e-mails were sent.
    held = set(Meeting.objects.filter(status=Meeting.Status.HELD).values_list("pk", flat=True))
    invitations = Notification.objects.filter(
        channel="inbox", kind__in=["meeting_invitation", "meeting_changed"]
    ).values_list("dedupe_key", flat=True)
    assert invitations and not [key for key in invitations if meeting_of(key) in held]
    waiting = Notification.objects.filter(channel="email", status="pending")
    # Only today's reminders wait for the worker (the past's e-mails are sent).
    assert not waiting.exclude(kind__in=["deadline_due_soon", "deadline_overdue",
                                         "invitation_unanswered",
                                         "principal_not_answered"]).exists()  # fmt: skip

    # A busy unit: at least forty open plans, in every open state, some late, some due soon.
    busy = plans_of_unit(Unit.objects.get(name=BUSY)).exclude(state__in=rules.NOT_OPEN)
    assert busy.count() >= 40
    states = collections.Counter(busy.values_list("state", flat=True))
    assert set(states) == {"initiated", "consented", "invited", "active", "follow_up", "revision"}
    assert states["active"] >= 10
    assert busy.filter(rules.overdue_q(today)).count() >= 4
    assert busy.filter(rules.due_soon_q(today)).count() >= 4
    assert busy.filter(deadline_kind="consent").filter(rules.overdue_q(today)).exists()
    assert busy.filter(deadline_kind="follow_up").filter(rules.overdue_q(today)).exists()

    # Follow-ups with the individual's answers, and revisions approved in several ways.
    assert FollowUp.objects.count() >= 15
    assert not FollowUp.objects.filter(Q(how_it_went="") | Q(helped_hindered="")).exists()
    methods = set(PlanVersion.objects.values_list("approval_method", flat=True))
    assert {"meeting_oral", "meeting_written", "phone", "digital"} <= methods
    assert PlanVersion.objects.filter(approval="pending").count() >= 4

    # Varied plans: each individual's own words, goals that are not the same everywhere (in
    # the stories; the generated history behind them draws on a few common goals).
    stories = Plan.objects.exclude(pk__in=history_plans().values("pk"))
    own_words = [w for w in stories.values_list("own_words", flat=True) if w]
    assert len(own_words) >= 40 and len(set(own_words)) == len(own_words)
    goals = collections.Counter(
        Goal.objects.filter(plan__in=stories).values_list("text", flat=True)
    )
    assert len(goals) >= 60 and max(goals.values()) <= 4, goals.most_common(3)
    interventions = collections.Counter(Intervention.objects.values_list("what", flat=True))
    assert len(interventions) >= 40 and max(interventions.values()) <= 6
    self_actions = {a for a in Plan.objects.values_list("self_actions", flat=True) if a}
    assert len(self_actions) >= 15

    # People the demo should show: a protected individual with a plan and a unit granted her
    # contact details, an interpreter in Polish, a local agreement, a request to take part.
    protected = Plan.objects.filter(person__protected_identity=True)
    assert protected.exists() and protected.filter(person__contact_grants__isnull=False).exists()
    assert Plan.objects.get(person__given_name="Aleksandra").interpreter_language == "polska"
    principals = Organization.objects.filter(kind__in=["region", "municipality"])
    assert LocalAgreement.objects.filter(organization__in=principals).count() == principals.count()
    assert JoinRequest.objects.filter(state="pending").exists()
    assert PlanEvent.objects.filter(kind="version_approved", citizen__isnull=False).exists()
