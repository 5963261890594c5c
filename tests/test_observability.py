"""What operators see: JSON log lines with the request, user and task ids; errors sent to Sentry (or a
self-hosted GlitchTip, the same protocol) or mailed to ADMINS; Prometheus metrics with the latency by
view and the outbox backlog.

Sentry is a local HTTP server that receives what the SDK sends (envelopes over HTTP, as to GlitchTip);
the processes that report are started with the production settings, as in production."""

import gzip
import io
import json
import logging
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest
from celery import signals
from django.conf import settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families
from pythonjsonlogger.json import JsonFormatter

from kernel.logs import ContextFilter
from kernel.models import Notification
from kernel.tasks import send_notifications
from members.models import User
from tests.conftest import load_cast
from tests.processes import ROOT, production_environment, static_root  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


# JSON lines ------------------------------------------------------------------------------------------

@pytest.fixture
def json_log():
    """What the production handler writes for the loggers under test, one JSON object per line."""
    options = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(ContextFilter())
    loggers = [logging.getLogger(name) for name in ("kernel.requests", "tests.observability")]
    previous = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger, (level, _propagate) in zip(loggers, previous, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_a_request_line_carries_time_level_logger_request_and_user_ids(json_log, cast):
    client = Client()
    client.force_login(cast["official"])
    response = client.get("/notifications/", HTTP_X_REQUEST_ID="lb-7f3a9c21d4")
    assert response["X-Request-ID"] == "lb-7f3a9c21d4"
    [line] = [line for line in json_log() if line["logger"] == "kernel.requests"]
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert line["message"] == "GET /notifications/ 200"
    assert line["request_id"] == "lb-7f3a9c21d4" and line["user_id"] == str(cast["official"].pk)
    assert line["status"] == 200 and line["duration_ms"] >= 0 and line["task_id"] == ""


def test_an_unusable_request_id_is_replaced_by_a_new_one(json_log):
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="bad id\twith spaces")
    assert response["X-Request-ID"] != "bad id\twith spaces" and len(response["X-Request-ID"]) == 32
    [line] = json_log()
    assert line["request_id"] == response["X-Request-ID"] and line["user_id"] == ""


def test_a_running_task_gives_its_records_its_id_and_name(json_log):
    task = send_notifications
    signals.task_prerun.send(sender=task, task_id="5b0c-task", task=task, args=(), kwargs={})
    logging.getLogger("tests.observability").info("inside the task")
    signals.task_postrun.send(sender=task, task_id="5b0c-task", task=task, args=(), kwargs={}, retval=None,
                              state="SUCCESS")
    logging.getLogger("tests.observability").info("after the task")
    inside, after = json_log()
    assert (inside["task_id"], inside["task_name"]) == ("5b0c-task", "kernel.tasks.send_notifications")
    assert after["task_id"] == "" and after["task_name"] == ""


# Errors: Sentry or ADMINS ------------------------------------------------------------------------------

class Collector(BaseHTTPRequestHandler):
    """Keeps the decoded bodies of what is posted to it (Sentry's envelope endpoint)."""

    received: list[bytes]

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        self.server.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()


REPORTING_PROCESS = """
import logging
import django
django.setup()
import sentry_sdk
from django.core import mail
from config.celery import app

@app.task(name="tests.failing_task")
def failing_task():
    return 1 / 0

logging.getLogger("alliance.ops").error("error-probe from the web")
failing_task.apply()
sentry_sdk.flush(timeout=10)
print(json.dumps({"mails": [[message.subject, message.to] for message in getattr(mail, "outbox", [])]}))
"""


def run_reporting_process(**environment) -> dict:
    code = "import json\n" + REPORTING_PROCESS
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env=production_environment(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                                                       **environment))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_a_dsn_errors_of_web_and_worker_code_go_to_sentry_and_no_mail(sentry):
    port = sentry.server_address[1]
    output = run_reporting_process(SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/42",
                                   SENTRY_ENVIRONMENT="province-test", ADMINS="ops@alliance.test")
    received = b"\n".join(sentry.received).decode("utf-8", "replace")
    assert "error-probe from the web" in received
    assert "ZeroDivisionError" in received and "tests.failing_task" in received  # the Celery integration
    assert "province-test" in received
    assert output["mails"] == []  # Sentry has them: ADMINS are not mailed as well


def test_without_a_dsn_errors_are_mailed_to_admins():
    output = run_reporting_process(SENTRY_DSN=None, ADMINS="ops@alliance.test, oncall@alliance.test")
    subjects = [subject for subject, to in output["mails"] if to == ["ops@alliance.test", "oncall@alliance.test"]]
    assert any("error-probe from the web" in subject for subject in subjects), output
    assert any("tests.failing_task" in subject or "ZeroDivisionError" in subject for subject in subjects), output


# Metrics -----------------------------------------------------------------------------------------------

METRICS_PROCESS = """
import django
django.setup()
from django.test import Client
client = Client()
assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1").status_code == 200
refused = client.get("/metrics")
scraped = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-1", HTTP_HOST="10.0.0.9:8000")
print(refused.status_code, scraped.status_code)
print(scraped.content.decode())
"""


@pytest.mark.django_db(transaction=True)
def test_metrics_give_the_latency_by_view_and_the_outbox_backlog_to_the_scraper_only(static_root):  # noqa: F811
    load_cast()
    contact = User.objects.get(username="contact")
    for index, status in enumerate(["pending", "pending", "failed", "sent"]):
        Notification.objects.create(user=contact, key=f"metrics-test:{index}", subject="s", body="b",
                                    mail_status=status)
    expected = {status: Notification.objects.filter(mail_status=status).count() for status in ("pending", "failed")}

    result = subprocess.run([sys.executable, "-c", METRICS_PROCESS], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env=production_environment(METRICS_ENABLED="true",
                                                                    METRICS_TOKEN="scrape-token-1",
                                                                    STATIC_ROOT=str(static_root)))
    assert result.returncode == 0, result.stderr
    statuses, text = result.stdout.split("\n", 1)
    assert statuses == "401 200"
    samples = {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
               for family in text_string_to_metric_families(text) for sample in family.samples}
    assert samples[("django_http_requests_latency_seconds_by_view_method_count",
                    (("method", "GET"), ("view", "login")))] == 1
    assert samples[("alliance_outbox_pending", ())] == expected["pending"] >= 2
    assert samples[("alliance_outbox_due", ())] == expected["pending"]
    assert samples[("alliance_outbox_failed", ())] == expected["failed"] >= 1
    assert 0 <= samples[("alliance_outbox_oldest_due_seconds", ())] < 600


def test_metrics_are_off_unless_enabled():
    assert Client().get("/metrics").status_code == 404
