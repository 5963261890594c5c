"""Health endpoints for load balancers, the Compose healthcheck and monitoring (django-health-check).

- `/health/live/`: liveness. The process answers; nothing else is asked.
- `/health/`: readiness. PostgreSQL, Redis (cache and broker), a Celery worker answering a ping over the
  broker (its heartbeat) and the file storage (a file written, read back and deleted). 200 with JSON when
  all are up; 503 with JSON naming what is down.

`OperationsMiddleware` answers these paths (and `/metrics` when metrics are on, see kernel/metrics.py)
before any other middleware: a probe comes from the load balancer or Docker with the container's address
as its Host, over plain HTTP, so neither ALLOWED_HOSTS nor the HTTPS redirect may turn it away. The
answers hold no URL and nothing about the request, so the unchecked Host cannot poison them.

Every check is bounded (a second or two): with Redis or the database gone, readiness answers 503 within
a few seconds instead of hanging the probe.
"""

import asyncio
import dataclasses
import datetime
import logging

from asgiref.sync import async_to_sync
from celery import current_app
from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from health_check.base import HealthCheck
from health_check.checks import Database, Storage
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable, ServiceWarning
from kombu.exceptions import OperationalError
from redis.asyncio import Redis as AsyncRedis

from kernel.metrics import metrics_view

logger = logging.getLogger(__name__)

LIVE_PATH = "/health/live/"
READY_PATH = "/health/"

# Broker connection for the ping: one quick try, no retry loop (kombu's default retries for seconds).
BROKER_PROBE_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 1, "socket_timeout": 1}


@dataclasses.dataclass
class CeleryWorker(HealthCheck):
    """At least one Celery worker answers a ping through the broker within a second."""

    timeout = datetime.timedelta(seconds=2)

    def run(self):
        app = current_app
        try:
            with app.connection_for_write(transport_options=BROKER_PROBE_OPTIONS, connect_timeout=1) as connection:
                replies = app.control.ping(timeout=1.0, limit=1, connection=connection)
        except (OSError, OperationalError) as exc:
            raise ServiceUnavailable("broker unreachable") from exc
        if not any(reply.get("ok") == "pong" for answer in replies for reply in answer.values()):
            raise ServiceUnavailable("no worker answered")


def redis_client() -> AsyncRedis:
    return AsyncRedis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def readiness_checks() -> dict[str, HealthCheck]:
    """What readiness asks, by the name it reports. Redis and the worker only where Redis is configured
    (the embedded development default has neither)."""
    checks: dict[str, HealthCheck] = {"database": Database()}
    if settings.REDIS_URL:
        checks["redis"] = Redis(client_factory=redis_client)
        checks["celery_worker"] = CeleryWorker()
    checks["storage"] = Storage()
    return checks


async def _run(checks: dict[str, HealthCheck]) -> dict[str, str]:
    """The checks at once (the synchronous ones in threads), each within its own time limit."""
    results = await asyncio.gather(*(check.get_result() for check in checks.values()))
    return {
        name: "ok" if result.error is None or isinstance(result.error, ServiceWarning) else str(result.error)
        for name, result in zip(checks, results, strict=True)
    }


def _json(payload: dict, status: int) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    add_never_cache_headers(response)
    return response


def liveness(request) -> JsonResponse:
    return _json({"status": "ok"}, 200)


def readiness(request) -> JsonResponse:
    results = async_to_sync(_run)(readiness_checks())
    down = [name for name, state in results.items() if state != "ok"]
    payload = {"status": "unavailable" if down else "ok", "down": down, "checks": results}
    response = _json(payload, 503 if down else 200)
    if down:
        # A warning, not Django's "Service Unavailable" error: a probe every few seconds while something is
        # down must not mail ADMINS or open an error-tracker issue each time.
        logger.warning("not ready: %s", ", ".join(f"{name} ({results[name]})" for name in down))
        response._has_been_logged = True
    return response


class OperationsMiddleware:
    """Answers the health probes (and /metrics, when on) ahead of host validation and HTTPS redirects."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.routes = {LIVE_PATH: liveness, READY_PATH: readiness}
        if settings.METRICS_ENABLED:
            self.routes[settings.METRICS_PATH] = metrics_view

    def __call__(self, request):
        view = self.routes.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
