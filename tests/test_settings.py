"""The settings start safely in production and refuse to start without a secret key."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def _run(args, tmp_path, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("XUEFEN_")
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    base.update(DJANGO_SETTINGS_MODULE="xuefen.settings", XUEFEN_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT, env=base, capture_output=True, text=True, timeout=120
    )


def _secret():
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def test_production_profile_passes_the_deploy_check(tmp_path):
    result = _run(
        ["-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        XUEFEN_PROFILE="production",
        XUEFEN_SECRET_KEY=_secret(),
        XUEFEN_ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_profile_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run(
        ["-m", "django", "check"],
        tmp_path,
        XUEFEN_PROFILE="production",
        XUEFEN_ALLOWED_HOSTS="example.org",
    )
    assert result.returncode != 0
    assert "XUEFEN_SECRET_KEY" in result.stderr


PRINT_CONN_MAX_AGE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['CONN_MAX_AGE'])"
)


@pytest.mark.parametrize(
    "env",
    [{}, {"DATABASE_URL": "postgresql://xuefen@db.example:5432/xuefen"}],
    ids=["sqlite", "database_url"],
)
def test_connections_persist_across_requests(tmp_path, env):
    result = _run(["-c", PRINT_CONN_MAX_AGE], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) > 0


PRINT_ENGINE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'])"
)


def test_postgresql_is_served_by_the_backend_whose_health_check_polls_first(tmp_path):
    result = _run(
        ["-c", PRINT_ENGINE], tmp_path, DATABASE_URL="postgresql://xuefen@db.example:5432/xuefen"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "xuefen.core.backends.postgresql"
