"""Rate limits that keep the API answering when their cache does not, and the client address they count.

A throttle counts requests in Django's cache (Redis in production). When Redis is down, a throttle
that raised would turn every throttled endpoint, the token login first of all, into a 500; these
throttles fail open instead: the request is let through and a warning logged, since refusing
everybody is worse than limiting nobody for the length of the outage.
"""

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

logger = logging.getLogger(__name__)

# What an unreachable, timed-out or refusing cache raises (redis-py's errors; OSError for sockets).
CACHE_ERRORS = (RedisError, OSError)


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with NUM_PROXIES = n > 0 the n-th address from the right
    of X-Forwarded-For, the one our own last proxy appended. Never a header the client wrote itself.

    Both login throttles key on it: DRF's (through `get_ident`, which this is) and django-axes's
    (`AXES_CLIENT_IP_CALLABLE`).
    """
    return throttling.BaseThrottle().get_ident(request)


class FailOpenThrottleMixin:
    """Lets the request through, with a warning, when the throttle's cache cannot be reached."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            logger.warning("throttle %s not applied: its cache is unreachable (%s: %s)",
                           getattr(self, "scope", type(self).__name__), type(error).__name__, error)
            return True


class FailOpenAnonRateThrottle(FailOpenThrottleMixin, throttling.AnonRateThrottle):
    """DRF's AnonRateThrottle (per client address, for anonymous requests), failing open."""
