"""Exactly one beat: two `celery beat` processes on one Redis and one database; only the holder of the
Redis lock sends the periodic tasks, and the other takes over when the holder dies."""

import pytest
import redis
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.beat import LOCK_NAME
from config.celery import app
from tests.processes import processes, production_environment, static_root, wait_until  # noqa: F401

EVERY_SECOND = "beat-test-every-second"


def sent(beat) -> int:
    """How many times this beat sent the every-second task (its log says so each time)."""
    return beat.output().count(f"Sending due task {EVERY_SECOND}")


@pytest.fixture
def every_second_task(transactional_db):
    schedule = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    # Expires at once: nothing of this test is left for another test's worker.
    PeriodicTask.objects.create(name=EVERY_SECOND, task="kernel.tasks.send_notifications", interval=schedule,
                                expire_seconds=1)
    yield
    app.control.purge()


def test_a_second_beat_sends_nothing_until_the_first_one_dies(processes, every_second_task, tmp_path):  # noqa: F811
    assert settings.REDIS_URL, "this test needs REDIS_URL"
    lock = redis.Redis.from_url(settings.REDIS_URL)
    lock.delete(LOCK_NAME)
    environment = production_environment(REDIS_URL=settings.REDIS_URL, BEAT_LOCK_SECONDS="3",
                                         MEDIA_ROOT=str(tmp_path / "media"))

    first = processes.beat("beat-1", environment)
    wait_until(lambda: sent(first) >= 2, timeout=60, what="the first beat sending", processes=(first,))
    second = processes.beat("beat-2", environment)
    wait_until(lambda: "standing by" in second.output(), timeout=60, what="the second beat standing by",
               processes=(first, second))
    assert lock.get(LOCK_NAME).decode().endswith(f":{first.process.pid}")

    already = sent(first)
    wait_until(lambda: sent(first) >= already + 3, timeout=30, what="the first beat sending on",
               processes=(first, second))
    assert sent(second) == 0

    # The holder dies without releasing the lock: the standby sends once the lock has expired.
    first.process.kill()
    first.process.wait()
    wait_until(lambda: sent(second) >= 2, timeout=30, what="the second beat taking over", processes=(second,))
    assert lock.get(LOCK_NAME).decode().endswith(f":{second.process.pid}")
    assert "Traceback" not in second.output(), second.output()
