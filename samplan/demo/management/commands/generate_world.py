"""Generate the national-scale world: `manage.py generate_world --plans 300000 --seed 1`.

See docs/performance.md, "The national-scale world (`generate_world`)".
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from samplan.demo.scale.world import (
    DEFAULT_PASSWORD,
    Options,
    World,
    WorldExists,
    WorldRefused,
    world_describe,
)

COUNTED = [
    ("plans", "plan"),
    ("persons", "person"),
    ("staff", "user"),
    ("units", "unit"),
    ("participants", "participant"),
    ("consents", "consent"),
    ("goals", "goal"),
    ("interventions", "intervention"),
    ("meetings", "meeting"),
    ("invitees", "invitee"),
    ("versions", "version"),
    ("events", "event"),
    ("notifications", "notification"),
    ("access-log entries", "access_log"),
]


def iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--today wants YYYY-MM-DD, not {text!r}") from error


class Command(BaseCommand):
    help = (
        "Create a deterministic, realistic national-scale world of N SIPs (organisations, "
        "units, staff, individuals, plans with their history, versions, notifications and "
        "access log). Same --plans, --seed and --today give the same data. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, required=True, help="How many SIPs (N).")
        parser.add_argument("--seed", type=int, default=1, help="The random seed (default 1).")
        parser.add_argument(
            "--today",
            type=iso_date,
            default=None,
            help="The day the world is generated on, YYYY-MM-DD (default: today). Every date "
            "in the world is relative to it.",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"The password of every generated staff account (default {DEFAULT_PASSWORD}).",
        )
        parser.add_argument(
            "--access-log-per-plan",
            type=int,
            default=1,
            help="Access-log entries per plan (default 1; each costs about 0.4 ms to append and "
            "seal through the audit service, so 17 for the issue's 5 million takes 40 minutes).",
        )
        parser.add_argument(
            "--allow-existing",
            action="store_true",
            help="Add the world to a database that already holds other data.",
        )
        parser.add_argument(
            "--describe",
            action="store_true",
            help="Print the well-known accounts, units and plans of this world; generate nothing.",
        )
        parser.add_argument("--json", action="store_true", help="With --describe: as JSON.")

    def handle(self, *args, **options):
        plans, seed = options["plans"], options["seed"]
        if options["describe"]:
            self.describe(plans, seed, as_json=options["json"])
            return
        world = World(
            Options(
                plans=plans,
                seed=seed,
                today=options["today"],
                password=options["password"],
                access_log_per_plan=options["access_log_per_plan"],
                allow_existing=options["allow_existing"],
                progress=lambda line: (self.stdout.write(line), self.stdout.flush()),
            )
        )
        try:
            result = world.run()
        except WorldExists:
            self.stdout.write(
                f"generate_world: this database already holds the world of {plans} plans with "
                f"seed {seed}; nothing to do."
            )
            self.describe(plans, seed)
            return
        except (WorldRefused, ValueError) as error:
            raise CommandError(str(error)) from error
        counts = result["counts"]
        self.stdout.write(
            "generate_world: rows: "
            + ", ".join(f"{counts.get(key, 0)} {label}" for label, key in COUNTED)
        )
        self.describe(plans, seed)
        self.stdout.write(f"generate_world: {plans} plans in {result['total']:.0f} s")

    def describe(self, plans: int, seed: int, *, as_json: bool = False) -> None:
        info = world_describe(plans, seed)
        if info is None:
            raise CommandError(f"No generated world of {plans} plans with seed {seed} here.")
        if as_json:
            self.stdout.write(json.dumps(info, indent=2, ensure_ascii=False))
            return
        w = self.stdout.write
        w(f"World of {plans} plans, seed {seed}:")
        for username, account in info["accounts"].items():
            w(
                f"  {username:<13} {account['role']:<14} unit {account['unit_id']}: {account['unit']}"
            )
        heavy, normal = info["heavy_unit"], info["normal_unit"]
        w(f"  heavy unit    {heavy['id']}: {heavy['name']} ({heavy['plans']} plans)")
        w(f"  normal unit   {normal['id']}: {normal['name']} ({normal['plans']} plans)")
        w(f"  typical plan  {info['typical_plan']} (established, seen by skala.normal)")
        big = info["big_plan"]
        versions = ", ".join(f"v{v['number']}={v['id']}" for v in big["versions"])
        w(
            f"  big plan      {big['id']} ({big['goals']} goals, {big['interventions']} "
            f"interventions; versions {versions}; seen by skala.tung)"
        )
        sip = info["min_sip"]
        w(
            f"  Min SIP       {sip['name']}, {sip['identity_number']}, person id "
            f"{sip['person_id']}: log in at /min-sip/logga-in/demo/ (CITIZEN_DEMO_LOGIN)"
        )
