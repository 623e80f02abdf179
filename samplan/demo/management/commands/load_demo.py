from django.core.management.base import BaseCommand

from samplan.demo.world import DEMO_PASSWORD, demo_logins, load_demo_world


class Command(BaseCommand):
    help = "Create or refresh the fictional demo world (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not list the logins.")

    def handle(self, *args, quiet_logins=False, **options):
        counts = load_demo_world()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo world ready: {organizations} organisations, {units} units, "
                "{staff} staff, {individuals} individuals; {plans} new SIPs, "
                "{notifications} new notifications.".format(**counts)
            )
        )
        if quiet_logins:
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, who, where in demo_logins():
            self.stdout.write(f"  {username:<16} {who} – {where}")
