"""Waiting on a real Celery worker (`celery.contrib.testing.worker.start_worker`, in this process): on a
condition with a deadline, never for a fixed time.

`wait_for` polls a condition; `tasks_seen` records the tasks this process publishes and the ones its
worker finishes, so a test can wait until the worker has run a given task and then check what it did (or
did not do), instead of sleeping and hoping it has had its turn.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from celery.signals import after_task_publish, task_postrun

POLL_SECONDS = 0.05


def wait_for(condition, timeout=30.0) -> bool:
    """True as soon as `condition()` is, False if it is still not after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)


@dataclass
class TasksSeen:
    published: list[str] = field(default_factory=list)  # task names, in the order they were sent
    finished: set[str] = field(default_factory=set)  # task ids the worker has run to the end
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _on_publish(self, sender=None, **kwargs):
        with self._lock:
            self.published.append(sender)

    def _on_finish(self, task_id=None, **kwargs):
        with self._lock:
            self.finished.add(task_id)

    def wait(self, *results, timeout=30.0) -> bool:
        """Wait until the worker has run the tasks of these `delay()` results."""
        wanted = {result.id for result in results}
        return wait_for(lambda: wanted <= self.finished, timeout)


@contextmanager
def tasks_seen():
    seen = TasksSeen()
    after_task_publish.connect(seen._on_publish, weak=False)
    task_postrun.connect(seen._on_finish, weak=False)
    try:
        yield seen
    finally:
        after_task_publish.disconnect(seen._on_publish)
        task_postrun.disconnect(seen._on_finish)
