"""The lists as files: each list exported and imported again (all or nothing, with a report of each bad row),
and the three lists of a year as one workbook and one PDF in Chinese."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from cooperation import documents, excel
from cooperation.models import CoreProduct, TalentNeed, TechnologyNeed
from cooperation.services import entries
from tests.cooperation_data import World

pytestmark = pytest.mark.django_db

TALENT_HEADER = ["统一社会信用代码", "岗位", "专业代码", "需求人数", "已招聘", "学历层次", "年度", "公开范围"]


@pytest.fixture
def world(cast, high_tech, other_alliance):
    return World(cast, high_tech, other_alliance)


def xlsx(rows, header) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


def test_a_good_file_adds_every_row(world):
    code = world.contact_org.uscc
    result = excel.import_list(model=TalentNeed, alliance=world.alliance, actor=world.secretariat, uploaded=xlsx([
        [code, "焊工", "460301", 4, 0, "高职专科", 2026, "向社会公开"],
        [code, "Welder", 460103, 2, 1, "higher_vocational", None, "alliance"],
    ], TALENT_HEADER))
    assert result.ok, result.errors
    assert result.created == 2
    rows = TalentNeed.objects.filter(alliance=world.alliance, organization=world.contact_org,
                                     position__in=["焊工", "Welder"])
    assert sorted(rows.values_list("major_code", "headcount", "visibility")) == [
        ("460103", 2, "alliance"), ("460301", 4, "public")]


def test_a_file_with_bad_rows_saves_nothing_and_reports_each_problem(world):
    code = world.contact_org.uscc
    before = TalentNeed.objects.count()
    result = excel.import_list(model=TalentNeed, alliance=world.alliance, actor=world.secretariat, uploaded=xlsx([
        [code, "焊工", "460301", 4, 0, "高职专科", None, None],            # good
        [code, "钳工", "990101", 4, 0, None, None, None],                  # unknown major category
        [code, "电工", "460301", 0, 0, None, None, None],                  # headcount below 1
        [code, "车工", "460301", 2, 5, None, None, None],                  # filled above headcount
        ["91370300MA0000000X", "铣工", "460301", 2, 0, None, None, None],   # unknown unit
        [world.school_org.uscc, "磨工", "460301", 2, 0, None, None, None],  # a school posts no needs
        [code, "刨工", "460301", "两", 0, "博士后", None, None],            # not a number, unknown level
    ], TALENT_HEADER))
    assert not result.ok
    assert TalentNeed.objects.count() == before
    report = {(error.row, error.column) for error in result.errors}
    assert {(3, "专业代码"), (4, "需求人数"), (5, "已招聘"), (6, "统一社会信用代码"), (7, "统一社会信用代码"),
            (8, "需求人数"), (8, "学历层次")} <= report
    assert not any(error.row == 2 for error in result.errors)
    assert "大类" in next(error.reason for error in result.errors if error.row == 3)


def test_an_exported_list_imports_again_changing_its_entries(world):
    need = world["need"]
    exported = excel.export_list(TechnologyNeed, TechnologyNeed.objects.filter(pk=need.pk).select_related(
        "organization", "chain"))
    sheet = load_workbook(io.BytesIO(exported)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["编号", "成员单位", "统一社会信用代码", "标题"]
    assert sheet.cell(row=2, column=1).value == need.pk
    sheet.cell(row=2, column=header.index("标题") + 1).value = "改过的标题"
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    result = excel.import_list(model=TechnologyNeed, alliance=world.alliance, actor=world.secretariat,
                               uploaded=SimpleUploadedFile("again.xlsx", buffer.getvalue()), publish=True)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    need.refresh_from_db()
    assert need.title == "改过的标题" and need.published_at is not None


def test_an_id_of_another_alliances_entry_is_refused(world):
    foreign = world["weifang_need"]
    header = ["编号", "统一社会信用代码", "标题", "简介"]
    result = excel.import_list(model=TechnologyNeed, alliance=world.alliance, actor=world.secretariat,
                               uploaded=xlsx([[foreign.pk, world.contact_org.uscc, "标题", "说明"]], header))
    assert [(error.row, error.column) for error in result.errors] == [(2, "编号")]


def test_a_header_without_the_required_columns_is_refused(world):
    from kernel.errors import DomainError

    with pytest.raises(DomainError) as refused:
        excel.import_list(model=CoreProduct, alliance=world.alliance, actor=world.secretariat,
                          uploaded=xlsx([["x"]], ["名称"]))
    assert "统一社会信用代码" in refused.value.message


def test_the_import_page_shows_the_report_and_the_export_downloads(world, client_for):
    browser = client_for(world.secretariat)
    response = browser.post(f"/cooperation/alliances/{world.alliance.pk}/talent-needs/import/", {
        "file": xlsx([[world.contact_org.uscc, "焊工", "990101", 1, 0, None, None, None]], TALENT_HEADER)})
    assert response.status_code == 400
    assert 'id="import-report"' in response.content.decode()
    download = browser.get(f"/cooperation/alliances/{world.alliance.pk}/talent-needs/export.xlsx")
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(download.content)).active.max_row > 1


def _published_lists(world):
    year = timezone.localdate().year
    for name in ("need", "talent", "product"):
        entries.entry_publish(entry=world[name], actor=world.secretariat)
    return documents.annual_lists(world.alliance, year), year


def test_the_years_three_lists_are_one_workbook_in_chinese(world, client_for):
    _data, year = _published_lists(world)
    response = client_for(world.cast["official"]).get(f"/cooperation/alliances/{world.alliance.pk}/lists.xlsx?year={year}")
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["核心产品清单", "技术需求清单", "人才需求清单"]
    needs = [row for row in workbook["技术需求清单"].iter_rows(values_only=True)]
    assert needs[1][:3] == ("序号", "成员单位", "标题")
    assert any(row[2] == world["need"].title for row in needs[2:])
    assert any(row[2] == "数控车工" for row in workbook["人才需求清单"].iter_rows(values_only=True))


def test_the_years_three_lists_are_one_pdf_in_chinese(world, client_for):
    _data, year = _published_lists(world)
    response = client_for(world.secretariat).get(f"/cooperation/alliances/{world.alliance.pk}/lists.pdf?year={year}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    for words in ("核心产品清单", "技术需求清单", "人才需求清单", world.alliance.name, world["need"].title, "数控车工",
                  "联合研发", "装备制造大类"):
        assert words in text, words


def test_an_unpublished_or_closed_entry_is_not_in_the_years_lists(world):
    year = timezone.localdate().year
    entries.entry_publish(entry=world["need"], actor=world.secretariat)
    entries.entry_close(entry=world["need"], actor=world.contact)
    world["talent"]
    data = documents.annual_lists(world.alliance, year)
    assert world["need"].pk not in {need.pk for need in data["technology_needs"]}
    assert world["talent"].pk not in {need.pk for need in data["talent_needs"]}


def test_a_good_import_on_the_page_publishes_and_goes_to_the_list(world, client_for):
    response = client_for(world.secretariat).post(
        f"/cooperation/alliances/{world.alliance.pk}/talent-needs/import/",
        {"publish": "on", "file": xlsx([[world.contact_org.uscc, "装配工", "460301", 3, 0, None, None, "向社会公开"]],
                                       TALENT_HEADER)})
    assert response.status_code == 302
    assert response["Location"] == f"/cooperation/talent-needs/?alliance={world.alliance.pk}"
    need = TalentNeed.objects.get(position="装配工", alliance=world.alliance)
    assert need.published_at is not None and need.visibility == "public"
