"""The national-scale world: a deterministic, realistic data set of any size (`generate_world`).

Same size, seed and "today" give the same rows, ids included: every choice is drawn from
`random.Random`, every UUID from the same generator, and every date is an offset from
`today`. Rows are generated as tuples, without model instances, and written with PostgreSQL's
COPY (SQLite: batched INSERTs, see writer.py), except where the real code must speak:

- each version's snapshot is made by `samplan.plans.snapshot.plan_snapshot` itself, given
  unsaved in-memory model instances (goals, interventions, participants, units, organisations,
  staff) as the plan was at that version (`ListManager` stands in for the related managers);
- each plan's stored next deadline comes from `samplan.plans.rules.deadline_columns`, given an
  unsaved `Plan` with its initiating unit, organisation, local agreement and consents;
- the access log is written through `samplan.audit.services.access_log_append` (and sealed
  with `access_log_seal` where that exists), never by COPY;
- event summaries, notification texts and calendar files use the services' own strings
  (gettext) and `samplan.notifications.texts` / `ics`.

docs/performance.md, "The national-scale world (`generate_world`)", describes what it makes.
"""

import bisect
import datetime
import hashlib
import json
import math
import random
import time
import uuid
import zoneinfo
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.audit import services as audit_services
from samplan.audit.models import AccessLogEntry
from samplan.core.identifiers import luhn_valid
from samplan.demo.scale import municipalities as geo
from samplan.demo.scale import texts as tx
from samplan.demo.scale.writer import BulkLoad, Writer, max_id, sequences_reset
from samplan.notifications import ics
from samplan.notifications import texts as ntexts
from samplan.notifications.models import MeetingCalendar, Notification, NotificationPreference
from samplan.people import identity
from samplan.people.models import ContactGrant, Person, Relation
from samplan.plans import rules
from samplan.plans.access import plans_of_unit
from samplan.plans.models import (
    CitizenMessage,
    ClosingNotice,
    Consent,
    FollowUp,
    Goal,
    Intervention,
    Invitee,
    JoinRequest,
    LocalAgreement,
    Meeting,
    Participant,
    Plan,
    PlanEvent,
    PlanVersion,
    RelativeAccess,
)
from samplan.plans.snapshot import changes_count, plan_snapshot, snapshot_diff

S = Plan.State
EK = PlanEvent.Kind
TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)

DEFAULT_PASSWORD = "samplan-skala"
WELL_KNOWN = ("skala.normal", "skala.tung", "skala.chef", "skala.admin")
# The Min SIP individual and her family: names no generated person has.
MIN_SIP = ("Johanna", "Skalberg")
MIN_SIP_CHILD = ("Elvin", "Skalberg")
MIN_SIP_MOTHER = ("Gunilla", "Skalberg")
MIN_PLANS = 20
CHUNK = 5000  # plans generated before their rows are written
ACCESS_LOG_BATCH = 3000
ACCESS_LOG_DAYS = 180
NOTIFICATION_DAYS = 21
UNIT_LOAD = 420  # the plans a unit of a kind typically takes part in, at full size
BIG_PLAN_GOALS, BIG_PLAN_INTERVENTIONS = 30, 60
SERIES_SEARCH_DAYS = 20000  # days around a date of birth searched for a free test number

STATE_WEIGHTS = [
    (S.INITIATED, 0.035),
    (S.CONSENT_REFUSED, 0.02),
    (S.CONSENTED, 0.035),
    (S.INVITED, 0.05),
    (S.ACTIVE, 0.36),
    (S.FOLLOW_UP, 0.07),
    (S.REVISION, 0.02),
    (S.CLOSED, 0.41),
]
CLOSED_KINDS = [
    ("followup", 0.45),
    ("direct", 0.20),
    ("withdrawn", 0.10),
    ("early", 0.15),
    ("early_withdrawn", 0.10),
]
AGE_BANDS = [((3, 17), 0.14), ((18, 29), 0.16), ((30, 49), 0.24), ((50, 64), 0.16),
             ((65, 79), 0.14), ((80, 97), 0.16)]  # fmt: skip
# Which units take part, by the individual's needs: (side, unit kind, probability).
# Side: m = the municipality, r = the region, o = another actor.
PROFILE_UNITS = {
    "child": [("m", "school_health", 0.65), ("m", "individual_family", 0.7),
              ("r", "child_psychiatry", 0.75), ("r", "primary_care", 0.25),
              ("r", "habilitation", 0.1), ("m", "school", 0.3)],
    "disability": [("m", "disability_support", 0.8), ("r", "habilitation", 0.55),
                   ("r", "primary_care", 0.45), ("r", "psychiatric_clinic", 0.25),
                   ("o", "social_insurance", 0.3), ("o", "employment", 0.2),
                   ("m", "needs_assessment", 0.2)],
    "psychiatry": [("m", "social_psychiatry", 0.75), ("r", "psychiatric_clinic", 0.85),
                   ("r", "primary_care", 0.45), ("o", "social_insurance", 0.3),
                   ("o", "employment", 0.12), ("m", "needs_assessment", 0.25),
                   ("r", "hospital_ward", 0.08)],
    "addiction": [("m", "addiction_care", 0.8), ("r", "addiction_care", 0.6),
                  ("r", "psychiatric_clinic", 0.35), ("m", "individual_family", 0.35),
                  ("r", "primary_care", 0.3), ("o", "social_insurance", 0.15)],
    "elderly": [("m", "needs_assessment", 0.85), ("m", "home_care", 0.8),
                ("m", "home_health_care", 0.5), ("r", "primary_care", 0.85),
                ("r", "hospital_ward", 0.25), ("r", "psychiatric_clinic", 0.05)],
}  # fmt: skip
PROFILE_REASONS = {
    "child": ["several_units", "unclear", "order", "requested"],
    "disability": ["several_units", "order", "passed_around", "requested"],
    "psychiatry": ["several_units", "passed_around", "emergency", "inpatient", "unclear"],
    "addiction": ["several_units", "emergency", "order", "passed_around"],
    "elderly": ["inpatient", "order", "emergency", "several_units"],
}
PROFILE_TEXTS = {"child": "child", "disability": "disability", "psychiatry": "psychiatry",
                 "addiction": "addiction", "elderly": "elderly"}  # fmt: skip
# Unit kinds located at a county's hub (the region's specialist care, other actors).
HUB_KINDS = {("r", "psychiatric_clinic"), ("r", "child_psychiatry"), ("r", "hospital_ward"),
             ("r", "habilitation"), ("r", "addiction_care"), ("o", "social_insurance"),
             ("o", "employment")}  # fmt: skip
MUNICIPAL_UNIT_NAMES = {
    "needs_assessment": "Biståndshandläggning",
    "social_psychiatry": "Socialpsykiatri",
    "home_care": "Hemtjänst",
    "home_health_care": "Kommunal hälso- och sjukvård",
    "individual_family": "Individ- och familjeomsorg",
    "addiction_care": "Beroendeenheten",
    "disability_support": "LSS-handläggning",
    "school_health": "Elevhälsan",
    "school": "Grundskolan",
}
REGION_UNIT_NAMES = {
    "primary_care": "Vårdcentralen",
    "psychiatric_clinic": "Allmänpsykiatrisk mottagning",
    "child_psychiatry": "BUP",
    "habilitation": "Habiliteringen",
    "addiction_care": "Beroendecentrum",
}
HOSPITAL_DEPARTMENTS = ["medicinkliniken", "geriatriken", "psykiatriska kliniken",
                        "ortopedkliniken", "strokeenheten"]  # fmt: skip
OTHER_ACTORS = [
    # name, nine digits of the organisation number, unit kind, unit name
    ("Försäkringskassan", "202100552", "social_insurance", "Försäkringskassan, lokalt försäkringscenter"),
    ("Arbetsförmedlingen", "202100211", "employment", "Arbetsförmedlingen"),
]  # fmt: skip


@dataclass
class Options:
    plans: int
    seed: int = 1
    today: datetime.date | None = None
    password: str = DEFAULT_PASSWORD
    access_log_per_plan: int = 1
    allow_existing: bool = False
    progress: object = print  # a callable taking one line


class WorldExists(Exception):
    """The database already holds this world (same size and seed)."""


class WorldRefused(Exception):
    """The database holds other data (or another generated world)."""


# --- Small helpers --------------------------------------------------------------------------


class ListManager:
    """Stands in for a related manager over unsaved instances: the calls plan_snapshot and the
    rule book make (select_related, prefetch_related, order_by, filter, all), on a list."""

    def __init__(self, items):
        self.items = list(items)

    def select_related(self, *args):
        return self

    def prefetch_related(self, *args):
        return self

    def all(self):
        return self

    def filter(self, **conditions):
        return ListManager(
            i for i in self.items if all(getattr(i, k) == v for k, v in conditions.items())
        )

    def order_by(self, *names):
        items = list(self.items)
        for name in reversed(names):
            reverse = name.startswith("-")
            attribute = name.lstrip("-")
            attribute = "pk" if attribute == "id" else attribute
            items.sort(key=lambda i, a=attribute: getattr(i, a), reverse=reverse)
        return ListManager(items)

    def count(self):
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def with_luhn(nine: str) -> str:
    for check in "0123456789":
        if luhn_valid(nine + check):
            return f"{nine[:6]}-{nine[6:]}{check}"
    raise AssertionError("unreachable")


def ascii_slug(text: str) -> str:
    table = str.maketrans("åäöéüčÅÄÖÉÜČ", "aaoeucAAOEUC")
    out = "".join(c if c.isalnum() else "." for c in text.translate(table).lower())
    while ".." in out:
        out = out.replace("..", ".")
    return out.strip(".")


def dumps(value) -> str:
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def marker_id(plans: int, seed: int) -> uuid.UUID:
    """The id of the world's Min SIP individual, derived from size and seed: it tells a
    database that already holds this world."""
    digest = hashlib.sha256(f"samplan-world:{plans}:{seed}".encode()).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


# --- In-memory stand-ins for the real code -------------------------------------------------
# plan_snapshot and rules.deadline_columns run unchanged on these: they read the same attributes
# and display methods the model instances offer, with the labels precomputed once (a model's
# get_FOO_display rebuilds its choices on every call, which at 300,000 plans is minutes).
# test_generate_world proves, for every plan, that the stored snapshot equals plan_snapshot of
# the plan read back from the database, and the stored deadline equals deadlines_refresh's.


class Labels:
    """The display labels of the choices plan_snapshot shows, in the active language."""

    def __init__(self):
        self.term = {value: str(label) for value, label in Goal.Term.choices}
        self.goal_status = {value: str(label) for value, label in Goal.Status.choices}
        self.intervention_status = {
            value: str(label) for value, label in Intervention.Status.choices
        }


class SnapName:
    """An organisation, a unit or a person as plan_snapshot reads it."""

    __slots__ = ("name", "kind", "organization", "full_name")

    def __init__(self, name="", kind="", organization=None, full_name=""):
        self.name, self.kind, self.organization, self.full_name = (
            name,
            kind,
            organization,
            full_name,
        )


class SnapUser:
    """A staff member: str() as User.__str__ (the full name, else the username)."""

    __slots__ = ("text",)

    def __init__(self, first: str, last: str, username: str):
        self.text = f"{first} {last}".strip() or username

    def __str__(self) -> str:
        return self.text


class SnapGoal:
    __slots__ = ("pk", "uid", "term", "text", "topic", "parent", "follow_up_by", "status",
                 "position", "labels")  # fmt: skip

    def get_term_display(self) -> str:
        return self.labels.term[self.term]

    def get_status_display(self) -> str:
        return self.labels.goal_status[self.status]


class SnapIntervention:
    __slots__ = ("pk", "uid", "what", "topic", "organization", "organization_id", "unit",
                 "unit_id", "responsible_person", "start", "frequency", "depends_on", "status",
                 "position", "goals", "labels")  # fmt: skip

    def get_status_display(self) -> str:
        return self.labels.intervention_status[self.status]


class SnapParticipant:
    __slots__ = ("unit", "contact_person", "is_active")

    def __init__(self, unit, contact_person, is_active):
        self.unit, self.contact_person, self.is_active = unit, contact_person, is_active


class DeadlineOrg:
    """An organisation as rules.agreement_for reads it: its local agreement, or none."""

    __slots__ = ("agreement",)

    def __init__(self, agreement):
        self.agreement = agreement

    @property
    def local_agreement(self):
        if self.agreement is None:
            raise LocalAgreement.DoesNotExist
        return self.agreement


class DeadlinePlan:
    """A plan as rules.deadline_columns reads it."""

    __slots__ = ("state", "initiated_at", "next_follow_up", "initiating_unit", "consents",
                 "invitation_due")  # fmt: skip


# --- Records of the reference data ----------------------------------------------------------


class OrgRec:
    __slots__ = ("id", "name", "kind", "number", "code", "hsa", "county", "digits", "inst",
                 "agreement", "area", "deadline_org")  # fmt: skip


class UnitRec:
    __slots__ = ("id", "org", "name", "kind", "side", "email", "phone", "hsa", "staff",
                 "manager", "load", "inst", "muni", "admin", "deadline_unit")  # fmt: skip

    def __init__(self):
        self.staff = []
        self.manager = None
        self.load = 0
        self.inst = None
        self.admin = False


class StaffRec:
    __slots__ = ("id", "username", "first", "last", "title", "inst")


class Skel:
    """What the first pass decides for a plan: where, for whom, which state, which units."""

    __slots__ = ("muni", "age", "profile", "state", "closed_kind", "units", "removed",
                 "person", "special", "initiator", "big")  # fmt: skip

    def __init__(self):
        self.removed = None
        self.special = ""
        self.big = False


@dataclass
class PersonRec:
    id: uuid.UUID
    given: str
    family: str
    birth: datetime.date
    sex: str
    protected: bool
    email: str
    city: str
    guardians: list = field(default_factory=list)
    relative: object = None
    relative_word: str = ""
    email_ok: bool = False


# --- The generator --------------------------------------------------------------------------


class World:
    def __init__(self, options: Options):
        self.o = options
        self.n = options.plans
        if self.n < MIN_PLANS:
            raise ValueError(f"generate_world needs at least {MIN_PLANS} plans.")
        self.today = options.today or datetime.date.today()
        # Reproducible data, not secrets: the standard generator, seeded.
        self.rng = random.Random(f"samplan-world:{self.n}:{options.seed}")  # noqa: S311
        self.detail = random.Random(f"samplan-world-detail:{self.n}:{options.seed}")  # noqa: S311
        self.timings: list[tuple[str, float]] = []
        self.counts: dict[str, int] = {}
        self.ids: dict[str, int] = {}
        self.translated: dict[str, str] = {}
        self.users: dict[int, StaffRec] = {}

    # -- plumbing --

    def log(self, line: str) -> None:
        self.o.progress(line)

    def phase(self, name: str, started: float) -> float:
        now = time.monotonic()
        self.timings.append((name, now - started))
        self.log(f"generate_world: {name} in {now - started:.1f} s")
        return now

    def next_id(self, key: str) -> int:
        self.ids[key] += 1
        return self.ids[key]

    def uuid4(self, rng=None) -> uuid.UUID:
        return uuid.UUID(int=(rng or self.detail).getrandbits(128), version=4)

    def at(self, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
        """A moment `day` days from today (negative: in the past), local time."""
        d = self.today + datetime.timedelta(days=day)
        return datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def label(self, choices, value) -> str:
        key = (choices, value)
        text = self.translated.get(key)
        if text is None:
            text = self.translated[key] = str(choices(value).label)
        return text

    def t(self, msgid: str) -> str:
        """A services' string, in Swedish as the services write it."""
        text = self.translated.get(msgid)
        if text is None:
            text = self.translated[msgid] = _(msgid)
        return text

    # -- the run --

    def run(self) -> dict:
        started = begin = time.monotonic()
        with translation.override(settings.LANGUAGE_CODE):
            self.check_database()
            self.writer = Writer()
            self.labels = Labels()
            self.define_tables()
            self.start_ids()
            started = self.phase("checks", started)
            with transaction.atomic():
                if self.writer.postgresql:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit = off")
                bulk = BulkLoad(self.writer.tables.values()) if self.writer.postgresql else None
                if bulk is not None:
                    bulk.drop()
                self.reference_data()
                self.skeleton()
                self.staff()
                self.writer.flush()
                started = self.phase(
                    f"organisations, units and staff ({len(self.units)} units, "
                    f"{len(self.users)} staff)",
                    started,
                )
                self.plans()
                started = self.phase(f"plans ({self.n} and everything in them)", started)
                if bulk is not None:
                    bulk.restore()
                    started = self.phase(
                        f"indexes and constraints ({len(bulk.indexes)} indexes, "
                        f"{len(bulk.constraints)} constraints)",
                        started,
                    )
                sequences_reset(self.writer.tables.values())
            started = self.phase("commit", started)
            self.access_log()
            started = self.phase("access log", started)
            self.analyze()
            started = self.phase("analyze", started)
        total = time.monotonic() - begin
        self.counts = {key: table.written for key, table in self.writer.tables.items()}
        self.counts["access_log"] = self.access_log_written
        return {"timings": self.timings, "counts": self.counts, "total": total}

    # -- the database before we start --

    def check_database(self) -> None:
        marker = marker_id(self.n, self.o.seed)
        if Person.objects.filter(pk=marker).exists():
            raise WorldExists(marker)
        if User.objects.filter(username__in=WELL_KNOWN).exists():
            raise WorldRefused(
                "The database holds another generated world (other size or seed). "
                "Use a fresh database."
            )
        other = Plan.objects.exists() or Organization.objects.exists()
        if other and not self.o.allow_existing:
            raise WorldRefused(
                "The database already holds data that generate_world did not make. "
                "Use an empty (migrated) database, or --allow-existing to add the world to it."
            )

    def define_tables(self) -> None:
        w = self.writer
        w.table("organization", Organization, ["id", "name", "kind", "organization_number",
                "municipality_code", "hsa_id", "created_at", "updated_at"])  # fmt: skip
        w.table("agreement", LocalAgreement, ["id", "organization_id", "consent_within_days",
                "first_meeting_within_days", "due_soon_days",
                "child_reads_from_age", "discharge_invitation_within_days",
                "discharge_days_counted", "failure_first_step_days"])  # fmt: skip
        w.table("unit", Unit, ["id", "organization_id", "name", "kind", "hsa_id", "email",
                "phone", "is_active", "receives_requests", "created_at", "updated_at"])  # fmt: skip
        w.table("user", User, ["id", "password", "last_login", "is_superuser", "username",
                "first_name", "last_name", "email", "is_staff", "is_active", "date_joined",
                "title", "phone", "hsa_id"])  # fmt: skip
        w.table("membership", Membership, ["id", "user_id", "unit_id", "role", "is_active",
                "created_at"])  # fmt: skip
        w.table("person", Person, ["id", "identity_kind", "identity_number", "birth_date",
                "given_name", "family_name", "email", "phone", "street_address", "postal_code",
                "city", "protected_identity", "listed_primary_care_id", "created_at",
                "updated_at"])  # fmt: skip
        w.table("relation", Relation, ["id", "person_id", "related_id", "kind", "description",
                "basis", "scope", "min_sip", "valid_until", "created_at", "created_by_id",
                "created_unit_id"])  # fmt: skip
        w.table("contact_grant", ContactGrant, ["id", "person_id", "user_id", "unit_id",
                "reason", "granted_by_id", "valid_until", "revoked_at",
                "created_at"])  # fmt: skip
        w.table("preference", NotificationPreference, ["id", "person_id", "email_ok",
                "updated_at"])  # fmt: skip
        w.table("plan", Plan, ["id", "person_id", "state", "lock_version", "initiated_at",
                "initiated_by_id", "initiating_unit_id", "initiative_source",
                "initiative_source_detail", "reasons", "reason_text", "own_words", "works_well",
                "works_badly", "questions", "interpreter_language", "easy_read",
                "meeting_place_wish", "digital_participation", "self_actions",
                "no_other_actors", "overall_responsibility_id", "lead_id", "next_follow_up",
                "current_version", "unapproved_changes", "deadline_kind", "deadline_due",
                "deadline_soon_from", "closed_at", "closing_reason", "closing_text",
                "kept_elsewhere", "kept_where", "made_on", "lead_name", "care_contact_id",
                "invitation_due"])  # fmt: skip
        w.table("participant", Participant, ["id", "plan_id", "unit_id", "access",
                "contact_person_id", "is_active", "added_at"])  # fmt: skip
        w.table("consent", Consent, ["id", "plan_id", "number", "decision", "decided_on",
                "mode", "given_by", "child_view", "exclusions", "valid_until", "recorded_by_id",
                "recorded_unit_id", "recorded_by_citizen_id", "recorded_at"])  # fmt: skip
        w.table("consent_units", Consent.units.through, ["id", "consent_id", "unit_id"])
        w.table("consent_guardians", Consent.guardians.through, ["id", "consent_id", "person_id"])
        w.table("consent_relatives", Consent.relatives.through, ["id", "consent_id", "person_id"])
        w.table("goal", Goal, ["id", "uid", "plan_id", "parent_id", "term", "text", "topic",
                "follow_up_by_id", "status", "position", "lock_version"])  # fmt: skip
        w.table("intervention", Intervention, ["id", "uid", "plan_id", "what", "topic",
                "organization_id", "unit_id", "responsible_person", "start", "frequency",
                "depends_on_id", "status", "position", "lock_version"])  # fmt: skip
        w.table("intervention_goals", Intervention.goals.through,
                ["id", "intervention_id", "goal_id"])  # fmt: skip
        w.table("meeting", Meeting, ["id", "plan_id", "kind", "status", "starts_at", "place",
                "video_link", "chair_id", "chair_chosen_by_individual", "recorder_id",
                "invited_by_id", "opening_notes", "summary_notes", "child_view", "lock_version",
                "created_at", "chair_name", "interpreter"])  # fmt: skip
        w.table("invitee", Invitee, ["id", "meeting_id", "unit_id", "person_id", "mode",
                "response", "decline_reason", "attended"])  # fmt: skip
        w.table("version", PlanVersion, ["id", "plan_id", "number", "created_at",
                "created_by_id", "created_unit_id", "snapshot", "approval", "approval_method",
                "approved_at", "approval_recorded_by_id", "approval_comment"])  # fmt: skip
        w.table("followup", FollowUp, ["id", "plan_id", "meeting_id", "how_it_went",
                "helped_hindered", "coordination_needed", "continue_interventions", "child_view",
                "decision", "recorded_by_id", "recorded_unit_id", "recorded_at", "due_on"])  # fmt: skip
        w.table("closing_notice", ClosingNotice, ["id", "plan_id", "unit_id", "person_id",
                "informed_by_id", "method", "informed_at"])  # fmt: skip
        w.table("event", PlanEvent, ["id", "plan_id", "at", "actor_id", "acting_unit_id",
                "citizen_id", "kind", "summary", "before", "after"])  # fmt: skip
        w.table("citizen_message", CitizenMessage, ["id", "plan_id", "author_id", "kind",
                "text", "created_at", "handled_at", "handled_by_id"])  # fmt: skip
        w.table("citizen_message_units", CitizenMessage.to_units.through, ["id",
                "citizenmessage_id", "unit_id"])  # fmt: skip
        w.table("relative_access", RelativeAccess, ["id", "plan_id", "relative_id", "sections",
                "granted_by_id", "granted_at", "revoked_at"])  # fmt: skip
        w.table("join_request", JoinRequest, ["id", "plan_id", "unit_id", "requested_by_id",
                "source", "source_detail", "reasons", "reason_text", "created_at", "state",
                "answered_by_id", "answer_unit_id", "answered_at", "decline_reason"])  # fmt: skip
        w.table("calendar", MeetingCalendar, ["meeting_id", "sequence", "method",
                "updated_at"])  # fmt: skip
        w.table("notification", Notification, ["id", "channel", "kind", "user_id", "person_id",
                "unit_id", "email", "plan_id", "subject", "body", "link", "ics", "dedupe_key",
                "status", "attempts", "next_attempt_at", "enqueued_at", "claimed_until",
                "claim", "last_error", "created_at", "sent_at", "read_at"])  # fmt: skip

    def start_ids(self) -> None:
        for key, table in self.writer.tables.items():
            if table.model._meta.pk.get_internal_type() in {"BigAutoField", "AutoField"}:
                self.ids[key] = max_id(table.model)
        existing = Person.objects.exclude(identity_kind=Person.IdentityKind.RESERVNUMMER)
        self.used_numbers = set(existing.values_list("identity_number", flat=True))
        self.serials_used: dict[tuple, int] = {}
        self.used_org_names = set(Organization.objects.values_list("name", flat=True))
        self.used_org_numbers = set(
            Organization.objects.values_list("organization_number", flat=True)
        )
        self.used_codes = set(
            Organization.objects.exclude(municipality_code="").values_list(
                "municipality_code", flat=True
            )
        )
        self.used_usernames = set(User.objects.values_list("username", flat=True))
        self.used_hsa = set(Unit.objects.exclude(hsa_id="").values_list("hsa_id", flat=True)) | set(
            Organization.objects.exclude(hsa_id="").values_list("hsa_id", flat=True)
        )

    # -- organisations and units --

    def reference_data(self) -> None:
        rng = self.rng
        kommuner = sorted(
            geo.KOMMUNER.items(),
            key=lambda item: (-geo.POPULATION.get(item[1], geo.DEFAULT_POPULATION), item[0]),
        )
        count = max(2, min(len(kommuner), round(self.n / 1000)))
        chosen = kommuner[:count]
        counties = sorted({code[:2] for code, _name in chosen})
        created = self.at(-1500, 9)
        self.orgs: list[OrgRec] = []
        self.regions: dict[str, OrgRec] = {}
        for county in counties:
            org = self.org(
                geo.REGIONS[county],
                Organization.Kind.REGION,
                f"23210{len(self.regions) + 5:04d}",
                "",
                county,
            )
            org.area = (
                geo.REGIONS[county]
                .removeprefix("Region ")
                .replace("Västra Götalandsregionen", "Västra Götaland")
            )
            self.regions[county] = org
        self.munis: list[OrgRec] = []
        for index, (code, name) in enumerate(chosen):
            org = self.org(
                geo.municipality_name(name),
                Organization.Kind.MUNICIPALITY,
                f"21200{index + 1000:04d}",
                code,
                code[:2],
            )
            org.area = name
            self.munis.append(org)
        self.others = [
            self.org(name, Organization.Kind.OTHER, nine, "", "")
            for name, nine, _kind, _unit in OTHER_ACTORS
        ]
        for org in self.orgs:
            self.writer.tables["organization"].add(
                (org.id, org.name, org.kind, org.number, org.code, org.hsa, created, created)
            )
            org.inst = SnapName(name=org.name, kind=org.kind)
            agreement = None
            if org.kind != Organization.Kind.OTHER and rng.random() < 0.85:
                # Most principals have agreed deadlines; some follow the defaults in rules.
                consent_days = rng.choice([5, 5, 5, 3, 7])
                meeting_days = rng.choice([15, 15, 15, 14, 21, 30])
                soon = rng.choice([7, 7, 5])
                agreement = LocalAgreement(
                    id=self.next_id("agreement"),
                    organization_id=org.id,
                    consent_within_days=consent_days,
                    first_meeting_within_days=meeting_days,
                    due_soon_days=soon,
                )
                self.writer.tables["agreement"].add(
                    (agreement.id, org.id, consent_days, meeting_days, soon, 16, 3, "calendar", 14)
                )
            org.agreement = agreement
            org.deadline_org = DeadlineOrg(agreement)
        # Population weights and hubs (the county's specialist care sits in its larger towns).
        self.weights = [geo.POPULATION.get(m.area, geo.DEFAULT_POPULATION) for m in self.munis]
        total = sum(self.weights)
        self.cumulative = []
        running = 0.0
        for weight in self.weights:
            running += weight / total
            self.cumulative.append(running)
        self.hub: dict[int, int] = {}
        for index, muni in enumerate(self.munis):
            same = [i for i, m in enumerate(self.munis) if m.county == muni.county]
            biggest = max(same, key=lambda i: (self.weights[i], -i))
            self.hub[index] = index if self.weights[index] >= 40 else biggest
        self.build_units(created)

    def org(self, name, kind, nine, code, county) -> OrgRec:
        org = OrgRec()
        org.id = self.next_id("organization")
        while name in self.used_org_names:
            name = f"{name} (skala)"
        self.used_org_names.add(name)
        number = with_luhn(nine)
        while number in self.used_org_numbers:
            nine = f"{int(nine) + 1:09d}"
            number = with_luhn(nine)
        self.used_org_numbers.add(number)
        while code and code in self.used_codes:
            code = f"{(int(code) + 7) % 10000:04d}"
        if code:
            self.used_codes.add(code)
        org.name, org.kind, org.number, org.code, org.county = name, kind, number, code, county
        org.digits = number.replace("-", "")
        org.hsa = f"SE{org.digits}-1000" if kind != Organization.Kind.OTHER else ""
        if org.hsa in self.used_hsa:
            org.hsa = ""
        self.orgs.append(org)
        return org

    def expected_share(self) -> dict[tuple[str, str], float]:
        """How often a plan has a unit of each (side, kind), over the age and needs mix."""
        share: dict[tuple[str, str], float] = {}
        for profile, weight in self.profile_mix().items():
            for side, kind, p in PROFILE_UNITS[profile]:
                share[(side, kind)] = share.get((side, kind), 0) + weight * p
        return share

    def profile_mix(self) -> dict[str, float]:
        mix: dict[str, float] = {}
        for (low, _high), weight in AGE_BANDS:
            for profile, p in self.profiles_for(low):
                mix[profile] = mix.get(profile, 0) + weight * p
        return mix

    @staticmethod
    def profiles_for(age: int) -> list[tuple[str, float]]:
        if age < 18:
            return [("child", 0.8), ("disability", 0.2)]
        if age < 65:
            return [("psychiatry", 0.5), ("addiction", 0.28), ("disability", 0.22)]
        return [("elderly", 0.82), ("psychiatry", 0.1), ("addiction", 0.08)]

    def build_units(self, created) -> None:
        rng = self.rng
        share = self.expected_share()
        self.units: list[UnitRec] = []
        self.pools: dict[tuple[int, str, str], list[UnitRec]] = {}
        total = sum(self.weights)
        expected = [self.n * w / total for w in self.weights]
        catchment: dict[int, float] = {}
        for index in range(len(self.munis)):
            catchment[self.hub[index]] = catchment.get(self.hub[index], 0) + expected[index]
        load = UNIT_LOAD
        admin_made: set[int] = set()
        for index, muni in enumerate(self.munis):
            region = self.regions[muni.county]
            area = geo.AREA_CODES[muni.county]
            for (side, kind), s in sorted(share.items()):
                if (side, kind) in HUB_KINDS:
                    if self.hub[index] != index:
                        continue
                    count = max(1, round(catchment[index] * s / load))
                else:
                    count = max(1, round(expected[index] * s / load))
                pool = []
                for number in range(count):
                    district = tx.DISTRICTS[number % len(tx.DISTRICTS)]
                    if number >= len(tx.DISTRICTS):
                        district += f" {number // len(tx.DISTRICTS) + 1}"
                    where = muni.area if count == 1 else f"{muni.area} {district}"
                    if side == "m":
                        if kind == "school":
                            name = f"{district}skolan, {muni.area}"
                        else:
                            name = f"{MUNICIPAL_UNIT_NAMES[kind]} {where}"
                        org = muni
                    elif side == "r":
                        org = region
                        if kind == "hospital_ward":
                            hospital = f"Sjukhuset i {muni.area}"
                            department = HOSPITAL_DEPARTMENTS[number % len(HOSPITAL_DEPARTMENTS)]
                            name = f"Avdelning {10 + number}, {department}, {hospital}"
                        else:
                            name = f"{REGION_UNIT_NAMES[kind]} {where}"
                    else:
                        org = next(
                            o for o in self.others if OTHER_ACTORS[self.others.index(o)][2] == kind
                        )
                        base = OTHER_ACTORS[self.others.index(org)][3]
                        name = f"{base} {where}"
                    unit = self.unit(org, name, kind, side, area, created, index)
                    pool.append(unit)
                self.pools[(index, side, kind)] = pool
            for org in (muni, region):
                if org.id in admin_made:
                    continue
                admin_made.add(org.id)
                side = "m" if org is muni else "r"
                unit = self.unit(
                    org, f"Verksamhetsstöd {org.area}", "other", side, area, created, index
                )
                unit.admin = True
        # Every municipality reaches the region's specialist units and other actors at its hub.
        for index in range(len(self.munis)):
            hub = self.hub[index]
            for side, kind in HUB_KINDS:
                self.pools[(index, side, kind)] = self.pools[(hub, side, kind)]
        del rng

    def unit(self, org, name, kind, side, area, created, muni_index) -> UnitRec:
        unit = UnitRec()
        unit.id = self.next_id("unit")
        unit.org, unit.name, unit.kind, unit.side, unit.muni = org, name, kind, side, muni_index
        unit.email = f"{ascii_slug(name)}@{ascii_slug(org.name)}.skala.invalid"
        unit.phone = f"{area}-{self.rng.randint(100, 999)} {self.rng.randint(10, 99)} 00"
        hsa = f"SE{org.digits}-E{unit.id:06d}" if org.kind != Organization.Kind.OTHER else ""
        unit.hsa = "" if hsa in self.used_hsa else hsa
        self.units.append(unit)
        self.writer.tables["unit"].add(
            (unit.id, org.id, name, kind, unit.hsa, unit.email, unit.phone, True, False, created,
             created)
        )  # fmt: skip
        unit.inst = SnapName(name=name, kind=kind, organization=org.inst)
        unit.deadline_unit = SnapName(organization=org.deadline_org)
        return unit

    # -- the first pass: every plan's place, person, state and units --

    def skeleton(self) -> None:
        rng = self.rng
        self.skels: list[Skel] = []
        states = [s for s, _w in STATE_WEIGHTS]
        state_cum = list(_cumulative([w for _s, w in STATE_WEIGHTS]))
        closed_cum = list(_cumulative([w for _k, w in CLOSED_KINDS]))
        band_cum = list(_cumulative([w for _b, w in AGE_BANDS]))
        person = 0
        while len(self.skels) < self.n:
            two = rng.random() < 0.07 and len(self.skels) + 2 <= self.n
            muni = bisect.bisect_left(self.cumulative, rng.random())
            muni = min(muni, len(self.munis) - 1)
            low, high = AGE_BANDS[bisect.bisect_left(band_cum, rng.random())][0]
            age = rng.randint(low, high)
            profiles = self.profiles_for(age)
            roll, profile = rng.random(), profiles[-1][0]
            for name, p in profiles:
                if roll < p:
                    profile = name
                    break
                roll -= p
            for plan_number in range(2 if two else 1):
                skel = Skel()
                skel.muni, skel.age, skel.profile, skel.person = muni, age, profile, person
                if two and plan_number == 0:
                    skel.state = S.CLOSED
                else:
                    skel.state = states[bisect.bisect_left(state_cum, rng.random())]
                skel.closed_kind = (
                    CLOSED_KINDS[bisect.bisect_left(closed_cum, rng.random())][0]
                    if skel.state == S.CLOSED
                    else ""
                )
                self.choose_units(skel)
                self.skels.append(skel)
            person += 1
        # The well-known plans: the Min SIP family and the big plan, in the largest
        # municipality; each its own person (the mother's two plans share one).
        fixed = [
            ("mother_closed", 38, "psychiatry", S.CLOSED, "followup"),
            ("mother_open", 38, "psychiatry", S.ACTIVE, ""),
            ("child", 11, "child", S.ACTIVE, ""),
            ("grandmother", 79, "elderly", S.CONSENTED, ""),
            ("big", 52, "psychiatry", S.ACTIVE, ""),
        ]
        for index, (special, age, profile, state, closed_kind) in enumerate(fixed):
            skel = self.skels[index]
            skel.muni, skel.age, skel.profile, skel.state = 0, age, profile, state
            skel.closed_kind, skel.special, skel.removed = closed_kind, special, None
            skel.person = -1 - (index if index > 1 else 0)  # the mother's two plans: one person
            self.choose_units(skel)
            skel.removed = None
        self.skels[4].big = True
        self.count_loads()
        self.heavy_and_normal()

    def choose_units(self, skel: Skel) -> None:
        rng = self.rng
        chosen: list[UnitRec] = []
        sides = set()
        for side, kind, p in PROFILE_UNITS[skel.profile]:
            if rng.random() < p:
                pool = self.pools[(skel.muni, side, kind)]
                chosen.append(pool[int(rng.random() * len(pool))])
                sides.add(side)
        for needed in ("m", "r"):
            if needed not in sides:
                side, kind, _p = next(x for x in PROFILE_UNITS[skel.profile] if x[0] == needed)
                pool = self.pools[(skel.muni, side, kind)]
                chosen.append(pool[int(rng.random() * len(pool))])
        principals = [u for u in chosen if u.side != "o"]
        initiator = principals[int(rng.random() * len(principals))]
        chosen.remove(initiator)
        skel.units = [initiator, *chosen]
        skel.initiator = initiator
        established = skel.state in {S.ACTIVE, S.FOLLOW_UP, S.REVISION} or (
            skel.state == S.CLOSED and not skel.closed_kind.startswith("early")
        )
        skel.removed = None
        if established and len(skel.units) >= 4 and rng.random() < 0.12:
            # A later consent leaves one unit out (never the last unit of a principal).
            last = skel.units[-1]
            if sum(1 for u in skel.units if u.side == last.side) > 1 or last.side == "o":
                skel.removed = last

    def visible_units(self, skel: Skel) -> list[UnitRec]:
        """The units that list the plan: the initiator before consent, else the active
        participants."""
        if skel.state in rules.BEFORE_CONSENT:
            return [skel.initiator]
        return [u for u in skel.units if u is not skel.removed]

    def count_loads(self) -> None:
        for unit in self.units:
            unit.load = 0
        for skel in self.skels:
            for unit in self.visible_units(skel):
                unit.load += 1

    def heavy_and_normal(self) -> None:
        """One unit takes part in ≥ 3,000 plans at 300,000 (proportionally fewer at small
        sizes, and always the largest); another in about 100 (skala.normal's)."""
        heavy = self.pools[(0, "m", "social_psychiatry")][0]
        others = max(u.load for u in self.units if u is not heavy)
        target = max(math.ceil(self.n * 0.0105), others + 1)
        candidates = [
            s
            for s in self.skels
            if s.muni == 0
            and s.state not in rules.BEFORE_CONSENT
            and heavy not in s.units
            and not s.special
        ]
        candidates.sort(key=lambda s: s.profile not in {"psychiatry", "addiction"})
        for skel in candidates:
            if heavy.load >= target:
                break
            skel.units.append(heavy)
            heavy.load += 1
        big = self.skels[4]
        if heavy not in big.units:
            big.units.append(heavy)
            heavy.load += 1
        self.heavy = heavy
        normal_target = max(3, min(100, self.n // 30))
        kinds = {"needs_assessment", "individual_family", "social_psychiatry"}
        normal = min(
            (u for u in self.units if u.side == "m" and u.kind in kinds and u is not heavy),
            key=lambda u: (abs(u.load - normal_target), u.id),
        )
        self.normal = normal
        self.admin_unit = next(u for u in self.units if u.admin and u.org is self.munis[0])

    # -- staff --

    def staff(self) -> None:
        rng = self.rng
        # One hash for every staff account (hashing thousands would be slow), with a salt
        # from the seed so that the same world is the same, byte for byte.
        salt = hashlib.sha256(f"samplan-world-salt:{self.o.seed}".encode()).hexdigest()[:22]
        self.password_hash = make_password(self.o.password, salt=salt)
        joined = self.at(-1400, 8)
        well_known = {
            "skala.normal": (self.normal, Membership.Role.CASEWORKER, "Elin", "Berggren", "Socialsekreterare"),
            "skala.tung": (self.heavy, Membership.Role.CASEWORKER, "Tobias", "Lundmark", "Boendestödjare"),
            "skala.chef": (self.heavy, Membership.Role.UNIT_MANAGER, "Annika", "Sjöholm", "Enhetschef"),
            "skala.admin": (self.admin_unit, Membership.Role.ADMINISTRATOR, "Göran", "Adler", "Systemförvaltare"),
            # Figures only, in the heavy unit itself: the role keeps its plans from them.
            "skala.analytiker": (self.heavy, Membership.Role.ANALYST, "Ulrika", "Bergman", "Analytiker"),
            "skala.samverkan": (self.heavy, Membership.Role.JOINT_ANALYST, "Tomas", "Wall", "Analytiker"),
        }  # fmt: skip
        for unit in self.units:
            count = 0 if unit.admin else max(1, min(14, round(unit.load / 180)))
            people = []
            manager_name = None
            if unit is self.heavy:
                manager_name = "skala.chef"
            manager = self.make_staff(unit, Membership.Role.UNIT_MANAGER, joined, manager_name)
            unit.manager = manager
            people.append(manager)
            for _number in range(count):
                people.append(self.make_staff(unit, Membership.Role.CASEWORKER, joined))
            if unit.admin:
                people.append(self.make_staff(unit, Membership.Role.ADMINISTRATOR, joined))
            unit.staff = [p for p in people if p is not manager] or [manager]
        for username in (
            "skala.normal",
            "skala.tung",
            "skala.admin",
            "skala.analytiker",
            "skala.samverkan",
        ):
            unit, role, *_rest = well_known[username]
            person = self.make_staff(unit, role, joined, username)
            if role == Membership.Role.CASEWORKER:
                unit.staff.append(person)
        # A few staff in two units (they choose the acting unit after login).
        for unit in self.units:
            if unit.admin or rng.random() > 0.08:
                continue
            sibling = rng.choice([u for u in self.units if u.org is unit.org and not u.admin])
            if sibling is unit or sibling is self.heavy or unit is self.heavy:
                continue
            member = rng.choice(unit.staff)
            if member.username.startswith("skala."):
                continue
            if member in sibling.staff:
                continue
            self.writer.tables["membership"].add(
                (
                    self.next_id("membership"),
                    member.id,
                    sibling.id,
                    Membership.Role.CASEWORKER,
                    True,
                    joined,
                )
            )
            sibling.staff.append(member)
        self.well_known = well_known

    def make_staff(self, unit: UnitRec, role: str, joined, username: str | None = None) -> StaffRec:
        rng = self.rng
        rec = StaffRec()
        rec.id = self.next_id("user")
        if username:
            _unit, _role, first, last, title = self.well_known_names[username]
        else:
            female = rng.random() < 0.72  # most staff in health and social care are women
            generation = rng.choice(["old", "mid", "mid", "young"])
            first = rng.choice((tx.FEMALE if female else tx.MALE)[generation])
            last = rng.choice(tx.FAMILY)
            if role == Membership.Role.UNIT_MANAGER:
                title = "Enhetschef" if unit.side == "m" else "Verksamhetschef"
            elif role == Membership.Role.ADMINISTRATOR:
                title = "Systemförvaltare"
            else:
                title = tx.TITLES.get(unit.kind, "Handläggare")
            base = ascii_slug(f"{first}.{last}")
            username = base
            number = 1
            while username in self.used_usernames:
                number += 1
                username = f"{base}{number}"
        self.used_usernames.add(username)
        rec.username, rec.first, rec.last, rec.title = username, first, last, title
        rec.inst = None
        hsa = ""
        if unit.org.kind != Organization.Kind.OTHER:
            hsa = f"SE{unit.org.digits}-P{rec.id:07d}"
        email = f"{username}@{ascii_slug(unit.org.name)}.skala.invalid"
        self.writer.tables["user"].add(
            (rec.id, self.password_hash, None, False, username, first, last, email, False,
             True, joined, title, unit.phone, hsa)
        )  # fmt: skip
        self.writer.tables["membership"].add(
            (self.next_id("membership"), rec.id, unit.id, role, True, joined)
        )
        self.users[rec.id] = rec
        return rec

    @property
    def well_known_names(self):
        return {
            "skala.normal": (None, None, "Elin", "Berggren", "Socialsekreterare"),
            "skala.tung": (None, None, "Tobias", "Lundmark", "Boendestödjare"),
            "skala.chef": (None, None, "Annika", "Sjöholm", "Enhetschef"),
            "skala.admin": (None, None, "Göran", "Adler", "Systemförvaltare"),
            "skala.analytiker": (None, None, "Ulrika", "Bergman", "Analytiker"),
            "skala.samverkan": (None, None, "Tomas", "Wall", "Analytiker"),
        }

    def user_inst(self, rec: StaffRec) -> SnapUser:
        if rec.inst is None:
            rec.inst = SnapUser(rec.first, rec.last, rec.username)
        return rec.inst

    # -- people --

    def identity_number(self, birth: datetime.date, male: bool, coordination: bool):
        """A valid personnummer or samordningsnummer in the test birth-number series 980-999
        (the one the demo world uses), unique: ten a day for each sex, so a full day moves the
        person to the nearest day with a free number (searching outwards, never after today).
        Returns the number and the date of birth it carries."""
        for offset in range(SERIES_SEARCH_DAYS):
            step = (offset + 1) // 2 * (1 if offset % 2 else -1)
            day = birth + datetime.timedelta(days=step)
            if day > self.today:
                continue
            key = (day, male, coordination)
            used = self.serials_used.get(key, 0)
            while used < 10:
                serial = 980 + 2 * used + (1 if male else 0)
                used += 1
                shown_day = day.day + (60 if coordination else 0)
                prefix = f"{day.year:04d}{day.month:02d}{shown_day:02d}"
                number = identity.identity_number_with_check_digit(f"{prefix}{serial}")
                if number not in self.used_numbers:  # numbers already in the database
                    self.serials_used[key] = used
                    return number, day
            self.serials_used[key] = used
        raise RuntimeError("generate_world: no free test identity number")

    def make_person(self, *, age: int, rng, family: str | None = None, given: str | None = None,
                    male: bool | None = None, city: str, protected: bool = False,
                    person_id: uuid.UUID | None = None, kind_roll: float | None = None) -> PersonRec:  # fmt: skip
        birth_year = self.today.year - age
        day_of_year = int(rng.random() * 365)
        birth = datetime.date(birth_year, 1, 1) + datetime.timedelta(days=day_of_year)
        if (birth.month, birth.day) > (self.today.month, self.today.day):
            birth = datetime.date(birth_year - 1, 1, 1) + datetime.timedelta(days=day_of_year)
        if male is None:
            male = rng.random() < 0.5
        generation = "old" if birth.year < 1960 else ("mid" if birth.year < 1990 else "young")
        if given is None:
            given = rng.choice((tx.MALE if male else tx.FEMALE)[generation])
        family = family or rng.choice(tx.FAMILY)
        roll = rng.random() if kind_roll is None else kind_roll
        if roll < 0.01:
            kind = identity.RESERVNUMMER
            number = f"RV{birth.year % 100:02d}{self.next_reserve():06d}"
        elif roll < 0.025:
            kind = identity.SAMORDNINGSNUMMER
            number, birth = self.identity_number(birth, male, coordination=True)
        else:
            kind = identity.PERSONNUMMER
            number, birth = self.identity_number(birth, male, coordination=False)
        email = ""
        if age >= 16 and rng.random() < 0.45:
            email = f"{ascii_slug(given)}.{ascii_slug(family)}{int(rng.random() * 90) + 10}@example.invalid"
        phone = f"07{rng.choice('0236')}-{int(rng.random() * 900) + 100} {int(rng.random() * 90) + 10} {int(rng.random() * 90) + 10}"
        street = f"{rng.choice(tx.STREETS)} {int(rng.random() * 60) + 1}"
        postal = f"{int(rng.random() * 800) + 100} {int(rng.random() * 90) + 10}"
        rec = PersonRec(
            id=person_id or self.uuid4(rng),
            given=given,
            family=family,
            birth=birth,
            sex="m" if male else "f",
            protected=protected,
            email=email,
            city=city,
        )
        created = self.at(-int(rng.random() * 1400) - 30, 9)
        self.writer.tables["person"].add(
            (rec.id, kind, number, birth, given, family, email, phone, street, postal, city,
             protected, None, created, created)
        )  # fmt: skip
        rec.number, rec.kind, rec.age = number, kind, age
        if email and age >= 18 and rng.random() < 0.25:
            rec.email_ok = True
            self.writer.tables["preference"].add(
                (self.next_id("preference"), rec.id, True, created)
            )
        return rec

    def next_reserve(self) -> int:
        self.reserve = getattr(self, "reserve", 0) + 1
        return self.reserve

    def relation(self, person: PersonRec, related: PersonRec, kind: str, description: str) -> None:
        # Guardians as the population register has them.
        basis = Relation.Basis.POPULATION_REGISTER if kind == Relation.Kind.GUARDIAN else ""
        self.writer.tables["relation"].add((self.next_id("relation"), person.id, related.id,
                                            kind, description, basis, "",
                                            Relation.MinSip.NONE, None,
                                            self.at(-400, 9), None, None))  # fmt: skip

    def subject(self, skel: Skel) -> PersonRec:
        """The individual of a plan, with guardians (a child) or a relative (an adult)."""
        rng = self.detail
        city = self.munis[skel.muni].area
        if skel.special:
            return self.special_person(skel, city)
        protected = rng.random() < 0.004
        person = self.make_person(age=skel.age, rng=rng, city=city, protected=protected)
        if skel.age < 18:
            parents = 2 if rng.random() < 0.7 else 1
            for number in range(parents):
                male = number == 1
                guardian = self.make_person(
                    age=skel.age + 22 + int(rng.random() * 18),
                    rng=rng,
                    family=person.family,
                    male=male,
                    city=city,
                    protected=protected,
                )
                self.relation(
                    person, guardian, Relation.Kind.GUARDIAN, "pappa" if male else "mamma"
                )
                person.guardians.append(guardian)
        elif rng.random() < 0.3:
            generation = "old" if skel.age >= 65 else "mid"
            word = rng.choice(tx.RELATIVE_WORDS[generation])
            age = (
                skel.age - 30
                if word in {"dotter", "son"}
                else skel.age + (25 if word in {"mamma", "pappa"} else 0)
            )
            age = max(18, min(age, 95))
            male = word in {"son", "make", "pappa", "bror"}
            relative = self.make_person(age=age, rng=rng, male=male, city=city,
                                        family=person.family if rng.random() < 0.7 else None)  # fmt: skip
            self.relation(person, relative, Relation.Kind.RELATIVE, word)
            person.relative, person.relative_word = relative, word
        return person

    def special_person(self, skel: Skel, city: str) -> PersonRec:
        rng = self.detail
        family = self.special_family
        if skel.special in {"mother_closed", "mother_open"}:
            return family["mother"]
        if skel.special == "child":
            return family["child"]
        if skel.special == "grandmother":
            return family["grandmother"]
        person = self.make_person(age=skel.age, rng=rng, city=city, kind_roll=0.5)
        return person

    def make_special_family(self) -> None:
        rng = self.detail
        city = self.munis[0].area
        mother = self.make_person(
            age=38, rng=rng, given=MIN_SIP[0], family=MIN_SIP[1], male=False, city=city,
            person_id=marker_id(self.n, self.o.seed), kind_roll=0.5,
        )  # fmt: skip
        child = self.make_person(age=11, rng=rng, given=MIN_SIP_CHILD[0], family=MIN_SIP_CHILD[1],
                                 male=True, city=city, kind_roll=0.5)  # fmt: skip
        father = self.make_person(age=40, rng=rng, given="Mattias", family="Skalberg", male=True,
                                  city=city, kind_roll=0.5)  # fmt: skip
        grandmother = self.make_person(age=79, rng=rng, given=MIN_SIP_MOTHER[0],
                                       family=MIN_SIP_MOTHER[1], male=False, city=city,
                                       kind_roll=0.5)  # fmt: skip
        self.relation(child, mother, Relation.Kind.GUARDIAN, "mamma")
        self.relation(child, father, Relation.Kind.GUARDIAN, "pappa")
        child.guardians = [mother, father]
        self.relation(grandmother, mother, Relation.Kind.RELATIVE, "dotter")
        grandmother.relative, grandmother.relative_word = mother, "dotter"
        self.special_family = {"mother": mother, "child": child, "grandmother": grandmother}

    # -- the second pass: plans and everything in them --

    def plans(self) -> None:
        self.make_special_family()
        self.persons: dict[int, PersonRec] = {}
        self.access_specs: list[tuple] = []
        self.notification_window = self.at(-NOTIFICATION_DAYS, 0)
        started = time.monotonic()
        for index, skel in enumerate(self.skels):
            person = self.persons.get(skel.person)
            if person is None:
                person = self.persons[skel.person] = self.subject(skel)
            PlanMaker(self, skel, person, index).make()
            if (index + 1) % CHUNK == 0:
                self.writer.flush_behind()
                self.persons = {k: v for k, v in self.persons.items() if k >= skel.person or k < 0}
                if (index + 1) % (CHUNK * 10) == 0:
                    rate = (index + 1) / (time.monotonic() - started)
                    self.log(f"generate_world:   {index + 1} plans ({rate:.0f} a second)")
        self.writer.flush()

    # -- the access log, through the audit service --

    def access_log(self) -> None:
        specs = self.access_specs
        specs.sort(key=lambda spec: spec[0])
        written = 0
        append = audit_services.access_log_append
        for start in range(0, len(specs), ACCESS_LOG_BATCH):
            batch = specs[start : start + ACCESS_LOG_BATCH]
            entries = [
                AccessLogEntry(
                    action=action,
                    user_id=user_id,
                    unit_id=unit_id,
                    organization_id=org_id,
                    person_id=person_id,
                    object_type="plan",
                    object_id=object_id,
                    request_id=request_id,
                    channel=channel,
                )
                for _when, action, user_id, unit_id, org_id, person_id, object_id, request_id, channel in batch
            ]
            append(entries, at=batch[-1][0])
            written += len(entries)
        seal = getattr(audit_services, "access_log_seal", None)
        if seal is not None:
            while seal():
                pass
        self.access_log_written = written
        self.access_specs = []

    def analyze(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")


def _cumulative(weights):
    total = sum(weights)
    running = 0.0
    for weight in weights:
        running += weight / total
        yield running


# --- One plan -------------------------------------------------------------------------------


class PlanMaker:
    """Writes one plan's rows, its history in order, as the services would have left them."""

    def __init__(self, world: World, skel: Skel, person: PersonRec, index: int):
        self.w = world
        self.s = skel
        self.person = person
        self.index = index
        self.rng = world.detail
        self.events: list[tuple] = []
        self.id = world.uuid4()
        self.versions: list[dict] = []
        self.meetings: list[dict] = []
        self.keys: set[str] = set()
        self.lock = 1

    # small helpers

    def staff_of(self, unit: UnitRec) -> StaffRec:
        return unit.staff[int(self.rng.random() * len(unit.staff))]

    def moment(self, day: int, earliest_hour: int = 8, latest_hour: int = 16, after=None):
        """A working-day moment `day` days from today (today: early morning), not before
        `after` (plus a few minutes)."""
        if day == 0:
            earliest_hour = latest_hour = 6
        hour = earliest_hour + int(self.rng.random() * (latest_hour - earliest_hour + 1))
        at = self.w.at(day, hour, int(self.rng.random() * 60))
        if after is not None and at <= after:
            at = after + datetime.timedelta(minutes=5 + int(self.rng.random() * 20))
        return at

    def event(
        self, at, kind, summary, *, user=None, unit=None, citizen=None, before=None, after=None
    ):
        self.events.append((at, kind, summary[:300], user.id if user else None,
                            unit.id if unit else None, citizen, before or {}, after or {}))  # fmt: skip

    # the plan

    def make(self) -> None:
        w, s, rng = self.w, self.s, self.rng
        state = s.state
        self.initiator_user = self.staff_of(s.initiator)
        plan_units = s.units
        self.timeline()
        self.reasons = rng.sample(PROFILE_REASONS[s.profile], 1 + int(rng.random() < 0.5))
        source = "staff"
        source_detail = ""
        roll = rng.random()
        if roll < 0.07:
            source, source_detail = "individual", "Den enskilde bad själv om en SIP"
        elif roll < 0.12:
            source, source_detail = "relative", "Anhörig ringde"
        elif roll < 0.15:
            source, source_detail = "other_actor", "Skolan" if s.age < 18 else "Försäkringskassan"
        self.source, self.source_detail = source, source_detail
        self.event(
            self.initiated_at, EK.INITIATED, w.t("SIP initiated"),
            user=self.initiator_user, unit=s.initiator,
            after={"reasons": self.reasons, "source": source},
        )  # fmt: skip
        self.participants = {}
        self.participant(s.initiator, self.initiated_at, contact=self.initiator_user)
        consents = []
        if state == S.CONSENT_REFUSED:
            consents.append(self.consent_refused())
        elif state != S.INITIATED:
            consents.append(self.consent_given())
        text_kind = PROFILE_TEXTS[s.profile]
        has_content = state not in rules.BEFORE_CONSENT
        self.goals, self.interventions = [], []
        if has_content:
            self.preparation = (
                rng.choice(tx.OWN_WORDS[text_kind]),
                rng.choice(tx.WORKS_WELL),
                rng.choice(tx.WORKS_BADLY),
                rng.choice(tx.QUESTIONS),
            )
            self.content()
        else:
            self.preparation = ("", "", "", "")
        self.plan_details()
        self.meetings_and_versions(consents)
        self.closing(consents)
        self.extras(consents)
        self.write_plan(consents, plan_units)

    def timeline(self) -> None:
        """The days (offsets from today) on which the plan moved on."""
        s, rng = self.s, self.rng
        r = lambda a, b: a + int(rng.random() * (b - a + 1))  # noqa: E731
        self.consent_day = self.first_meeting_day = self.established_day = None
        self.closed_day = None
        self.first_meeting_held = False
        state = s.state
        if s.special == "grandmother":
            self.initiated_at = self.w.at(0, 16, 45)
            self.consent_day = 0
            return
        if state == S.INITIATED:
            init = -r(0, 9)
        elif state == S.CONSENT_REFUSED:
            init = -r(10, 500)
            self.consent_day = init + r(1, 7)
        elif state == S.CONSENTED:
            self.consent_day = -r(0, 22)
            init = self.consent_day - r(0, 6)
        elif state == S.INVITED:
            if rng.random() < 0.25:
                self.first_meeting_day = -r(1, 5)
                self.first_meeting_held = True
                self.consent_day = self.first_meeting_day - r(8, 20)
            else:
                self.first_meeting_day = r(1, 21)
                self.consent_day = -r(2, 25)
            init = self.consent_day - r(0, 6)
        elif state == S.CLOSED and s.closed_kind.startswith("early"):
            self.closed_day = -min(1400, int(1 + rng.expovariate(1 / 300)))
            self.consent_day = self.closed_day - r(3, 25)
            init = self.consent_day - r(0, 6)
        else:
            if state == S.CLOSED:
                self.closed_day = -min(1400, int(1 + rng.expovariate(1 / 300)))
                self.established_day = self.closed_day - r(20, 700)
            else:
                self.established_day = -min(1400, int(5 + rng.expovariate(1 / 260)))
                if s.special or s.big:
                    self.established_day = -r(200, 400)
            self.first_meeting_day = self.established_day
            self.first_meeting_held = True
            self.consent_day = self.first_meeting_day - r(8, 25)
            init = self.consent_day - r(0, 7)
        self.initiated_at = self.moment(init, 8, 15)

    def participant(self, unit: UnitRec, at, contact=None) -> None:
        if unit.id in self.participants:
            return
        if contact is None and self.rng.random() < 0.7:
            contact = self.staff_of(unit)
        access = Participant.Access.READ if unit.side == "o" else Participant.Access.EDIT
        self.participants[unit.id] = [unit, access, contact, True, at]

    # consent

    def consent_row(self, number, decision, day, *, given_by, guardians=(), units=(),
                    relatives=(), child_view="", exclusions="", valid_until=None, user, unit,
                    at, citizen=None):  # fmt: skip
        rng = self.rng
        mode = rng.choice(
            [Consent.Mode.WRITTEN, Consent.Mode.ORAL, Consent.Mode.ORAL, Consent.Mode.DIGITAL]
        )
        return {
            "id": self.w.next_id("consent"), "number": number, "decision": decision,
            "decided_on": self.w.day(day), "mode": mode, "given_by": given_by,
            "guardians": list(guardians), "units": list(units), "relatives": list(relatives),
            "child_view": child_view, "exclusions": exclusions, "valid_until": valid_until,
            "user": user, "unit": unit, "at": at, "citizen": citizen,
        }  # fmt: skip

    def givers(self):
        if self.s.age < 18:
            return Consent.GivenBy.GUARDIANS, self.person.guardians
        return Consent.GivenBy.INDIVIDUAL, []

    def consent_refused(self) -> dict:
        given_by, guardians = self.givers()
        at = self.moment(self.consent_day, after=self.initiated_at)
        self.consent_at = at
        consent = self.consent_row(
            1, Consent.Decision.REFUSED, self.consent_day, given_by=given_by,
            guardians=guardians[:1], user=self.initiator_user, unit=self.s.initiator, at=at,
        )  # fmt: skip
        self.event(at, EK.CONSENT_REFUSED, self.w.t("Consent refused"), user=self.initiator_user,
                   unit=self.s.initiator, after={"state": [S.INITIATED, S.CONSENT_REFUSED]})  # fmt: skip
        return consent

    def consent_given(self) -> dict:
        s, rng, person = self.s, self.rng, self.person
        given_by, guardians = self.givers()
        at = self.moment(self.consent_day, 8, 15, after=self.initiated_at)
        self.consent_at = at
        relatives = []
        if person.relative is not None and (s.special == "grandmother" or rng.random() < 0.6):
            relatives = [person.relative]
        valid_until = None
        if rng.random() < 0.1 and self.consent_day + 365 > 60:
            valid_until = self.w.day(self.consent_day + 365)
        consent = self.consent_row(
            1, Consent.Decision.GIVEN, self.consent_day, given_by=given_by, guardians=guardians,
            units=s.units, relatives=relatives,
            child_view=rng.choice(tx.CHILD_VIEWS) if s.age < 18 and rng.random() < 0.5 else "",
            exclusions=rng.choice(tx.EXCLUSIONS) if rng.random() < 0.1 else "",
            valid_until=valid_until, user=self.initiator_user, unit=s.initiator, at=at,
        )  # fmt: skip
        for unit in s.units:
            self.participant(unit, at)
        added = [u.name for u in s.units if u is not s.initiator]
        self.event(
            at, EK.CONSENT_GIVEN, self.w.t("Consent recorded (version %(n)s)") % {"n": 1},
            user=self.initiator_user, unit=s.initiator, before={"consent": None},
            after={"consent": 1, "added": added, "removed": [], "state": [S.INITIATED, S.CONSENTED]},
        )  # fmt: skip
        self.lock += 1
        return consent

    # content

    def content(self) -> None:
        s, rng, w = self.s, self.rng, self.w
        kind = PROFILE_TEXTS[s.profile]
        full = s.state not in {S.CONSENTED} or s.special == "grandmother"
        if s.big:
            goal_count, intervention_count = BIG_PLAN_GOALS, BIG_PLAN_INTERVENTIONS
        elif full:
            goal_count = 2 + int(rng.random() * 3)
            intervention_count = 3 + int(rng.random() * 5)
        else:
            goal_count = int(rng.random() * 3)
            intervention_count = int(rng.random() * 3)
        # Written between consent and the first meeting (or today).
        end = self.first_meeting_day if self.first_meeting_day is not None else 0
        end = min(end, 0)
        start = self.consent_day
        if self.closed_day is not None:
            end = min(end, self.closed_day)
        day_span = max(0, end - start)
        units = [u for u in s.units if u is not s.removed] if s.removed else list(s.units)
        writers = [u for u in units if u.side != "o"]
        options = tx.GOALS[kind]
        for position in range(goal_count):
            term, text = options[position % len(options)]
            if position >= len(options):
                text = f"{text} ({position // len(options) + 1})"
            parent = None
            if term == "short" and self.goals and rng.random() < 0.15:
                mains = [g for g in self.goals if g["parent"] is None and g["term"] == "long"]
                parent = mains[0] if mains else None
            author_unit = rng.choice(writers)
            goal = {
                "id": w.next_id("goal"), "uid": w.uuid4(), "term": term, "text": text,
                "parent": parent, "position": position, "status": Goal.Status.OPEN,
                "initial": Goal.Status.OPEN,
                "follow_up_by": self.staff_of(author_unit) if rng.random() < 0.5 else None,
                "added_in": 1, "inst": None,
            }  # fmt: skip
            self.goals.append(goal)
            at = self.moment(start + int(rng.random() * (day_span + 1)), after=self.consent_at)
            self.event(at, EK.GOAL_ADDED, w.t("Goal added: %(t)s") % {"t": text[:80]},
                       user=self.staff_of(author_unit), unit=author_unit, after={"goal": str(goal["uid"])})  # fmt: skip
        principal_sides = ["m", "r"]
        others = [u for u in units if u.side == "o"]
        for position in range(intervention_count):
            if position < 2:
                side = principal_sides[position]
                pool = [u for u in units if u.side == side]
            elif position == 2 and others:
                pool = others
            else:
                pool = units
            unit = pool[int(rng.random() * len(pool))]
            what, frequency = rng.choice(
                tx.INTERVENTIONS.get(unit.kind, tx.INTERVENTIONS["primary_care"])
            )
            initial = (
                Intervention.Status.ONGOING
                if full and rng.random() < 0.5
                else Intervention.Status.PLANNED
            )
            depends = self.interventions[-1] if self.interventions and rng.random() < 0.1 else None
            linked = (
                rng.sample(self.goals, min(len(self.goals), 1 + int(rng.random() < 0.4)))
                if self.goals
                else []
            )
            intervention = {
                "id": w.next_id("intervention"), "uid": w.uuid4(), "what": what,
                "frequency": frequency, "unit": unit, "org": unit.org, "position": position,
                "responsible_person": "", "start": None, "depends_on": depends,
                "status": initial, "initial": initial, "goals": linked, "added_in": 1,
                "inst": None,
            }  # fmt: skip
            if rng.random() < 0.6:
                staff = self.staff_of(unit)
                intervention["responsible_person"] = f"{staff.first} {staff.last}"
            self.interventions.append(intervention)
            at = self.moment(start + int(rng.random() * (day_span + 1)), after=self.consent_at)
            author = unit if unit.side != "o" else s.initiator
            self.event(
                at, EK.INTERVENTION_ADDED,
                w.t("Intervention added: %(t)s") % {"t": what[:80]},
                user=self.staff_of(author), unit=author,
                after={"intervention": str(intervention["uid"]), "organization": unit.org.name,
                       "status": initial},
            )  # fmt: skip

    def plan_details(self) -> None:
        s, rng = self.s, self.rng
        principal = s.initiator.org
        self.overall = principal
        leads = [u for u in s.units if u.side != "o" and u is not s.removed]
        lead_unit = s.initiator if rng.random() < 0.7 else rng.choice(leads)
        self.lead = self.initiator_user if lead_unit is s.initiator else self.staff_of(lead_unit)
        if s.special in {"mother_open", "child"} or s.big:
            self.lead = self.initiator_user
        self.no_other_actors = not any(u.side == "o" for u in s.units if u is not s.removed)
        self.self_actions = rng.choice(tx.SELF_ACTIONS)
        self.interpreter = rng.choice(tx.LANGUAGES) if rng.random() < 0.03 else ""
        self.easy_read = rng.random() < 0.05
        self.place_wish = (
            rng.choice(["Hemma", "På vårdcentralen", "Digitalt"]) if rng.random() < 0.1 else ""
        )
        self.digital = rng.random() < 0.15
        self.next_follow_up = None

    # meetings, follow-ups and versions

    def meeting(self, kind, day, status, scheduled_at, consent, removed=None) -> dict:
        w, s, rng = self.w, self.s, self.rng
        starts = self.moment(day, 8, 15)
        inviter = self.initiator_user
        video = rng.random() < 0.2
        meeting = {
            "id": w.next_id("meeting"), "kind": kind, "status": status, "starts_at": starts,
            "place": "" if video else f"{s.initiator.name}, samtalsrum {1 + int(rng.random() * 6)}",
            "video": f"https://video.skala.invalid/sip/{rng.getrandbits(40):010x}" if video else "",
            "chair": inviter, "recorder": inviter, "invited_by": inviter,
            "chosen": rng.random() < 0.05, "scheduled_at": scheduled_at, "invitees": [],
        }  # fmt: skip
        held = status == Meeting.Status.HELD
        units = [u for u in consent["units"] if u is not removed]
        for unit in units:
            if held:
                response = (
                    Invitee.Response.ACCEPTED if rng.random() < 0.9 else Invitee.Response.DECLINED
                )
            elif status == Meeting.Status.SCHEDULED:
                roll = rng.random()
                response = (
                    Invitee.Response.PENDING
                    if roll < 0.4
                    else (Invitee.Response.ACCEPTED if roll < 0.95 else Invitee.Response.DECLINED)
                )
            else:
                response = Invitee.Response.PENDING
            reason = rng.choice(tx.DECLINE_REASONS) if response == Invitee.Response.DECLINED else ""
            attended = (
                (response == Invitee.Response.ACCEPTED and rng.random() < 0.95) if held else None
            )
            mode = rng.choice([Invitee.Mode.DIGITAL, Invitee.Mode.WRITTEN, Invitee.Mode.ORAL])
            meeting["invitees"].append(
                (w.next_id("invitee"), unit, None, mode, response, reason, attended)
            )
            if response != Invitee.Response.PENDING and unit.side != "o" and rng.random() < 0.5:
                answered = min(
                    starts - datetime.timedelta(hours=2),
                    scheduled_at + datetime.timedelta(days=1 + int(rng.random() * 3)),
                )
                answered = max(answered, scheduled_at + datetime.timedelta(minutes=5))
                label = w.label(Invitee.Response, response)
                self.event(answered, EK.INVITATION_ANSWERED,
                           w.t("%(unit)s: %(answer)s") % {"unit": unit.name, "answer": str(label)},
                           user=self.staff_of(unit), unit=unit,
                           after={"response": response, "reason": reason})  # fmt: skip
        people = [self.person] + list(self.person.guardians)
        if consent["relatives"] and rng.random() < 0.5:
            people += consent["relatives"]
        for person in people:
            response = (
                Invitee.Response.ACCEPTED
                if held or rng.random() < 0.5
                else Invitee.Response.PENDING
            )
            attended = (rng.random() < 0.9) if held else None
            meeting["invitees"].append(
                (w.next_id("invitee"), None, person, Invitee.Mode.WRITTEN, response, "", attended)
            )
        label = w.label(Meeting.Kind, kind)
        after = {"meeting": meeting["id"], "invited": [u.name for u in units]}
        if kind == Meeting.Kind.FIRST and s.state != S.INITIATED:
            after["state"] = [S.CONSENTED, S.INVITED]
        elif kind == Meeting.Kind.FOLLOW_UP:
            after["state"] = [S.ACTIVE, S.FOLLOW_UP]
        self.event(
            scheduled_at, EK.MEETING_SCHEDULED,
            w.t("%(kind)s scheduled for %(when)s")
            % {"kind": str(label), "when": starts.strftime("%Y-%m-%d %H:%M")},
            user=inviter, unit=s.initiator, after=after,
        )  # fmt: skip
        if held:
            attended = sum(1 for i in meeting["invitees"] if i[6])
            self.event(starts + datetime.timedelta(hours=1, minutes=30), EK.MEETING_HELD,
                       w.t("%(kind)s held") % {"kind": str(label)}, user=inviter, unit=s.initiator,
                       after={"meeting": meeting["id"], "attended": attended})  # fmt: skip
            meeting["opening"] = "Presentation, samtycke och syfte gicks igenom."
            meeting["summary"] = "Insatserna och ansvaret fördelades. Uppföljning bokad."
        self.meetings.append(meeting)
        return meeting

    def meetings_and_versions(self, consents) -> None:
        s, rng = self.s, self.rng
        r = lambda a, b: a + int(rng.random() * (b - a + 1))  # noqa: E731
        if not consents or consents[0]["decision"] != Consent.Decision.GIVEN:
            return
        consent = consents[0]
        self.followups = []
        if self.first_meeting_day is None and s.state == S.CLOSED and rng.random() < 0.5:
            # Closed before the first meeting: a meeting was booked, and cancelled at closing.
            self.first_meeting_day = self.closed_day + r(3, 15)
        if self.first_meeting_day is None:
            return
        scheduled_day = min(self.consent_day + r(1, 4), self.first_meeting_day - 1, 0)
        scheduled_day = max(scheduled_day, self.consent_day)
        scheduled_at = self.moment(scheduled_day, after=self.consent_at)
        if self.first_meeting_held:
            status = Meeting.Status.HELD
        elif self.closed_day is not None:
            status = Meeting.Status.CANCELLED
        else:
            status = Meeting.Status.SCHEDULED
        first = self.meeting(
            Meeting.Kind.FIRST, self.first_meeting_day, status, scheduled_at, consent
        )
        if status == Meeting.Status.SCHEDULED or status == Meeting.Status.HELD:
            self.lock += 1  # state: consented -> invited
        if self.established_day is None:
            if s.state in {S.INVITED, S.CONSENTED} or s.state == S.CLOSED:
                self.next_follow_up = None
            return
        # The plan is established at the first meeting.
        period = rng.choice([60, 90, 90, 120, 180])
        self.next_follow_up = self.established_day + period
        est_at = first["starts_at"] + datetime.timedelta(hours=2)
        before_update = est_at - datetime.timedelta(minutes=20)
        self.plan_update_event(before_update)
        if s.removed is not None:
            self.renew_consent(consents, est_at - datetime.timedelta(minutes=40))
        self.version(est_at, establishing=True)
        end = self.closed_day if self.closed_day is not None else 1
        revisions_left = 2
        while True:
            follow_day = self.next_follow_up
            if follow_day >= end:
                break
            if s.state in {S.ACTIVE} and follow_day > -60 and rng.random() < 0.15 and not s.special:
                break  # the follow-up date passed without a meeting: overdue
            scheduled = self.moment(max(follow_day - r(10, 25), self.established_day + 1))
            meeting = self.meeting(Meeting.Kind.FOLLOW_UP, follow_day, Meeting.Status.HELD, scheduled,
                                   consents[-1], s.removed)  # fmt: skip
            closing_here = (
                s.state == S.CLOSED and s.closed_kind == "followup"
                and self.next_follow_up + period >= end
            )  # fmt: skip
            if closing_here:
                self.closed_day = follow_day
                self.followup(meeting, FollowUp.Decision.CLOSE, None, follow_day)
                break
            revise = revisions_left > 0 and rng.random() < 0.3
            period = rng.choice([60, 90, 90, 120, 180])
            self.next_follow_up = follow_day + period
            decision = FollowUp.Decision.REVISE if revise else FollowUp.Decision.CONTINUE
            self.followup(meeting, decision, self.next_follow_up, follow_day)
            if revise:
                revisions_left -= 1
                at = meeting["starts_at"] + datetime.timedelta(hours=2)
                self.change_content(at - datetime.timedelta(minutes=30))
                self.version(at, establishing=False, pending=False)
        if s.big:
            while len(self.versions) < 3:
                at = self.moment(-r(1, 20))
                at = max(at, self.last_event_at() + datetime.timedelta(minutes=5))
                self.change_content(at - datetime.timedelta(minutes=30))
                self.version(at, establishing=False, pending=False)
        if s.state == S.FOLLOW_UP:
            day = self.next_follow_up
            scheduled = self.moment(max(-r(1, 20), self.last_event_day() + 1, day - 40))
            scheduled = min(scheduled, self.w.at(0, 7))
            self.meeting(Meeting.Kind.FOLLOW_UP, day, Meeting.Status.SCHEDULED, scheduled,
                         consents[-1], s.removed)  # fmt: skip
            self.lock += 1
        elif s.state == S.REVISION:
            at = max(self.moment(-r(1, 20)), self.last_event_at() + datetime.timedelta(minutes=5))
            at = min(at, self.w.at(0, 7))
            self.change_content(at - datetime.timedelta(minutes=30))
            self.version(at, establishing=False, pending=True)

    def last_event_at(self):
        return max(e[0] for e in self.events)

    def last_event_day(self) -> int:
        return (self.last_event_at().date() - self.w.today).days

    def renew_consent(self, consents, at) -> None:
        """A new consent that no longer covers one unit: it stops taking part."""
        s = self.s
        first = consents[0]
        units = [u for u in first["units"] if u is not s.removed]
        day = (at.date() - self.w.today).days
        consent = self.consent_row(
            2, Consent.Decision.GIVEN, day, given_by=first["given_by"],
            guardians=first["guardians"], units=units, relatives=first["relatives"],
            child_view=first["child_view"], exclusions=first["exclusions"],
            valid_until=first["valid_until"], user=self.initiator_user, unit=s.initiator, at=at,
        )  # fmt: skip
        consents.append(consent)
        self.participants[s.removed.id][3] = False
        self.removed_at_version = len(self.versions) + 1
        self.event(at, EK.CONSENT_GIVEN, self.w.t("Consent recorded (version %(n)s)") % {"n": 2},
                   user=self.initiator_user, unit=s.initiator, before={"consent": 1},
                   after={"consent": 2, "added": [], "removed": [s.removed.name]})  # fmt: skip

    def plan_update_event(self, at) -> None:
        w = self.w
        after = {
            "overall_responsibility": self.overall.name,
            "lead": f"{self.lead.first} {self.lead.last}",
            "next_follow_up": w.day(self.next_follow_up).isoformat(),
            "no_other_actors": self.no_other_actors,
            "self_actions": self.self_actions,
        }
        before = {"overall_responsibility": None, "lead": None, "next_follow_up": None,
                  "no_other_actors": False, "self_actions": ""}  # fmt: skip
        changed_before = {k: v for k, v in before.items() if v != after[k]}
        self.event(at, EK.PLAN_UPDATED, w.t("Plan details changed"), user=self.initiator_user,
                   unit=self.s.initiator, before=changed_before,
                   after={k: after[k] for k in changed_before})  # fmt: skip
        self.lock += 1

    def change_content(self, at) -> None:
        """At a revision: interventions move on, a goal or an intervention is added."""
        w, rng, s = self.w, self.rng, self.s
        version = len(self.versions) + 1
        for intervention in self.interventions:
            if intervention["status"] == Intervention.Status.PLANNED and rng.random() < 0.7:
                intervention.setdefault("history", []).append(
                    (version, Intervention.Status.ONGOING)
                )
                intervention["status"] = Intervention.Status.ONGOING
            elif intervention["status"] == Intervention.Status.ONGOING and rng.random() < 0.2:
                intervention.setdefault("history", []).append((version, Intervention.Status.DONE))
                intervention["status"] = Intervention.Status.DONE
        for goal in self.goals:
            if rng.random() < 0.2:
                new = rng.choice([Goal.Status.ACHIEVED, Goal.Status.PARTLY])
                goal.setdefault("history", []).append((version, new))
                goal["status"] = new
        if rng.random() < 0.4 and not s.big:
            kind = PROFILE_TEXTS[s.profile]
            term, text = rng.choice(tx.GOALS[kind])
            goal = {
                "id": w.next_id("goal"), "uid": w.uuid4(), "term": term, "text": text,
                "parent": None, "position": len(self.goals), "status": Goal.Status.OPEN,
                "initial": Goal.Status.OPEN, "follow_up_by": None, "added_in": version,
                "inst": None,
            }  # fmt: skip
            self.goals.append(goal)
            self.event(at, EK.GOAL_ADDED, w.t("Goal added: %(t)s") % {"t": text[:80]},
                       user=self.initiator_user, unit=s.initiator, after={"goal": str(goal["uid"])})  # fmt: skip

    def version(self, at, *, establishing: bool, pending: bool = False) -> None:
        w, s, rng = self.w, self.s, self.rng
        number = len(self.versions) + 1
        method = (
            ""
            if pending
            else rng.choice([PlanVersion.Method.MEETING_ORAL, PlanVersion.Method.MEETING_WRITTEN])
        )
        snapshot = self.snapshot(number)
        self.versions.append({
            "id": w.next_id("version"), "number": number, "at": at, "snapshot": snapshot,
            "pending": pending, "method": method, "by": self.initiator_user,
        })  # fmt: skip
        if establishing:
            self.event(
                at, EK.ESTABLISHED,
                w.t("Plan established as version %(n)s, approved by the individual") % {"n": number},
                user=self.initiator_user, unit=s.initiator,
                after={"version": number, "approval_method": method, "state": [S.INVITED, S.ACTIVE]},
            )  # fmt: skip
        elif pending:
            self.event(
                at, EK.REVISED,
                w.t("Plan revised to version %(n)s, awaiting the individual's approval") % {"n": number},
                user=self.initiator_user, unit=s.initiator,
                after={"version": number, "state": [S.ACTIVE, S.REVISION]},
            )  # fmt: skip
        else:
            self.event(
                at, EK.REVISED,
                w.t("Plan revised to version %(n)s, approved by the individual") % {"n": number},
                user=self.initiator_user, unit=s.initiator,
                after={"version": number, "state": [S.FOLLOW_UP, S.ACTIVE]},
            )  # fmt: skip
        self.lock += 1

    def followup(self, meeting, decision, next_day, due_day) -> None:
        """A follow-up held at `meeting`, answering the follow-up date `due_day`."""
        w, rng = self.w, self.rng
        at = meeting["starts_at"] + datetime.timedelta(hours=1, minutes=45)
        self.followups.append({
            "id": w.next_id("followup"), "meeting": meeting["id"],
            "how": rng.choice(tx.FOLLOW_UP["how_it_went"]),
            "helped": rng.choice(tx.FOLLOW_UP["helped_hindered"]),
            "needed": decision != FollowUp.Decision.CLOSE,
            "continue": rng.choice(tx.FOLLOW_UP["continue_interventions"]),
            "decision": decision, "at": at, "due": w.day(due_day),
        })  # fmt: skip
        label = w.label(FollowUp.Decision, decision)
        self.event(at, EK.FOLLOWED_UP, w.t("Follow-up recorded: %(decision)s") % {"decision": str(label)},
                   user=self.initiator_user, unit=self.s.initiator, after={"decision": decision})  # fmt: skip
        self.lock += 1

    # the snapshot, by the real code

    def snapshot(self, number: int) -> dict:
        w, s = self.w, self.s
        goals = []
        for goal in self.goals:
            if goal["added_in"] > number:
                continue
            inst = goal["inst"]
            if inst is None:
                inst = goal["inst"] = SnapGoal()
                inst.pk, inst.uid, inst.term, inst.text = (
                    goal["id"],
                    goal["uid"],
                    goal["term"],
                    goal["text"],
                )
                inst.topic = ""  # the generated world's items are general (no consent limits)
                inst.parent = goal["parent"]["inst"] if goal["parent"] else None
                inst.follow_up_by = (
                    w.user_inst(goal["follow_up_by"]) if goal["follow_up_by"] else None
                )
                inst.position, inst.labels = goal["position"], w.labels
            inst.status = _status_at(goal, number)
            goals.append(inst)
        interventions = []
        for item in self.interventions:
            if item["added_in"] > number:
                continue
            inst = item["inst"]
            if inst is None:
                inst = item["inst"] = SnapIntervention()
                inst.pk, inst.uid, inst.what = item["id"], item["uid"], item["what"]
                inst.organization, inst.unit = item["org"].inst, item["unit"].inst
                inst.organization_id, inst.unit_id = item["org"].id, item["unit"].id
                inst.topic = ""
                inst.responsible_person, inst.start = item["responsible_person"], item["start"]
                inst.frequency, inst.position = item["frequency"], item["position"]
                inst.depends_on = item["depends_on"]["inst"] if item["depends_on"] else None
                inst.goals = ListManager(g["inst"] for g in item["goals"])
                inst.labels = w.labels
            inst.status = _status_at(item, number)
            interventions.append(inst)
        removed_from = getattr(self, "removed_at_version", None)
        participants = []
        for unit, _access, contact, _active, _at in self.participants.values():
            active = not (unit is s.removed and removed_from is not None and number >= removed_from)
            contact_person = w.user_inst(contact) if contact else None
            participants.append(SnapParticipant(unit.inst, contact_person, active))
        plan = SimpleNamespace(
            person=SnapName(full_name=f"{self.person.given} {self.person.family}"),
            own_words=self.preparation[0],
            goals=ListManager(goals),
            interventions=ListManager(interventions),
            participants=ListManager(participants),
            self_actions=self.self_actions,
            no_other_actors=self.no_other_actors,
            overall_responsibility=self.overall.inst,
            lead=w.user_inst(self.lead),
            next_follow_up=w.day(self.next_follow_up) if self.next_follow_up is not None else None,
        )
        return plan_snapshot(plan)

    # closing

    def closing(self, consents) -> None:
        w, s, rng = self.w, self.s, self.rng
        self.closed_at = None
        self.closing_reason = self.closing_text = ""
        if s.state != S.CLOSED:
            return
        if self.closed_day is None:
            self.closed_day = -1
        last = self.last_event_at()
        at = max(self.moment(self.closed_day), last + datetime.timedelta(minutes=10))
        kind = s.closed_kind
        state_before = S.ACTIVE if self.versions else (S.INVITED if self.meetings else S.CONSENTED)
        if kind in {"withdrawn", "early_withdrawn"}:
            current = consents[-1]
            number = current["number"] + 1
            consents.append(self.consent_row(
                number, Consent.Decision.WITHDRAWN, (at.date() - w.today).days,
                given_by=current["given_by"], exclusions="Vill inte längre ha en SIP.",
                user=self.initiator_user, unit=s.initiator, at=at,
            ))  # fmt: skip
            self.event(at, EK.CONSENT_WITHDRAWN, w.t("Consent withdrawn"), user=self.initiator_user,
                       unit=s.initiator, after={"consent": number})  # fmt: skip
            reason = Plan.ClosingReason.CONSENT_WITHDRAWN
            text = w.t("samtycke återkallat")
        elif kind == "followup":
            reason, text = Plan.ClosingReason.NOT_NEEDED, ""
        else:
            options = [Plan.ClosingReason.WORKS, Plan.ClosingReason.NOT_NEEDED, Plan.ClosingReason.MOVED,
                       Plan.ClosingReason.INDIVIDUAL_ENDED, Plan.ClosingReason.OTHER]  # fmt: skip
            if s.age >= 80:
                options.append(Plan.ClosingReason.DECEASED)
            reason = rng.choice(options)
            text = (
                "Insatserna samordnas nu inom hemsjukvården."
                if reason == Plan.ClosingReason.OTHER
                else ""
            )
        self.closed_at = at + datetime.timedelta(minutes=1)
        self.closing_reason, self.closing_text = reason, text
        label = w.label(Plan.ClosingReason, reason)
        self.event(self.closed_at, EK.CLOSED, w.t("SIP closed: %(reason)s") % {"reason": str(label)},
                   user=self.initiator_user, unit=s.initiator,
                   after={"reason": reason, "state": [state_before, S.CLOSED]})  # fmt: skip
        for meeting in self.meetings:
            if meeting["status"] == Meeting.Status.SCHEDULED:
                meeting["status"] = Meeting.Status.CANCELLED
        self.lock += 1

    # what else happens around a plan

    def extras(self, consents) -> None:
        w, s, rng = self.w, self.s, self.rng
        person = self.person
        open_plan = s.state not in {S.CLOSED, S.CONSENT_REFUSED}
        self.relative_access = None
        self.messages = []
        self.join_request = None
        given = s.state not in rules.BEFORE_CONSENT and s.state != S.CLOSED
        covered = bool(consents) and person.relative in consents[-1]["relatives"]
        # (the draw only when the rest holds: the order of draws is the world)
        if (
            given
            and covered
            and not person.protected
            and (s.special == "grandmother" or rng.random() < 0.3)
        ):
            at = min(self.last_event_at() + datetime.timedelta(hours=3), self.w.at(0, 7))
            if s.special == "grandmother":
                at = self.w.at(0, 16, 55)
            self.relative_access = (
                w.next_id("relative_access"),
                person.relative,
                ["goals", "meetings"],
                at,
            )
            self.event(at, EK.RELATIVE_INVITED,
                       w.t("%(relative)s invited to Min SIP by %(name)s")
                       % {"relative": f"{person.relative.given} {person.relative.family}",
                          "name": f"{person.given} {person.family}"},
                       citizen=person.id, after={"sections": ["goals", "meetings"]})  # fmt: skip
        if open_plan and s.state not in rules.BEFORE_CONSENT and rng.random() < 0.06:
            at = self.last_event_at() + datetime.timedelta(days=1)
            at = min(at, self.w.at(0, 7, 10))
            handled = rng.random() < 0.6
            text = rng.choice([
                "Kan vi flytta nästa möte till en eftermiddag?",
                "Jag vill att min dotter får vara med på nästa möte.",
                "Hemtjänsten har inte kommit de senaste två gångerna.",
                "Tack för senast, det kändes bra.",
            ])  # fmt: skip
            handled_at = at + datetime.timedelta(hours=5) if handled else None
            self.messages.append(
                (w.next_id("citizen_message"), CitizenMessage.Kind.COMMENT, text, at, handled_at)
            )
            label = CitizenMessage.Kind.COMMENT.label
            self.event(at, EK.CITIZEN_COMMENT,
                       w.t("%(kind)s from %(name)s in Min SIP") % {"kind": str(label), "name": f"{person.given} {person.family}"},
                       citizen=person.id)  # fmt: skip
            if handled:
                self.event(handled_at, EK.CITIZEN_MESSAGE_HANDLED,
                           w.t("Message from Min SIP handled: %(kind)s") % {"kind": str(label)},
                           user=self.lead, unit=s.initiator)  # fmt: skip
        if (
            open_plan
            and s.state not in rules.BEFORE_CONSENT
            and rng.random() < 0.005
            and not s.special
        ):
            outsiders = [u for u in w.pools[(s.muni, "r", "primary_care")] if u not in s.units]
            if outsiders:
                unit = outsiders[0]
                at = min(self.last_event_at() + datetime.timedelta(days=1), self.w.at(0, 7, 30))
                self.join_request = (w.next_id("join_request"), unit, self.staff_of(unit), at)
                self.event(at, EK.JOIN_REQUESTED, w.t("%(unit)s asks to take part") % {"unit": unit.name},
                           user=self.join_request[2], unit=unit,
                           after={"join_request": self.join_request[0], "unit": unit.name,
                                  "reasons": ["several_units"], "source": "staff"})  # fmt: skip

    # the rows

    def write_plan(self, consents, plan_units) -> None:
        w, s, rng = self.w, self.s, self.rng
        t = w.writer.tables
        person = self.person
        plan_id = self.id
        # The stored deadline, by the rule book on the plan as the database will hold it.
        deadline_plan = DeadlinePlan()
        deadline_plan.state, deadline_plan.initiated_at = s.state, self.initiated_at
        deadline_plan.next_follow_up = self.follow_up_date()
        deadline_plan.invitation_due = None  # no SIP started at a discharge at national scale
        deadline_plan.initiating_unit = s.initiator.deadline_unit
        deadline_plan.consents = ListManager(
            SimpleNamespace(number=c["number"], decision=c["decision"], decided_on=c["decided_on"])
            for c in consents
        )
        deadline = rules.deadline_columns(deadline_plan)
        # The version in force is the last approved one; a pending revision is the draft.
        approved = [v for v in self.versions if not v["pending"]]
        current_version = len(approved)
        unapproved = 0
        if approved and self.versions[-1]["pending"]:
            diff = snapshot_diff(approved[-1]["snapshot"], self.versions[-1]["snapshot"])
            unapproved = changes_count(diff)
        has_content = s.state not in rules.BEFORE_CONSENT
        established = current_version > 0
        own_words, works_well, works_badly, questions = self.preparation
        t["plan"].add((
            plan_id, person.id, s.state, self.lock, self.initiated_at, self.initiator_user.id,
            s.initiator.id, self.source, self.source_detail, dumps(self.reasons),
            rng.choice(tx.REASON_TEXTS), own_words, works_well, works_badly, questions,
            self.interpreter if has_content else "", self.easy_read and has_content,
            self.place_wish if has_content else "", self.digital and has_content,
            self.self_actions if established else "", self.no_other_actors if established else False,
            self.overall.id if established else None, self.lead.id if established else None,
            self.follow_up_date(), current_version, unapproved, deadline["deadline_kind"],
            deadline["deadline_due"], deadline["deadline_soon_from"], self.closed_at,
            self.closing_reason, self.closing_text, "", "", None, "", None, None,
        ))  # fmt: skip
        for unit_id, (_unit, access, contact, active, at) in self.participants.items():
            t["participant"].add((w.next_id("participant"), plan_id, unit_id, access,
                                  contact.id if contact else None, active, at))  # fmt: skip
        for c in consents:
            t["consent"].add((
                c["id"], plan_id, c["number"], c["decision"], c["decided_on"], c["mode"],
                c["given_by"], c["child_view"], c["exclusions"], c["valid_until"], c["user"].id,
                c["unit"].id, None, c["at"],
            ))  # fmt: skip
            for unit in c["units"]:
                t["consent_units"].add((w.next_id("consent_units"), c["id"], unit.id))
            for guardian in c["guardians"]:
                t["consent_guardians"].add((w.next_id("consent_guardians"), c["id"], guardian.id))
            for relative in c["relatives"]:
                t["consent_relatives"].add((w.next_id("consent_relatives"), c["id"], relative.id))
        for goal in self.goals:
            t["goal"].add((
                goal["id"], goal["uid"], plan_id, goal["parent"]["id"] if goal["parent"] else None,
                goal["term"], goal["text"], "", goal["follow_up_by"].id if goal["follow_up_by"] else None,
                goal["status"], goal["position"], 1 + len(goal.get("history", ())),
            ))  # fmt: skip
        for item in self.interventions:
            t["intervention"].add((
                item["id"], item["uid"], plan_id, item["what"], "", item["org"].id, item["unit"].id,
                item["responsible_person"], item["start"], item["frequency"],
                item["depends_on"]["id"] if item["depends_on"] else None, item["status"],
                item["position"], 1 + len(item.get("history", ())),
            ))  # fmt: skip
            for goal in item["goals"]:
                t["intervention_goals"].add(
                    (w.next_id("intervention_goals"), item["id"], goal["id"])
                )
        for m in self.meetings:
            held = m["status"] == Meeting.Status.HELD
            t["meeting"].add((
                m["id"], plan_id, m["kind"], m["status"], m["starts_at"], m["place"], m["video"],
                m["chair"].id, m["chosen"], m["recorder"].id, m["invited_by"].id,
                m.get("opening", ""), m.get("summary", ""), "", 2 if held else 1, m["scheduled_at"],
                "", "",
            ))  # fmt: skip
            for invitee_id, unit, invited, mode, response, reason, attended in m["invitees"]:
                t["invitee"].add((invitee_id, m["id"], unit.id if unit else None,
                                  invited.id if invited else None, mode, response, reason, attended))  # fmt: skip
            if (
                m["scheduled_at"] >= w.notification_window
                and m["status"] != Meeting.Status.CANCELLED
            ):
                self.invitation_notifications(m)
        for v in self.versions:
            approved = not v["pending"]
            t["version"].add((
                v["id"], plan_id, v["number"], v["at"], v["by"].id, s.initiator.id,
                dumps(v["snapshot"]),
                PlanVersion.Approval.PENDING if v["pending"] else PlanVersion.Approval.APPROVED,
                v["method"], v["at"] if approved else None, v["by"].id if approved else None, "",
            ))  # fmt: skip
        for f in getattr(self, "followups", ()):
            t["followup"].add((f["id"], plan_id, f["meeting"], f["how"], f["helped"], f["needed"],
                               f["continue"], "", f["decision"], self.initiator_user.id, s.initiator.id,
                               f["at"], f["due"]))  # fmt: skip
        if self.closed_at is not None:
            informed = [p for p in self.participants.values() if p[3]]
            for unit, *_rest in informed:
                t["closing_notice"].add((w.next_id("closing_notice"), plan_id, unit.id, None,
                                         self.initiator_user.id, ClosingNotice.Method.SAMPLAN,
                                         self.closed_at))  # fmt: skip
            t["closing_notice"].add((w.next_id("closing_notice"), plan_id, None, person.id,
                                     self.initiator_user.id, ClosingNotice.Method.SAMPLAN, self.closed_at))  # fmt: skip
            if self.closed_at >= w.notification_window:
                self.closing_notifications(informed)
        if self.relative_access is not None:
            access_id, relative, sections, at = self.relative_access
            t["relative_access"].add(
                (access_id, plan_id, relative.id, dumps(sections), person.id, at, None)
            )
        for message_id, kind, text, at, handled_at in self.messages:
            t["citizen_message"].add((message_id, plan_id, person.id, kind, text, at, handled_at,
                                      self.lead.id if handled_at else None))  # fmt: skip
            # Written to the lead's unit, as Min SIP proposes.
            t["citizen_message_units"].add((w.next_id("citizen_message_units"), message_id,
                                            s.initiator.id))  # fmt: skip
        if self.join_request is not None:
            request_id, unit, requester, at = self.join_request
            t["join_request"].add((request_id, plan_id, unit.id, requester.id, "staff", "",
                                   dumps(["several_units"]), "", at, JoinRequest.State.PENDING,
                                   None, None, None, ""))  # fmt: skip
        if person.protected and s.state not in rules.BEFORE_CONSENT and rng.random() < 0.5:
            t["contact_grant"].add((w.next_id("contact_grant"), person.id, self.lead.id, None,
                                    "Kontaktperson i SIP:en, behöver kunna kalla till möten.",
                                    s.initiator.manager.id, None, None, self.initiated_at))  # fmt: skip
        self.events.sort(key=lambda e: e[0])
        for at, kind, summary, user_id, unit_id, citizen, before, after in self.events:
            t["event"].add((w.next_id("event"), plan_id, at, user_id, unit_id, citizen, kind,
                            summary, dumps(before), dumps(after)))  # fmt: skip
        self.access_log_specs(plan_units)

    def follow_up_date(self):
        if not self.versions or self.next_follow_up is None:
            return None
        return self.w.day(self.next_follow_up)

    def access_log_specs(self, plan_units) -> None:
        """Reads of the plan in the access log, written later through the audit service."""
        w, s, rng = self.w, self.s, self.rng
        per_plan = w.o.access_log_per_plan
        if per_plan <= 0:
            return
        visible = (
            [u for u in s.units if u is not s.removed]
            if s.state not in rules.BEFORE_CONSENT
            else [s.initiator]
        )
        start = max(self.initiated_at, w.at(-ACCESS_LOG_DAYS, 0))
        end = self.closed_at or w.at(0, 7)
        if end <= start:
            start = end - datetime.timedelta(hours=1)
        span = (end - start).total_seconds()
        plan_id = str(self.id)
        for _number in range(per_plan):
            when = start + datetime.timedelta(seconds=int(rng.random() * span))
            roll = rng.random()
            if roll < 0.05:
                w.access_specs.append((when, "citizen:plan", None, None, None, self.person.id,
                                       plan_id, "", AccessLogEntry.Channel.CITIZEN))  # fmt: skip
                continue
            unit = visible[int(rng.random() * len(visible))]
            user = self.staff_of(unit)
            action = "plans:overview" if roll < 0.55 else ("plan.list" if roll < 0.75 else (
                "plans:content" if roll < 0.9 else "plans:meetings"))  # fmt: skip
            w.access_specs.append((when, action, user.id, unit.id, unit.org.id, self.person.id,
                                   plan_id, f"{rng.getrandbits(64):016x}", AccessLogEntry.Channel.WEB))  # fmt: skip

    # notifications (the outbox), as the notification services write them

    def invitation_notifications(self, meeting) -> None:
        w = self.w
        t = w.writer.tables
        kind = Notification.Kind.MEETING_INVITATION
        created = meeting["scheduled_at"]
        key = f"{kind}:meeting:{meeting['id']}:seq0"
        subject, line = ntexts.meeting_texts(kind)
        inbox_body = w.t("The meeting is on %(when)s.") % {
            "when": ntexts.when_text(meeting["starts_at"])
        }
        files: dict[str, str] = {}

        def calendar_file(link: str) -> str:
            if link not in files:
                files[link] = ics.meeting_ics(
                    SimpleNamespace(pk=meeting["id"], starts_at=meeting["starts_at"]),
                    method="REQUEST", sequence=0, link=link, summary=subject, now=created,
                )  # fmt: skip
            return files[link]

        t["calendar"].add((meeting["id"], 0, "REQUEST", created))
        staff_link = reverse("plans:meetings", args=[self.id])
        for _id, unit, invited, *_rest in meeting["invitees"]:
            if unit is not None:
                self.unit_notifications(
                    unit, key, kind, subject, line, inbox_body, staff_link, created, calendar_file
                )
            else:
                self.person_notifications(
                    invited, key, kind, subject, line, inbox_body, created, calendar_file
                )

    def closing_notifications(self, informed) -> None:
        w = self.w
        kind = Notification.Kind.PLAN_CLOSED
        utc = self.closed_at.astimezone(datetime.UTC)
        key = f"{kind}:plan:{self.id}:{utc.isoformat()}"
        subject, line = w.t("SIP closed"), w.t("A SIP has been closed.")
        inbox_body = w.t("The SIP is closed. The plan can still be read.")
        staff_link = reverse("plans:overview", args=[self.id])
        for unit, *_rest in informed:
            self.unit_notifications(
                unit, key, kind, subject, line, inbox_body, staff_link, self.closed_at, None
            )
        self.person_notifications(
            self.person, key, kind, subject, line, inbox_body, self.closed_at, None
        )

    def notification(self, *, channel, kind, user=None, person=None, unit=None, email="",
                     subject, body, link, ics_text="", key, created) -> None:  # fmt: skip
        w, rng = self.w, self.rng
        key = key[:255]
        if key in self.keys:
            return  # one notification per key, as the outbox writes them (a member of two units)
        self.keys.add(key)
        is_email = channel == Notification.Channel.EMAIL
        read_at = None
        if not is_email and created < w.at(-2, 0) and rng.random() < 0.6:
            read_at = created + datetime.timedelta(hours=1 + int(rng.random() * 30))
        w.writer.tables["notification"].add((
            w.next_id("notification"), channel, kind, user, person, unit, email, self.id,
            subject[:200], body, link[:300], ics_text, key,
            Notification.Status.SENT if is_email else Notification.Status.DELIVERED,
            1 if is_email else 0, None, None, None, "", "", created,
            created + datetime.timedelta(seconds=40) if is_email else None, read_at,
        ))  # fmt: skip

    def unit_notifications(
        self, unit, key, kind, subject, line, inbox_body, staff_link, created, calendar_file
    ):
        inbox = reverse("notifications:inbox")
        address = unit.email.strip().lower()
        self.notification(channel=Notification.Channel.EMAIL, kind=kind, unit=unit.id, email=address,
                          subject=subject, body=ntexts.email_body(line, inbox), link=inbox,
                          ics_text=calendar_file(ntexts.absolute_url(inbox)) if calendar_file else "",
                          key=f"{key}:email:{address}", created=created)  # fmt: skip
        members = [unit.manager, *unit.staff]
        for user in dict.fromkeys(members):
            self.notification(channel=Notification.Channel.INBOX, kind=kind, user=user.id, unit=unit.id,
                              subject=subject, body=inbox_body, link=staff_link,
                              key=f"{key}:user:{user.id}", created=created)  # fmt: skip

    def person_notifications(
        self, person, key, kind, subject, line, inbox_body, created, calendar_file
    ):
        link = (
            reverse("citizen:plan", args=[self.id])
            if person is self.person
            else reverse("citizen:home")
        )
        self.notification(channel=Notification.Channel.INBOX, kind=kind, person=person.id,
                          subject=subject, body=inbox_body, link=link,
                          key=f"{key}:person:{person.id}", created=created)  # fmt: skip
        if person.email_ok and person.email:
            path = reverse("notifications:citizen_inbox")
            address = person.email.strip().lower()
            self.notification(channel=Notification.Channel.EMAIL, kind=kind, person=person.id,
                              email=address, subject=subject, body=ntexts.email_body(line, path),
                              link=path, ics_text=calendar_file(ntexts.absolute_url(path)) if calendar_file else "",
                              key=f"{key}:email:{address}", created=created)  # fmt: skip


def _status_at(item: dict, number: int) -> str:
    """An item's status as of version `number` (its history: (version, new status))."""
    status = item["initial"]
    for version, new in item.get("history", ()):
        if version <= number:
            status = new
    return status


# --- Finding the world again ----------------------------------------------------------------


def world_present(plans: int, seed: int) -> bool:
    return Person.objects.filter(pk=marker_id(plans, seed)).exists()


def typical_plan(unit) -> Plan | None:
    """An established plan the unit takes part in, with three goals: the first by id."""
    return (
        plans_of_unit(unit)
        .filter(state=S.ACTIVE, current_version__gte=1)
        .annotate(goal_count=Count("goals", distinct=True))
        .filter(goal_count=3)
        .order_by("pk")
        .first()
    ) or plans_of_unit(unit).filter(state=S.ACTIVE).order_by("pk").first()


def world_describe(plans: int, seed: int) -> dict | None:
    """The well-known accounts, units, plans and the Min SIP individual of a generated world,
    read from the database (None when this world is not there)."""
    marker = Person.objects.filter(pk=marker_id(plans, seed)).first()
    if marker is None:
        return None
    accounts = {}
    units = {}
    for username in WELL_KNOWN:
        membership = (
            Membership.objects.filter(user__username=username)
            .select_related("unit__organization")
            .first()
        )
        accounts[username] = {
            "role": membership.role,
            "unit_id": membership.unit_id,
            "unit": str(membership.unit),
        }
        units[username] = membership.unit
    heavy, normal = units["skala.tung"], units["skala.normal"]
    big = (
        plans_of_unit(heavy)
        .annotate(goal_count=Count("goals", distinct=True))
        .filter(goal_count__gte=BIG_PLAN_GOALS)
        .order_by("pk")
        .first()
    )
    typical = typical_plan(normal)
    own = list(Plan.objects.filter(person=marker).order_by("initiated_at").values("id", "state"))
    return {
        "plans": plans,
        "seed": seed,
        "accounts": accounts,
        "heavy_unit": {
            "id": heavy.pk,
            "name": str(heavy),
            "plans": plans_of_unit(heavy).count(),
        },
        "normal_unit": {
            "id": normal.pk,
            "name": str(normal),
            "plans": plans_of_unit(normal).count(),
        },
        "typical_plan": str(typical.pk) if typical else None,
        "big_plan": {
            "id": str(big.pk) if big else None,
            "goals": big.goals.count() if big else 0,
            "interventions": big.interventions.count() if big else 0,
            "versions": [
                {"id": v.pk, "number": v.number}
                for v in (big.versions.order_by("number") if big else [])
            ],
        },
        "min_sip": {
            "person_id": str(marker.pk),
            "name": marker.full_name,
            "identity_number": marker.identity_display,
            "plans": [{"id": str(p["id"]), "state": p["state"]} for p in own],
        },
    }
