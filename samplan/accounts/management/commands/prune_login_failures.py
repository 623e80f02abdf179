"""Keep the login-failure table small. Run daily from cron; see docs/operations.md."""

from django.core.management.base import BaseCommand

from samplan.accounts.services import LOGIN_FAILURES_KEPT, login_failures_prune


class Command(BaseCommand):
    help = (
        "Delete failed-login counters older than the lockout cool-off, and the oldest beyond "
        f"{LOGIN_FAILURES_KEPT:,} if more remain."
    )

    def handle(self, *args, **options) -> None:
        expired, excess = login_failures_prune()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Deleted {expired} expired and {excess} excess failed-login counters."
            )
