"""Writing security events and the access log. The one place that knows their fields.

The access log is append-only and hash-chained (docs/access-log.md, samplan.audit.chain).
"""

import datetime
import itertools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, Min, Subquery
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.utils import timezone

from samplan.audit import chain
from samplan.audit.models import AccessLogEntry, AccessLogHead, SecurityEvent

logger = logging.getLogger(__name__)

# The transaction-level advisory lock that serialises appends to the access log on PostgreSQL
# (any constant will do, as long as nothing else uses it): b"SIPalog" as an integer.
ACCESS_LOG_LOCK = int.from_bytes(b"SIPalog", "big")
# HSLF-FS 2016:40 4 kap. 9 § 7: access logs are kept at least five years.
ACCESS_LOG_MINIMUM_RETENTION_DAYS = 5 * 365 + 2


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (REMOTE_ADDR; set by the proxy in front)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def security_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user=None,
    unit=None,
    previous_unit=None,
    attempted_username: str = "",
    person=None,
    actor=None,
    detail: str = "",
) -> SecurityEvent:
    """`actor` is the administrator who changed someone's access (then `user` is that someone)."""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        person=person,
        unit=unit,
        previous_unit=previous_unit,
        attempted_username=attempted_username[:150],
        ip_address=client_ip(request),
        actor=actor,
        detail=detail[:500],
    )


class AccessLogUnavailable(Exception):
    """The access-log entry could not be written, so the data must not be served (fail closed).

    Raised by access_log_record and access_log_record_many; AccessLogFailClosedMiddleware turns
    it into a 503 page. The views log before they render, so nothing has been sent yet.
    """


class AccessLogBroken(Exception):
    """The chain does not verify; the retention purge refuses to remove the evidence."""

    def __init__(self, verdict: chain.ChainVerdict):
        super().__init__(verdict.reason)
        self.verdict = verdict


def access_log_record(*, request: HttpRequest, action: str, person, obj) -> None:
    """Record one disclosure of an individual's data, before the data is rendered.

    Raises AccessLogUnavailable when the entry cannot be written: the caller must not serve
    the data (the exception propagates out of the view to AccessLogFailClosedMiddleware).
    """
    access_log_record_many(request=request, action=action, items=[(person, obj)])


def access_log_record_many(*, request: HttpRequest, action: str, items) -> None:
    """One entry per individual disclosed (a list page discloses many), in one insert.

    Raises AccessLogUnavailable when the entries cannot be written (fail closed).
    """
    unit = getattr(request, "acting_unit", None)
    user = request.user if request.user.is_authenticated else None
    request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64]
    # Min SIP reads (a citizen session) are told apart from staff reads by their channel.
    channel = (
        AccessLogEntry.Channel.CITIZEN
        if getattr(request, "citizen", None) is not None
        else AccessLogEntry.Channel.WEB
    )
    entries = [
        AccessLogEntry(
            action=action,
            user=user,
            unit=unit,
            organization=unit.organization if unit else None,
            person=person,
            object_type=obj._meta.model_name,
            object_id=str(obj.pk),
            request_id=request_id,
            channel=channel,
        )
        for person, obj in items
    ]
    access_log_append(entries)


def access_log_append(entries: list[AccessLogEntry], *, at: datetime.datetime | None = None):
    """Chain and insert unsaved entries, and move the head, in one transaction.

    Appends are serialised: on PostgreSQL by a transaction-level advisory lock taken before
    the head is read; on SQLite every transaction already takes the write lock at BEGIN
    (transaction_mode IMMEDIATE). `at` is for tests and defaults to now.
    """
    if not entries:
        return entries
    try:
        with transaction.atomic():
            _appends_serialise()
            head = _head_for_append()
            at = at or timezone.now()
            sequence, prev_hash = head.sequence, head.entry_hash
            for entry in entries:
                sequence += 1
                entry.at = at
                entry.sequence = sequence
                entry.prev_hash = prev_hash
                entry.entry_hash = prev_hash = chain.entry_hash_compute(entry.chain_row())
            AccessLogEntry.objects.bulk_create(entries)
            AccessLogHead.objects.filter(pk=head.pk).update(sequence=sequence, entry_hash=prev_hash)
    except DatabaseError as error:
        logger.error("The access log could not be written; the data is not served.", exc_info=True)
        raise AccessLogUnavailable from error
    return entries


def _appends_serialise() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ACCESS_LOG_LOCK])


def _head_for_append() -> AccessLogHead:
    head = AccessLogHead.objects.filter(pk=AccessLogHead.SINGLETON).first()
    if head is not None:
        return head
    if AccessLogEntry.objects.exists():
        # Entries without a head: the head was removed. Appending from scratch would hide it.
        logger.error("The access log has entries but no chain head; run verify_access_log.")
        raise AccessLogUnavailable
    return AccessLogHead.objects.create(pk=AccessLogHead.SINGLETON)


def access_log_verify() -> chain.ChainVerdict:
    """Verify the whole chain in the database against its head (see chain.verify_chain).

    The rows and the head are read in one statement, so that both come from one snapshot and
    appends running meanwhile are neither reported as inserted nor as missing. No lock is
    taken: the application keeps running while a long log is verified.
    """
    head_fields = ["sequence", "entry_hash", "anchor_sequence", "anchor_hash"]
    head_row = AccessLogHead.objects.filter(pk=AccessLogHead.SINGLETON)
    for _attempt in range(5):
        rows = (
            AccessLogEntry.objects.order_by("sequence", "id")
            .annotate(
                **{f"head_{field}": Subquery(head_row.values(field)[:1]) for field in head_fields}
            )
            .values(*chain.ROW_FIELDS, *(f"head_{field}" for field in head_fields))
            .iterator(chunk_size=2000)
        )
        first = next(rows, None)
        if first is None:
            head = head_row.first()
            if AccessLogEntry.objects.exists():
                continue  # the first entries were written meanwhile: read again
            return chain.verify_chain([], _chain_head(head))
        head = (
            None
            if first["head_sequence"] is None
            else chain.ChainHead(**{field: first[f"head_{field}"] for field in head_fields})
        )
        return chain.verify_chain(itertools.chain([first], rows), head)
    raise DatabaseError("The access log kept changing while it was read; try again.")


def _chain_head(head: AccessLogHead | None) -> chain.ChainHead | None:
    if head is None:
        return None
    return chain.ChainHead(
        sequence=head.sequence,
        entry_hash=head.entry_hash,
        anchor_sequence=head.anchor_sequence,
        anchor_hash=head.anchor_hash,
    )


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    anchor_sequence: int
    cutoff: datetime.datetime


def access_log_purge(*, dry_run: bool = False) -> PurgeResult:
    """Delete the entries older than ACCESS_LOG_RETENTION_DAYS and re-anchor the chain.

    Refuses (AccessLogBroken) when the chain does not verify, so that a purge never removes
    the evidence of tampering. Only a prefix of the chain is removed: the entries before the
    first entry that is still within the retention. The last removed entry becomes the
    anchor in the head, so the kept chain still verifies. On PostgreSQL the append-only
    trigger lets these deletes through only because of `SET LOCAL samplan.retention_purge`,
    and only for rows older than the retention (and never younger than five years).
    """
    days = settings.ACCESS_LOG_RETENTION_DAYS
    if days < ACCESS_LOG_MINIMUM_RETENTION_DAYS:
        raise ValueError("ACCESS_LOG_RETENTION_DAYS is below the legal minimum of five years.")
    verdict = access_log_verify()
    if not verdict.ok:
        raise AccessLogBroken(verdict)
    with transaction.atomic():
        _appends_serialise()
        now = timezone.now()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT now()")
                (now,) = cursor.fetchone()  # the time the trigger compares with
                cursor.execute("SET LOCAL samplan.retention_purge = 'on'")
                cursor.execute("SELECT set_config('samplan.retention_days', %s, true)", [str(days)])
        cutoff = now - datetime.timedelta(days=days)
        head = AccessLogHead.objects.filter(pk=AccessLogHead.SINGLETON).first()
        if head is None:
            return PurgeResult(deleted=0, anchor_sequence=0, cutoff=cutoff)
        first_kept = (
            AccessLogEntry.objects.filter(at__gte=cutoff, sequence__gt=head.anchor_sequence)
            .order_by("sequence")
            .values("sequence", "prev_hash")
            .first()
        )
        last_purged = head.sequence if first_kept is None else first_kept["sequence"] - 1
        if last_purged <= head.anchor_sequence:
            return PurgeResult(deleted=0, anchor_sequence=head.anchor_sequence, cutoff=cutoff)
        anchor_hash = (
            AccessLogEntry.objects.filter(sequence=last_purged)
            .values_list("entry_hash", flat=True)
            .first()
        )
        if anchor_hash is None or (first_kept and first_kept["prev_hash"] != anchor_hash):
            # The chain changed since it was verified: only appends may happen meanwhile.
            raise AccessLogBroken(access_log_verify())
        if dry_run:
            deleted = AccessLogEntry.objects.filter(
                sequence__gt=head.anchor_sequence, sequence__lte=last_purged
            ).count()
            return PurgeResult(deleted=deleted, anchor_sequence=last_purged, cutoff=cutoff)
        table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
        with connection.cursor() as cursor:
            # The one privileged path past the model's append-only guard.
            cursor.execute(f"DELETE FROM {table} WHERE sequence <= %s", [last_purged])  # noqa: S608
            deleted = cursor.rowcount
        AccessLogHead.objects.filter(pk=head.pk).update(
            anchor_sequence=last_purged, anchor_hash=anchor_hash
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # in case an outer transaction goes on
                cursor.execute("SET LOCAL samplan.retention_purge = 'off'")
    logger.info("Access log purge: %d entries older than %d days removed.", deleted, days)
    return PurgeResult(deleted=deleted, anchor_sequence=last_purged, cutoff=cutoff)


def person_extract(person):
    """Which unit and organisation read the individual's data, and when (one row a unit a day).

    Staff's printout and Min SIP both show this."""
    return (
        AccessLogEntry.objects.filter(person=person)
        .annotate(day=TruncDate("at"))
        .values("unit__name", "organization__name", "day")
        .annotate(reads=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("-day", "unit__name")
    )
