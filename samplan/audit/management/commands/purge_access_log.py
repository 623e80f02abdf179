import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from samplan.audit.management.commands.verify_access_log import verdict_line
from samplan.audit.services import AccessLogBroken, access_log_purge


class Command(BaseCommand):
    help = (  # operators' text, in English like Django's own commands
        "Delete access log entries older than ACCESS_LOG_RETENTION_DAYS and re-anchor the "
        "chain. Refuses when the chain does not verify."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the entries that would be deleted; delete nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        days = settings.ACCESS_LOG_RETENTION_DAYS
        try:
            result = access_log_purge(dry_run=dry_run)
        except AccessLogBroken as broken:
            self.stderr.write(self.style.ERROR(verdict_line(broken.verdict)))
            self.stderr.write(self.style.ERROR(_("Nothing was purged.")))
            sys.exit(1)
        if dry_run:
            message = _(
                "would purge %(count)d access log entries older than %(days)d days "
                "(before %(cutoff)s)"
            )
        else:
            message = _(
                "purged %(count)d access log entries older than %(days)d days "
                "(before %(cutoff)s); the chain now starts after sequence %(anchor)d"
            )
        self.stdout.write(
            self.style.SUCCESS(
                message
                % {
                    "count": result.deleted,
                    "days": days,
                    "cutoff": result.cutoff.isoformat(timespec="seconds"),
                    "anchor": result.anchor_sequence,
                }
            )
        )
