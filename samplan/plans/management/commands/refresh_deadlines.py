"""Store every plan's next deadline again (after an upgrade that added the columns, or a bulk
import that bypassed the services). Idempotent: plans already right are left alone."""

from django.core.management.base import BaseCommand

from samplan.plans import services
from samplan.plans.models import Plan


class Command(BaseCommand):
    help = "Store every plan's next deadline (kind, due date, due-soon date) again."

    def handle(self, *args, **options):
        changed = services.deadlines_refresh(Plan.objects.all())
        self.stdout.write(f"Deadlines refreshed: {changed} plans changed.")
