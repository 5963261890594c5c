"""The API's pages: `?page=` and `?page_size=` (1 to 200; more is capped). A page size that is not a whole
number from 1 up is a 400 naming `page_size`, not silently the default. The number of rows is kept under the
data's version once counted (kernel/counts.py)."""

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from kernel.counts import Paginator


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = Paginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        value = raw.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 9 and int(value) >= 1):
            raise ValidationError({self.page_size_query_param: [
                _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            ]}, code="invalid")
        return min(int(value), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "A page number, from 1.", "schema": {"type": "integer", "minimum": 1}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Results per page, from 1 ({self.page_size} when not given; more than "
                            f"{self.max_page_size} gives {self.max_page_size}).",
             "schema": {"type": "integer", "minimum": 1}},
        ]

    def get_paginated_response_schema(self, schema):
        """DRF's page, in OpenAPI 3.1 terms (`next` and `previous` are null on the last and first page)."""
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "description": "All results, on every page."},
                "next": {"type": ["string", "null"], "format": "uri", "description": "The next page; null on the last."},
                "previous": {"type": ["string", "null"], "format": "uri",
                             "description": "The previous page; null on the first."},
                "results": schema,
            },
        }
