"""Prometheus metrics, on with METRICS_ENABLED (see docs/deploy.md).

django-prometheus's middlewares count requests and time them by view
(`django_http_requests_latency_seconds_by_view_method{view=..., method=...}`); this module adds the
outbox backlog, read from the database at each scrape, and serves everything at METRICS_PATH
(answered by kernel.health.OperationsMiddleware, ahead of host validation, as Prometheus scrapes each
web container by its address). With METRICS_TOKEN set (required in production) the scraper must send
`Authorization: Bearer <token>`.

Under gunicorn with several worker processes, set PROMETHEUS_MULTIPROC_DIR (config/gunicorn.py empties it
at start and forgets the workers that exit): the counters of all the processes are then added up.
"""

import hmac
import logging
import os

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from kernel.notify import outbox_backlog

logger = logging.getLogger(__name__)


class OutboxCollector:
    """The notification outbox's backlog, counted when scraped."""

    def collect(self):
        try:
            backlog = outbox_backlog()
        except DatabaseError:
            logger.warning("outbox metrics skipped: the database cannot be reached", exc_info=True)
            return
        gauges = [
            ("alliance_outbox_pending", "Notifications waiting to be mailed (due now or later).", backlog.pending),
            ("alliance_outbox_due", "Notifications due to be mailed now: the sender's backlog.", backlog.due),
            ("alliance_outbox_failed", "Notifications given up after failing (retry them in the admin).",
             backlog.failed),
            ("alliance_outbox_oldest_due_seconds", "Age of the oldest notification due to be mailed.",
             backlog.oldest_due_seconds),
        ]
        for name, documentation, value in gauges:
            yield GaugeMetricFamily(name, documentation, value=value)


def _process_metrics() -> bytes:
    """django-prometheus's counters: this process's, or all gunicorn workers' in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def _authorised(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def metrics_view(request) -> HttpResponse:
    if not _authorised(request):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    outbox = CollectorRegistry()
    outbox.register(OutboxCollector())
    return HttpResponse(_process_metrics() + generate_latest(outbox), content_type=CONTENT_TYPE_LATEST)
