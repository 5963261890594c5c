"""Counts kept under the data's version.

"Page 1 of 204" needs the number of rows the reader may see, and an exact count of a permission-filtered set
reads every row it counts: at national scale the official's organisation list spent most of its time there. A
count is kept in the cache under the data's version (kernel/versions.py), the day, and a digest of the counting
query's SQL with its parameters. The parameters carry the reader's scope and filters (an official's city, a
secretariat's alliances, the search), so two readers share a count only when they count the same rows; the
version moves on after every request that may have written and every task, so a count is never used after a
change. As with the anonymous lists, a write outside requests and tasks (a management command) is seen within
COUNT_SECONDS. Nothing is kept inside a transaction (it may hold writes not committed yet) or while the cache is
unreachable: the count is then computed as before.
"""

import hashlib
import logging

from django.core import paginator
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from kernel.versions import data_version

logger = logging.getLogger(__name__)

COUNT_SECONDS = 60


def count_key(queryset: QuerySet) -> str | None:
    """Where the queryset's count is kept; None when it may not be (see the module's text)."""
    if connections[queryset.db].in_atomic_block:
        return None
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter on an empty list: no query to key
        return None
    version = data_version()
    if version is None:
        return None
    digest = hashlib.sha256(f"{queryset.db}\n{sql}\n{params!r}".encode()).hexdigest()
    return f"count:{version}:{timezone.localdate().isoformat()}:{digest}"


def kept_count(key: str | None) -> int | None:
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:  # the cache unreachable: count in the database
        return None


def keep_count(key: str | None, count: int) -> None:
    if key is None:
        return
    try:
        cache.set(key, count, timeout=COUNT_SECONDS)
    except Exception:
        logger.warning("a count was not kept: the cache is unreachable")


def count(queryset: QuerySet) -> int:
    """The queryset's number of rows: the kept one, else counted in the database and kept."""
    key = count_key(queryset)
    total = kept_count(key)
    if total is None:
        total = queryset.count()
        keep_count(key, total)
    return total


class Paginator(paginator.Paginator):
    """Django's paginator, counting a queryset through `count` above."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return count(self.object_list)
        return super().count
