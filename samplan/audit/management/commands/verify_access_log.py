import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from samplan.audit.services import SEAL_BLOCK, access_log_seal, access_log_verify

GAPS_SHOWN = 5


def verdict_line(verdict) -> str:
    """The one line that reports a log: OK with its length, or the first bad entry."""
    if verdict.ok:
        line = _("access log OK: %(count)d entries") % {"count": verdict.entries}
        if verdict.unsealed:
            line += _(", %(unsealed)d of them not sealed yet") % {"unsealed": verdict.unsealed}
        if verdict.gaps:
            ranges = ", ".join(f"{first}-{last}" for first, last in verdict.gaps[:GAPS_SHOWN])
            line += _("; %(count)d gap entries record ids never written: %(ranges)s") % {
                "count": len(verdict.gaps),
                "ranges": ranges + (", ..." if len(verdict.gaps) > GAPS_SHOWN else ""),
            }
        return line
    if verdict.first_bad_sequence is None and verdict.in_tail:
        return _("access log BROKEN at id %(id)s (not sealed yet): %(reason)s") % {
            "id": verdict.entry_id,
            "reason": verdict.reason,
        }
    if verdict.first_bad_sequence is None:
        return _("access log BROKEN: %(reason)s") % {"reason": verdict.reason}
    return _("access log BROKEN at sequence %(sequence)d (id %(id)s): %(reason)s") % {
        "sequence": verdict.first_bad_sequence,
        "id": "-" if verdict.entry_id is None else verdict.entry_id,
        "reason": verdict.reason,
    }


class Command(BaseCommand):
    help = (  # operators' text, in English like Django's own commands
        "Walk the access log's hash chain and its unsealed tail and report the first bad "
        "entry. Exits with 0 when the log is intact, 1 when it is not."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seal",
            action="store_true",
            help="Seal every unsealed entry first (as the worker's sealer does), then verify.",
        )

    def handle(self, *args, seal=False, **options):
        if seal:
            while access_log_seal() >= SEAL_BLOCK:
                pass
        verdict = access_log_verify()
        if verdict.ok:
            self.stdout.write(self.style.SUCCESS(verdict_line(verdict)))
            return
        self.stderr.write(self.style.ERROR(verdict_line(verdict)))
        sys.exit(1)
