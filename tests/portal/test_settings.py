"""Production settings refuse to start without their secrets, and pass check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_ENV = {
    "SECRET_KEY": "x7#kq2!vz9@mf4$lp8^rw3&ty6*ub1(nc5)hd0_je2+ga7=os4-xi9~kl3",
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://portal:portal@127.0.0.1:5432/portal",
    "PUBLIC_BASE_URL": "https://portal.example.org",
}


def run_manage(*args, env_overrides=None, drop=()):
    skip = {*GOOD_ENV, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(GOOD_ENV)
    env.update(env_overrides or {})
    for name in drop:
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_setting(missing):
    result = run_manage("check", drop=[missing])
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("ALLOWED_HOSTS", "*", "never '*'"),
        ("SECRET_KEY", "short", "at least 50"),
        ("DEBUG", "maybe", "true or false"),
    ],
)
def test_production_refuses_unsafe_values(name, value, complaint):
    result = run_manage("check", env_overrides={name: value})
    assert result.returncode != 0
    assert complaint in result.stderr


def test_false_is_read_as_false():
    from django.core.exceptions import ImproperlyConfigured

    from portal.settings import env

    os.environ["PORTAL_TEST_FLAG"] = "False"
    try:
        assert env.boolean("PORTAL_TEST_FLAG", default=True) is False
        os.environ["PORTAL_TEST_FLAG"] = "yes"
        assert env.boolean("PORTAL_TEST_FLAG", default=False) is True
        os.environ["PORTAL_TEST_FLAG"] = "nope"
        with pytest.raises(ImproperlyConfigured):
            env.boolean("PORTAL_TEST_FLAG", default=False)
    finally:
        del os.environ["PORTAL_TEST_FLAG"]


def test_check_deploy_is_clean_with_the_required_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


SOFTPHONE_ENV = {
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_API_KEY": "SK" + "1" * 32,
    "TWILIO_API_SECRET": "s" * 32,
    "TWILIO_TWIML_APP_SID": "AP" + "1" * 32,
}


@pytest.mark.parametrize("missing", ["TWILIO_API_SECRET", "TWILIO_TWIML_APP_SID"])
def test_production_refuses_half_a_softphone_configuration(missing):
    result = run_manage("check", env_overrides=SOFTPHONE_ENV, drop=[missing])
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_starts_with_the_softphone_whole_or_absent():
    whole = run_manage("check", env_overrides=SOFTPHONE_ENV)
    assert whole.returncode == 0, whole.stderr
    absent = run_manage("check", drop=list(SOFTPHONE_ENV))
    assert absent.returncode == 0, absent.stderr
