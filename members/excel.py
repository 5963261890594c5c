"""The member register as an Excel file: export, and an all-or-nothing import.

Import validates every row before saving any: a file with one bad row saves
nothing and returns a report of (row, column, reason) for each problem.
"""

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kernel.errors import DomainError
from kernel.names import display_name
from kernel.xlsx import read_first_sheet, safe_row, unmarked_value
from members import services
from members.models import Contact, Membership, Organization
from members.permissions import contacts_visible_filter
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


CONTACT_COLUMNS = [
    (gettext_lazy("Contacts"), 24),
    (gettext_lazy("Phone"), 18),
    (gettext_lazy("E-mail"), 28),
]
JOINED_ON = [key for key, _label in COLUMNS].index("joined_on")
COLUMN_WIDTHS = {"name": 36, "name_en": 40, "uscc": 22, "type": 14, "size": 10, "role": 12, "status": 10,
                 "joined_on": 12, "alliance": 36}


def _contacts_by_organization(memberships, reader) -> dict[int, list] | None:
    """{organization id: its active contacts, primary first} for the units whose contacts the reader may see
    (members.permissions.contacts_visible_filter), in one query; None when the reader sees none."""
    visible = contacts_visible_filter(reader)
    if visible is None:
        return None
    contacts = defaultdict(list)
    rows = (
        Contact.objects.filter(
            user__is_active=True,
            organization__in=Organization.objects.filter(visible).filter(
                pk__in=memberships.order_by().values("organization_id")),
        ).select_related("user").order_by("organization_id", "-is_primary", "id")
    )
    for contact in rows:
        contacts[contact.organization_id].append(contact)
    return contacts


def _joined(values) -> str:
    return "\n".join(value for value in values if value)


def export_register(memberships, *, reader) -> bytes:
    """The register as the reader may see it, in the active language: a header row that is bold, frozen and
    filtered, columns wide enough to read, and the units' contacts for a reader allowed to see them."""
    contacts = _contacts_by_organization(memberships, reader)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Member register"))
    widths = [COLUMN_WIDTHS[key] for key, _label in COLUMNS]
    headers = [str(label) for _key, label in COLUMNS]
    if contacts is not None:
        widths += [width for _label, width in CONTACT_COLUMNS]
        headers += [str(label) for label, _width in CONTACT_COLUMNS]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for value in safe_row(headers):
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    rows = 1
    for membership in memberships.iterator(chunk_size=2000):
        organization = membership.organization
        row = [
            organization.name,
            organization.name_en,
            organization.uscc,
            organization.get_type_display(),
            organization.get_size_display(),
            membership.get_role_display(),
            membership.get_status_display(),
            membership.joined_on,
            display_name(membership.alliance),
        ]
        if contacts is not None:
            people = contacts.get(organization.id, [])
            row += [
                _joined(_("%(name)s (%(title)s)") % {"name": contact.user, "title": contact.title}
                        if contact.title else str(contact.user) for contact in people),
                _joined(contact.user.phone for contact in people),
                _joined(contact.user.email for contact in people),
            ]
        cells = safe_row(row)
        if membership.joined_on:
            cells[JOINED_ON] = WriteOnlyCell(sheet, value=membership.joined_on)
            cells[JOINED_ON].number_format = "yyyy-mm-dd"
        sheet.append(cells)
        rows += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{rows}"
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
