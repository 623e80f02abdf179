"""`manage.py statistics_rebuild`: write every plan's statistics facts again (after an upgrade,
an import that bypassed the services, or a change to how a fact is computed). The worker keeps
them current afterwards (`statistics_refresh`)."""

from django.core.management.base import BaseCommand

from samplan.statistics.services import facts_rebuild


class Command(BaseCommand):
    help = "Write the statistics' facts of every plan again from the plans and their events."

    def handle(self, *args, **options):
        written = facts_rebuild()
        self.stdout.write(f"statistics: facts of {written} plans written")
