"""List endpoints read in one query (the cooperation lists, the organisations).

At national scale (30,000 needs and offers, 15,000 units) these lists are what portals poll. DRF's generic list costs two
queries (the page and the paginator's COUNT) and builds a model instance and a serializer field for every
value. Here the page and the number of rows come from one query (the page's columns read with `values()`, and the
count as an uncorrelated subquery; once counted, the number is kept under the data's version, kernel/counts.py, and
the page alone is read), and each row is the output serializer's own representation written out from
those values. The answer has the shape and values the output serializer gives (tests/test_cooperation_api.py
compares the two); the serializer remains what the schema documents and what detail endpoints answer.

A page is kept in the cache under the data's version (kernel/versions.py), so that portals polling the lists are
answered without the database until something is written; throttling, content negotiation and the checks of the
query still run first. An anonymous caller's page (published records only, the same for every anonymous caller) is
found by its path; a signed-in caller's by its path and the SQL of their list, which carries their scope.
"""

import hashlib

from django.db import models
from django.db.models import Func, IntegerField, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from kernel.counts import count, count_key, keep_count, query_digest
from kernel.versions import data_version, keep, kept

MAX_PAGE = 2**31 - 1  # beyond it an OFFSET overflows; no list has that many pages
# COUNT(*) as a plain function, not an aggregate: Django adds no GROUP BY, and PostgreSQL answers one row,
# counting the public lists by an index-only scan of their partial index (cooperation/models.py).
COUNT_ALL = Func(template="COUNT(*)", output_field=IntegerField())


# How long a page is kept at most (a request or task that writes moves the data's version on; this bounds what a
# write outside them could leave behind: kernel/versions.py).
LIST_SECONDS = 60


def list_key(request, queryset=None) -> str | None:
    """Where a page is kept: the data's version, the day (lists that depend on dates), the language and time zone,
    the host (the page's links are absolute), the full path with its query, and for a signed-in caller (`queryset`:
    their filtered list) its SQL with its parameters, which carry their scope: callers share a page only when they
    list the same rows. Every anonymous caller lists the same rows, so theirs is found before any query is built.
    None when nothing may be kept (kernel/versions.py: data_version)."""
    version = data_version()
    if version is None:
        return None
    digest = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode())
    if queryset is not None:
        listed = query_digest(queryset)
        if listed is None:
            return None
        digest.update(listed.encode())
    return (f"list:{version}:{timezone.localdate().isoformat()}:{get_language()}:"
            f"{timezone.get_current_timezone_name()}:{digest.hexdigest()}")


def _converters(model, lookups) -> list:
    """For each looked-up value, how it is written: dates and times as DRF writes them, the rest as they are."""
    converters = []
    for lookup in lookups:
        field = None
        if "__" not in lookup:
            try:
                field = model._meta.get_field(lookup.removesuffix("_id") if lookup.endswith("_id") else lookup)
            except Exception:  # an annotation (a count): written as it is
                field = None
        if isinstance(field, models.DateTimeField):
            converters.append("datetime")
        elif isinstance(field, models.DateField):
            converters.append("date")
        else:
            converters.append(None)
    return converters


def _write(value, converter, zone):
    """As DRF's fields write a value: a time in the current time zone, ISO 8601 ("Z" for UTC); a date ISO."""
    if value is None or converter is None:
        return value
    if converter == "date":
        return value.isoformat()
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class OneQueryListMixin:
    """`list_fields`: the output field names in order, each with the `values()` lookup that reads it;
    `list_null_when_blank`: those written as null when empty (the serializer's `Meta.null_when_blank`)."""

    list_fields: dict[str, str] = {}
    list_null_when_blank: tuple[str, ...] = ()

    def _page_number(self, request, paginator) -> int | None:
        """The page asked for; None for "last"."""
        raw = request.query_params.get(paginator.page_query_param, 1)
        if raw in paginator.last_page_strings:
            return None
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= MAX_PAGE:
            raise NotFound(_("Invalid page."))
        return number

    def list(self, request, *args, **kwargs):
        """The page, kept in the cache under the data's version (list_key): an anonymous caller's found before any
        query is built, a signed-in caller's once their filtered list (their scope in it) is built."""
        queryset = self.filter_queryset(self.get_queryset()) if request.user.is_authenticated else None
        key = list_key(request, queryset)
        # A caller asking for a fresh answer (Cache-Control: no-cache) gets one computed now, which is then kept.
        if "no-cache" not in request.META.get("HTTP_CACHE_CONTROL", ""):
            page = kept(key)
            if page is not None:
                return Response(page)
        page = self._page(request, queryset)
        keep(key, page, seconds=LIST_SECONDS, what="a list page")
        return Response(page)

    def _page(self, request, queryset=None) -> dict:
        paginator = self.paginator
        if queryset is None:
            queryset = self.filter_queryset(self.get_queryset())
        size = paginator.get_page_size(request)
        number = self._page_number(request, paginator)
        # The number of rows the caller may see, kept under the data's version (kernel/counts.py) once counted.
        key = count_key(queryset)
        total = kept(key)
        if number is None:
            total = count(queryset) if total is None else total
            number = max(1, -(-total // size))
        lookups = list(self.list_fields.values())
        offset = (number - 1) * size
        if total is None:
            # Counted with the page, as an uncorrelated subquery: PostgreSQL counts once, on the list's own
            # filters, while the page's joins and per-row subqueries run for the rows of the page only.
            counted = queryset.order_by().annotate(_n=COUNT_ALL).values("_n")
            rows = list(queryset.annotate(_total=Coalesce(Subquery(counted, output_field=IntegerField()), 0))
                        .values(*lookups, "_total")[offset:offset + size])
            if rows:
                total = rows[0]["_total"]
            elif number == 1:
                total = 0
            else:
                raise NotFound(_("Invalid page."))
            keep_count(key, total)
        elif offset >= total and number > 1:
            raise NotFound(_("Invalid page."))
        else:
            rows = list(queryset.values(*lookups)[offset:offset + size]) if total else []
        zone = timezone.get_current_timezone()
        columns = list(zip(self.list_fields, lookups, _converters(queryset.model, lookups), strict=True))
        results = [{name: _write(row[lookup], converter, zone) for name, lookup, converter in columns}
                   for row in rows]
        for name in self.list_null_when_blank:
            for result in results:
                if result[name] == "":
                    result[name] = None
        url = request.build_absolute_uri()
        return {
            "count": total,
            "next": replace_query_param(url, paginator.page_query_param, number + 1) if offset + size < total
            else None,
            "previous": None if number == 1 else (remove_query_param(url, paginator.page_query_param) if number == 2
                                                  else replace_query_param(url, paginator.page_query_param,
                                                                           number - 1)),
            "results": results,
        }
