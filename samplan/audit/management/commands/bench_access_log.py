"""`manage.py bench_access_log`: how many access-log appends per second the database takes.

Starts `--writers` processes, each with its own database connection, each calling the real
`access_log_record` for one entry at a time, for `--seconds`; meanwhile one more process runs
the sealer the way the worker does (docs/access-log.md, "Measurements"). Every append writes a
real entry (action `bench.read`) that can never be removed but by the retention purge, so run
it against a scratch database only: it refuses in production mode.
"""

import multiprocessing
import os
import statistics
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test import RequestFactory
from django.utils import timezone

from samplan.audit import services
from samplan.audit.models import AccessLogEntry

BENCH_ACTION = "bench.read"


class Command(BaseCommand):
    help = (  # operators' text, in English like Django's own commands
        "Measure access-log appends per second with N concurrent writers and the sealer "
        "running. Writes real, permanent entries: use a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--writers", type=int, default=4)
        parser.add_argument("--seconds", type=float, default=10.0)
        parser.add_argument(
            "--seal-interval",
            type=float,
            default=getattr(settings, "ACCESS_LOG_SEAL_SECONDS", 1.0),
            help="Seconds the sealer waits when it has caught up (the worker's setting).",
        )
        parser.add_argument("--no-seal", action="store_true", help="Do not run the sealer.")

    def handle(self, *args, writers, seconds, seal_interval, no_seal, **options):
        if settings.PRODUCTION:
            raise CommandError("bench_access_log writes permanent entries; not in production.")
        if writers < 1 or seconds <= 0:
            raise CommandError("--writers and --seconds must be positive.")
        cast = _bench_cast()
        sealer = getattr(services, "access_log_seal", None)
        if no_seal:
            sealer = None
        connections.close_all()  # every process opens its own connection
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        start_at = time.time() + 1.0
        processes = [
            context.Process(target=_write, args=(i, cast, start_at, seconds, results))
            for i in range(writers)
        ]
        if sealer is not None:
            processes.append(
                context.Process(
                    target=_seal, args=(start_at, seconds, seal_interval, results), daemon=True
                )
            )
        for process in processes:
            process.start()
        reports = [results.get() for _ in processes]
        for process in processes:
            process.join()

        written = [report for report in reports if report["kind"] == "writer"]
        total = sum(report["appends"] for report in written)
        errors = sum(report["errors"] for report in written)
        latencies = sorted(x for report in written for x in report["sample"])
        noun = "writer" if writers == 1 else "writers"
        self.stdout.write(
            f"bench: access-log appends, {writers} {noun}: {round(total / seconds)} per second"
        )
        self.stdout.write(
            f"  {total} entries in {seconds:g} s, {errors} failed; latency per append "
            f"median {_ms(statistics.median(latencies))}, "
            f"99th percentile {_ms(latencies[int(len(latencies) * 0.99)])}"
            if latencies
            else f"  {total} entries, {errors} failed"
        )
        self._report_cpu(reports, total)
        self._report_sealer(reports, sealer)

    def _report_cpu(self, reports, total: int) -> None:
        """Where the CPU went, per append: with N cores, N / (the sum) appends a second is
        the most the machine could do if nothing else ran on it."""
        if not total:
            return
        per = {}
        for kind in ("writer", "sealer"):
            for key in ("cpu", "db_cpu"):
                values = [r.get(key) for r in reports if r["kind"] == kind]
                if values and None not in values:
                    per[(kind, key)] = sum(values) / total
        if ("writer", "cpu") not in per:
            return
        parts = [f"writers {_ms(per[('writer', 'cpu')])}"]
        names = {
            ("writer", "db_cpu"): "their database sessions",
            ("sealer", "cpu"): "sealer",
            ("sealer", "db_cpu"): "its session",
        }
        parts += [f"{names[key]} {_ms(value)}" for key, value in per.items() if key in names]
        cores = os.cpu_count() or 1
        most = cores / sum(per.values())
        self.stdout.write(
            f"  CPU per append: {', '.join(parts)}; {cores} cores would allow about "
            f"{round(most)} per second with nothing else running"
        )

    def _report_sealer(self, reports, sealer) -> None:
        if sealer is None:
            self.stdout.write("  sealer: not run")
            return
        sealed = sum(report["sealed"] for report in reports if report["kind"] == "sealer")
        unsealed = AccessLogEntry.objects.filter(sequence__isnull=True)
        behind = unsealed.count()
        oldest = unsealed.order_by("at").values_list("at", flat=True).first()
        age = (
            f", the oldest {(timezone.now() - oldest).total_seconds():.1f} s old" if oldest else ""
        )
        started = time.monotonic()
        while sealer() >= services.SEAL_BLOCK:
            pass
        self.stdout.write(
            f"  sealer: sealed {sealed} entries while the writers ran; {behind} unsealed at "
            f"the end{age}; caught up in {time.monotonic() - started:.1f} s"
        )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _bench_cast() -> dict:
    """A staff member acting for a unit, and an individual: existing ones, or created once.

    The entries reference them (PROTECT), so created ones stay; they are named `bench`.
    """
    membership_model = apps.get_model("accounts", "Membership")
    person_model = apps.get_model("people", "Person")
    membership = (
        membership_model.objects.filter(is_active=True, unit__is_active=True, user__is_active=True)
        .order_by("pk")
        .first()
    )
    if membership is None:
        membership = _bench_membership()
    person = person_model.objects.order_by("pk").first()
    if person is None:
        person = person_model.objects.create(
            identity_kind="personnummer",
            identity_number="191212121212",
            birth_date=timezone.datetime(1912, 12, 12).date(),
            given_name="Bench",
            family_name="Testperson",
        )
    return {"user": membership.user_id, "unit": membership.unit_id, "person": person.pk}


def _bench_membership():
    organization = apps.get_model("accounts", "Organization").objects.create(
        name="Bench kommun",
        kind="municipality",
        organization_number="212000-0000",
        municipality_code="0000",
    )
    unit = apps.get_model("accounts", "Unit").objects.create(
        organization=organization,
        name="Bench",
        kind="needs_assessment",
        email="bench@example.invalid",
        phone="000",
    )
    user = apps.get_model("accounts", "User").objects.create_user(username="bench")
    return apps.get_model("accounts", "Membership").objects.create(
        user=user, unit=unit, role="caseworker"
    )


def _session_cpu(pid: int | None) -> float | None:
    """CPU seconds a process on this machine has used (its database session's, here)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return None


def _backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class _Cpu:
    """This process's and its database session's CPU time from now on."""

    def __init__(self):
        self.pid = _backend_pid()
        self.own, self.session = time.process_time(), _session_cpu(self.pid)

    def used(self) -> dict:
        session = _session_cpu(self.pid)
        return {
            "cpu": time.process_time() - self.own,
            "db_cpu": None if session is None or self.session is None else session - self.session,
        }


def _write(index: int, cast: dict, start_at: float, seconds: float, results) -> None:
    """One writer: one entry per call, as a page read makes, until the time is up."""
    try:
        user = apps.get_model("accounts", "User").objects.get(pk=cast["user"])
        unit = apps.get_model("accounts", "Unit").objects.select_related("organization")
        unit = unit.get(pk=cast["unit"])
        person = apps.get_model("people", "Person").objects.get(pk=cast["person"])
        request = RequestFactory().get("/sip/", HTTP_X_REQUEST_ID=f"bench-{index}")
        request.user, request.acting_unit = user, unit
        appends = errors = 0
        sample = []
        time.sleep(max(0.0, start_at - time.time()))
        cpu = _Cpu()
        end = start_at + seconds
        while (now := time.time()) < end:
            try:
                services.access_log_record(
                    request=request, action=BENCH_ACTION, person=person, obj=person
                )
            except services.AccessLogUnavailable:
                errors += 1
                continue
            appends += 1
            if appends % 10 == 0:
                sample.append(time.time() - now)
        results.put(
            {"kind": "writer", "appends": appends, "errors": errors, "sample": sample} | cpu.used()
        )
    finally:
        connections.close_all()


def _seal(start_at: float, seconds: float, interval: float, results) -> None:
    """The sealer as the worker runs it: seal until caught up, then wait `interval`."""
    sealed = 0
    report = {"kind": "sealer"}
    try:
        time.sleep(max(0.0, start_at - time.time()))
        cpu = _Cpu()
        end = start_at + seconds
        while time.time() < end:
            count = services.access_log_seal()
            sealed += count
            if count < services.SEAL_BLOCK:  # caught up: wait, as the worker does
                time.sleep(interval)
        report |= cpu.used()
    finally:
        results.put(report | {"sealed": sealed})
        connections.close_all()
