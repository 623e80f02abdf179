"""`manage.py bench` (`make bench`): every page against the floor view at national scale."""

import socket
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from samplan.demo import bench


class Command(BaseCommand):
    help = (
        "Measure every page against the floor view on the national-scale world in DATABASE_URL "
        "(PostgreSQL), through gunicorn as in production; build the world first if it is not "
        "there. Prints one 'bench: ...' line a page and a summary line (docs/performance.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, default=300_000, help="world size to build")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--requests", type=int, default=40, help="requests per page, client and round"
        )
        parser.add_argument("--rounds", type=int, default=bench.ROUNDS)
        parser.add_argument(
            "--only", default="", help="measure only pages whose name contains this text"
        )
        parser.add_argument(
            "--no-concurrency", action="store_true", help="skip the runs with 4 clients"
        )
        parser.add_argument(
            "--no-access-log", action="store_true", help="skip the access-log append rate"
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://... (the "
                "production database; SQLite says nothing about national scale)."
            )
        self._world(options)
        pages, whom = bench.pages_of_the_world()
        if options["only"]:
            pages = [page for page in pages if options["only"] in page.name]
        floor = bench.Page("floor", "normal", "GET", "/golv/")
        port = _free_port()
        sessions: dict[tuple[str, int], bench.Session] = {}

        def session_for(who: str, index: int) -> bench.Session:
            key = (who, index)
            if key not in sessions:
                kind, *rest = whom[who]
                if kind == "staff":
                    sessions[key] = bench.staff_session("127.0.0.1", port, rest[0], rest[1])
                else:
                    sessions[key] = bench.citizen_session("127.0.0.1", port, rest[0])
            return sessions[key]

        over = 0
        with bench.gunicorn(port):
            for who in whom:  # log everyone in before measuring
                for index in range(4):
                    session_for(who, index)
            for page in pages:  # warm both workers' caches
                for _ in range(4):
                    bench._timed(session_for(page.who, 0), page)
            for page in [floor, *pages]:
                rounds = [
                    bench.measure(
                        page, session_for, floor, requests=options["requests"], concurrency=1
                    )
                    for _ in range(options["rounds"])
                ]
                figures = bench.figures_of(rounds)
                figures.queries = bench.queries_of(page, whom)
                is_over = page is not floor and figures.over
                over += is_over
                self.stdout.write(bench.line(page.name, figures) + (" OVER" if is_over else ""))
                if not options["no_concurrency"]:
                    rounds = [
                        bench.measure(
                            page,
                            session_for,
                            floor,
                            requests=max(10, options["requests"] // 4),
                            concurrency=4,
                        )
                        for _ in range(options["rounds"])
                    ]
                    self.stdout.write(
                        bench.line(f"{page.name}, 4 clients", bench.figures_of(rounds))
                    )
        if not options["no_access_log"]:
            for writers in (1, 4):
                try:
                    call_command(
                        "bench_access_log", writers=writers, seconds=10, stdout=self.stdout
                    )
                except CommandError as error:
                    self.stderr.write(f"access-log benchmark: {error}")
        plans = _plans_count()
        self.stdout.write(f"bench: {len(pages)} pages, {over} over budget, scale {plans} plans")

    def _world(self, options) -> None:
        from samplan.accounts.models import User

        call_command("migrate", interactive=False, verbosity=0)
        if not User.objects.filter(username="skala.normal").exists():
            self.stdout.write(f"No national-scale world here: building {options['plans']} plans.")
            started = time.monotonic()
            call_command(
                "generate_world", plans=options["plans"], seed=options["seed"], stdout=self.stdout
            )
            self.stdout.write(f"bench: world built in {time.monotonic() - started:.0f} s")
        self._facts()

    def _facts(self) -> None:
        """The statistics' facts, as the worker keeps them: written once for the whole world
        (what `statistics_rebuild` costs at national scale), then kept."""
        from samplan.statistics.models import MonthCount, PlanFact
        from samplan.statistics.services import facts_rebuild, month_counts_rebuild

        if PlanFact.objects.exists():
            if not MonthCount.objects.exists():  # a world whose facts predate the counts
                started = time.monotonic()
                counted = month_counts_rebuild()
                self.stdout.write(
                    f"bench: {counted} monthly counts written in {time.monotonic() - started:.0f} s"
                )
            return
        started = time.monotonic()
        written = facts_rebuild()
        self.stdout.write(
            f"bench: statistics facts written for {written} plans in "
            f"{time.monotonic() - started:.0f} s"
        )


def _plans_count() -> int:
    from samplan.plans.models import Plan

    return Plan.objects.count()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
