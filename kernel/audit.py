"""The audit log as its readers read it (django-auditlog's LogEntry, for any model): the fields by their
verbose names, choices by their labels, references by the record's name, times in the local time zone
without microseconds, the action in the reader's language.

auditlog's own `changes_display_dict` does most of this but loads each referenced record with its own
query and shows reverse relations and raw m2m dicts; here the references of a whole page are named by one
query (records named by a `name`, and users; others show their id).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from kernel.names import reads_english

ACTION_LABELS = {
    LogEntry.Action.CREATE: _("Created"),
    LogEntry.Action.UPDATE: _("Changed"),
    LogEntry.Action.DELETE: _("Deleted"),
    LogEntry.Action.ACCESS: _("Viewed"),
}
EMPTY = "—"
HIDDEN_FIELDS = {"id", "created_at", "updated_at", "password"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    timestamp: datetime.datetime
    actor: object
    record_type: str
    record: str
    action: int
    action_label: str
    changes: list[Change] = field(default_factory=list)


def _label(model, found, name: str) -> str:
    """The field's name for readers: the app's `mapping_fields` given to auditlog.register, else its verbose
    name, else (a reference without one) the name of the model it refers to."""
    mapping = auditlog.get_model_fields(model)["mapping_fields"] if auditlog.contains(model) else {}
    if name in mapping:
        return str(mapping[name])
    if found is None:
        return name
    verbose = str(found.verbose_name)
    if verbose == name.replace("_", " ") and found.is_relation:
        return str(found.related_model._meta.verbose_name)
    return verbose


def _model_field(model, name):
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if found.concrete or found.many_to_many else None


def _shown_columns(model):
    """(name, English name) expressions naming a record of `model` in a query, or None when it has no name."""
    names = {field.name for field in model._meta.concrete_fields}
    if {"name", "name_en"} <= names:
        return F("name"), F("name_en")
    if "name" in names:
        return F("name"), Value("")
    if model is get_user_model():
        return Coalesce(NullIf(F("full_name"), Value("")), F("username")), Value("")
    return None


def _references(entries) -> dict:
    """{(model, str(pk)): shown name} for every record a page of entries refers to, read in one query (a
    union over the models referred to), so the page's query count does not depend on which models appear."""
    wanted = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes_dict or {}).items():
            found = _model_field(model, name)
            if found is not None and found.many_to_one and isinstance(values, list):
                wanted[found.related_model].update(value for value in values if value not in (None, "None", ""))
    parts, models = [], []
    for model, pks in wanted.items():
        columns = _shown_columns(model)
        valid = set()
        for pk in pks:
            try:
                valid.add(model._meta.pk.to_python(pk))
            except ValidationError:  # a value logged before a type change: shown as it is
                continue
        if columns is None or not valid:
            continue
        parts.append(model._default_manager.filter(pk__in=valid).order_by().annotate(
            ref_model=Value(len(models)), ref_pk=Cast("pk", CharField()), ref_name=columns[0], ref_name_en=columns[1],
        ).values_list("ref_model", "ref_pk", "ref_name", "ref_name_en"))
        models.append(model)
    if not parts:
        return {}
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    english = reads_english()
    return {(models[index], pk): (name_en if english and name_en else name) for index, pk, name, name_en in rows}


def _time(value: str, *, date_only: bool) -> str:
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if date_only:
        return formats.date_format(parsed.date(), "DATE_FORMAT")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=datetime.UTC)  # auditlog writes UTC without an offset
    return formats.date_format(timezone.localtime(parsed), "DATETIME_FORMAT")


def _value(found, value, references) -> str:
    if value in (None, "None", ""):
        return EMPTY
    if found is None:
        return str(value)
    if found.many_to_one:
        return references.get((found.related_model, str(value)), str(value))
    if found.choices:
        labels = {str(key): str(label) for key, label in found.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(found, models.BooleanField):
        return str(_("Yes")) if str(value) == "True" else str(_("No"))
    if isinstance(found, models.DateTimeField):
        return _time(str(value), date_only=False)
    if isinstance(found, models.DateField):
        return _time(str(value), date_only=True)
    return str(value)


def _changes(entry, references) -> list[Change]:
    model = entry.content_type.model_class()
    changes = []
    for name, values in (entry.changes_dict or {}).items():
        if name in HIDDEN_FIELDS:
            continue
        found = _model_field(model, name)
        label = _label(model, found, name)
        if isinstance(values, dict):  # an m2m change: {"type": "m2m", "operation": "add", "objects": [...]}
            objects = pgettext("list separator", ", ").join(str(item) for item in values.get("objects", [])) or EMPTY
            if values.get("operation") == "delete":
                changes.append(Change(label, objects, EMPTY))
            else:
                changes.append(Change(label, EMPTY, objects))
            continue
        if found is None or not isinstance(values, list) or len(values) != 2:
            continue
        old, new = (_value(found, value, references) for value in values)
        if (entry.action == LogEntry.Action.CREATE and new == EMPTY) or (
                entry.action == LogEntry.Action.DELETE and old == EMPTY):
            continue
        changes.append(Change(label, old, new))
    return changes


def present(entries) -> list[Entry]:
    """The entries of one page (select_related content_type and actor), ready to show."""
    entries = list(entries)
    references = _references(entries)
    return [
        Entry(
            timestamp=entry.timestamp,
            actor=entry.actor,
            record_type=str(entry.content_type.model_class()._meta.verbose_name)
            if entry.content_type.model_class() else entry.content_type.model,
            record=entry.object_repr,
            action=entry.action,
            action_label=str(ACTION_LABELS.get(entry.action, entry.action)),
            changes=_changes(entry, references),
        )
        for entry in entries
    ]
