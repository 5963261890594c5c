"""The member register as an Excel file: export, and an all-or-nothing import.

Import validates every row before saving any: a file with one bad row saves
nothing and returns a report of (row, column, reason) for each problem.
"""

import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from kernel.errors import DomainError
from kernel.xlsx import read_first_sheet, safe_row, unmarked_value
from members import services
from members.models import Membership, Organization
from members.uscc import normalize, validate_uscc

COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("name_en", gettext_lazy("English name")),
    ("uscc", gettext_lazy("Unified social credit code")),
    ("type", gettext_lazy("Type")),
    ("size", gettext_lazy("Enterprise size")),
    ("role", gettext_lazy("Role")),
    ("status", gettext_lazy("Status")),
    ("joined_on", gettext_lazy("Joined on")),
    ("alliance", gettext_lazy("Alliance")),
]
IMPORT_COLUMNS = {"name", "name_en", "uscc", "type", "size", "role", "joined_on"}
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_COLUMNS = 50


def _labels_in_all_languages(label) -> set[str]:
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(label).strip().lower())
    return names


def _choice_lookup(choices) -> dict[str, str]:
    """Accept a choice by its code or by its label in any language."""
    lookup = {}
    for value, label in choices:
        lookup[value.lower()] = value
        for name in _labels_in_all_languages(label):
            lookup[name] = value
    return lookup


def export_register(memberships) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Member register"))
    sheet.append(safe_row(str(label) for _key, label in COLUMNS))
    for membership in memberships.iterator(chunk_size=2000):
        organization = membership.organization
        sheet.append(safe_row([
            organization.name,
            organization.name_en,
            organization.uscc,
            organization.get_type_display(),
            organization.get_size_display(),
            membership.get_role_display(),
            membership.get_status_display(),
            membership.joined_on,
            membership.alliance.name,
        ]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportResult:
    errors: list[RowError]
    created: int = 0
    invited: int = 0  # units registered by others: invited, they join once their contacts accept

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(uploaded) -> tuple[dict[str, int], list[tuple[int, tuple]]]:
    rows = iter(read_first_sheet(uploaded, max_rows=MAX_IMPORT_ROWS, max_columns=MAX_IMPORT_COLUMNS))
    header = next(rows, None)
    if not header:
        raise DomainError(_("The workbook is empty."))
    positions = {}
    label_index = {}
    for key, label in COLUMNS:
        for name in _labels_in_all_languages(label) | {key}:
            label_index[name] = key
    for index, cell in enumerate(header):
        key = label_index.get(str(cell or "").strip().lower())
        if key in IMPORT_COLUMNS:
            positions[key] = index
    missing = [str(label) for key, label in COLUMNS if key in ("name", "uscc", "type") and key not in positions]
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


def _cell(values, positions, key):
    index = positions.get(key)
    if index is None or index >= len(values):
        return None
    value = unmarked_value(values[index])
    return value.strip() if isinstance(value, str) else value


def _parse_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return ValueError


def import_register(*, alliance, uploaded, actor) -> ImportResult:
    positions, rows = _read_rows(uploaded)
    types = _choice_lookup(Organization.Type.choices)
    sizes = _choice_lookup(Organization.Size.choices)
    roles = _choice_lookup(Membership.Role.choices)
    column_label = {key: str(label) for key, label in COLUMNS}
    errors: list[RowError] = []
    parsed = []
    seen_codes = {}

    uscc_values = [normalize(str(_cell(values, positions, "uscc") or "")) for _number, values in rows]
    existing = {org.uscc: org for org in Organization.objects.filter(uscc__in=uscc_values)}
    already_members = set(
        Membership.objects.filter(
            alliance=alliance, organization__uscc__in=uscc_values, status__in=Membership.OPEN_STATUSES
        ).values_list("organization__uscc", flat=True)
    )

    for number, values in rows:
        def error(key, reason, number=number):
            errors.append(RowError(number, column_label[key], str(reason)))

        uscc = normalize(str(_cell(values, positions, "uscc") or ""))
        try:
            validate_uscc(uscc)
        except ValidationError as exc:
            error("uscc", " ".join(exc.messages))
        else:
            if uscc in seen_codes:
                error("uscc", _("The same code appears in row %(row)d.") % {"row": seen_codes[uscc]})
            elif uscc in already_members:
                error("uscc", _("This unit is already a member of the alliance or has applied."))
            seen_codes.setdefault(uscc, number)

        name = str(_cell(values, positions, "name") or "")
        org_type = types.get(str(_cell(values, positions, "type") or "").lower())
        size_text = str(_cell(values, positions, "size") or "")
        size = sizes.get(size_text.lower(), "") if size_text else ""
        role_text = str(_cell(values, positions, "role") or "")
        role = roles.get(role_text.lower()) if role_text else Membership.Role.MEMBER
        joined_on = _parse_date(_cell(values, positions, "joined_on"))

        if uscc not in existing:
            if not name:
                error("name", _("The name is required."))
            elif len(name) > 200:
                error("name", _("The name is longer than 200 characters."))
            if org_type is None:
                error("type", _("Unknown type “%(value)s”.") % {"value": _cell(values, positions, "type") or ""})
            if size_text and not size:
                error("size", _("Unknown enterprise size “%(value)s”.") % {"value": size_text})
            if size and not Organization.has_size(org_type):
                error("size", _("Only enterprises have a size."))
        if role is None:
            error("role", _("Unknown role “%(value)s”.") % {"value": role_text})
        if joined_on is ValueError:
            error("joined_on", _("Not a date: write it as YYYY-MM-DD."))
        parsed.append({
            "uscc": uscc, "name": name, "name_en": str(_cell(values, positions, "name_en") or "")[:300],
            "type": org_type, "size": size, "role": role, "joined_on": joined_on,
        })

    if errors:
        return ImportResult(errors=errors)

    result = ImportResult(errors=[])
    with transaction.atomic():
        for row in parsed:
            membership = services.membership_enrol(
                alliance=alliance, actor=actor, uscc=row["uscc"], role=row["role"], joined_on=row["joined_on"],
                organization=existing.get(row["uscc"]), name=row["name"], name_en=row["name_en"],
                type=row["type"], size=row["size"],
            )
            if membership.status == Membership.Status.ACTIVE:
                result.created += 1
            else:
                result.invited += 1
    return result
