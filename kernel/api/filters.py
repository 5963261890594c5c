"""The API's filters, `?search=`, `?ordering=` and time ranges.

- Filters: django-filter's, its form built only when the request names one of the list's filters.

- Ordering: a comma-separated list of the fields a list may be sorted by (`-` reverses one). An unknown
  field is a 400 naming `ordering` (DRF would silently ignore it), and the schema lists the fields.
- Search: documented only where a list searches.
"""

import datetime
import re

import django_filters
import django_filters.rest_framework
from django.utils.translation import gettext as _
from rest_framework import filters
from rest_framework.exceptions import ValidationError

from kernel.collation import pinyin_ordering


class DjangoFilterBackend(django_filters.rest_framework.DjangoFilterBackend):
    """django-filter's backend, which builds the filter form only when the request names one of its filters: a
    list asked for without filters (what portals poll) skips the form's few milliseconds. (A filter given no value
    filters nothing, so skipping the form changes no answer.)"""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        # A range's parameters carry a suffix (`starts_at_after`, `_before`, `_min`, `_max`).
        if filterset_class is None or not any(param == name or param.startswith(f"{name}_")
                                              for param in request.query_params
                                              for name in filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class OrderingFilter(filters.OrderingFilter):
    """Names a view lists in `pinyin_fields` sort in pinyin order (kernel/collation.py)."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(*pinyin_ordering(ordering, getattr(view, "pinyin_fields", ())))

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            valid = self.remove_invalid_fields(queryset, fields, view, request)
            if len(valid) != len(fields):
                names = [item[0] for item in self.get_valid_fields(queryset, view, {"request": request})]
                raise ValidationError({self.ordering_param: [
                    _("Sort by one or more of %(fields)s, separated by commas (a - before a field reverses it).")
                    % {"fields": ", ".join(names)}
                ]}, code="invalid")
            return valid
        return self.get_default_ordering(view)

    def get_schema_operation_parameters(self, view):
        names = [item if isinstance(item, str) else item[0] for item in getattr(view, "ordering_fields", None) or []]
        if not names:
            return super().get_schema_operation_parameters(view)
        term = "-?(?:" + "|".join(re.escape(name) for name in names) + ")"
        return [{
            "name": self.ordering_param, "required": False, "in": "query",
            "description": "Fields to sort by, separated by commas; a `-` before a field reverses it. "
                           f"One or more of: {', '.join(names)}.",
            "schema": {"type": "string", "pattern": f"^{term}(?:,{term})*$"},
        }]


class SearchFilter(filters.SearchFilter):
    """DRF's `?search=`, documented only on the lists that search (those with `search_fields`)."""

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "search_fields", None)
        if not fields:
            return []
        names = ", ".join(field.lstrip("^=@$").replace("__", ".") for field in fields)
        return [{
            "name": self.search_param, "required": False, "in": "query",
            "description": f"Words to look for in: {names}.", "schema": {"type": "string"},
        }]


class _UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time moved to UTC: Python reads offsets up to ±23:59, PostgreSQL takes at most ±15:59."""

    def to_python(self, value):
        parsed = super().to_python(value)
        return parsed.astimezone(datetime.UTC) if parsed is not None and parsed.tzinfo else parsed


class _UtcIsoDateTimeRangeField(django_filters.fields.RangeField):
    widget = django_filters.widgets.DateRangeWidget

    def __init__(self, *args, **kwargs):
        super().__init__((_UtcIsoDateTimeField(), _UtcIsoDateTimeField()), *args, **kwargs)


class IsoDateTimeFromToRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    """`?<name>_after=` / `?<name>_before=` in ISO 8601, any offset a client may send."""

    field_class = _UtcIsoDateTimeRangeField
