"""The permission matrix of the admin: every administrator against every object.

The oracle below is written from docs/security.md ("Administration") alone: it does not import
samplan.accounts.access or the admin, and reads the facts it needs as plain rows.

A world of three organisations holds the shapes the rules talk about: two administrators of
one organisation, an administrator of two, a superuser who is also a member, staff of two
organisations, ended memberships and ended administrator roles, an inactive unit, an inactive
account, a user without memberships. Each actor (a superuser, the administrator of the
municipality, the administrator of both the region and the other actor, and two who
administer nothing) goes through the real admin over HTTP for every organisation, unit, user,
membership, local agreement and security event: is it listed, does its page open, may it be
changed and deleted (the page's buttons, then a POST of each), may the password be set; which
users, units and roles does the membership form offer, and what does a POST of a membership
give (every user, in a unit that changes with the actor; the role administrator in every
unit; a row on a user's page in every unit). POSTs run in a savepoint that is rolled back,
after their effect is read.

The totals join the permission matrix line in pytest's summary.
"""

import contextlib
import itertools
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client

from samplan.accounts.models import Membership, Organization, Unit, User
from samplan.audit.models import SecurityEvent
from samplan.conftest import PASSWORD, login
from samplan.demo.world import with_luhn
from samplan.plans.models import LocalAgreement
from samplan.testing.world import record_results

ADMIN, CASEWORKER, MANAGER = "administrator", "caseworker", "unit_manager"
ALL = "all"  # what a superuser administers
NEW_PASSWORD = "another-long-passphrase-42"
SHOWN = 25  # mismatches listed in a failure message

# --- The world ---------------------------------------------------------------------------------

ORGANIZATIONS = {
    # key: name, kind, nine digits of the organisation number, municipality code
    "m": ("Matrisby kommun", "municipality", "212088101", "2981"),
    "r": ("Region Matris", "region", "232188102", ""),
    "f": ("Matriskassan", "other", "202188103", ""),
}
UNITS = {
    # key: organisation, name, kind, active
    "m_home": ("m", "Hemtjänst Matris", "home_care", True),
    "m_social": ("m", "Socialtjänst Matris", "individual_family", True),
    "m_closed": ("m", "Nedlagd enhet Matris", "other", False),
    "r_care": ("r", "Vårdcentral Matris", "primary_care", True),
    "r_psych": ("r", "Psykiatri Matris", "psychiatric_clinic", True),
    "r_empty": ("r", "Tom enhet Matris", "other", True),
    "f_office": ("f", "Kontor Matris", "social_insurance", True),
}
USERS = {
    # username: superuser, active, memberships (unit, role, active)
    "root": (True, True, []),
    "root_member": (True, True, [("m_social", CASEWORKER, True)]),
    "adm_m": (False, True, [("m_home", ADMIN, True), ("r_psych", CASEWORKER, True)]),
    "adm_m2": (False, True, [("m_social", ADMIN, True)]),
    "adm_r": (False, True, [("r_care", ADMIN, True)]),
    "adm_rf": (False, True, [("r_psych", ADMIN, True), ("f_office", ADMIN, True)]),
    "adm_f_asleep": (False, False, [("f_office", ADMIN, True), ("m_closed", CASEWORKER, True)]),
    "former_adm": (False, True, [("m_home", ADMIN, False), ("m_social", CASEWORKER, True)]),
    "closed_adm": (False, True, [("m_closed", ADMIN, True)]),
    "cw_m": (False, True, [("m_home", CASEWORKER, True), ("m_social", MANAGER, True)]),
    "cw_shared": (False, True, [("m_home", CASEWORKER, True), ("r_care", CASEWORKER, True)]),
    "cw_r": (False, True, [("r_care", CASEWORKER, True)]),
    "cw_r_ended": (False, True, [("r_psych", CASEWORKER, False)]),
    "cw_f": (False, True, [("f_office", MANAGER, True)]),
    "bare": (False, True, []),
}
ACTORS = ["root_member", "adm_m", "adm_rf", "former_adm", "closed_adm"]
AGREEMENTS = ["m", "r"]


@dataclass
class AdminWorld:
    organizations: dict
    units: dict
    users: dict
    memberships: list


def build_admin_world() -> AdminWorld:
    organizations = {}
    for key, (name, kind, digits, code) in ORGANIZATIONS.items():
        organizations[key] = Organization.objects.create(
            name=name, kind=kind, organization_number=with_luhn(digits), municipality_code=code
        )
    units = {}
    for key, (org, name, kind, active) in UNITS.items():
        units[key] = Unit.objects.create(
            organization=organizations[org],
            name=name,
            kind=kind,
            email=f"{key}@example.invalid",
            phone="010-100 00 00",
            is_active=active,
        )
    users, memberships = {}, []
    for username, (superuser, active, rows) in USERS.items():
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=username.replace("_", " ").title(),
            is_superuser=superuser,
            is_staff=superuser,
            is_active=active,
        )
        users[username] = user
        for unit, role, member in rows:
            memberships.append(
                Membership.objects.create(user=user, unit=units[unit], role=role, is_active=member)
            )
    for org in AGREEMENTS:
        LocalAgreement.objects.create(organization=organizations[org])
    # Security events of every shape the rules name: about a unit, about a move between units
    # of two organisations, without a unit about a member of staff, without anyone, by someone.
    record = SecurityEvent.objects.create
    record(kind="acting_unit_chosen", user=users["cw_shared"], unit=units["r_care"])
    record(kind="acting_unit_chosen", user=users["cw_m"], unit=units["m_home"])
    record(
        kind="acting_unit_switched",
        user=users["cw_shared"],
        unit=units["m_home"],
        previous_unit=units["r_care"],
    )
    record(
        kind="membership_changed",
        user=users["cw_f"],
        unit=units["f_office"],
        previous_unit=units["r_empty"],
        actor=users["adm_rf"],
    )
    record(kind="login", user=users["cw_f"])
    record(kind="login", user=users["bare"])
    record(kind="login_failed", attempted_username="nobody")
    record(kind="user_created", user=users["bare"], actor=users["adm_m"])
    return AdminWorld(organizations, units, users, memberships)


# --- The oracle: docs/security.md, "Administration" -----------------------------------------


@dataclass(frozen=True)
class Facts:
    """The rows the rules talk about, read without the application."""

    superusers: frozenset
    active_users: frozenset
    unit_org: dict
    unit_active: dict
    memberships: dict  # pk -> (user id, unit id, role, active)
    agreement_org: dict  # pk -> organisation id
    events: dict = field(default_factory=dict)  # pk -> (unit id, previous unit id, user id, actor)

    @classmethod
    def load(cls) -> "Facts":
        users = list(User.objects.values_list("pk", "is_superuser", "is_active"))
        units = list(Unit.objects.values_list("pk", "organization_id", "is_active"))
        return cls(
            superusers=frozenset(pk for pk, su, _active in users if su),
            active_users=frozenset(pk for pk, _su, active in users if active),
            unit_org={pk: org for pk, org, _active in units},
            unit_active={pk: active for pk, _org, active in units},
            memberships={
                pk: (user, unit, role, active)
                for pk, user, unit, role, active in Membership.objects.values_list(
                    "pk", "user_id", "unit_id", "role", "is_active"
                )
            },
            agreement_org=dict(LocalAgreement.objects.values_list("pk", "organization_id")),
            events={
                pk: rest
                for pk, *rest in SecurityEvent.objects.values_list(
                    "pk", "unit_id", "previous_unit_id", "user_id", "actor_id"
                )
            },
        )

    def administers(self, actor):
        """A superuser: every organisation. Otherwise the organisations of the units where the
        actor has an active membership with the role administrator, in an active unit."""
        if actor not in self.active_users:
            return frozenset()
        if actor in self.superusers:
            return ALL
        return frozenset(
            self.unit_org[unit]
            for user, unit, role, active in self.memberships.values()
            if user == actor and role == ADMIN and active and self.unit_active[unit]
        )

    def covers(self, actor, org) -> bool:
        administered = self.administers(actor)
        return administered == ALL or org in administered

    def orgs_of(self, user) -> set:
        return {self.unit_org[unit] for u, unit, _r, _a in self.memberships.values() if u == user}

    def privileged(self, user) -> bool:
        """A superuser, or the role administrator in any membership, ended or not."""
        return user in self.superusers or any(
            u == user and role == ADMIN for u, _unit, role, _a in self.memberships.values()
        )

    # Organisations, local agreements.
    def sees_org(self, a, org) -> bool:
        return self.covers(a, org)

    def changes_org(self, a, org) -> bool:
        return self.covers(a, org)

    def deletes_org(self, a, org) -> bool:
        return self.administers(a) == ALL

    # Units.
    def sees_unit(self, a, unit) -> bool:
        return self.covers(a, self.unit_org[unit])

    def changes_unit(self, a, unit) -> bool:
        if self.administers(a) == ALL:
            return True
        member = any(u == a and un == unit for u, un, _r, _a in self.memberships.values())
        return self.sees_unit(a, unit) and not member

    # Users.
    def sees_user(self, a, user) -> bool:
        administered = self.administers(a)
        if not administered:
            return False
        if administered == ALL or user == a:
            return True
        orgs = self.orgs_of(user)
        return bool(orgs & administered) or (not orgs and user not in self.superusers)

    def changes_user(self, a, user) -> bool:
        administered = self.administers(a)
        if not administered:
            return False
        if administered == ALL or user == a:
            return True
        return not self.privileged(user) and self.orgs_of(user) <= administered

    def deletes_user(self, a, user) -> bool:
        return user != a and self.changes_user(a, user)

    # Memberships.
    def sees_membership(self, a, pk) -> bool:
        return self.covers(a, self.unit_org[self.memberships[pk][1]])

    def gives(self, a, user, unit, role) -> bool:
        """Never to oneself; a superuser anything else; an organisation's administrator a role
        other than administrator, in a unit of an organisation administered, to a user seen
        who is not privileged."""
        administered = self.administers(a)
        if not administered or user == a:
            return False
        if administered == ALL:
            return True
        return (
            self.unit_org[unit] in administered
            and role != ADMIN
            and self.sees_user(a, user)
            and not self.privileged(user)
        )

    def changes_membership(self, a, pk) -> bool:
        user, unit, role, _active = self.memberships[pk]
        return self.gives(a, user, unit, role)

    # Security events: read-only for everyone.
    def sees_event(self, a, pk) -> bool:
        administered = self.administers(a)
        if not administered:
            return False
        if administered == ALL:
            return True
        unit, previous, user, actor = self.events[pk]
        return (
            (unit is not None and self.unit_org[unit] in administered)
            or (previous is not None and self.unit_org[previous] in administered)
            or (unit is None and user is not None and bool(self.orgs_of(user) & administered))
            or actor == a
        )


# --- Over HTTP ---------------------------------------------------------------------------------

LOGIN, HIDDEN, FORBIDDEN, ALLOWED, REFUSED = "login", "hidden", "403", "allowed", "refused"


@dataclass
class Tally:
    cases: int = 0
    mismatches: list = field(default_factory=list)

    def check(self, expected, observed, who: str, what: str) -> None:
        self.cases += 1
        if expected != observed:
            self.mismatches.append(f"{who}: {what}: expected {expected}, got {observed}")

    def message(self) -> str:
        lines = self.mismatches[:SHOWN]
        return f"{len(self.mismatches)} of {self.cases} cases differ:\n" + "\n".join(lines)


def verdict(facts: Facts, a, seen: bool, allowed: bool) -> str:
    if not facts.administers(a):
        return LOGIN
    if not seen:
        return HIDDEN
    return ALLOWED if allowed else FORBIDDEN


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


def answer(response, not_found) -> str:
    """login, hidden (the answer for an id that does not exist), 403, or the status."""
    if is_login_redirect(response):
        return LOGIN
    if (response.status_code, response.get("Location")) == not_found:
        return HIDDEN
    if response.status_code == 403:
        return FORBIDDEN
    return f"status {response.status_code}"


@contextlib.contextmanager
def rolled_back(client: Client):
    """A savepoint rolled back at the end, and the client's session as it was (setting a
    password gives the session a new key, whose row the rollback removes)."""
    name = django_settings.SESSION_COOKIE_NAME
    cookie = client.cookies[name].value
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    client.cookies[name] = cookie


def fingerprint(response):
    return (response.status_code, response.get("Location"))


MODELS = {
    Organization: "accounts/organization",
    Unit: "accounts/unit",
    User: "accounts/user",
    Membership: "accounts/membership",
    LocalAgreement: "plans/localagreement",
}
MISSING = 987_654_321


def change_data(obj) -> tuple[dict, object]:
    """A valid POST of the change form that changes one thing, and how to read that thing."""
    if isinstance(obj, Organization):
        data = {
            "name": obj.name + " (ändrad)",
            "kind": obj.kind,
            "organization_number": obj.organization_number,
            "municipality_code": obj.municipality_code,
            "hsa_id": obj.hsa_id,
            "units-TOTAL_FORMS": "0",
            "units-INITIAL_FORMS": "0",
        }
        return data, lambda: Organization.objects.get(pk=obj.pk).name
    if isinstance(obj, Unit):
        data = {
            "organization": obj.organization_id,
            "name": obj.name,
            "kind": obj.kind,
            "hsa_id": obj.hsa_id,
            "email": obj.email,
            "phone": "010-999 99 99",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
        if obj.is_active:
            data["is_active"] = "on"
        return data, lambda: Unit.objects.get(pk=obj.pk).phone
    if isinstance(obj, User):
        data = {
            "username": obj.username,
            "first_name": obj.first_name + " Ändrad",
            "last_name": obj.last_name,
            "title": obj.title,
            "email": obj.email,
            "phone": obj.phone,
            "hsa_id": obj.hsa_id,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
        for flag in ("is_active", "is_superuser"):
            if getattr(obj, flag):
                data[flag] = "on"
        return data, lambda: User.objects.get(pk=obj.pk).first_name
    if isinstance(obj, Membership):
        data = {"user": obj.user_id, "unit": obj.unit_id, "role": obj.role}
        if not obj.is_active:
            data["is_active"] = "on"  # toggled
        return data, lambda: Membership.objects.get(pk=obj.pk).is_active
    data = {
        "organization": obj.organization_id,
        "consent_within_days": obj.consent_within_days,
        "first_meeting_within_days": obj.first_meeting_within_days,
        "due_soon_days": obj.due_soon_days + 1,
        "child_reads_from_age": obj.child_reads_from_age,
        "discharge_invitation_within_days": obj.discharge_invitation_within_days,
        "discharge_days_counted": obj.discharge_days_counted,
        "failure_first_step_days": obj.failure_first_step_days,
        "escalation_steps-TOTAL_FORMS": "0",
        "escalation_steps-INITIAL_FORMS": "0",
    }
    return data, lambda: LocalAgreement.objects.get(pk=obj.pk).due_soon_days


def rules_for(facts: Facts, a, obj) -> tuple[bool, bool, bool]:
    """(seen, changed, deleted) for the actor and object, by the table."""
    if isinstance(obj, Organization):
        return (
            facts.sees_org(a, obj.pk),
            facts.changes_org(a, obj.pk),
            facts.deletes_org(a, obj.pk),
        )
    if isinstance(obj, Unit):
        changes = facts.changes_unit(a, obj.pk)
        return facts.sees_unit(a, obj.pk), changes, changes
    if isinstance(obj, User):
        return (
            facts.sees_user(a, obj.pk),
            facts.changes_user(a, obj.pk),
            facts.deletes_user(a, obj.pk),
        )
    if isinstance(obj, Membership):
        changes = facts.changes_membership(a, obj.pk)
        return facts.sees_membership(a, obj.pk), changes, changes
    covered = facts.covers(a, facts.agreement_org[obj.pk])
    return covered, covered, covered


def describe(obj) -> str:
    if isinstance(obj, Membership):
        return f"{obj.user.username} in {obj.unit.name} ({obj.role}, active {obj.is_active})"
    if isinstance(obj, User):
        return obj.username
    if isinstance(obj, LocalAgreement):
        return obj.organization.name
    return obj.name


@pytest.fixture
def admin_world(db) -> AdminWorld:
    return build_admin_world()


def test_the_admin_matrix_agrees_with_the_table(admin_world, settings):
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
    users = admin_world.users
    clients = {name: login(Client(), users[name]) for name in ACTORS}
    facts = Facts.load()  # after the logins, which are security events too
    objects = [
        *Organization.objects.order_by("pk"),
        *Unit.objects.order_by("pk"),
        *User.objects.order_by("pk"),
        *Membership.objects.order_by("pk"),
        *LocalAgreement.objects.order_by("pk"),
    ]
    tally = Tally()
    labels = {(type(o), o.pk): f"{type(o).__name__} {o.pk} {describe(o)}" for o in objects}
    for turn, name in enumerate(ACTORS):
        client, a = clients[name], users[name].pk
        administered = facts.administers(a)
        not_found = {}
        for model, path in MODELS.items():
            base = f"/admin/{path}/{MISSING}"
            not_found[model, "change"] = fingerprint(client.get(f"{base}/change/"))
            not_found[model, "delete"] = fingerprint(client.post(f"{base}/delete/", {"post": 1}))
        password = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
        response = client.post(f"/admin/accounts/user/{MISSING}/password/", password)
        not_found["password"] = fingerprint(response)

        # Lists: exactly the objects seen.
        for model, path in MODELS.items():
            response = client.get(f"/admin/{path}/")
            listed = set()
            if response.status_code == 200:
                listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
            for obj in (o for o in objects if type(o) is model):
                seen = rules_for(facts, a, obj)[0]
                tally.check(seen, obj.pk in listed, name, f"{labels[model, obj.pk]} listed")
        response = client.get("/admin/audit/securityevent/")
        listed = set()
        if response.status_code == 200:
            listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
        for pk in facts.events:
            tally.check(facts.sees_event(a, pk), pk in listed, name, f"security event {pk} listed")

        # Add pages: organisations only for a superuser; the rest for any administrator.
        for model, path in MODELS.items():
            allowed = administered == ALL if model is Organization else bool(administered)
            expected = verdict(facts, a, True, allowed)
            observed = answer(client.get(f"/admin/{path}/add/"), None)
            observed = ALLOWED if observed == "status 200" else observed
            tally.check(expected, observed, name, f"add {model.__name__}")
        response = client.get("/admin/notifications/failedemail/")
        expected = verdict(facts, a, True, administered == ALL)
        observed = ALLOWED if response.status_code == 200 else answer(response, None)
        tally.check(expected, observed, name, "failed e-mails listed")

        for obj in objects:
            model = type(obj)
            base = f"/admin/{MODELS[model]}/{obj.pk}"
            seen, changes, deletes = rules_for(facts, a, obj)
            label = labels[model, obj.pk]

            # The change page: opens, offers saving and deleting as the table says.
            response = client.get(f"{base}/change/")
            observed = answer(response, not_found[model, "change"])
            can_change = can_delete = False
            if response.status_code == 200:
                observed = ALLOWED
                can_change = response.context["has_change_permission"]
                can_delete = response.context["has_delete_permission"]
            tally.check(verdict(facts, a, seen, True), observed, name, f"open {label}")
            tally.check(seen and changes, can_change, name, f"save button of {label}")
            tally.check(seen and deletes, can_delete, name, f"delete button of {label}")

            # A POST of the change form.
            data, read = change_data(obj)
            with rolled_back(client):
                before = read()
                response = client.post(f"{base}/change/", data)
                observed = answer(response, not_found[model, "change"])
                changed = read() != before
                if response.status_code == 302 and observed != HIDDEN and changed:
                    observed = ALLOWED
                elif changed:
                    observed = f"{observed} but changed"
            tally.check(verdict(facts, a, seen, changes), observed, name, f"change {label}")

            # A POST of the delete confirmation.
            with rolled_back(client):
                response = client.post(f"{base}/delete/", {"post": "yes"})
                observed = answer(response, not_found[model, "delete"])
                gone = not model.objects.filter(pk=obj.pk).exists()
                if response.status_code == 302 and gone:
                    observed = ALLOWED
                elif response.status_code == 200 and response.context.get("protected"):
                    observed = ALLOWED  # allowed, but other rows hold on to it
                elif gone:
                    observed = f"{observed} but deleted"
            tally.check(verdict(facts, a, seen, deletes), observed, name, f"delete {label}")

            if model is not User:
                continue
            # Setting the password.
            path = f"/admin/accounts/user/{obj.pk}/password/"
            with rolled_back(client):
                response = client.post(path, password)
                hashed = User.objects.get(pk=obj.pk).password
                set_now = hashed != obj.password
                events = SecurityEvent.objects.filter(
                    kind="password_changed_by_admin", user=obj, actor_id=a
                ).count()
                observed = answer(response, not_found["password"])
                if response.status_code == 302 and set_now and events == 1:
                    observed = ALLOWED
                elif set_now:
                    observed = f"{observed} but set ({events} events)"
            tally.check(verdict(facts, a, seen, changes), observed, name, f"set password {label}")

        # Giving memberships. The add form offers exactly the users, units and roles the table
        # lets the actor give (to someone, somewhere); then POSTs of every user in a unit
        # (each actor another one) as caseworker, and of the role administrator in every unit.
        all_units = list(admin_world.units.values())
        response = client.get("/admin/accounts/membership/add/")
        offered = {"user": set(), "unit": set(), "role": set()}
        if response.status_code == 200:
            fields = response.context["adminform"].form.fields
            offered["user"] = set(fields["user"].queryset.values_list("pk", flat=True))
            offered["unit"] = set(fields["unit"].queryset.values_list("pk", flat=True))
            offered["role"] = {value for value, _label in fields["role"].choices if value}
        for user in users.values():
            gives = any(facts.gives(a, user.pk, unit.pk, CASEWORKER) for unit in all_units)
            tally.check(gives, user.pk in offered["user"], name, f"{user.username} offered")
        for unit in all_units:
            gives = any(facts.gives(a, user.pk, unit.pk, CASEWORKER) for user in users.values())
            tally.check(gives, unit.pk in offered["unit"], name, f"{unit.name} offered")
        for role in (CASEWORKER, MANAGER, ADMIN):
            gives = any(
                facts.gives(a, user.pk, unit.pk, role)
                for user, unit in itertools.product(users.values(), all_units)
            )
            tally.check(gives, role in offered["role"], name, f"role {role} offered")
        pairs = [
            (user, all_units[(index + turn) % len(all_units)], CASEWORKER)
            for index, user in enumerate(users.values())
        ]
        pairs += [(users["bare"], unit, ADMIN) for unit in all_units]
        existing = {(user, unit) for user, unit, _r, _a in facts.memberships.values()}
        for user, unit, role in pairs:
            data = {"user": user.pk, "unit": unit.pk, "role": role, "is_active": "on"}
            with rolled_back(client):
                response = client.post("/admin/accounts/membership/add/", data)
                created = Membership.objects.filter(user=user, unit=unit, role=role)
                created = created.exclude(pk__in=facts.memberships).exists()
                events = SecurityEvent.objects.filter(
                    kind="membership_created", user=user, unit=unit, actor_id=a
                ).count()
            if is_login_redirect(response):
                observed = LOGIN
            elif response.status_code == 302 and created and events == 1:
                observed = ALLOWED
            elif response.status_code == 200 and not created:
                observed = REFUSED
            else:
                observed = f"status {response.status_code}, created {created}, events {events}"
            if not administered:
                expected = LOGIN
            elif facts.gives(a, user.pk, unit.pk, role) and (user.pk, unit.pk) not in existing:
                expected = ALLOWED
            else:
                expected = REFUSED
            tally.check(expected, observed, name, f"give {user.username} {role} in {unit.name}")

        # The same through the rows on a user's page: the user without memberships, whom every
        # administrator sees and may place, in every unit.
        bare = users["bare"]
        for unit in all_units:
            data, _read = change_data(bare)
            data |= {
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-unit": unit.pk,
                "memberships-0-role": CASEWORKER,
                "memberships-0-is_active": "on",
            }
            with rolled_back(client):
                response = client.post(f"/admin/accounts/user/{bare.pk}/change/", data)
                created = Membership.objects.filter(user=bare, unit=unit).exists()
                events = SecurityEvent.objects.filter(
                    kind="membership_created", user=bare, unit=unit, actor_id=a
                ).count()
            if is_login_redirect(response):
                observed = LOGIN
            elif response.status_code == 302 and created and events == 1:
                observed = ALLOWED
            elif response.status_code == 200 and not created:
                observed = REFUSED
            else:
                observed = f"status {response.status_code}, created {created}, events {events}"
            if not administered:
                expected = LOGIN
            elif facts.changes_user(a, bare.pk) and facts.gives(a, bare.pk, unit.pk, CASEWORKER):
                expected = ALLOWED
            else:
                expected = REFUSED
            tally.check(expected, observed, name, f"row on bare's page: {unit.name}")

    record_results("matrix", cases=tally.cases, mismatches=len(tally.mismatches))
    assert not tally.mismatches, tally.message()
    # Nothing above was kept.
    assert Facts.load().memberships == facts.memberships
    assert tally.cases > 1500, tally.cases
