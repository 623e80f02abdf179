"""What happens to a collaboration failure that those handling it must hear of, sent inside the
change's transaction (as samplan.plans.signals): samplan.notifications writes the outbox.

deviation_changed: deviation, event (the DeviationEvent).
"""

from django.dispatch import Signal

deviation_changed = Signal()
