"""Excel workbooks in and out, safely.

Out: a text cell that begins like a formula (=, +, -, @, tab, carriage return) is written with a
leading apostrophe (OWASP's advice against formula injection), so a unit named
=HYPERLINK("http://evil", "x") stays text in every program that opens or re-saves the file.

In: an .xlsx is a zip of XML; a 100 KB file can unpack to millions of rows or cells, and openpyxl
builds each row, the shared strings and the sheet's size in memory before a caller sees them. So
before openpyxl opens the file, the zip's declared sizes are checked, then every part is streamed
through expat (which keeps nothing) counting elements, rows and columns against the import's limits
and the time budget; only a file that passes is read, and the read is timed as well.
"""

import time
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.exceptions import CellCoordinatesException, InvalidFileException

from kernel.errors import DomainError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"

# Rows a sheet may have beyond the filled rows an import takes: the header and blank rows.
SPARE_ROWS = 1000
# XML elements per cell a full sheet needs at most (<c>, <v> and, through shared strings, <si> and <t>),
# and what the other parts (styles, theme, relationships) may add.
ELEMENTS_PER_CELL = 4
ELEMENTS_OUTSIDE_CELLS = 100_000
# Elements in one row per column: room for rich text, whose runs carry their own formatting.
ELEMENTS_PER_ROW_AND_COLUMN = 100
CHUNK_BYTES = 64 * 1024

MAIN_NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROW, CELL, DIMENSION = (f"{MAIN_NAMESPACE} {name}" for name in ("row", "c", "dimension"))


def safe_value(value):
    """A cell value that spreadsheet programs show as written, never run as a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_STARTS):
            return TEXT_MARK + value
    return value


def safe_row(values) -> list:
    return [safe_value(value) for value in values]


def unmarked_value(value):
    """The text an exported cell held before safe_value marked it, so an export imports again unchanged."""
    if isinstance(value, str) and value.startswith(TEXT_MARK) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class _Unreadable(Exception):
    pass


@dataclass(frozen=True)
class _Limits:
    rows: int
    columns: int
    elements: int
    elements_per_row: int
    deadline: float

    def check_time(self) -> None:
        if time.monotonic() >= self.deadline:
            raise DomainError(_("Reading the workbook took more than %(seconds)d seconds and was stopped.")
                              % {"seconds": settings.IMPORT_MAX_SECONDS})


class _PartScan:
    """Streams one part of the zip through expat, refusing as soon as it goes beyond a limit.

    Rows are numbered as openpyxl numbers them (by their r attribute, else one after the other),
    because openpyxl yields an empty row for every number it skips.
    """

    def __init__(self, limits: _Limits, elements_seen: int):
        self.limits = limits
        self.elements = elements_seen
        self.rows = 0
        self.row_number = 0
        self.row_elements = None  # None outside a row
        self.cells = 0
        self.column = 0

    def start(self, name, attributes):
        self.elements += 1
        if self.elements > self.limits.elements:
            raise DomainError(_("The workbook has more content than an import may read (more than %(max)d "
                                "XML elements).") % {"max": self.limits.elements})
        if self.row_elements is not None:
            self.row_elements += 1
            if self.row_elements > self.limits.elements_per_row:
                raise DomainError(_("Row %(row)d of a sheet has more content than an import may read.")
                                  % {"row": self.row_number})
        if name == ROW:
            self._start_row(attributes.get("r"))
        elif name == CELL and self.row_elements is not None:
            self._start_cell(attributes.get("r"))
        elif name == DIMENSION:
            self._check_dimension(attributes.get("ref", ""))

    def end(self, name):
        if name == ROW:
            self.row_elements = None

    def _start_row(self, number):
        self.rows += 1
        try:
            self.row_number = int(float(number)) if number is not None else self.row_number + 1
        except (ValueError, OverflowError):
            raise _Unreadable from None
        if max(self.rows, self.row_number) > self.limits.rows:
            raise DomainError(_("A sheet has more than %(max)d rows (empty rows count too).")
                              % {"max": self.limits.rows})
        self.row_elements = 0
        self.cells = 0
        self.column = 0

    def _start_cell(self, coordinate):
        self.cells += 1
        try:
            self.column = coordinate_to_tuple(coordinate)[1] if coordinate else self.column + 1
        except (ValueError, CellCoordinatesException):
            raise _Unreadable from None
        if max(self.cells, self.column) > self.limits.columns:
            raise DomainError(_("A sheet has more than %(max)d columns.") % {"max": self.limits.columns})

    def _check_dimension(self, ref):
        try:
            _min_column, _min_row, columns, rows = range_boundaries(ref)
        except (ValueError, TypeError, CellCoordinatesException):
            raise _Unreadable from None
        if (rows or 0) > self.limits.rows or (columns or 0) > self.limits.columns:
            raise DomainError(
                _("A sheet declares %(rows)d rows and %(columns)d columns; an import takes at most %(max_rows)d "
                  "rows and %(max_columns)d columns.")
                % {"rows": rows or 0, "columns": columns or 0, "max_rows": self.limits.rows,
                   "max_columns": self.limits.columns})


def _refuse_declarations(*_args):
    raise _Unreadable


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: _Limits, elements_seen: int) -> int:
    """Check one part; answer the elements counted so far. A part that is not XML is left to openpyxl."""
    scan = _PartScan(limits, elements_seen)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    with archive.open(info) as source:
        try:
            while chunk := source.read(CHUNK_BYTES):
                limits.check_time()
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            pass  # what was read before the error was within the limits; openpyxl refuses the rest
    return scan.elements


def _check_archive(uploaded, limits: _Limits) -> None:
    with zipfile.ZipFile(uploaded) as archive:
        parts = archive.infolist()
        unpacked = sum(info.file_size for info in parts)
        # Sizes are as the zip declares them: zipfile unpacks no more than file_size, and a member cannot
        # be packed into more bytes than the upload has.
        packed = min(sum(info.compress_size for info in parts), uploaded.size)
        if unpacked > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
            raise DomainError(_("The workbook unpacks to more than %(limit)s.")
                              % {"limit": filesizeformat(settings.IMPORT_MAX_UNCOMPRESSED_BYTES)})
        if unpacked > settings.IMPORT_MAX_COMPRESSION_RATIO * max(packed, 1):
            raise DomainError(_("The workbook is packed more densely than %(ratio)d to 1, which a spreadsheet "
                                "never is.") % {"ratio": settings.IMPORT_MAX_COMPRESSION_RATIO})
        elements = 0
        for info in parts:
            elements = _scan_part(archive, info, limits, elements)


def read_first_sheet(uploaded, *, max_rows: int, max_columns: int) -> list[tuple]:
    """The values of the first sheet's rows, blank rows included, read within the import limits.

    max_rows is the number of filled rows the import takes; a sheet may have SPARE_ROWS more (the header,
    blank rows). Every part of the workbook is held to these limits, not only the first sheet, because
    openpyxl reads a little of every sheet when it opens a workbook. Raises DomainError naming the limit.
    """
    limits = _Limits(
        rows=max_rows + SPARE_ROWS,
        columns=max_columns,
        elements=(max_rows + SPARE_ROWS) * max_columns * ELEMENTS_PER_CELL + ELEMENTS_OUTSIDE_CELLS,
        elements_per_row=max_columns * ELEMENTS_PER_ROW_AND_COLUMN,
        deadline=time.monotonic() + settings.IMPORT_MAX_SECONDS,
    )
    if uploaded.size > settings.IMPORT_MAX_BYTES:
        raise DomainError(_("The file is too large; the limit is %(limit)d MB.")
                          % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)})
    try:
        _check_archive(uploaded, limits)
        limits.check_time()
        workbook = load_workbook(uploaded, read_only=True, data_only=True)
        try:
            rows = []
            # The scan bounds what this yields: no more rows than limits.rows, no wider than max_columns.
            for values in workbook.worksheets[0].iter_rows(max_col=max_columns, values_only=True):
                limits.check_time()
                rows.append(values)
        finally:
            workbook.close()
    except (_Unreadable, InvalidFileException, zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError,
            ParseError, EOFError, NotImplementedError, RuntimeError, zlib.error):
        raise DomainError(_("The file is not an Excel workbook (.xlsx) that can be read.")) from None
    return rows
