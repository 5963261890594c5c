"""The lists as Excel files: each list exported and imported by the secretariat, and the three lists of a year
as one workbook in Chinese for the education bureau.

Import checks every row before keeping any: each row goes through the same service as a posted entry, in
a savepoint; a file with one bad row saves nothing and answers a report of (row, column, reason) for each
problem. A row with an ID of an entry of the alliance's list changes that entry; a row without one adds an
entry. The unit is named by its unified social credit code.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from alliance.models import IndustrialChain
from cooperation.models import (
    CoreProduct,
    Offer,
    Outcome,
    Project,
    TalentNeed,
    TechnologyNeed,
    Visibility,
)
from cooperation.permissions import can_confirm_outcomes
from cooperation.services import entries, projects
from cooperation.services.queue import refresh_city_later
from kernel.errors import DomainError, NotAllowed
from kernel.pdf import LANGUAGE
from kernel.xlsx import read_first_sheet, safe_row, unmarked_value
from members.models import Organization
from members.uscc import normalize

MAX_IMPORT_ROWS = 5000
MAX_IMPORT_COLUMNS = 50

ID = ("id", gettext_lazy("ID"))
UNIT = ("organization", gettext_lazy("Member unit"))
USCC = ("uscc", gettext_lazy("Unified social credit code"))
YEAR = ("year", gettext_lazy("Year"))
VISIBILITY = ("visibility", gettext_lazy("Visibility"))
STATUS = ("status", gettext_lazy("Status"))
CHAIN = ("chain", gettext_lazy("Industrial chain"))
DESCRIPTION = ("description", gettext_lazy("Description"))

# Each list's columns, in order. Exports write them all; imports read all but the unit's name and the status.
COLUMNS = {
    CoreProduct: [ID, UNIT, USCC, ("name", gettext_lazy("Product")), CHAIN, DESCRIPTION,
                  ("key_technologies", gettext_lazy("Key technologies")), YEAR, VISIBILITY, STATUS],
    TechnologyNeed: [ID, UNIT, USCC, ("title", gettext_lazy("Title")), DESCRIPTION, CHAIN,
                     ("form", gettext_lazy("Form of cooperation")), ("budget_min", gettext_lazy("Budget from (yuan)")),
                     ("budget_max", gettext_lazy("Budget up to (yuan)")), ("wanted_by", gettext_lazy("Wanted by")),
                     YEAR, VISIBILITY, STATUS],
    TalentNeed: [ID, UNIT, USCC, ("position", pgettext_lazy("job", "Position")), ("major_code", gettext_lazy("Major code")),
                 CHAIN, ("education_level", gettext_lazy("Education level")), ("headcount", gettext_lazy("Headcount")),
                 ("filled", gettext_lazy("Filled")), ("salary_min", gettext_lazy("Monthly salary from (yuan)")),
                 ("salary_max", gettext_lazy("Monthly salary up to (yuan)")), ("location", gettext_lazy("Place of work")),
                 ("description", gettext_lazy("Requirements")), YEAR, VISIBILITY, STATUS],
    Offer: [ID, UNIT, USCC, ("kind", gettext_lazy("Kind")), ("title", gettext_lazy("Title")), DESCRIPTION, CHAIN,
            ("major_code", gettext_lazy("Major code")), ("enrolment", gettext_lazy("Enrolment")),
            ("graduates", gettext_lazy("Graduates")), ("audience", gettext_lazy("For")), YEAR, VISIBILITY, STATUS],
}
SHEET_NAMES = {CoreProduct: gettext_lazy("Core products"), TechnologyNeed: gettext_lazy("Technology needs"),
               TalentNeed: gettext_lazy("Talent needs"), Offer: gettext_lazy("Offers")}
NOT_IMPORTED = {"organization", "status"}
REQUIRED = {
    CoreProduct: ("uscc", "name"),
    TechnologyNeed: ("uscc", "title", "description"),
    TalentNeed: ("uscc", "position", "major_code", "headcount"),
    Offer: ("uscc", "kind", "title"),
}
INTEGERS = {"id", "year", "budget_min", "budget_max", "headcount", "filled", "salary_min", "salary_max", "enrolment",
            "graduates"}
DATES = {"wanted_by"}
CHOICES = {
    "visibility": Visibility.choices,
    "form": TechnologyNeed.Form.choices,
    "education_level": TalentNeed.EducationLevel.choices,
    "kind": Offer.Kind.choices,
    "audience": Offer.Audience.choices,
}


def _in_all_languages(label) -> set[str]:
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(label).strip().lower())
    return names


def _choice_lookup(choices) -> dict[str, str]:
    """A choice by its code or by its label in any language."""
    lookup = {}
    for value, label in choices:
        lookup[value.lower()] = value
        for name in _in_all_languages(label):
            lookup[name] = value
    return lookup


# Export ------------------------------------------------------------------------------------------------------


def _cell(entry, key, labels):
    if key == "organization":
        return entry.organization.name
    if key == "uscc":
        return entry.organization.uscc
    if key == "chain":
        return entry.chain.name if entry.chain_id else ""
    value = getattr(entry, key)
    if key in labels:
        return labels[key].get(value, value)
    return value


def _labels(model) -> dict[str, dict]:
    return {f.name: {value: str(text) for value, text in f.flatchoices} for f in model._meta.fields if f.choices}


def _write_sheet(workbook, model, rows, columns, title) -> None:
    sheet = workbook.create_sheet(str(title)[:31])
    sheet.append(safe_row(str(label) for _key, label in columns))
    labels = _labels(model)
    for entry in rows:
        sheet.append(safe_row(_cell(entry, key, labels) for key, _label in columns))


def export_list(model, rows) -> bytes:
    """One list as a workbook in the current language; imports again as it is."""
    workbook = Workbook(write_only=True)
    _write_sheet(workbook, model, rows.iterator(chunk_size=2000), COLUMNS[model], SHEET_NAMES[model])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annual_workbook(data: dict) -> bytes:
    """The three lists of an alliance for a year (documents.annual_lists), one sheet each, in Chinese."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    with translation.override(LANGUAGE):
        for model, key in ((CoreProduct, "products"), (TechnologyNeed, "technology_needs"),
                           (TalentNeed, "talent_needs")):
            columns = [("number", _("No."))] + [column for column in COLUMNS[model]
                                                if column[0] not in ("id", "uscc", "visibility")]
            sheet = workbook.create_sheet(str(data["sheet_titles"][key])[:31])
            sheet.append(safe_row([f"{data['alliance'].name} · {data['year']} · {data['sheet_titles'][key]}"]))
            sheet["A1"].font = Font(bold=True, size=13)
            sheet.append(safe_row(str(label) for _key, label in columns))
            labels = _labels(model)
            for number, entry in enumerate(data[key], start=1):
                sheet.append(safe_row(number if name == "number" else _cell(entry, name, labels)
                                      for name, _label in columns))
            sheet.freeze_panes = "B3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Import ------------------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _read(model, uploaded) -> tuple[dict[str, int], list[tuple[int, tuple]]]:
    rows = iter(read_first_sheet(uploaded, max_rows=MAX_IMPORT_ROWS, max_columns=MAX_IMPORT_COLUMNS))
    header = next(rows, None)
    if not header:
        raise DomainError(_("The workbook is empty."))
    label_index = {}
    for key, label in COLUMNS[model]:
        for name in _in_all_languages(label) | {key}:
            label_index[name] = key
    positions = {}
    for index, cell in enumerate(header):
        key = label_index.get(str(cell or "").strip().lower())
        if key and key not in NOT_IMPORTED:
            positions.setdefault(key, index)
    labels = dict(COLUMNS[model])
    missing = [str(labels[key]) for key in REQUIRED[model] if key not in positions]
    if missing:
        raise DomainError(_("The header row lacks these columns: %(columns)s") % {"columns": ", ".join(missing)})
    body = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(value in (None, "") for value in values):
            continue
        body.append((number, values))
        if len(body) > MAX_IMPORT_ROWS:
            raise DomainError(_("The file has more than %(max)d rows.") % {"max": MAX_IMPORT_ROWS})
    return positions, body


def _value(values, positions, key):
    index = positions.get(key)
    if index is None or index >= len(values):
        return None
    value = unmarked_value(values[index])
    return value.strip() if isinstance(value, str) else value


def _parse(key, value, lookups, chains):
    """(value, error): a cell turned into what the service takes, or why it cannot be."""
    if value in (None, ""):
        return None, None
    if key in INTEGERS:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value).replace(",", ""))
            except ValueError:
                return None, _("Not a whole number.")
        return value, None
    if key in DATES:
        if isinstance(value, datetime.datetime):
            return value.date(), None
        if isinstance(value, datetime.date):
            return value, None
        try:
            return datetime.date.fromisoformat(str(value)), None
        except ValueError:
            return None, _("Not a date: write it as YYYY-MM-DD.")
    if key in CHOICES:
        found = lookups[key].get(str(value).lower())
        return (found, None) if found else (None, _("Unknown value “%(value)s”.") % {"value": value})
    if key == "chain":
        found = chains.get(str(value))
        return (found, None) if found else (None, _("No key industrial chain of the city is called “%(value)s”.")
                                            % {"value": value})
    if key == "major_code" and isinstance(value, int | float):
        return str(int(value)), None
    return str(value), None


def import_list(*, model, alliance, uploaded, actor, publish: bool = False) -> ImportResult:
    """Check every row through the services, each in a savepoint; keep them all or none."""
    positions, rows = _read(model, uploaded)
    labels = {key: str(label) for key, label in COLUMNS[model]}
    lookups = {key: _choice_lookup(choices) for key, choices in CHOICES.items()}
    chains = {chain.name: chain for chain in IndustrialChain.objects.filter(city_id=alliance.city_id)}
    parsed_rows = []
    for number, values in rows:
        cells, problems = {}, []
        for key in positions:
            value, problem = _parse(key, _value(values, positions, key), lookups, chains)
            if problem:
                problems.append((key, problem))
            else:
                cells[key] = value
        cells["uscc"] = normalize(str(cells.get("uscc") or ""))
        parsed_rows.append((number, cells, problems))
    units = {unit.uscc: unit for unit in Organization.objects.filter(
        uscc__in={cells["uscc"] for _n, cells, _p in parsed_rows})}
    existing = {entry.pk: entry for entry in model.objects.filter(
        alliance=alliance, pk__in=[cells["id"] for _n, cells, _p in parsed_rows if cells.get("id")])}
    result = ImportResult()

    with transaction.atomic():
        for number, cells, problems in parsed_rows:
            found = [RowError(number, labels[key], str(problem)) for key, problem in problems]
            entry = existing.get(cells.get("id")) if cells.get("id") else None
            if cells.get("id") and entry is None:
                found.append(RowError(number, labels["id"], _(
                    "No entry of this list of the alliance has this ID; leave it empty to add one.")))
            unit = units.get(cells["uscc"])
            if unit is None:
                found.append(RowError(number, labels["uscc"], _("No registered unit has this credit code.")))
            elif entry is not None and entry.organization_id != unit.pk:
                found.append(RowError(number, labels["uscc"], _("The entry with this ID belongs to another unit.")))
            if not found:
                found = _save_row(model, alliance, actor, publish, number, cells, unit, entry, labels, result)
            result.errors += found
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = 0
        else:
            refresh_city_later(alliance.city_id)
    return result


def _save_row(model, alliance, actor, publish, number, cells, unit, entry, labels, result) -> list[RowError]:
    """Create or change one row's entry through the service, in a savepoint; its refusals as row errors."""
    fields = {key: value for key, value in cells.items() if key not in ("id", "uscc")}
    try:
        with transaction.atomic():
            if entry is None:
                saved = entries.entry_create(model=model, actor=actor, alliance=alliance, organization=unit,
                                             refresh=False, **{k: v for k, v in fields.items() if v is not None})
                result.created += 1
            else:
                saved = entries.entry_update(entry=entry, actor=actor, refresh=False,
                                             **_blanks_cleared(model, fields))
                result.updated += 1
            if publish and saved.published_at is None:
                entries.entry_publish(entry=saved, actor=actor)
    except DomainError as exc:
        if not exc.errors:
            return [RowError(number, "—", str(exc.message))]
        return [RowError(number, labels.get("uscc" if name == "organization" else name, "—"), str(message))
                for name, messages in exc.errors.items() for message in messages]
    return []


def _blanks_cleared(model, fields: dict) -> dict:
    """An empty cell clears an optional value; a required one keeps its value (the service refuses a blank)."""
    cleared = {}
    for key, value in fields.items():
        field_ = model._meta.get_field(key)
        if value is None and not field_.null:
            value = "" if field_.blank else None
        if value is not None or field_.null:
            cleared[key] = value
    return cleared


# Outcomes of many projects at once ------------------------------------------------------------------------------
# One row per (project, year, outcome): a new one is recorded, an unconfirmed one takes the row's value and note, a
# confirmed one is refused (it no longer changes). The secretariat imports for its alliance; every row goes through
# the outcome services in a savepoint, and one bad row saves nothing.

OUTCOME_COLUMNS = [("project", gettext_lazy("Project ID")), ("title", gettext_lazy("Project")),
                   ("year", gettext_lazy("Year")), ("metric", gettext_lazy("Outcome")),
                   ("value", gettext_lazy("Value")), ("note", gettext_lazy("Note")),
                   ("confirmed", gettext_lazy("Confirmed"))]
OUTCOME_REQUIRED = ("project", "year", "metric", "value")
OUTCOME_NOT_IMPORTED = {"title", "confirmed"}


def export_outcomes(outcomes) -> bytes:
    """The outcomes of an alliance's projects as a workbook that imports again."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(gettext_lazy("Outcomes"))[:31])
    sheet.append(safe_row(str(label) for _key, label in OUTCOME_COLUMNS))
    metrics = dict(Outcome.Metric.choices)
    for outcome in outcomes:
        sheet.append(safe_row([outcome.project_id, outcome.project.title, outcome.year, str(metrics[outcome.metric]),
                               outcome.value, outcome.note, _("Yes") if outcome.is_confirmed else ""]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read_outcomes(uploaded) -> tuple[dict[str, int], list[tuple[int, tuple]]]:
    rows = iter(read_first_sheet(uploaded, max_rows=MAX_IMPORT_ROWS, max_columns=MAX_IMPORT_COLUMNS))
    header = next(rows, None)
    if not header:
        raise DomainError(_("The workbook is empty."))
    label_index = {name: key for key, label in OUTCOME_COLUMNS for name in _in_all_languages(label) | {key}}
    positions = {}
    for index, cell in enumerate(header):
        key = label_index.get(str(cell or "").strip().lower())
        if key and key not in OUTCOME_NOT_IMPORTED:
            positions.setdefault(key, index)
    labels = dict(OUTCOME_COLUMNS)
    missing = [str(labels[key]) for key in OUTCOME_REQUIRED if key not in positions]
    if missing:
        raise DomainError(_("The header row lacks these columns: %(columns)s") % {"columns": ", ".join(missing)})
    body = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(value in (None, "") for value in values):
            continue
        body.append((number, values))
    return positions, body


def _whole(value):
    """(number, error) of a cell that must be a whole number."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool):
        return None, _("Not a whole number.")
    if not isinstance(value, int):
        try:
            value = int(str(value).replace(",", ""))
        except ValueError:
            return None, _("Not a whole number.")
    return value, None


def import_outcomes(*, alliance, uploaded, actor) -> ImportResult:
    """Check every row through the outcome services, each in a savepoint; keep them all or none."""
    if not can_confirm_outcomes(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat imports outcomes."))
    positions, rows = _read_outcomes(uploaded)
    labels = {key: str(label) for key, label in OUTCOME_COLUMNS}
    metrics = _choice_lookup(Outcome.Metric.choices)
    parsed = []
    for number, values in rows:
        cells, problems = {}, []
        for key in positions:
            value = _value(values, positions, key)
            if key == "note":
                cells[key] = "" if value is None else str(value)
            elif value in (None, ""):
                problems.append((key, _("This field is required.")))
            elif key == "metric":
                found = metrics.get(str(value).lower())
                if found:
                    cells[key] = found
                else:
                    problems.append((key, _("Unknown value “%(value)s”.") % {"value": value}))
            else:
                number_value, problem = _whole(value)
                if problem:
                    problems.append((key, problem))
                else:
                    cells[key] = number_value
        parsed.append((number, cells, problems))
    wanted = {cells["project"] for _n, cells, _p in parsed if isinstance(cells.get("project"), int)}
    found_projects = {project.pk: project for project in Project.objects.filter(
        alliance=alliance, pk__in=[pk for pk in wanted if 0 < pk < 2**63])}
    result = ImportResult()
    with transaction.atomic():
        for number, cells, problems in parsed:
            errors = [RowError(number, labels[key], str(problem)) for key, problem in problems]
            project = found_projects.get(cells.get("project"))
            if "project" in cells and project is None:
                errors.append(RowError(number, labels["project"], _("No project of the alliance has this ID.")))
            if not errors:
                errors = _save_outcome_row(project, actor, number, cells, labels, result)
            result.errors += errors
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = 0
    return result


def _save_outcome_row(project, actor, number, cells, labels, result) -> list[RowError]:
    try:
        with transaction.atomic():
            existing = project.outcomes.filter(year=cells["year"], metric=cells["metric"]).first()
            if existing is None:
                projects.outcome_record(project=project, actor=actor, year=cells["year"], metric=cells["metric"],
                                        value=cells["value"], note=cells.get("note", ""))
                result.created += 1
            else:
                projects.outcome_update(outcome=existing, actor=actor, value=cells["value"],
                                        note=cells.get("note"))
                result.updated += 1
    except DomainError as exc:
        if not exc.errors:
            return [RowError(number, "—", str(exc.message))]
        return [RowError(number, labels.get(name, "—"), str(message))
                for name, messages in exc.errors.items() for message in messages]
    return []
