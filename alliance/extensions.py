"""Hooks through which the apps above the core add to an alliance's pages and its audit log, without
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


@dataclass(frozen=True)
class PublicSection:
    """A section of the alliance's public page (`/alliances/<id>/public/`): `template`, rendered with what
    `context(alliance)` answers (None shows nothing). The context is given no user: the public page shows the
    same published records to everyone, signed in or not."""

    order: int
    template: str
    context: Callable


# Where each app's section stands on the public page, after the core's name, park and chains.
PUBLIC_SECTION_ORDER = {
    "members": 10,        # members by type
    "lists": 20,          # published lists (cooperation)
    "projects": 30,       # projects and their outcomes (cooperation)
    "news": 40,           # news (publicity)
    "typical_cases": 50,  # typical cases (publicity)
    "resolutions": 60,    # published resolutions (governance)
    "assessments": 70,    # published assessment results (assessments)
}

_panels: list[Panel] = []
_public_sections: list[PublicSection] = []
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


def register_public_section(template: str, context: Callable, *, order: int) -> None:
    """Add a section to every alliance's public page; `order` places it (PUBLIC_SECTION_ORDER). `context` must
    read published records only, and a fixed number of queries whatever their count."""
    if all(section.template != template for section in _public_sections):
        _public_sections.append(PublicSection(order, template, context))
        _public_sections.sort(key=lambda section: section.order)


def public_sections_for(alliance) -> list[dict]:
    """[{"template", "context"}] of the public page's sections, in their order."""
    shown = []
    for section in _public_sections:
        context = section.context(alliance)
        if context is not None:
            shown.append({"template": section.template, "context": context})
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


# References to another app's records, by kind: an app that keeps a plain id of a record of an app beside it
# (a cooperation project's resolution, a governance motion) checks and names the id through the app that owns the
# record, which registers a resolver here. Neither app imports the other.
_reference_resolvers: dict[str, Callable] = {}


def register_reference(kind: str, resolve: Callable) -> None:
    """`resolve(alliance_id, ids) -> {id: label}`: the ids that name a record of this kind of the alliance, with
    the label a reader sees. One query whatever the number of ids."""
    _reference_resolvers[kind] = resolve


def resolve_references(kind: str, alliance_id: int, ids) -> dict[int, str]:
    """{id: label} of the ids that name a record of this kind of the alliance; none when no app resolves it."""
    ids = {pk for pk in ids if pk is not None}
    resolve = _reference_resolvers.get(kind)
    if not ids or resolve is None:
        return {}
    return resolve(alliance_id, ids)


# The other direction: the records of other apps that name a record (the projects that came of a resolution).
_referrers: dict[str, list[Callable]] = {}


def register_referrer(kind: str, referrers: Callable) -> None:
    """`referrers(alliance_id, pk) -> [{"kind", "label", "url"}]`: the app's records that name the record of this
    kind; `kind` says what they are, in the reader's language."""
    listed = _referrers.setdefault(kind, [])
    if referrers not in listed:
        listed.append(referrers)


def referrers_of(kind: str, alliance_id: int, pk: int) -> list[dict]:
    found = []
    for referrers in _referrers.get(kind, []):
        found += referrers(alliance_id, pk)
    return found
