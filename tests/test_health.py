"""The health endpoints: liveness at /health/live/, readiness at /health/ (PostgreSQL, Redis, a Celery
worker's answer, the file storage), answered ahead of host validation and HTTPS redirects.

The worker is a real one (Celery's test worker, consuming from the test Redis); Redis down is a real
redis-server stopped (tests/test_scale_out.py does the same against gunicorn)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from config.celery import app
from tests.processes import doomed_redis  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_liveness_answers_without_asking_anything():
    response = Client().get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readiness_is_200_with_every_check_named_when_a_worker_answers(settings):
    assert settings.REDIS_URL, "this test needs REDIS_URL"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        response = Client().get("/health/")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok", "down": [],
        "checks": {"database": "ok", "redis": "ok", "celery_worker": "ok", "storage": "ok"},
    }


def test_readiness_is_503_naming_the_missing_worker_within_seconds(settings, caplog):
    app.control.purge()
    started = time.monotonic()
    response = Client().get("/health/")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["down"] == ["celery_worker"]
    assert body["checks"]["celery_worker"] == "Unavailable: no worker answered"
    # Reported as a warning, not as Django's request error (which would mail ADMINS at every probe).
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    assert any("not ready: celery_worker" in record.getMessage() for record in caplog.records)


def test_readiness_names_redis_and_the_worker_when_redis_is_down(settings, doomed_redis):  # noqa: F811
    settings.REDIS_URL = doomed_redis.url
    original = app.conf.broker_url
    app.conf.broker_url = doomed_redis.url
    try:
        doomed_redis.stop()
        started = time.monotonic()
        response = Client().get("/health/")
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert set(response.json()["down"]) == {"redis", "celery_worker"}
    assert elapsed < 5, f"readiness took {elapsed:.1f} s with Redis down"


def test_probes_are_answered_for_any_host_and_without_the_https_redirect(settings):
    # A load balancer or Docker probes the container by its address, over plain HTTP.
    settings.ALLOWED_HOSTS = ["alliance.example.cn"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/health/live/", HTTP_HOST="10.0.3.7:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400  # everything else still checks the host
    assert client.get("/", HTTP_HOST="alliance.example.cn").status_code == 301


def test_only_get_and_head_are_answered():
    assert Client().post("/health/live/").status_code != 200
