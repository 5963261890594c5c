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

from django.core import paginator
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from kernel.versions import data_version, keep, kept

COUNT_SECONDS = 60


def query_digest(queryset: QuerySet) -> str | None:
    """A digest of the queryset's SQL with its parameters (which rows it reads); None for one that reads none."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter on an empty list: no query to key
        return None
    return hashlib.sha256(f"{queryset.db}\n{sql}\n{params!r}".encode()).hexdigest()


def count_key(queryset: QuerySet) -> str | None:
    """Where the queryset's count is kept; None when it may not be (see the module's text)."""
    digest = query_digest(queryset.order_by())
    version = None if digest is None else data_version()
    if version is None:
        return None
    return f"count:{version}:{timezone.localdate().isoformat()}:{digest}"


def keep_count(key: str | None, count: int) -> None:
    keep(key, count, seconds=COUNT_SECONDS, what="a count")


def count(queryset: QuerySet) -> int:
    """The queryset's number of rows: the kept one, else counted in the database and kept."""
    key = count_key(queryset)
    total = kept(key)
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
