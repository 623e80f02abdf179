import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from samplan.audit.services import access_log_verify


def verdict_line(verdict) -> str:
    """The one line that reports a chain: OK with its length, or the first bad entry."""
    if verdict.ok:
        return _("access log OK: %(count)d entries") % {"count": verdict.entries}
    if verdict.first_bad_sequence is None:
        return _("access log BROKEN: %(reason)s") % {"reason": verdict.reason}
    return _("access log BROKEN at sequence %(sequence)d (id %(id)s): %(reason)s") % {
        "sequence": verdict.first_bad_sequence,
        "id": "-" if verdict.entry_id is None else verdict.entry_id,
        "reason": verdict.reason,
    }


class Command(BaseCommand):
    help = (  # operators' text, in English like Django's own commands
        "Walk the access log's hash chain and report the first bad entry. "
        "Exits with 0 when the log is intact, 1 when it is not."
    )

    def handle(self, *args, **options):
        verdict = access_log_verify()
        if verdict.ok:
            self.stdout.write(self.style.SUCCESS(verdict_line(verdict)))
            return
        self.stderr.write(self.style.ERROR(verdict_line(verdict)))
        sys.exit(1)
