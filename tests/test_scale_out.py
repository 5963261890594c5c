"""Several servers: two web servers and a worker on one PostgreSQL, one Redis and one object storage.

The processes are the real ones (gunicorn with config/gunicorn.py, `celery worker`) under the production
settings, each with a MEDIA_ROOT of its own, so nothing is shared through this machine's disk: the files
go to an S3-compatible server (moto's, over HTTP), the sessions to PostgreSQL, the tasks through Redis.
A session opened on one web server is valid on the other; a document uploaded through one is downloaded
through the other; a report asked for through one is built by the worker and downloaded through the other.

The second test runs the Compose file's own healthcheck command against gunicorn: healthy with a worker,
unhealthy (503 naming what is down) without one and when Redis stops, within seconds.
"""

import datetime
import json
import re
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import pytest
import requests
import yaml
from django.conf import settings
from django.utils import timezone

from alliance.demo import HIGH_TECH
from alliance.models import Alliance, AllianceDocument
from assessments import frameworks, services
from assessments.models import Assessment, Report
from assessments.scoring import aggregate
from config.celery import app
from members.models import User
from tests.conftest import PASSWORD, load_cast_for_production
from tests.processes import (  # noqa: F401 (fixtures)
    ROOT,
    doomed_redis,
    processes,
    production_environment,
    s3_server,
    static_root,
    wait_until,
)
from tests.shared import small_framework

PDF = b"%PDF-1.4\n% uploaded through web A\n" + uuid.uuid4().hex.encode() + b"\n%%EOF\n"


def decided_cycle(official: User, alliance: Alliance):
    """A cycle of the alliance's city whose one assessment is decided (the city comparison can be built)."""
    framework = services.framework_import(actor=official, data=small_framework("横向扩展测试指标体系"))
    framework = services.framework_publish(framework=framework, actor=official)
    today = timezone.localdate()
    cycle = services.cycle_open(
        actor=official, framework=framework, city=alliance.city, title="横向扩展测试考核", opens_on=today,
        self_assessment_due=today + datetime.timedelta(days=30), review_due=today + datetime.timedelta(days=60),
        alliances=[alliance],
    )
    scores = {"A1": Decimal("9"), "B1": Decimal("8"), "B2": Decimal("4"), "C1": Decimal("1")}
    result = aggregate(frameworks.leaves(framework), [scores])
    Assessment.objects.filter(cycle=cycle).update(
        status="decided", final_score=result.final_score, veto_failed=result.veto_failed, working=result.working,
        grade="excellent", decided_at=timezone.now())
    return cycle


class Browser:
    """Cookies carried by hand: the production cookies are Secure, which requests keeps off plain HTTP."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def _headers(self, extra=None):
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(extra or {})}

    def _keep(self, response):
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, url, **headers):
        return self._keep(requests.get(url, headers=self._headers(headers), allow_redirects=False, timeout=60))

    def post(self, url, data, files=None, **headers):
        data = {**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        return self._keep(requests.post(url, data=data, files=files, headers=self._headers(headers),
                                        allow_redirects=False, timeout=60))


def status_of(url: str) -> int | None:
    """The status of a GET, None while the server cannot answer (its first request loads a lot on a busy
    machine)."""
    try:
        return requests.get(url, timeout=30).status_code
    except requests.RequestException:
        return None


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
    return lines


@pytest.mark.django_db(transaction=True)
def test_a_session_an_upload_and_a_report_made_through_one_server_are_served_by_the_other(
        processes, s3_server, tmp_path):  # noqa: F811
    assert settings.REDIS_URL, "this test needs REDIS_URL"
    load_cast_for_production()
    official = User.objects.get(username="official")
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    cycle = decided_cycle(official, high_tech)
    app.control.purge()

    # Logins with a password alone (two-factor logins are test_accounts' and the browser tests' subject).
    shared = production_environment(REDIS_URL=settings.REDIS_URL, TWO_FACTOR_REQUIRED_ROLES="",
                                    **s3_server.environment())
    web_a = processes.gunicorn("web-a", {**shared, "MEDIA_ROOT": str(tmp_path / "media-a")})
    web_b = processes.gunicorn("web-b", {**shared, "MEDIA_ROOT": str(tmp_path / "media-b")})
    worker = processes.worker("worker", {**shared, "MEDIA_ROOT": str(tmp_path / "media-worker")})
    processes.wait_for_web(web_a, web_b)
    # Both web servers are ready once the worker answers: PostgreSQL, Redis, the worker, the bucket.
    for web in (web_a, web_b):
        wait_until(lambda web=web: status_of(web.url + "/health/") == 200,
                   timeout=120, what=f"{web.name} ready", processes=(worker, web_a, web_b))

    # A session opened on A is valid on B.
    browser = Browser()
    browser.get(web_a.url + "/accounts/login/")
    login = browser.post(web_a.url + "/accounts/login/", {"username": "official", "password": PASSWORD})
    assert login.status_code == 302, login.text[:500]
    assert "sessionid" in browser.cookies
    assert browser.get(web_b.url + "/notifications/").status_code == 200
    assert Browser().get(web_b.url + "/notifications/").status_code == 302  # without the cookie: to the login

    # A document uploaded through A is served by B, from the bucket.
    request_id = "upload-" + uuid.uuid4().hex
    uploaded = browser.post(web_a.url + f"/alliances/{high_tech.pk}/documents/",
                            {"kind": "other", "title": "横向扩展上传"},
                            files={"file": ("charter-scale.pdf", PDF, "application/pdf")},
                            **{"X-Request-ID": request_id})
    assert uploaded.status_code == 302, uploaded.text[:500]
    assert uploaded.headers["X-Request-ID"] == request_id
    document = AllianceDocument.objects.get(alliance=high_tech, title="横向扩展上传")
    assert document.file.name in s3_server.keys()
    downloaded = browser.get(web_b.url + f"/alliances/{high_tech.pk}/documents/{document.pk}/")
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert not (tmp_path / "media-a").exists() and not (tmp_path / "media-b").exists()

    # A report asked for through A is built by the worker and downloaded through B.
    asked = browser.post(web_a.url + f"/assessments/reports/request/city_xlsx/{cycle.pk}/", {})
    assert asked.status_code == 302, asked.text[:500]
    report_id = int(re.search(r"/assessments/reports/(\d+)/", asked.headers["Location"]).group(1))
    wait_until(lambda: Report.objects.filter(pk=report_id).exclude(status__in=["pending", "running"]).exists(),
               timeout=90, what="the report built", processes=(worker,))
    report = Report.objects.get(pk=report_id)
    assert report.status == "done", report.error
    assert report.file.name in s3_server.keys()
    status_page = browser.get(web_b.url + f"/assessments/reports/{report_id}/")
    assert status_page.status_code == 200
    workbook = browser.get(web_b.url + f"/assessments/reports/{report_id}/download/")
    assert workbook.status_code == 200
    assert workbook.content[:2] == b"PK" and len(workbook.content) > 1000
    assert not (tmp_path / "media-worker").exists()

    # Every process logged JSON lines; the upload's line carries its request id and the user's id, the
    # build's lines the task's id.
    upload_lines = [line for line in json_lines(web_a.output()) if line.get("request_id") == request_id]
    assert upload_lines and all(line["user_id"] == str(official.pk) for line in upload_lines)
    assert {"time", "level", "logger", "message"} <= set(upload_lines[-1])
    built = [line for line in json_lines(worker.output()) if f"report {report_id} " in line.get("message", "")]
    assert built and built[-1]["task_id"] and built[-1]["task_name"] == "assessments.reports.tasks.build_report"
    for process in (web_a, web_b, worker):
        assert "Traceback" not in process.output(), process.output()


def compose_healthcheck(port: int) -> list[str]:
    """The web service's healthcheck command from docker-compose.yml, aimed at this test's port."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python"
    return [sys.executable, *[word.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for word in test[2:]]]


def healthy(command: list[str]) -> bool:
    return subprocess.run(command, capture_output=True, timeout=30).returncode == 0


@pytest.mark.django_db(transaction=True)
def test_the_compose_healthcheck_follows_the_worker_and_redis(processes, doomed_redis, tmp_path):  # noqa: F811
    # The production defaults stand: HTTPS redirect on, a host name the probe does not send.
    environment = production_environment(REDIS_URL=doomed_redis.url, SECURE_SSL_REDIRECT=None,
                                         ALLOWED_HOSTS="alliance.example.cn", MEDIA_ROOT=str(tmp_path / "media"))
    web = processes.gunicorn("web", environment)
    processes.wait_for_web(web)
    command = compose_healthcheck(web.extra["port"])

    down = requests.get(web.url + "/health/", timeout=10)
    assert down.status_code == 503 and down.json()["down"] == ["celery_worker"]
    assert not healthy(command)
    assert requests.get(web.url + "/health/live/", timeout=10).status_code == 200
    assert requests.get(web.url + "/").status_code == 400  # pages still check the host

    worker = processes.worker("worker", environment)
    wait_until(lambda: healthy(command), timeout=90, what="healthy with a worker", processes=(worker,))
    ready = requests.get(web.url + "/health/", timeout=10).json()
    assert ready["checks"] == {"database": "ok", "redis": "ok", "celery_worker": "ok", "storage": "ok"}

    doomed_redis.stop()
    started = time.monotonic()
    answer = requests.get(web.url + "/health/", timeout=30)
    assert time.monotonic() - started < 6
    assert answer.status_code == 503
    assert set(answer.json()["down"]) == {"redis", "celery_worker"}
    assert not healthy(command)
