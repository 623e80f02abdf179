import datetime
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from samplan.audit.services import (
    PARTITION_MONTHS_AHEAD,
    access_log_backlog,
    access_log_partition_create,
    access_log_partitions,
    access_log_partitions_ensure,
)


class Command(BaseCommand):
    help = (  # operators' text, in English like Django's own commands
        "Create the access log's monthly partitions (PostgreSQL) for this month and the next "
        "ones where missing, list them, and report the unsealed backlog. Exits with 1 when this "
        "or next month has no partition or the DEFAULT partition holds entries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=PARTITION_MONTHS_AHEAD)
        parser.add_argument(
            "--month",
            action="append",
            default=[],
            metavar="YYYY-MM",
            help="Also create this month's partition (as the tables' owner), e.g. before "
            "restoring old entries. May be repeated.",
        )

    def handle(self, *args, ahead, month, **options):
        backlog = access_log_backlog()
        self.stdout.write(
            f"unsealed entries: {backlog.unsealed}"
            + (f", the oldest {backlog.oldest_seconds:.0f} s old" if backlog.unsealed else "")
        )
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite: the access log is not partitioned.")
            return
        try:
            for value in month:
                first = datetime.datetime.strptime(value, "%Y-%m").date()
                created = access_log_partition_create(first)
                self.stdout.write(f"{value}: {'created ' + created if created else 'not created'}")
            for name in access_log_partitions_ensure(ahead):
                self.stdout.write(f"created {name}")
        except (ValueError, DatabaseError) as error:
            raise CommandError(f"Could not create partitions: {error}") from error
        partitions = access_log_partitions()
        for partition in partitions:
            span = (
                f"{partition.start:%Y-%m-%d} .. {partition.end:%Y-%m-%d}"
                if partition.start
                else "DEFAULT"
            )
            self.stdout.write(f"{partition.name}: {span}")
        now = datetime.datetime.now(datetime.UTC)
        months = [now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)]
        months.append((months[0] + datetime.timedelta(days=32)).replace(day=1))
        covered = [any(p.start and p.start <= m < p.end for p in partitions) for m in months]
        problems = [
            f"no partition for {m:%Y-%m}" for m, ok in zip(months, covered, strict=True) if not ok
        ]
        if backlog.in_default:
            problems.append(f"the DEFAULT partition holds {backlog.in_default} entries")
        for problem in problems:
            self.stderr.write(self.style.ERROR(problem))
        if problems:
            sys.exit(1)
