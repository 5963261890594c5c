"""Reads every app needs."""

from django.db.models import QuerySet
from django.http import Http404


def get_or_404(queryset: QuerySet, pk):
    """One row of an already user-scoped queryset; 404 for a missing, hidden or malformed id alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
