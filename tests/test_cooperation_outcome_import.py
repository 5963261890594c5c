"""Outcomes of many projects imported from Excel by the secretariat: all rows or none, with a report per bad row
(an unknown project, a year outside its dates, a negative value, an unknown outcome, a confirmed outcome); a
good file records new outcomes and changes unconfirmed ones; the export imports again."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from cooperation import excel
from cooperation.models import Outcome
from cooperation.services import projects
from kernel.errors import NotAllowed
from tests.project_data import ProjectWorld

pytestmark = pytest.mark.django_db

HEADER = ["项目编号", "年度", "成果", "数值", "备注"]


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("outcomes.xlsx", buffer.getvalue())


@pytest.fixture
def world(cast, high_tech):
    world = ProjectWorld(cast, high_tech)
    world.first = world.project()
    world.second = world.project(title="共享实训基地", kind="training_base")
    return world


def test_a_good_file_records_every_row_and_changes_unconfirmed_ones(world):
    existing = world.outcome(world.first, metric="interns", value=3)
    result = excel.import_outcomes(alliance=world.alliance, actor=world.secretariat, uploaded=xlsx([
        [world.first.pk, 2025, "培训人次", 120, "两期培训"],
        [world.first.pk, 2025, "interns", 7, ""],
        [world.second.pk, 2024, "patents", 2, None],
    ]))
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 1)
    assert Outcome.objects.get(pk=existing.pk).value == 7
    assert world.first.outcomes.get(metric="trainees").note == "两期培训"
    assert not Outcome.objects.filter(project__in=[world.first, world.second], confirmed_at__isnull=False).exists()


def test_one_bad_row_saves_nothing_and_each_problem_is_reported(world, other_alliance):
    confirmed = world.outcome(world.first, metric="patents", value=1)
    projects.outcome_confirm(outcome=confirmed, actor=world.secretariat)
    result = excel.import_outcomes(alliance=world.alliance, actor=world.secretariat, uploaded=xlsx([
        [world.first.pk, 2025, "trainees", 10, ""],
        [world.first.pk, 2023, "trainees", 10, ""],
        [world.first.pk, 2025, "interns", -4, ""],
        [world.first.pk, 2025, "点赞数", 1, ""],
        [999999999, 2025, "trainees", 1, ""],
        [world.first.pk, 2025, "patents", 5, ""],
        [world.second.pk, "二〇二五", "trainees", 1, ""],
    ]))
    assert not result.ok
    assert [(error.row, error.column) for error in result.errors] == [
        (3, "年度"), (4, "数值"), (5, "成果"), (6, "项目编号"), (7, "—"), (8, "年度")]
    assert "确认" in result.errors[4].reason
    assert not world.first.outcomes.filter(metric="trainees").exists()


def test_only_the_secretariat_imports(world, cast):
    for user in (world.school, cast["official"], cast["weifang_secretariat"]):
        with pytest.raises(NotAllowed):
            excel.import_outcomes(alliance=world.alliance, actor=user, uploaded=xlsx([]))


def test_a_missing_column_is_named(world):
    from kernel.errors import DomainError

    with pytest.raises(DomainError) as refused:
        excel.import_outcomes(alliance=world.alliance, actor=world.secretariat, uploaded=xlsx(
            [[world.first.pk, 2025, 1]], header=["项目编号", "年度", "数值"]))
    assert "成果" in refused.value.message


def test_the_export_imports_again(world, client_for):
    world.outcome(world.first, metric="interns", value=3)
    response = client_for(world.secretariat).get(f"/cooperation/alliances/{world.alliance.pk}/outcomes.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("项目编号", "项目", "年度", "成果")
    result = excel.import_outcomes(alliance=world.alliance, actor=world.secretariat,
                                   uploaded=SimpleUploadedFile("again.xlsx", response.content))
    assert result.ok and result.updated >= 1


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("official", 403), ("secretariat", 200),
                                                ("contact", 403), ("director", 403), ("weifang_secretariat", 403)])
def test_the_import_page_answers_each_role(world, cast, client_for, role, expected):
    response = client_for(cast[role]).get(f"/cooperation/alliances/{world.alliance.pk}/outcomes/import/")
    assert response.status_code == expected


def test_the_import_page_reports_the_bad_rows(world, client_for):
    browser = client_for(world.secretariat)
    url = f"/cooperation/alliances/{world.alliance.pk}/outcomes/import/"
    bad = browser.post(url, {"file": xlsx([[world.first.pk, 2023, "trainees", 1, ""]])})
    assert bad.status_code == 400 and 'id="import-report"' in bad.content.decode()
    good = browser.post(url, {"file": xlsx([[world.first.pk, 2025, "trainees", 1, ""]])})
    assert good.status_code == 302
