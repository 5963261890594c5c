"""The API's JSON parser: DRF's, answering 400 (never 500) for JSON that would break later.

- JSON nested too deeply to parse (RecursionError);
- a NUL character (\\u0000) anywhere, in a key or a string value: PostgreSQL refuses it in text and
  jsonb, so it would otherwise surface as a 500 when saved (or when a message quoting it is logged).

The body's size is Django's DATA_UPLOAD_MAX_MEMORY_SIZE, checked as DRF reads `request.body`; the
exception handler turns its refusal into a 400 (alliance/api/exceptions.py).
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser


def has_nul(data) -> bool:
    """Whether a NUL character occurs in any string of parsed JSON, dictionary keys included."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class JSONParser(BaseJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
        if has_nul(data):
            raise ParseError(_("JSON parse error - the NUL character (\\u0000) is not allowed anywhere."))
        return data
