from django.conf import settings
from django.core.management.base import BaseCommand

from samplan.demo.world import (
    DEMO_PASSWORD,
    PEOPLE,
    demo_identity_display,
    demo_logins,
    load_demo_world,
)

# Whom to be in Min SIP, and whom to start a new SIP for (README.md lists everyone).
MIN_SIP = [
    ("ulla", "a new version of her plan waits for her answer"),
    ("erik", "his consent keeps two topics from Försäkringskassan"),
    ("camilla", "guardian of Elias, invited to see her brother Erik's plan"),
    ("marta", "ombud for Aleksandra, who needs an interpreter in Polish"),
]
NEW_SIP = "tove"


class Command(BaseCommand):
    help = "Create or refresh the fictional demo world (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not list the logins.")
        parser.add_argument(
            "--without-caseload",
            action="store_true",
            help="Leave out the busy unit's caseload: only the named individuals' SIPs (faster).",
        )

    def handle(self, *args, quiet_logins=False, without_caseload=False, **options):
        counts = load_demo_world(caseload=not without_caseload)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo world ready: {organizations} organisations, {units} units, "
                "{staff} staff, {individuals} individuals; {plans} new SIPs, "
                "{notifications} new notifications.".format(**counts)
            )
        )
        if quiet_logins:
            return
        base = settings.SAMPLAN_BASE_URL
        people = {p.key: p for p in PEOPLE}
        self.stdout.write(f"\nStaff log in at {base}/ (password for all: {DEMO_PASSWORD}):")
        for username, who, where in demo_logins():
            self.stdout.write(f"  {username:<16} {who} – {where}")
        self.stdout.write(f"\nMin SIP: {base}/min-sip/logga-in/demo/, choose for example")
        for key, what in MIN_SIP:
            person = people[key]
            name = f"{person.given} {person.family}"
            self.stdout.write(f"  {name:<18} {demo_identity_display(person)}  {what}")
        tove = people[NEW_SIP]
        self.stdout.write(
            f"\nStart a new SIP for {tove.given} {tove.family}, {demo_identity_display(tove)}. "
            "Every demo person is listed in README.md."
        )
