"""Exactly one beat: django-celery-beat's database scheduler behind a Redis lock.

Every beat tries to take the lock `alliance:beat` (SET NX with a time-to-live of BEAT_LOCK_SECONDS)
before each tick. The one holding it renews it and sends what is due; any other beat, started by
mistake or kept as a standby on a second host, sends nothing and tries again every few seconds. When the
holder stops (or dies, and its lock expires), a standby takes over: it reloads the schedule from the
database first, so it starts from the last runs the previous holder recorded.

Without REDIS_URL (the embedded development default: one process of each) there is no lock.
"""

import logging
import os
import socket

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)

LOCK_NAME = "alliance:beat"


class SingleBeatScheduler(DatabaseScheduler):
    """DatabaseScheduler that ticks only while it holds the beat lock."""

    lock = None
    holding = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock_seconds = settings.BEAT_LOCK_SECONDS
        # Try (and renew) well within the lock's lifetime.
        self.retry_seconds = max(1.0, min(self.max_interval, self.lock_seconds / 3))
        if settings.REDIS_URL:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
            # The token names this process, so the holder can be seen with `GET alliance:beat`.
            self.lock = client.lock(LOCK_NAME, timeout=self.lock_seconds, blocking=False, thread_local=False)
            self.lock_token = f"{socket.gethostname()}:{os.getpid()}".encode()

    def _hold(self) -> bool:
        """Whether this beat holds the lock now (taking or renewing it)."""
        if self.lock is None:
            return True
        try:
            if self.holding:
                self.lock.reacquire()
            else:
                self.holding = self.lock.acquire(blocking=False, token=self.lock_token)
                if self.holding:
                    logger.info("beat lock %s taken: this beat sends the periodic tasks", LOCK_NAME)
                    self._reload()
                    return True
        except LockError:
            logger.warning("beat lock %s lost: standing by", LOCK_NAME)
            self.holding = False
        except RedisError:
            logger.warning("beat lock %s: Redis cannot be reached; sending nothing", LOCK_NAME, exc_info=True)
            self.holding = False
        return self.holding

    def _reload(self) -> None:
        """Start from the schedule as the database has it (the last runs another beat recorded)."""
        self._initial_read = True
        self._heap = None

    def tick(self, *args, **kwargs):
        if not self._hold():
            if not getattr(self, "_said_standby", False):
                logger.info("beat lock %s is held by another beat: standing by", LOCK_NAME)
                self._said_standby = True
            return self.retry_seconds
        self._said_standby = False
        return min(super().tick(*args, **kwargs), self.retry_seconds)

    def close(self):
        super().close()
        if self.lock is not None and self.holding:
            try:
                self.lock.release()
                logger.info("beat lock %s released", LOCK_NAME)
            except (LockError, RedisError):
                pass
            self.holding = False
