"""The production-shaped stack stays valid: docker-compose.yml and the Dockerfile.

No Docker engine runs on these machines, so the stack is checked, not started: the compose
file is validated by docker-compose itself when it is installed (CI installs it), and its
shape — the services, their commands and health checks — is checked here in any case.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_the_stack_has_web_worker_scheduler_postgresql_and_elasticsearch(compose):
    services = compose["services"]
    assert {"web", "worker", "scheduler", "db", "elasticsearch", "migrate"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["elasticsearch"]["image"].split(":")[-1].startswith("8.")
    assert services["worker"]["command"][:3] == ["python", "manage.py", "db_worker"]
    assert services["scheduler"]["command"][:3] == ["python", "manage.py", "tick"]
    for name in ("db", "elasticsearch", "web"):
        assert "healthcheck" in services[name], name
    assert set(compose["volumes"]) >= {"pgdata", "esdata", "files"}
    # Accept first, file after: the filing worker, and the spool the web containers share with it.
    assert services["sms-filing"]["command"][:3] == ["python", "manage.py", "file_texts"]
    assert "sms-spool" in compose["volumes"]
    assert "sms-spool:/data/sms-spool" in services["web"]["volumes"]
    assert services["web"]["environment"]["PORTAL_SMS_SPOOL_DIR"] == "/data/sms-spool"


def test_secrets_come_from_the_environment_not_the_file(compose):
    compose_text = COMPOSE.read_text()
    text = "\n".join(
        line for line in compose_text.splitlines() if not line.lstrip().startswith("#")
    )
    assert "SECRET_KEY" not in text  # only via env_file, never written in the file
    assert "${POSTGRES_PASSWORD:?" in text


def test_gunicorn_serves_the_contracted_wsgi_application():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"portal.wsgi:application"' in dockerfile


@pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose is not installed"
)
def test_docker_compose_accepts_the_file(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(COMPOSE.read_text())
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    result = subprocess.run(
        ["docker-compose", "config", "-q"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "example"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
