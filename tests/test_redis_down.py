"""Redis down: the API keeps answering, and membership mail waits in the outbox.

Nothing is mocked. The test starts a redis-server of its own and a gunicorn with the production
settings that uses it as its cache and Celery broker (as docker-compose.yml does with REDIS_URL),
stops that Redis, and then logs in, applies and approves over HTTP.
"""

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from django.conf import global_settings
from django.utils import timezone
from rest_framework.test import APIClient

from alliance.models import Alliance
from assessments import services as assessment_services
from assessments.models import Framework, Report
from kernel.models import Notification
from members.models import Organization, RoleGrant, User
from tests.conftest import PASSWORD, load_cast_for_production
from tests.processes import doomed_redis, free_port, stop, the_test_database_url, wait_for_port  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/api/v1/auth/token/"


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
def live_app(transactional_db, doomed_redis, tmp_path):  # noqa: F811
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
        # Logins with a password alone (two-factor logins are test_accounts' and the browser tests' subject).
        "TWO_FACTOR_REQUIRED_ROLES": "",
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


def _cookie(response, name: str) -> str | None:
    for header in response.raw.headers.get_all("Set-Cookie") or []:
        key, _, rest = header.partition("=")
        if key.strip() == name:
            return rest.split(";", 1)[0]
    return None


@pytest.fixture
def production_password_hashing(settings):
    """The gunicorn runs with the production settings, whose hashers do not know the tests' fast one
    (tests/conftest.py): the passwords it checks are hashed as production hashes them."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_api_answers_and_membership_mail_waits_in_the_outbox(production_password_hashing,
                                                                                 doomed_redis, live_app):  # noqa: F811
    load_cast_for_production()
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

    # A report is asked for on a page: its build cannot be queued, the request still answers and the
    # report waits.
    official = User.objects.get(username="official")
    cycle = assessment_services.cycle_open(
        actor=official, framework=Framework.objects.get(status="published"), city=electronic.city,
        title="2026年度考核", opens_on=timezone.localdate(), self_assessment_due=timezone.localdate(),
        review_due=timezone.localdate(), alliances=[electronic],
    )
    cycle.assessments.update(status="decided", grade="qualified", final_score="80.00")  # what a comparison needs
    # Production cookies are Secure, which requests keeps off plain HTTP: carry them by hand. The CSRF
    # secret is the client's own (Django compares the cookie with the header); the pages are not fetched,
    # as the production static files are not collected for this test (the HTMX partial needs none).
    secret = "t" * 32
    cookies = {"csrftoken": secret}
    headers = {"X-CSRFToken": secret, "Referer": live_app.url}
    signed_in = requests.post(live_app.url + "/accounts/login/", data={"username": "official", "password": PASSWORD},
                              cookies=cookies, headers=headers, allow_redirects=False, timeout=30)
    assert signed_in.status_code == 302, signed_in.text
    cookies.update(sessionid=_cookie(signed_in, "sessionid"), csrftoken=_cookie(signed_in, "csrftoken") or secret)
    asked = requests.post(f"{live_app.url}/assessments/reports/request/city_xlsx/{cycle.pk}/", cookies=cookies,
                          headers={"X-CSRFToken": cookies["csrftoken"], "Referer": live_app.url, "HX-Request": "true"},
                          timeout=30)
    assert asked.status_code == 200, live_app.log.read_text()[-2000:]
    assert Report.objects.get(cycle=cycle).status == Report.Status.PENDING

    log = live_app.log.read_text(encoding="utf-8", errors="replace")
    assert "throttle login not applied: its cache is unreachable" in log, log
    assert "the build could not be queued (broker unreachable" in log, log
    assert "Traceback" not in log, log


@pytest.mark.django_db
def test_the_login_throttle_lets_requests_through_with_a_warning_when_its_cache_is_down(
        settings, doomed_redis, caplog):  # noqa: F811
    settings.CACHES = {
        "default": {"BACKEND": "kernel.cache.RedisCache", "LOCATION": doomed_redis.url}
    }
    doomed_redis.stop()

    with caplog.at_level(logging.WARNING):
        response = APIClient().post(LOGIN, {"username": "contact", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    warnings = [record for record in caplog.records
                if record.levelname == "WARNING" and "throttle" in record.getMessage()]
    assert len(warnings) == 1
