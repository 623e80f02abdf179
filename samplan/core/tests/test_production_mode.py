"""Production mode refuses to start without secrets and turns on transport security."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

SECRET = "x" * 60
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_SSL_REDIRECT, 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE)"
)


ROOT = Path(__file__).resolve().parents[3]


def production_env(**env) -> dict[str, str]:
    # SQLite: these tests judge the settings; the database role is judged on PostgreSQL by
    # audit/tests/test_database_roles.py (the test runner's role is a superuser).
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update({"DJANGO_SETTINGS_MODULE": "samplan.settings", "SAMPLAN_ENV": "production", **env})
    return clean


def run(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run(ALLOWED_HOSTS="samplan.example.se")
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run(ALLOWED_HOSTS="samplan.example.se", SECRET_KEY="short")
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run(SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "needs ALLOWED_HOSTS" in result.stderr


def test_production_with_secrets_starts_with_secure_cookies_hsts_and_csp():
    result = run(SECRET_KEY=SECRET, ALLOWED_HOSTS="samplan.example.se")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000", "True", "True"]


def test_an_unknown_mode_is_refused():
    result = run(SAMPLAN_ENV="staging")
    assert result.returncode != 0
    assert "SAMPLAN_ENV" in result.stderr


def test_production_sends_hsts_for_at_least_a_year():
    result = run(SECRET_KEY=SECRET, ALLOWED_HOSTS="samplan.example.se")
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[3]) >= 365 * 24 * 60 * 60


def test_the_deploy_check_passes_in_production_mode():
    """On SQLite: the database role's own check is in audit/tests/test_database_roles.py."""
    env = production_env(
        SECRET_KEY=secrets.token_urlsafe(64),  # a real-looking key: the check judges its strength
        ALLOWED_HOSTS="samplan.example.se",
        CSRF_TRUSTED_ORIGINS="https://samplan.example.se",
        BEHIND_TLS_PROXY="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
