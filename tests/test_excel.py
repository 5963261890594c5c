import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kernel.errors import DomainError
from members.excel import MAX_IMPORT_ROWS, import_register
from members.models import Membership, Organization
from tests.conftest import new_uscc

pytestmark = pytest.mark.django_db

HEADER_ZH = ["名称", "统一社会信用代码", "类型", "企业规模", "角色", "加入日期"]


def xlsx(rows, header=HEADER_ZH) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("register.xlsx", buffer.getvalue())


def test_a_good_file_enrols_every_row(cast, high_tech):
    codes = [new_uscc() for _ in range(3)]
    result = import_register(
        alliance=high_tech,
        uploaded=xlsx([
            ["淄博甲企业", codes[0], "企业", "中型", "成员单位", "2024-03-01"],
            ["淄博乙学校", codes[1], "secondary_vocational", None, "理事单位", None],
            ["Zibo Institute C", codes[2], "Research institute", None, None, None],
        ]),
        actor=cast["secretariat"],
    )
    assert result.ok, result.errors
    assert result.created == 3
    memberships = Membership.objects.filter(alliance=high_tech, organization__uscc__in=codes, status="active")
    assert memberships.count() == 3
    first = memberships.get(organization__uscc=codes[0])
    assert (first.organization.type, first.organization.size, str(first.joined_on)) == ("enterprise", "medium",
                                                                                        "2024-03-01")
    assert memberships.get(organization__uscc=codes[1]).role == "director"


def test_a_file_with_one_bad_row_saves_nothing_and_reports_each_problem(cast, high_tech):
    good, bad_check = new_uscc(), new_uscc()
    bad_check = bad_check[:17] + ("0" if bad_check[17] != "0" else "1")
    existing_member = Organization.objects.get(contacts__user=cast["contact"]).uscc
    before = (Organization.objects.count(), Membership.objects.count())

    result = import_register(
        alliance=high_tech,
        uploaded=xlsx([
            ["好单位", good, "企业", "小型", None, None],
            ["坏代码", bad_check, "企业", None, None, None],
            ["", new_uscc(), "外星机构", None, None, "昨天"],
            ["重复", good, "企业", None, None, None],
            ["已是成员", existing_member, "企业", None, None, None],
            ["学校有规模", new_uscc(), "中职学校", "大型", "主席", None],
        ]),
        actor=cast["secretariat"],
    )

    assert not result.ok
    reported = {(error.row, error.column) for error in result.errors}
    assert (3, "统一社会信用代码") in reported
    assert {(4, "名称"), (4, "类型"), (4, "加入日期")} <= reported
    assert (5, "统一社会信用代码") in reported
    assert (6, "统一社会信用代码") in reported
    assert {(7, "企业规模"), (7, "角色")} <= reported
    assert not any(error.row == 2 for error in result.errors)
    assert (Organization.objects.count(), Membership.objects.count()) == before


def test_the_report_speaks_the_users_language(cast, high_tech):
    from django.utils import translation

    with translation.override("en"):
        result = import_register(alliance=high_tech, uploaded=xlsx([["无类型", new_uscc(), "", None, None, None]]),
                                 actor=cast["secretariat"])
    assert result.errors[0].column == "Type"
    assert result.errors[0].reason == "Unknown type “”."


def test_a_file_that_is_not_a_workbook_is_refused(cast, high_tech):
    with pytest.raises(DomainError):
        import_register(alliance=high_tech, uploaded=SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not really"),
                        actor=cast["secretariat"])


def test_a_file_without_the_required_columns_is_refused(cast, high_tech):
    with pytest.raises(DomainError) as caught:
        import_register(alliance=high_tech, uploaded=xlsx([["a"]], header=["随便"]), actor=cast["secretariat"])
    assert "Unified social credit code" in str(caught.value.message) or "统一社会信用代码" in str(caught.value.message)


def test_an_oversized_file_is_refused_before_it_is_opened(cast, high_tech, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(DomainError):
        import_register(alliance=high_tech, uploaded=xlsx([["甲", new_uscc(), "企业", None, None, None]]),
                        actor=cast["secretariat"])


def test_the_import_page_shows_the_report_and_answers_400(cast, client_for, high_tech):
    browser = client_for(cast["secretariat"])
    before = Membership.objects.count()
    response = browser.post(f"/alliances/{high_tech.pk}/members/import/",
                            {"file": xlsx([["坏", "91350100M000100Y44", "企业", None, None, None]])})
    assert response.status_code == 400
    assert 'id="import-report"' in response.content.decode()
    assert Membership.objects.count() == before


def test_the_exported_register_opens_with_the_expected_rows_and_imports_again(cast, client_for, high_tech):
    response = client_for(cast["secretariat"]).get(f"/register/export.xlsx?alliance={high_tech.pk}&status=active")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("名称", "英文名称", "统一社会信用代码")
    assert len(rows) - 1 == Membership.objects.filter(alliance=high_tech, status="active").count() == 91

    from alliance.models import Alliance

    electronic = Alliance.objects.get(name="淄博电子信息产教联合体")
    Membership.objects.filter(alliance=electronic).update(status="withdrawn")
    from members.models import RoleGrant

    RoleGrant.objects.create(user=cast["secretariat"], role="secretariat", alliance=electronic)
    from kernel.scope import forget_scope

    forget_scope(cast["secretariat"])
    result = import_register(alliance=electronic, uploaded=SimpleUploadedFile("r.xlsx", response.content),
                             actor=cast["secretariat"])
    assert result.ok, result.errors[:3]
    # Every unit already belongs to another alliance: each is invited, none enrolled without its consent.
    assert (result.created, result.invited) == (0, 91)
    assert Membership.objects.filter(alliance=electronic, status="applied", consented_at=None).count() == 91


# Formula injection: a unit's name is text in the exported file, never a formula

FORMULA_NAMES = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\r=1+1"]


def sheet_xml(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]


def test_the_register_export_writes_formula_like_names_as_text(cast, client_for, high_tech):
    memberships = Membership.objects.filter(alliance=high_tech, status="active").select_related("organization")
    renamed = {}
    for membership, name in zip(memberships[:len(FORMULA_NAMES)], FORMULA_NAMES, strict=True):
        Organization.objects.filter(pk=membership.organization_id).update(name=name, name_en=name)
        renamed[membership.organization.uscc] = name

    response = client_for(cast["official"]).get(f"/register/export.xlsx?alliance={high_tech.pk}&status=active")

    assert response.status_code == 200
    assert not any(re.search(r"<f[\s>/]", xml) for xml in sheet_xml(response.content))
    rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)
    written = {row[2]: (row[0], row[1]) for row in rows if row[2] in renamed}
    # XML reads a carriage return back as a line feed.
    marked = {uscc: "'" + name.replace("\r", "\n") for uscc, name in renamed.items()}
    assert written == {uscc: (name, name) for uscc, name in marked.items()}


def test_a_name_with_a_control_character_still_exports(cast, client_for, high_tech):
    membership = Membership.objects.filter(alliance=high_tech, status="active").select_related("organization")[0]
    Organization.objects.filter(pk=membership.organization_id).update(name="甲\x07乙")
    response = client_for(cast["official"]).get(f"/register/export.xlsx?alliance={high_tech.pk}&status=active")
    assert response.status_code == 200
    rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)
    assert "甲乙" in {row[0] for row in rows if row[2] == membership.organization.uscc}


def test_a_marked_name_from_an_export_imports_as_the_name_it_was(cast, high_tech):
    code = new_uscc()
    result = import_register(alliance=high_tech, uploaded=xlsx([["'=1+1", code, "企业", None, None, None]]),
                             actor=cast["secretariat"])
    assert result.ok, result.errors
    assert Organization.objects.get(uscc=code).name == "=1+1"


# Decompression bombs: an import reads no more than its limits, and says which it met

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER_ROW = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\x90\x8d\xe7\xa7\xb0</t></is></c>'
              b'<c r="B1" t="inlineStr"><is><t>uscc</t></is></c><c r="C1" t="inlineStr"><is><t>type</t></is></c></row>')


def workbook_with(parts: dict) -> SimpleUploadedFile:
    """A real workbook with some of its parts replaced by generated XML, written streaming (each part is an
    iterable of byte chunks), so that a file that unpacks to tens of megabytes costs the test little."""
    template = zipfile.ZipFile(xlsx([]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in template.namelist():
            if name not in parts:
                archive.writestr(name, template.read(name))
        for name, chunks in parts.items():
            with archive.open(name, "w") as part:
                for chunk in chunks:
                    part.write(chunk)
    return SimpleUploadedFile("bomb.xlsx", buffer.getvalue())


def sheet(rows, *, dimension: bytes = b"", closed: bool = True):
    yield b"<worksheet " + MAIN + b">" + dimension + b"<sheetData>" + HEADER_ROW
    yield from rows
    if closed:
        yield b"</sheetData></worksheet>"


def repeated(element: bytes, count: int, chunk: int = 100_000):
    for _ in range(count // chunk):
        yield element * chunk


@pytest.fixture
def post_import(cast, client_for, high_tech):
    """Upload through the real import page as the secretariat; answer the form's error for the file."""
    browser = client_for(cast["secretariat"])

    def post(uploaded) -> str:
        before = (Organization.objects.count(), Membership.objects.count())
        response = browser.post(f"/alliances/{high_tech.pk}/members/import/", {"file": uploaded})
        assert response.status_code == 400
        assert (Organization.objects.count(), Membership.objects.count()) == before, "nothing is saved"
        assert 'id="import-report"' not in response.content.decode(), "refused as a whole, not row by row"
        [error] = response.context["form"].errors["file"]
        return error

    return post


def zh(message: str, **values) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message) % values


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused_before_anything_is_parsed(post_import):
    # The reported file: 12 million empty rows, about 100 KB packed, 72 MB unpacked.
    error = post_import(workbook_with({"xl/worksheets/sheet1.xml": sheet(repeated(b"<row/>", 12_000_000))}))
    assert error == zh("The workbook unpacks to more than %(limit)s.", limit=filesizeformat(50 * 1024 * 1024))


def test_a_workbook_packed_like_a_bomb_is_refused(post_import):
    error = post_import(workbook_with({"xl/worksheets/sheet1.xml": sheet(repeated(b"<row/>", 2_000_000))}))
    assert error == zh("The workbook is packed more densely than %(ratio)d to 1, which a spreadsheet never is.",
                       ratio=100)


@pytest.mark.parametrize("rows", [
    pytest.param(repeated(b"<row/>", 2_000_000), id="two million empty rows"),
    pytest.param([b'<row r="1048576"/>'], id="one row numbered a million"),
])
def test_reading_stops_at_the_row_limit(post_import, settings, rows):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 1_000_000
    # The sheet is cut off after its rows: reading to the end would find it broken, not too long.
    error = post_import(workbook_with({"xl/worksheets/sheet1.xml": sheet(rows, closed=False)}))
    assert error == zh("A sheet has more than %(max)d rows (empty rows count too).", max=MAX_IMPORT_ROWS + 1000)


def test_a_sheet_declaring_a_huge_size_is_refused(post_import):
    error = post_import(workbook_with({"xl/worksheets/sheet1.xml": sheet(
        [b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'],
        dimension=b'<dimension ref="A1:XFD1048576"/>')}))
    assert error == zh("A sheet declares %(rows)d rows and %(columns)d columns; an import takes at most "
                       "%(max_rows)d rows and %(max_columns)d columns.",
                       rows=1048576, columns=16384, max_rows=MAX_IMPORT_ROWS + 1000, max_columns=50)


def test_a_sheet_with_too_many_columns_is_refused_by_its_declared_size(post_import):
    error = post_import(xlsx([["甲", new_uscc(), "企业"]], header=HEADER_ZH + [f"备注{n}" for n in range(60)]))
    assert error == zh("A sheet declares %(rows)d rows and %(columns)d columns; an import takes at most "
                       "%(max_rows)d rows and %(max_columns)d columns.",
                       rows=2, columns=66, max_rows=MAX_IMPORT_ROWS + 1000, max_columns=50)


def test_a_row_of_millions_of_cells_is_refused_at_the_column_limit(post_import, settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 1_000_000
    rows = [b'<row r="2">', *repeated(b"<c/>", 2_000_000)]
    error = post_import(workbook_with({"xl/worksheets/sheet1.xml": sheet(rows, closed=False)}))
    assert error == zh("A sheet has more than %(max)d columns.", max=50)


def test_a_cell_of_endless_rich_text_is_refused_at_the_row_limit(post_import, settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 1_000_000
    rows = [b'<row r="2"><c r="A2" t="inlineStr"><is>', *repeated(b"<r><t>x</t></r>", 1_000_000)]
    error = post_import(workbook_with({"xl/worksheets/sheet1.xml": sheet(rows, closed=False)}))
    assert error == zh("Row %(row)d of a sheet has more content than an import may read.", row=2)


def test_millions_of_shared_strings_are_refused_at_the_element_limit(post_import, settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 1_000_000
    strings = [b"<sst " + MAIN + b">", *repeated(b"<si><t/></si>", 2_000_000)]
    error = post_import(workbook_with({"xl/sharedStrings.xml": strings}))
    assert error == zh("The workbook has more content than an import may read (more than %(max)d XML elements).",
                       max=(MAX_IMPORT_ROWS + 1000) * 50 * 4 + 100_000)


def test_reading_stops_when_the_time_budget_is_spent(post_import, settings):
    settings.IMPORT_MAX_SECONDS = 0
    error = post_import(xlsx([[f"单位{n}", new_uscc(), "企业"] for n in range(2000)]))
    assert error == zh("Reading the workbook took more than %(seconds)d seconds and was stopped.", seconds=0)


def test_a_part_declaring_entities_is_refused_as_unreadable(post_import):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    error = post_import(workbook_with({"xl/worksheets/sheet1.xml": [laughs, *sheet([])]}))
    assert error == zh("The file is not an Excel workbook (.xlsx) that can be read.")
