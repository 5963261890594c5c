"""The annual cycle (assessments/annual/): a work plan's targets, tasks and execution rate from the records; the
year's construction self-assessment report, its Chinese PDF and what submitting freezes; bad input (400 naming the
field, nothing half-saved) and state conflicts (409); reminders once before each deadline; the two early
warnings; who may see and write what on the pages and in the API, with flat query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from alliance.models import Alliance
from assessments.annual import document, services
from assessments.annual.plans import execution_of, expected_rate
from assessments.early_warnings import rules
from assessments.models import AnnualPlan, AnnualReport
from assessments.reminders import _annual_reminders, create_due_reminders
from cooperation.services import projects
from governance.models import Task
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.models import Notification
from members.models import Membership, RoleGrant, User
from tests.factories import AllianceFactory, OrganizationFactory
from tests.project_data import ProjectWorld
from tests.test_permissions_pages import LOGIN, ROLES

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
READERS = {"official", "secretariat"}


@pytest.fixture
def world(cast, high_tech):
    """A running project of the demo alliance with 40 confirmed trainees this year, and a task of its council
    half done."""
    world = ProjectWorld(cast, high_tech)
    world.project_ = world.project()
    outcome = world.outcome(world.project_, year=YEAR, metric="trainees", value=40)
    projects.outcome_confirm(outcome=outcome, actor=world.secretariat)
    world.task = Task.objects.create(alliance=high_tech, title="开展岗位培训", owner=world.school_org,
                                     target_value=200, target_unit="人次", weight=2, progress=100,
                                     due_on=datetime.date(YEAR, 11, 30), created_by=world.secretariat)
    return world


def _plan(world, **extra):
    values = {"summary": "年度目标", "targets": [{"metric": "trainees", "target": 80}],
              "task_ids": [world.task.pk], "project_ids": [world.project_.pk], **extra}
    return services.plan_save(actor=world.secretariat, alliance=world.alliance, year=YEAR, **values)


# The plan and its execution ---------------------------------------------------------------------------------------


def test_the_execution_rate_weighs_each_target_and_task_by_what_the_records_show(world):
    plan = _plan(world, targets=[{"metric": "trainees", "target": 80},
                                 {"metric": "patents", "target": 2, "weight": 1}])
    execution = execution_of(plan)
    items = {item["key"]: item for item in execution.items}
    assert items["trainees"]["achieved"] == 40 and items["trainees"]["percent"] == Decimal("50.0")
    assert items["patents"]["percent"] == 0
    assert items[f"task:{world.task.pk}"]["percent"] == 50  # 100 of 200, weight 2
    assert execution.rate == Decimal("37.5")  # (50 + 0 + 50 × 2) / 4


def test_a_target_beyond_its_figure_counts_as_done_not_more(world):
    plan = _plan(world, targets=[{"metric": "trainees", "target": 10}], task_ids=[])
    assert execution_of(plan).rate == Decimal(100)


def test_a_plan_without_items_has_no_rate(world):
    plan = _plan(world, targets=[], task_ids=[])
    assert execution_of(plan).rate is None
    with pytest.raises(DomainError) as refused:
        services.plan_submit(actor=world.secretariat, plan=plan)
    assert refused.value.field == "targets"


@pytest.mark.parametrize(("targets", "field", "code"), [
    ([{"metric": "nonsense", "target": 1}], "targets", "unknown_metric"),
    ([{"metric": "coupling_d", "target": 1}], "targets", "unknown_metric"),  # an index has no target
    ([{"metric": "trainees", "target": -5}], "targets", "invalid"),
    ([{"metric": "trainees", "target": "lots"}], "targets", "invalid"),
    ([{"metric": "trainees", "target": 5}, {"metric": "trainees", "target": 6}], "targets", "duplicate"),
])
def test_bad_targets_are_refused_naming_the_field_and_nothing_is_saved(world, targets, field, code):
    with pytest.raises(DomainError) as refused:
        _plan(world, targets=targets)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not AnnualPlan.objects.filter(alliance=world.alliance).exists()


def test_a_plan_carries_only_its_own_alliances_tasks_and_projects(world, other_alliance, cast):
    foreign_task = Task.objects.create(alliance=other_alliance, title="外市任务", owner=world.school_org,
                                       target_value=1, target_unit="项", due_on=datetime.date(YEAR, 6, 1),
                                       created_by=world.secretariat)
    with pytest.raises(DomainError) as refused:
        _plan(world, task_ids=[foreign_task.pk])
    assert refused.value.field == "tasks"
    with pytest.raises(DomainError) as refused:
        _plan(world, project_ids=[987654])
    assert refused.value.field == "projects"
    assert not AnnualPlan.objects.exists()


def test_a_submitted_plan_never_changes(world):
    plan = services.plan_submit(actor=world.secretariat, plan=_plan(world))
    assert plan.status == "submitted" and plan.submitted_at
    with pytest.raises(StateConflict):
        _plan(world, summary="改一改")
    with pytest.raises(StateConflict):
        services.plan_submit(actor=world.secretariat, plan=plan)
    plan.refresh_from_db()
    assert plan.summary == "年度目标"


def test_only_the_secretariat_writes_the_plan(world, cast):
    for role in ("official", "contact", "weifang_secretariat"):
        with pytest.raises(NotAllowed):
            services.plan_save(actor=cast[role], alliance=world.alliance, year=YEAR, targets=[])


# The report --------------------------------------------------------------------------------------------------------


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_report_is_a_chinese_pdf_of_the_records_with_the_narratives(world):
    services.plan_submit(actor=world.secretariat, plan=_plan(world))
    report = services.report_save(actor=world.secretariat, alliance=world.alliance, year=YEAR,
                                  narratives={"overview": "本年度联合体运行平稳。", "problems": "企业参与仍需加强。"})
    data = document.report_data(world.alliance, YEAR, report.narratives)
    text = _text(document.render(data)).replace(" ", "").replace("\n", "")
    for expected in (world.alliance.name, f"{YEAR}年度建设自评报告", "本年度联合体运行平稳。", "企业参与仍需加强。",
                     "成员单位", "培训人次", "年度工作计划", "执行率", "订单班"):
        assert expected in text, expected


def test_submitting_the_report_freezes_its_data_and_keeps_its_pdf(world):
    report = services.report_save(actor=world.secretariat, alliance=world.alliance, year=YEAR,
                                  narratives={"overview": "总体情况"})
    report = services.report_submit(actor=world.secretariat, report=report)
    trainees = next(row for section in report.data["sections"] for row in section["rows"]
                    if row["key"] == "trainees")
    assert trainees["value"] == "40"
    outcome = world.outcome(world.project_, year=YEAR, metric="patents", value=3)
    projects.outcome_confirm(outcome=outcome, actor=world.secretariat)
    report.refresh_from_db()
    assert next(row for section in report.data["sections"] for row in section["rows"]
                if row["key"] == "patents")["value"] == "0"
    with report.file.open("rb") as handle:
        assert "总体情况" in _text(handle.read())
    with pytest.raises(StateConflict):
        services.report_save(actor=world.secretariat, alliance=world.alliance, year=YEAR, narratives={})
    with pytest.raises(StateConflict):
        services.report_submit(actor=world.secretariat, report=report)


@pytest.mark.parametrize(("narratives", "field"), [
    ({"nonsense": "x"}, "narratives"), ({"overview": 5}, "narratives"),
    ({"overview": "x" * (document.NARRATIVE_MAX + 1)}, "narratives"), (["overview"], "narratives"),
])
def test_bad_narratives_are_refused(world, narratives, field):
    with pytest.raises(DomainError) as refused:
        services.report_save(actor=world.secretariat, alliance=world.alliance, year=YEAR, narratives=narratives)
    assert refused.value.field == field
    assert not AnnualReport.objects.exists()


def test_no_report_for_a_year_not_begun(world):
    with pytest.raises(DomainError) as refused:
        services.report_save(actor=world.secretariat, alliance=world.alliance, year=YEAR + 1, narratives={})
    assert refused.value.field == "year"


# Reminders and warnings -------------------------------------------------------------------------------------------


def test_the_report_reminder_goes_once_to_the_secretariat_of_an_alliance_that_has_not_submitted(world, cast):
    with override_settings(ANNUAL_REMINDER_DAYS=(datetime.date(YEAR, 12, 31) - TODAY).days):
        create_due_reminders()
        create_due_reminders()
    key = f"annual-report-due:{world.alliance.pk}:{YEAR}:{cast['secretariat'].pk}"
    assert Notification.objects.filter(key=key).count() == 1


def test_the_plan_reminder_falls_before_31_january_and_skips_submitted_plans(world, cast):
    january = datetime.date(YEAR, 1, 20)
    due = [reminder.key for reminder in _annual_reminders(january, january + datetime.timedelta(days=14))]
    assert f"annual-plan-due:{world.alliance.pk}:{YEAR}:{cast['secretariat'].pk}" in due
    services.plan_submit(actor=world.secretariat, plan=_plan(world))
    due = [reminder.key for reminder in _annual_reminders(january, january + datetime.timedelta(days=14))]
    assert not any(key.startswith(f"annual-plan-due:{world.alliance.pk}:") for key in due)
    assert _annual_reminders(datetime.date(YEAR, 3, 1), datetime.date(YEAR, 3, 15)) == []


def test_a_plan_behind_an_even_pace_warns(world):
    plan = services.plan_submit(actor=world.secretariat, plan=_plan(world, task_ids=[]))  # 40 of 80: 50 %
    july = datetime.date(YEAR, 7, 2)
    behind = rules.RULES["plan_behind"].values([world.alliance.pk], july)[world.alliance.pk]
    assert behind == max(Decimal(0), expected_rate(YEAR, july) - execution_of(plan, july).rate)
    assert rules.RULES["plan_behind"].values([world.alliance.pk], datetime.date(YEAR, 1, 15)) == {}


def test_a_plan_failed_two_years_running_is_a_serious_warning(world, cast):
    for year in (YEAR - 1, YEAR - 2):
        plan = services.plan_save(actor=world.secretariat, alliance=world.alliance, year=year,
                                  targets=[{"metric": "patents", "target": 5}])
        services.plan_submit(actor=world.secretariat, plan=plan)
    assert rules.RULES["plan_failed"].values([world.alliance.pk], TODAY) == {world.alliance.pk: Decimal(2)}
    rules.evaluate(alliance_ids=[world.alliance.pk])
    warning = world.alliance.early_warnings.get(rule="plan_failed", ended_on=None)
    assert (warning.level, warning.value) == ("serious", 2)


def test_a_year_without_a_plan_ends_the_run(world):
    plan = services.plan_save(actor=world.secretariat, alliance=world.alliance, year=YEAR - 2,
                              targets=[{"metric": "patents", "target": 5}])
    services.plan_submit(actor=world.secretariat, plan=plan)
    assert rules.RULES["plan_failed"].values([world.alliance.pk], TODAY) == {}


# Pages and API: who, and how many queries ------------------------------------------------------------------------


def _status(response):
    if response.status_code == 302 and LOGIN in response["Location"]:
        return "login"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(world, cast, client_for, role):
    plan = services.plan_submit(actor=world.secretariat, plan=_plan(world))
    services.report_save(actor=world.secretariat, alliance=world.alliance, year=YEAR, narratives={"overview": "好"})
    browser = client_for(cast[role])
    allowed = role in READERS
    expected = 200 if allowed else ("login" if role == "anonymous" else 403)
    base = f"/assessments/annual/{world.alliance.pk}/{YEAR}"
    for url in (f"{base}/plan/", f"{base}/report/", f"{base}/report.pdf"):
        assert _status(browser.get(url)) == expected, url
    # The list: for whoever runs or oversees an alliance (the Weifang users see their own city's).
    home = browser.get("/assessments/annual/")
    oversees = allowed or role.startswith("weifang")
    assert _status(home) == (200 if oversees else expected)
    assert (f'data-alliance="{world.alliance.pk}"' in home.content.decode()) == allowed
    writes = browser.post(f"{base}/report/", {"overview": "改"})
    assert _status(writes) == (302 if role == "secretariat" else ("login" if role == "anonymous" else 403))
    assert plan.status == "submitted"


def test_the_secretariat_writes_and_submits_the_plan_on_its_page(world, client_for, cast):
    browser = client_for(cast["secretariat"])
    base = f"/assessments/annual/{world.alliance.pk}/{YEAR}"
    page = browser.get(f"{base}/plan/")
    assert 'name="target_trainees"' in page.content.decode() and 'id="submit-plan"' not in page.content.decode()
    response = browser.post(f"{base}/plan/", {"summary": "目标", "target_trainees": "80", "weight_trainees": "",
                                              "tasks": [world.task.pk]})
    assert response.status_code == 302
    refused = browser.post(f"{base}/plan/", {"summary": "目标", "target_trainees": "-3"})
    assert refused.status_code == 400
    plan = AnnualPlan.objects.get(alliance=world.alliance, year=YEAR)
    assert [(t.metric, t.target) for t in plan.targets.all()] == [("trainees", 80)]
    assert browser.post(f"{base}/plan/submit/", {"final": "on"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "submitted"
    assert browser.post(f"{base}/plan/submit/").status_code == 302  # said above the page: already submitted
    page = browser.get(f"{base}/plan/").content.decode()
    assert 'id="plan-form"' not in page and "75.0%" not in page and "50.0%" in page




def _more_alliances(high_tech, secretariat, count):
    for _ in range(count):
        alliance = AllianceFactory(city=high_tech.city, status=Alliance.Status.ESTABLISHED)
        Membership.objects.create(alliance=alliance, organization=OrganizationFactory(city=high_tech.city),
                                  status=Membership.Status.ACTIVE, joined_on=TODAY)
        RoleGrant.objects.create(user=secretariat, role=RoleGrant.Role.SECRETARIAT, alliance=alliance)
        secretariat = User.objects.get(pk=secretariat.pk)  # its scope, with the new alliance
        plan = services.plan_save(actor=secretariat, alliance=alliance, year=YEAR,
                                  targets=[{"metric": "trainees", "target": 10}, {"metric": "patents", "target": 1}])
        services.plan_submit(actor=secretariat, plan=plan)
        services.report_save(actor=secretariat, alliance=alliance, year=YEAR, narratives={"overview": "x"})


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_alliances_and_plans(world, cast, client_for, api_for):
    _plan(world)
    services.report_save(actor=world.secretariat, alliance=world.alliance, year=YEAR, narratives={})
    page, api = client_for(cast["official"]), api_for(cast["official"])
    calls = [lambda: page.get("/assessments/annual/"), lambda: api.get("/api/v1/annual-plans/"),
             lambda: api.get("/api/v1/annual-reports/")]
    for call in calls:
        call()  # warm caches (scope, content types)
    before = [_count(call) for call in calls]
    _more_alliances(world.alliance, cast["secretariat"], 4)
    after = [_count(call) for call in calls]
    assert after == before


@pytest.mark.parametrize("role", ROLES)
def test_api_by_role(world, cast, api_for, role):
    plan = _plan(world)
    report = services.report_save(actor=world.secretariat, alliance=world.alliance, year=YEAR, narratives={})
    api = api_for(cast[role])
    listed = api.get("/api/v1/annual-plans/")
    if role == "anonymous":
        assert listed.status_code == 401
        return
    seen = [row["id"] for row in listed.json()["results"]]
    assert (plan.pk in seen) == (role in READERS)
    detail = api.get(f"/api/v1/annual-plans/{plan.pk}/")
    assert detail.status_code == (200 if role in READERS else 404)
    assert api.get(f"/api/v1/annual-reports/{report.pk}/pdf/").status_code == (200 if role in READERS else 404)
    patched = api.patch(f"/api/v1/annual-plans/{plan.pk}/", {"summary": "新目标"}, format="json")
    assert patched.status_code == {"secretariat": 200, "official": 403}.get(role, 404)
    created = api.post("/api/v1/annual-reports/", {"alliance": world.alliance.pk, "year": YEAR - 1,
                                                   "narratives": {"overview": "x"}}, format="json")
    assert created.status_code == {"secretariat": 201}.get(role, 403)


def test_api_writes_validate_and_conflict(world, cast, api_for):
    api = api_for(cast["secretariat"])
    bad = api.post("/api/v1/annual-plans/", {"alliance": world.alliance.pk, "year": YEAR,
                                              "targets": [{"metric": "nonsense", "target": "1"}]}, format="json")
    assert bad.status_code == 400 and "targets" in bad.json()
    negative = api.post("/api/v1/annual-plans/", {"alliance": world.alliance.pk, "year": YEAR,
                                                   "targets": [{"metric": "trainees", "target": "-1"}]}, format="json")
    assert negative.status_code == 400 and "targets" in negative.json()
    assert not AnnualPlan.objects.exists()
    created = api.post("/api/v1/annual-plans/", {"alliance": world.alliance.pk, "year": YEAR, "summary": "s",
                                                  "targets": [{"metric": "trainees", "target": "80"}],
                                                  "tasks": [world.task.pk]}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["execution"]["rate"] == "50.0" and body["tasks"] == [world.task.pk]
    again = api.post("/api/v1/annual-plans/", {"alliance": world.alliance.pk, "year": YEAR}, format="json")
    assert again.status_code == 409
    assert api.post(f"/api/v1/annual-plans/{body['id']}/submit/").status_code == 200
    assert api.post(f"/api/v1/annual-plans/{body['id']}/submit/").status_code == 409
    assert api.patch(f"/api/v1/annual-plans/{body['id']}/", {"summary": "x"}, format="json").status_code == 409
    report = api.post("/api/v1/annual-reports/", {"alliance": world.alliance.pk, "year": YEAR,
                                                   "narratives": {"bogus": "x"}}, format="json")
    assert report.status_code == 400 and "narratives" in report.json()
    report = api.post("/api/v1/annual-reports/", {"alliance": world.alliance.pk, "year": YEAR,
                                                   "narratives": {"overview": "好"}}, format="json")
    assert report.status_code == 201 and report.json()["data"]["plan"]["submitted"] is True
    submitted = api.post(f"/api/v1/annual-reports/{report.json()['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    pdf = api.get(f"/api/v1/annual-reports/{report.json()['id']}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_reports_data_takes_as_many_queries_whatever_the_projects(world):
    _plan(world)

    def count():
        with CaptureQueriesContext(connection) as queries:
            document.report_data(world.alliance, YEAR, {})
        return len(queries)

    count()  # warm what is read once per process
    before = count()
    for n in range(4):
        project = world.project(title=f"项目{n}", kind="training_base")
        projects.outcome_confirm(outcome=world.outcome(project, year=YEAR, metric="patents", value=n + 1),
                                 actor=world.secretariat)
    assert count() == before


def test_the_pages_speak_chinese_and_english(world, client_for, cast):
    services.plan_submit(actor=world.secretariat, plan=_plan(world))
    browser = client_for(cast["official"])
    base = f"/assessments/annual/{world.alliance.pk}/{YEAR}"
    chinese = browser.get(f"{base}/plan/").content.decode()
    english = browser.get(f"{base}/plan/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{YEAR}年度工作计划" in chinese and "执行率" in chinese and "完成比例" in chinese
    assert f"Work plan for {YEAR}" in english and "Execution rate" in english and "Share done" in english
    report = browser.get(f"{base}/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Overview of the year" in report and "Download the PDF" in report
    assert "年度总体情况" in browser.get(f"{base}/report/").content.decode()
