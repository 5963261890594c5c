"""Reads every app needs."""

from django.db.models import QuerySet
from django.http import Http404


def pk_or_404(pk) -> int:
    """An id from a URL as a number (a 404 for anything else, or a number no id column holds)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def get_or_404(queryset: QuerySet, pk):
    """One row of an already user-scoped queryset; 404 for a missing, hidden or malformed id alike."""
    found = queryset.filter(pk=pk_or_404(pk)).first()
    if found is None:
        raise Http404
    return found
