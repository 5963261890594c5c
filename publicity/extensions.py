"""What a typical case can be tagged with, registered by the apps that own those records.

A typical case (典型案例) describes the alliance's work: the cooperation projects it is about, once the
cooperation app has them. This app never imports that app: the app registers a `SubjectKind` in its
AppConfig.ready() (`register_subject_kind(SubjectKind("project", _("Projects"), projects_of, project_url))`),
and from then on the case form offers the alliance's projects, the service checks and stores the choice as
`CaseSubject(kind="project", object_id=...)` rows, and the case's page and the API (`subjects`) show them.
The owning app finds the cases about one of its records with `selectors.cases_about(kind, object_id)`.
"""

from collections.abc import Callable
from dataclasses import dataclass


def _no_link(record) -> str:
    return ""


@dataclass(frozen=True)
class SubjectKind:
    """`name`: stored on each tag (letters and underscores, e.g. "project"); `label`: the form field's label (a
    lazy translation); `choices(alliance)`: a queryset of the alliance's records a case may name; `link(record)`:
    the record's page, or ""."""

    name: str
    label: object
    choices: Callable
    link: Callable = _no_link


_kinds: dict[str, SubjectKind] = {}


def register_subject_kind(kind: SubjectKind) -> None:
    _kinds[kind.name] = kind


def unregister_subject_kind(name: str) -> None:
    _kinds.pop(name, None)


def subject_kinds() -> list[SubjectKind]:
    return list(_kinds.values())


def subject_kind(name: str) -> SubjectKind | None:
    return _kinds.get(name)
