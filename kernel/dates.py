"""Dates in texts rendered later (notifications and their mail): written as the language active at rendering
writes them — kernel.notify renders each text in its recipient's language (2026年12月1日 18:30, Dec. 1, 2026,
6:30 p.m.) — never as a fixed format."""

from django.utils import formats, timezone
from django.utils.functional import lazy


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _datetime(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


local_date = lazy(_date, str)
local_datetime = lazy(_datetime, str)
