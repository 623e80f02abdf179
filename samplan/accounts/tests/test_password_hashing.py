"""Passwords are stored with Argon2. This module uses the real hashers, not the fast MD5."""

import pytest

from samplan import settings as real_settings
from samplan.accounts.models import User


@pytest.fixture
def _fast_hashing(settings):
    """Overrides the shared autouse fixture: hash with the hashers production uses."""
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS


def test_a_new_users_password_is_hashed_with_argon2(db):
    user = User.objects.create_user(username="hanna", password="a-long-enough-passphrase")
    assert real_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert user.password.startswith("argon2")
    assert user.check_password("a-long-enough-passphrase")
