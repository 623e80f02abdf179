"""Who may do what with organisations, units and acting units."""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from samplan.accounts.models import Membership, Organization, Unit, User


def acting_unit_required(view):
    """Staff pages act on behalf of a unit: send the user to choose one first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.acting_unit is None:
            url = reverse("accounts:choose_unit")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


# --- Administration: who may manage which organisations, units, users and memberships -------
#
# docs/security.md, "Administration". The Django admin (samplan/accounts/admin.py and the
# SystemAdministratorOnly mixin) and the account services ask these functions and nothing else.
#
# - A superuser administers every organisation. A member with the role administrator, in an
#   active membership of an active unit, administers that unit's organisation. Nobody else
#   administers anything.
# - A *privileged* user is a superuser or has a membership with the role administrator (active
#   or not). Only a superuser changes a privileged user's credentials, flags or memberships.
# - Nobody creates, changes or ends a membership of his or her own, superusers included, and
#   nobody but a superuser changes a unit he or she is a member of (re-activating it would give
#   access). Only a superuser gives the role administrator.


@dataclass(frozen=True)
class AdministrationScope:
    """The organisations a user administers: all of them, or those listed."""

    everything: bool
    organization_ids: frozenset

    def covers(self, organization_id) -> bool:
        return self.everything or organization_id in self.organization_ids

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.organization_ids


REMEMBERED_SCOPE = "_samplan_administration_scope"


def administration_scope(user) -> AdministrationScope:
    remembered = getattr(user, REMEMBERED_SCOPE, None)
    if remembered is not None:
        return remembered
    if user is None or not user.is_authenticated or not user.is_active:
        return AdministrationScope(everything=False, organization_ids=frozenset())
    if user.is_superuser:
        return AdministrationScope(everything=True, organization_ids=frozenset())
    ids = Membership.objects.filter(
        user=user, role=Membership.Role.ADMINISTRATOR, is_active=True, unit__is_active=True
    ).values_list("unit__organization_id", flat=True)
    return AdministrationScope(everything=False, organization_ids=frozenset(ids))


def administration_scope_remember(user, scope: AdministrationScope) -> None:
    """Keep the scope on this user object: for request.user during one request only (the
    admin does this), so that the rules below do not ask the database again and again."""
    if user is not None and user.is_authenticated:
        setattr(user, REMEMBERED_SCOPE, scope)


def is_privileged(user) -> bool:
    """A superuser, or a user with the role administrator in any membership, ended or not."""
    if user.is_superuser:
        return True
    if user.pk is None:
        return False
    return Membership.objects.filter(user=user, role=Membership.Role.ADMINISTRATOR).exists()


def organizations_administered_by(admin) -> QuerySet[Organization]:
    scope = administration_scope(admin)
    if scope.everything:
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=scope.organization_ids)


def units_administered_by(admin) -> QuerySet[Unit]:
    scope = administration_scope(admin)
    if scope.everything:
        return Unit.objects.all()
    return Unit.objects.filter(organization_id__in=scope.organization_ids)


def memberships_administered_by(admin) -> QuerySet[Membership]:
    """The memberships an administrator sees: those in units of his or her organisations."""
    scope = administration_scope(admin)
    if scope.everything:
        return Membership.objects.all()
    return Membership.objects.filter(unit__organization_id__in=scope.organization_ids)


def users_visible_to(admin) -> QuerySet[User]:
    """Staff of the administrator's organisations (a membership there, ended or not), and users
    with no membership at all who are not superusers (just created, not yet placed)."""
    scope = administration_scope(admin)
    if scope.everything:
        return User.objects.all()
    if scope.is_empty:
        return User.objects.none()
    in_scope = Membership.objects.filter(
        user=OuterRef("pk"), unit__organization_id__in=scope.organization_ids
    )
    any_membership = Membership.objects.filter(user=OuterRef("pk"))
    return User.objects.filter(Exists(in_scope) | (~Exists(any_membership) & Q(is_superuser=False)))


def users_grantable_by(admin) -> QuerySet[User]:
    """The users an administrator may give a membership: visible, not privileged, not himself."""
    users = users_visible_to(admin).exclude(pk=admin.pk)
    if administration_scope(admin).everything:
        return users
    admin_role = Membership.objects.filter(user=OuterRef("pk"), role=Membership.Role.ADMINISTRATOR)
    return users.filter(is_superuser=False).exclude(Exists(admin_role))


def may_change_organization(admin, organization: Organization) -> bool:
    return administration_scope(admin).covers(organization.pk)


def may_add_or_delete_organization(admin) -> bool:
    return administration_scope(admin).everything


def may_manage_unit(admin, unit: Unit) -> bool:
    """Change or delete the unit: in an administered organisation, and not one's own unit."""
    scope = administration_scope(admin)
    if scope.everything:
        return True
    if not scope.covers(unit.organization_id):
        return False
    return not Membership.objects.filter(user=admin, unit_id=unit.pk).exists()


def may_manage_user(admin, user) -> bool:
    """Change the user's details, password and active flag.

    A superuser: anyone. An organisation's administrator: himself or herself (the profile and
    password, not the memberships), and users who are not privileged and whose memberships are
    all in organisations he or she administers (a user with no membership yet counts).
    """
    scope = administration_scope(admin)
    if scope.everything:
        return True
    if scope.is_empty:
        return False
    if user.pk is not None and user.pk == admin.pk:
        return True
    if is_privileged(user):
        return False
    if user.pk is None:
        return True
    return not (
        Membership.objects.filter(user=user)
        .exclude(unit__organization_id__in=scope.organization_ids)
        .exists()
    )


def may_delete_user(admin, user) -> bool:
    """As may_manage_user, but nobody deletes his or her own account (and memberships)."""
    return user.pk != admin.pk and may_manage_user(admin, user)


def membership_refusal(admin, *, user, unit: Unit, role: str) -> str | None:
    """Why the administrator may not give `user` the `role` in `unit` (or keep, change or end
    such a membership); None when he or she may. The reason is shown in the admin."""
    scope = administration_scope(admin)
    if scope.is_empty:
        return gettext("Only system administrators manage memberships.")
    if user.pk is not None and user.pk == admin.pk:
        return gettext("Nobody can give himself or herself access: ask another administrator.")
    if role == Membership.Role.SYSTEM:
        return gettext("The role system belongs to API clients: register an API client instead.")
    if scope.everything:
        return None
    if not scope.covers(unit.organization_id):
        return gettext("You can only manage memberships in units of your own organisation.")
    if is_privileged(user):
        return gettext("Only a superuser can change an administrator's memberships.")
    if role == Membership.Role.ADMINISTRATOR:
        return gettext("Only a superuser can give the role administrator.")
    if user.pk is not None and not users_visible_to(admin).filter(pk=user.pk).exists():
        return gettext("You can only manage memberships of your own organisation's staff.")
    return None


def may_manage_membership(admin, membership: Membership) -> bool:
    """Change or delete an existing membership, as it is in the database."""
    return (
        membership_refusal(admin, user=membership.user, unit=membership.unit, role=membership.role)
        is None
    )


def security_events_visible_to(admin, events: QuerySet) -> QuerySet:
    """A superuser sees every event. An organisation's administrator sees the events about
    units of his or her organisations, the events without a unit about its staff (logins), and
    the events of his or her own changes."""
    scope = administration_scope(admin)
    if scope.everything:
        return events
    if scope.is_empty:
        return events.none()
    ids = scope.organization_ids
    staff = Membership.objects.filter(user=OuterRef("user_id"), unit__organization_id__in=ids)
    return events.filter(
        Q(unit__organization_id__in=ids)
        | Q(previous_unit__organization_id__in=ids)
        | (Q(unit__isnull=True) & Exists(staff))
        | Q(actor=admin)
    )
