"""What happens to an admission that the units concerned must hear of, sent inside the
change's transaction (as samplan.plans.signals): samplan.notifications writes the outbox.

admission_notice: admission, step (an AdmissionEvent.Kind), event (the AdmissionEvent).
"""

from django.dispatch import Signal

admission_notice = Signal()
