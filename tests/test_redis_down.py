"""Redis down: the API keeps answering, and membership mail waits in the outbox.

Nothing is mocked. The test starts a redis-server of its own and a gunicorn with the production
settings that uses it as its cache and Celery broker (as docker-compose.yml does with REDIS_URL),
stops that Redis, and then logs in, applies and approves over HTTP.
"""

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import requests
from django.conf import global_settings
from django.db import connection
from rest_framework.test import APIClient

from alliance.models import Alliance
from kernel.models import Notification
from members.models import Organization, RoleGrant, User
from tests.conftest import PASSWORD, load_cast

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/api/v1/auth/token/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class RedisServer:
    url: str
    process: subprocess.Popen

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture
def doomed_redis(tmp_path):
    """A redis-server of the test's own, on a free port, for the test to stop."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed (apt-get install redis-server, or `make test-system-packages`)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield RedisServer(url=f"redis://127.0.0.1:{port}/0", process=process)
    finally:
        stop(process)


def the_test_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class LiveApp:
    url: str
    log: Path

    def post(self, path: str, data: dict, token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Token {token}"} if token else {}
        return requests.post(self.url + path, json=data, headers=headers, timeout=30)

    def token(self, username: str, password: str = PASSWORD) -> requests.Response:
        return self.post(LOGIN, {"username": username, "password": password})


@pytest.fixture
def live_app(transactional_db, doomed_redis, tmp_path):
    """gunicorn with the production settings on the test database, its cache and broker on doomed_redis."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    environment = {
        **{name: value for name, value in os.environ.items() if name != "CELERY_TASK_ALWAYS_EAGER"},
        "DJANGO_ENV": "production",
        "SECRET_KEY": "redis-down-test-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": the_test_database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": doomed_redis.url,
        "LOG_LEVEL": "INFO",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--timeout", "60", "--no-control-socket"],
            cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process)
        yield LiveApp(url=f"http://127.0.0.1:{port}", log=log)
    finally:
        stop(process)


@pytest.fixture
def production_password_hashing(settings):
    """The gunicorn runs with the production settings, whose hashers do not know the tests' fast one
    (tests/conftest.py): the passwords it checks are hashed as production hashes them."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_api_answers_and_membership_mail_waits_in_the_outbox(production_password_hashing,
                                                                                 doomed_redis, live_app):
    load_cast()
    contact = User.objects.get(username="contact")
    unit = Organization.objects.get(contacts__user=contact)
    electronic = Alliance.objects.get(name="淄博电子信息产教联合体")
    secretary = User.objects.create_user(username="electronic_secretary", password=PASSWORD,
                                         email="sec@electronic.test", language="en")
    RoleGrant.objects.create(user=secretary, role="secretariat", alliance=electronic)

    # With Redis up, the login throttle counts in this Redis: the app really uses it.
    assert live_app.token("contact").status_code == 200
    assert redis.Redis.from_url(doomed_redis.url).keys("*throttle_login*")

    doomed_redis.stop()

    assert live_app.token("contact", "wrong").status_code == 401
    login = live_app.token("contact")
    assert login.status_code == 200, login.text
    # The application and the approval commit their notices with them: a publish to the (dead) Celery
    # broker on the way would answer 500 after saving.
    applied = live_app.post("/api/v1/memberships/", {"alliance": electronic.pk, "organization": unit.pk},
                            login.json()["token"])
    assert applied.status_code == 201, applied.text
    membership_id = applied.json()["id"]
    assert list(Notification.objects.filter(key__startswith=f"membership:{membership_id}:")
                .values_list("key", "mail_status")) == [
        (f"membership:{membership_id}:applied:{secretary.pk}", "pending"),
    ]

    approved = live_app.post(f"/api/v1/memberships/{membership_id}/approve/", {"reason": ""},
                             live_app.token("electronic_secretary").json()["token"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    assert Notification.objects.filter(key=f"membership:{membership_id}:active:{contact.pk}").exists()

    log = live_app.log.read_text(encoding="utf-8", errors="replace")
    assert "throttle login not applied: its cache is unreachable" in log, log
    assert "Traceback" not in log, log


@pytest.mark.django_db
def test_the_login_throttle_lets_requests_through_with_a_warning_when_its_cache_is_down(
        settings, doomed_redis, caplog):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": doomed_redis.url}
    }
    doomed_redis.stop()

    with caplog.at_level(logging.WARNING):
        response = APIClient().post(LOGIN, {"username": "contact", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    warnings = [record for record in caplog.records
                if record.levelname == "WARNING" and "throttle" in record.getMessage()]
    assert len(warnings) == 1
