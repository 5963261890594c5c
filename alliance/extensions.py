"""Hooks through which the apps above the core add to an alliance's page and its audit log, without
the core importing them: each app registers in its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Panel:
    """A card on the alliance's page: `template`, rendered with what `context(request, alliance)`
    answers (None shows nothing to this user)."""

    template: str
    context: Callable


_panels: list[Panel] = []
_history_sources: list[Callable] = []


def register_panel(template: str, context: Callable) -> None:
    if all(panel.template != template for panel in _panels):
        _panels.append(Panel(template, context))


def panels_for(request, alliance) -> list[dict]:
    """[{"template", "context"}] of the panels this user sees, in the order the apps registered them."""
    shown = []
    for panel in _panels:
        context = panel.context(request, alliance)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown


def register_history_source(source: Callable) -> None:
    """`source(alliance) -> Q` over auditlog's LogEntry: more entries that belong to the alliance's log."""
    if source not in _history_sources:
        _history_sources.append(source)


def history_filter(alliance) -> Q:
    related = Q(pk__in=[])
    for source in _history_sources:
        related |= source(alliance)
    return related
