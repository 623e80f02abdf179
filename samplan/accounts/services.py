"""Staff actions on accounts: choosing the acting unit; keeping login failures bounded."""

import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts.models import Membership, Unit, User
from samplan.audit.models import SecurityEvent
from samplan.audit.services import security_event_record


@transaction.atomic
def acting_unit_choose(
    *, actor: User, unit: Unit, previous_unit: Unit | None, request: HttpRequest | None = None
) -> Membership:
    """Let the actor act for a unit he or she is an active member of; record the choice."""
    membership = actor.active_memberships().filter(unit=unit).first()
    if membership is None:
        raise ValidationError(_("You are not an active member of that unit."), code="not_member")
    switched = previous_unit is not None and previous_unit.pk != unit.pk
    security_event_record(
        kind=SecurityEvent.Kind.ACTING_UNIT_SWITCHED
        if switched
        else SecurityEvent.Kind.ACTING_UNIT_CHOSEN,
        request=request,
        user=actor,
        unit=unit,
        previous_unit=previous_unit if switched else None,
    )
    return membership


LOGIN_FAILURES_KEPT = 10_000


def login_failures_prune(*, keep: int = LOGIN_FAILURES_KEPT) -> tuple[int, int]:
    """Keep axes' failure counters (AccessAttempt) bounded; return (expired, excess) deleted.

    A counter whose last failure is older than the cool-off no longer locks anyone out, so it
    goes. If more than `keep` remain (a flood of guessed usernames or addresses), the oldest
    beyond `keep` go too: that may lift a lockout early, but the table cannot grow without end.
    """
    expired = 0
    cool_off = get_cool_off()
    if cool_off is not None:
        _, deleted = AccessAttempt.objects.filter(
            attempt_time__lt=timezone.now() - cool_off
        ).delete()
        expired = deleted.get(AccessAttempt._meta.label, 0)
    newest_first = AccessAttempt.objects.order_by("-attempt_time", "-id")
    excess = 0
    for at, pk in newest_first.values_list("attempt_time", "id")[keep : keep + 1]:
        _, deleted = AccessAttempt.objects.filter(
            Q(attempt_time__lt=at) | Q(attempt_time=at, id__lte=pk)
        ).delete()
        excess = deleted.get(AccessAttempt._meta.label, 0)
    return expired, excess


def login_throttle_reason(*, ip_address: str | None) -> str | None:
    """Why logins from this address are refused now: "address", "global" or None.

    Axes locks a username after five failures wherever they come from. Spraying (a few guesses
    at many usernames) is caught here, from the failures recorded as security events within
    the cool-off: an address with LOGIN_FAILURE_LIMIT_PER_ADDRESS failures is refused; and
    while failures from all addresses reach LOGIN_FAILURE_LIMIT_GLOBAL (a spray spread over
    many addresses), every address with a recent failure is refused, so people who type their
    password right still get in.
    """
    if ip_address is None:
        return None
    since = timezone.now() - (get_cool_off() or datetime.timedelta(minutes=15))
    failures = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_FAILED, at__gte=since)
    from_address = failures.filter(ip_address=ip_address)
    if from_address[: settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS].count() >= (
        settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    ):
        return "address"
    if (
        from_address.exists()
        and failures[: settings.LOGIN_FAILURE_LIMIT_GLOBAL].count()
        >= settings.LOGIN_FAILURE_LIMIT_GLOBAL
    ):
        return "global"
    return None
