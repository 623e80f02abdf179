"""The test cast's building blocks, shared by samplan/conftest.py and the generated world:
users with memberships, and logging in through the real form."""

from django.test import Client

from samplan.accounts.models import Membership, Unit, User
from samplan.policy import Staff

PASSWORD = "correct-horse-battery"


def make_user(username: str, *memberships: tuple[Unit, str], **extra) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=username.capitalize(), **extra
    )
    for unit, role in memberships:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def login(client: Client, user: User) -> Client:
    """Log in through the real login form, so acting-unit rules apply as for a person."""
    response = client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def staff(user: User, unit: Unit) -> Staff:
    """The actor a service gets when `user` acts for `unit` (his or her role there, if any)."""
    membership = Membership.objects.filter(user=user, unit=unit).first()
    return Staff(user=user, unit=unit, role=membership.role if membership else "")
