"""The database roles that keep the access log append-only (docs/operations.md, "Database roles").

The access log's triggers refuse updates, deletes and truncation, but the owner of a table
(and any superuser) can switch its triggers off. So the application runs as a *runtime role*
that owns nothing and is not a superuser, and migrations run as a separate *owner role*.
`access_log_role_problems` says what is wrong with the role the application connects as;
`runtime_role_grant` gives a runtime role what the application needs, and nothing more.
"""

from dataclasses import dataclass

from django.db import DatabaseError, connections

from samplan.audit.models import AccessLogEntry, AccessLogHead

LOG_TABLES = (AccessLogEntry._meta.db_table, AccessLogHead._meta.db_table)


@dataclass(frozen=True)
class RoleProblem:
    code: str
    message: str


def access_log_role_problems(using: str = "default") -> list[RoleProblem]:
    """What lets the connected role bypass the access log's triggers (PostgreSQL only). The
    access log's partitions are checked like its tables."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
            )
            role, superuser = cursor.fetchone()
            # The log's tables and the partitions of the access log (tables too: their owner
            # could switch their triggers off, truncate or drop them).
            cursor.execute(
                "SELECT c.relname, pg_get_userbyid(c.relowner),"
                " pg_has_role(current_user, c.relowner, 'MEMBER'),"
                " has_table_privilege(current_user, c.oid, 'TRUNCATE')"
                " FROM pg_class c WHERE c.relkind IN ('r', 'p')"
                " AND c.relnamespace = current_schema()::regnamespace"
                " AND (c.relname = ANY(%s) OR c.oid IN"
                "  (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass(%s)))"
                " ORDER BY c.relname",
                [list(LOG_TABLES), AccessLogEntry._meta.db_table],
            )
            tables = cursor.fetchall()
    except DatabaseError as error:
        return [RoleProblem("unreachable", f"cannot check the database role: {error}")]
    problems = []
    if superuser:
        problems.append(RoleProblem("superuser", f"the database role {role!r} is a superuser"))
    missing = set(LOG_TABLES) - {name for name, *_ in tables}
    if missing:
        problems.append(
            RoleProblem("missing", f"the access log tables {sorted(missing)} do not exist")
        )
    for name, owner, member_of_owner, truncate in tables:
        if member_of_owner:
            problems.append(
                RoleProblem("owner", f"the role {role!r} owns {name} (owner {owner!r})")
            )
        elif truncate:
            problems.append(RoleProblem("truncate", f"the role {role!r} may truncate {name}"))
    return problems


def runtime_role_grant(role: str, using: str = "default") -> list[str]:
    """Let `role` run the application: read and write the tables, never own or truncate them.

    Run as the owner role after every `migrate`; default privileges cover tables that later
    migrations create. Returns the statements executed.
    """
    connection = connections[using]
    quoted = connection.ops.quote_name(role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {quoted}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {quoted}",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
