"""Files handed to the reader: a name any file system takes, and the response that hands them over."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def safe_filename(stem: str) -> str:
    """The name with the characters file systems refuse (and control characters) replaced by "_"."""
    return "".join("_" if char in '/\\:*?"<>|' or ord(char) < 32 else char for char in stem)


def attachment(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    """The content to save (or to show, `inline`) under `filename`, encoded for every browser."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
