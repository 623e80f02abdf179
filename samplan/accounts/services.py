"""Staff actions on accounts: choosing the acting unit; keeping login failures bounded;
administrators' changes of memberships, accounts and passwords (each a security event)."""

import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.accounts import access
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


# --- Administration: every change of access is checked and becomes a security event ----------
# The rules are in samplan.accounts.access; the admin validates its forms with them first, so a
# refusal here means a request went around the forms: it is answered 403 and nothing is saved.


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def _membership_detail(membership: Membership) -> str:
    return f"role={membership.role}, active={_flag(membership.is_active)}"


@transaction.atomic
def membership_save(
    *, actor: User, membership: Membership, request: HttpRequest | None = None
) -> Membership:
    """Create or change a membership for the administrator `actor`; record what changed."""
    before = None
    if membership.pk is not None:
        before = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if before is not None and not access.may_manage_membership(actor, before):
        raise PermissionDenied
    refusal = access.membership_refusal(
        actor, user=membership.user, unit=membership.unit, role=membership.role
    )
    if refusal is not None:
        raise PermissionDenied(refusal)
    membership.save()
    if before is None:
        kind, previous_unit = SecurityEvent.Kind.MEMBERSHIP_CREATED, None
        detail = _membership_detail(membership)
    else:
        changes = [
            f"{name}={old}\u2192{new}"
            for name, old, new in [
                ("user", before.user_id, membership.user_id),
                ("unit", before.unit_id, membership.unit_id),
                ("role", before.role, membership.role),
                ("active", _flag(before.is_active), _flag(membership.is_active)),
            ]
            if old != new
        ]
        if not changes:
            return membership
        ended = changes == ["active=yes\u2192no"]
        kind = (
            SecurityEvent.Kind.MEMBERSHIP_ENDED if ended else SecurityEvent.Kind.MEMBERSHIP_CHANGED
        )
        detail = ", ".join(changes)
        previous_unit = before.unit if before.unit_id != membership.unit_id else None
    security_event_record(
        kind=kind,
        request=request,
        actor=actor,
        user=membership.user,
        unit=membership.unit,
        previous_unit=previous_unit,
        detail=detail,
    )
    return membership


@transaction.atomic
def membership_delete(
    *, actor: User, membership: Membership, request: HttpRequest | None = None
) -> None:
    before = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if before is None:
        return
    if not access.may_manage_membership(actor, before):
        raise PermissionDenied
    security_event_record(
        kind=SecurityEvent.Kind.MEMBERSHIP_DELETED,
        request=request,
        actor=actor,
        user=before.user,
        unit=before.unit,
        detail=_membership_detail(before),
    )
    before.delete()


PRIVILEGE_FLAGS = ("is_active", "is_superuser", "is_staff")


@transaction.atomic
def user_save(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    """Create or change a staff account for the administrator `actor`. Creating an account and
    changing its active, superuser or staff flag are security events."""
    before = None
    if user.pk is not None:
        before = User.objects.select_for_update().filter(pk=user.pk).first()
    if not access.may_manage_user(actor, before if before is not None else user):
        raise PermissionDenied
    flags_before = {flag: getattr(before, flag) if before else False for flag in PRIVILEGE_FLAGS}
    flags_after = {flag: getattr(user, flag) for flag in PRIVILEGE_FLAGS}
    superuser_flags = ("is_superuser", "is_staff")
    if any(flags_before[f] != flags_after[f] for f in superuser_flags) and not actor.is_superuser:
        raise PermissionDenied  # read-only in the admin's form for anyone else
    user.save()
    if before is None:
        security_event_record(
            kind=SecurityEvent.Kind.USER_CREATED,
            request=request,
            actor=actor,
            user=user,
            detail=", ".join(
                f"{flag.removeprefix('is_')}={_flag(value)}" for flag, value in flags_after.items()
            ),
        )
    elif flags_before != flags_after:
        security_event_record(
            kind=SecurityEvent.Kind.USER_PRIVILEGES_CHANGED,
            request=request,
            actor=actor,
            user=user,
            detail=", ".join(
                f"{flag.removeprefix('is_')}={_flag(flags_before[flag])}\u2192{_flag(value)}"
                for flag, value in flags_after.items()
                if flags_before[flag] != value
            ),
        )
    return user


@transaction.atomic
def user_delete(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """Delete a staff account (its memberships go with it); the event keeps who it was."""
    if not access.may_delete_user(actor, user):
        raise PermissionDenied
    detail = [f"username={user.username}, id={user.pk}"]
    detail += [f"unit={m.unit_id} {_membership_detail(m)}" for m in user.memberships.order_by("pk")]
    security_event_record(
        kind=SecurityEvent.Kind.USER_DELETED, request=request, actor=actor, detail="; ".join(detail)
    )
    user.delete()


def user_password_change_record(
    *, actor: User, user: User, request: HttpRequest | None = None
) -> None:
    """Record that an administrator set (or removed) another account's password."""
    if not access.may_manage_user(actor, user):
        raise PermissionDenied
    security_event_record(
        kind=SecurityEvent.Kind.PASSWORD_CHANGED_BY_ADMIN, request=request, actor=actor, user=user
    )
