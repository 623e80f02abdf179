"""A GET changes nothing: every page, fetched by every role, leaves the database as it was.

Only the records of reading are allowed to grow: the access log, the sessions (last seen),
login and unit-choice security events (the logins happen before the first snapshot), and the
kept PDF copies of established versions (a cache of what an unchangeable version renders to).
Every other table is compared by row count and by a hash of all its rows.
"""

import hashlib

from django.apps import apps

from samplan.testing.world import (
    PlanObjects,
    admin_get_paths,
    build_world,
    crawl_staff_pages,
    staff_client,
    staff_get_paths,
    stand_in_for_pdfs,
)

SEED = 20250604
SKIPPED_TABLES = {
    "audit.accesslogentry",
    "audit.accessloghead",
    "sessions.session",
    "plans.versioncopy",
}
READING_EVENTS = ["login", "acting_unit_chosen"]


def snapshot() -> dict:
    """label -> (row count, hash of every row, the rows)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        label = opts.label_lower
        if opts.proxy or not opts.managed or label in SKIPPED_TABLES or opts.app_label == "axes":
            continue
        rows = model._base_manager.all()
        if label == "audit.securityevent":
            rows = rows.exclude(kind__in=READING_EVENTS)
        fields = [field.attname for field in opts.concrete_fields]
        values = list(rows.order_by("pk").values_list(*fields))
        digest = hashlib.sha256(repr(values).encode()).hexdigest()
        tables[label] = (len(values), digest, values)
    return tables


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label), after.get(label)
        if old is None or new is None or old[:2] != new[:2]:
            gone = [row for row in (old[2] if old else []) if row not in (new[2] if new else [])]
            added = [row for row in (new[2] if new else []) if row not in (old[2] if old else [])]
            found.append(f"{label}: {old and old[0]} -> {new and new[0]} rows; gone {gone[:3]}, added {added[:3]}")  # fmt: skip
    return found


def test_no_get_request_by_any_role_changes_the_database(db, monkeypatch):
    stand_in_for_pdfs(monkeypatch)  # PDFs as searchable text, and fast
    world = build_world(seed=SEED, staff=3, individuals=8, plans=8, units_per_organization=1)
    paths = staff_get_paths(world, PlanObjects.load(world.plans))
    assert not paths.unknown, f"routes the crawl cannot fill in: {paths.unknown}"
    roles = {role for _user, _unit, role in world.staff_actors()}
    assert roles == {"caseworker", "unit_manager", "administrator", "analyst", "joint_analyst"}
    # Every role: each user for his or her first unit (one user per role), and the superuser.
    first = {user: (unit, role) for user, unit, role in reversed(world.staff_actors())}
    clients = [(f"{user.username} ({role})", staff_client(user, unit)) for user, (unit, role) in first.items()]  # fmt: skip
    superuser = staff_client(world.superuser, None)

    before = snapshot()
    statuses = {}
    for who, client in [*clients, ("superuser", superuser)]:

        def look(method, path, response, who=who):
            statuses[who, path] = response.status_code

        crawl_staff_pages(client, paths, look)
    for path in admin_get_paths():
        statuses["admin", path] = superuser.get(path).status_code
    after = snapshot()

    assert not differences(before, after), "\n".join(differences(before, after))
    errors = {key: status for key, status in statuses.items() if status >= 500}
    assert not errors, errors
    assert sum(status == 200 for status in statuses.values()) > 60
