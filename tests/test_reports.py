"""Reports: the alliance's PDF and the city comparison (PDF, Excel), built by Celery, cached by their data."""

import datetime
import io
import re
import zipfile
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from alliance.models import Alliance, City
from assessments import frameworks, services
from assessments.models import Assessment, Cycle, Report
from assessments.reports import documents as reports
from assessments.reports import services as report_services
from assessments.reports.tasks import build_report
from assessments.scoring import aggregate
from kernel import pdf as kernel_pdf
from kernel.errors import DomainError, NotAllowed, StateConflict
from members.models import RoleGrant, User
from tests.factories import AllianceFactory, UserFactory
from tests.worker import tasks_seen, wait_for

pytestmark = pytest.mark.django_db

FRAMEWORK = {
    "name": "报告测试指标体系",
    "indicators": [
        {"code": "A", "name": "基础性指标", "weight": "40", "children": [
            {"code": "A1", "name": "组织健全", "weight": "40", "children": [
                {"code": "A1.1", "name": "已设立理事会和秘书处", "weight": "20", "max_score": "10"},
                {"code": "A1.2", "name": "章程明确运行机制", "weight": "20", "max_score": "10"}]}]},
        {"code": "B", "name": "实质性指标", "weight": "60", "children": [
            {"code": "B1", "name": "科研创新", "weight": "35", "children": [
                {"code": "B1.1", "name": "共建技术技能创新平台", "weight": "35", "max_score": "10"}]},
            {"code": "B2", "name": "职业技能培训", "weight": "25", "children": [
                {"code": "B2.1", "name": "开展企业职工培训", "weight": "25", "max_score": "5"}]}]},
        {"code": "C", "name": "否定性指标", "weight": "0", "veto": True, "children": [
            {"code": "C1", "name": "一票否决事项", "weight": "0", "children": [
                {"code": "C1.1", "name": "已建立理事会", "weight": "0", "max_score": "1"}]}]},
    ],
}
FULL = {"A1.1": "10", "A1.2": "10", "B1.1": "10", "B2.1": "5", "C1.1": "1"}
# Three experts: A1 = (20*1 + 20*0.9)/40 = 95%, B1 = 9/10 = 90%, B2 = 14/15 = 93.3%; total 92.83, excellent.
EXPERT_SCORES = [
    {"A1.1": "10", "A1.2": "9", "B1.1": "9", "B2.1": "5", "C1.1": "1"},
    {"A1.1": "10", "A1.2": "9", "B1.1": "8", "B2.1": "4", "C1.1": "1"},
    {"A1.1": "10", "A1.2": "9", "B1.1": "10", "B2.1": "5", "C1.1": "1"},
]
COMMENT = "产教融合平台建设成效显著，建议扩大企业参与面"
OVERALL = "整体运行规范，理事会议事规则完善"
ELECTRONIC, MATERIALS = "淄博电子信息产教联合体", "淄博鲁中新材料产教联合体"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def framework(cast):
    framework = services.framework_import(actor=cast["official"], data=FRAMEWORK)
    return services.framework_publish(framework=framework, actor=cast["official"])


def open_cycle(official, framework, city, alliances, title="2026年度市域产教联合体考核"):
    today = timezone.localdate()
    return services.cycle_open(
        actor=official, framework=framework, city=city, title=title, opens_on=today,
        self_assessment_due=today + datetime.timedelta(days=30), review_due=today + datetime.timedelta(days=60),
        alliances=alliances,
    )


@pytest.fixture
def cycle(cast, framework, high_tech):
    others = list(Alliance.objects.filter(name__in=[ELECTRONIC, MATERIALS]))
    return open_cycle(cast["official"], framework, high_tech.city, [high_tech, *others])


def under_review(assessment, cast, expert_scores=EXPERT_SCORES):
    """The high-tech alliance's assessment through the services: self-assessment, three experts with comments."""
    services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores=FULL)
    services.self_assessment_submit(assessment=assessment, actor=cast["secretariat"])
    experts = [User.objects.get(username=f"expert{n}") for n in (1, 2, 3)]
    reviews = services.experts_assign(assessment=assessment, actor=cast["official"], experts=experts)
    for number, (review, scores) in enumerate(zip(reviews, expert_scores, strict=True), 1):
        services.review_save(review=review, actor=review.expert, scores=scores, declared_no_conflict=True,
                             comments={"B1.1": f"{COMMENT}{number}"}, comment=OVERALL if number == 1 else "")
        services.review_submit(review=review, actor=review.expert)
    return Assessment.objects.get(pk=assessment.pk)


@pytest.fixture
def assessment(cycle, high_tech):
    return cycle.assessments.get(alliance=high_tech)


@pytest.fixture
def decided(assessment, cast):
    return services.assessment_decide(assessment=under_review(assessment, cast), actor=cast["official"],
                                      note="予以表彰，继续保持")


def decide_directly(assessment, scores):
    """Decide an assessment from one set of scores without the review steps (for comparisons)."""
    result = aggregate(frameworks.leaves(assessment.cycle.framework), [{k: D(v) for k, v in scores.items()}])
    grade = "unqualified" if result.veto_failed else (
        "excellent" if result.final_score >= 90 else "qualified" if result.final_score >= 75 else "unqualified")
    Assessment.objects.filter(pk=assessment.pk).update(
        status="decided", final_score=result.final_score, veto_failed=result.veto_failed, working=result.working,
        grade=grade, decided_at=timezone.now())


@pytest.fixture
def city_decided(decided, cycle):
    decide_directly(cycle.assessments.get(alliance__name=ELECTRONIC),
                    {"A1.1": "6", "A1.2": "8", "B1.1": "8", "B2.1": "4", "C1.1": "1"})  # 28 + 28 + 20 = 76
    decide_directly(cycle.assessments.get(alliance__name=MATERIALS), {**FULL, "C1.1": "0"})  # veto failed
    return cycle


def build(django_capture_on_commit_callbacks, **request):
    """Ask for a report and run the build the request queued (as the worker would, after commit)."""
    with django_capture_on_commit_callbacks() as queued:
        report = report_services.request_report(**request)
    assert len(queued) == 1, "the build is queued once, after commit"
    assert build_report(report.id) == "done"
    report.refresh_from_db()
    return report


def pdf_text(report) -> str:
    with report.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


# The documents


def test_the_assessment_pdf_really_contains_the_chinese_text(cast, decided, django_capture_on_commit_callbacks):
    report = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="assessment_pdf",
                   assessment=decided)
    assert (report.status, report.progress, report.error) == ("done", 100, "")
    text = pdf_text(report)
    assert "淄博高新技术产业开发区市域产教联合体" in text
    assert "等次" in text and "优秀" in text  # the grade's label and its value
    assert "92.83" in text
    assert "报告测试指标体系" in text and "2026年度市域产教联合体考核" in text
    assert "予以表彰，继续保持" in text
    assert "B1科研创新" in text and "90.0%" in text and "93.3%" in text  # radar labels and achieved shares
    assert "共建技术技能创新平台" in text  # the working table's leaves
    assert f"{COMMENT}2" in text and "整体运行规范" in text  # experts' comments, per indicator and overall
    experts = User.objects.filter(username__startswith="expert")
    assert not any(str(expert) in text or expert.username in text for expert in experts)  # numbered, not named


def test_a_rectify_decision_shows_its_items_in_the_pdf(cast, assessment, django_capture_on_commit_callbacks):
    low = [{"A1.1": "7", "A1.2": "7", "B1.1": "6", "B2.1": "3", "C1.1": "1"}] * 3  # 28 + 21 + 15 = 64
    ready = under_review(assessment, cast, expert_scores=low)
    decided = services.assessment_decide(assessment=ready, actor=cast["official"], note="限期整改",
                                         rectify_by=timezone.localdate() + datetime.timedelta(days=90),
                                         rectification_items=["完善理事会议事规则"])
    text = pdf_text(build(django_capture_on_commit_callbacks, actor=cast["official"], kind="assessment_pdf",
                          assessment=decided))
    assert "完善理事会议事规则" in text and "限期整改" in text and "64.00" in text


def test_user_text_cannot_reach_outside_the_document(cast, decided, django_capture_on_commit_callbacks):
    Assessment.objects.filter(pk=decided.pk).update(
        decision_note='<img src="file:///etc/hostname"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">')
    text = pdf_text(build(django_capture_on_commit_callbacks, actor=cast["official"], kind="assessment_pdf",
                          assessment=Assessment.objects.get(pk=decided.pk)))
    assert '<imgsrc="file:///etc/hostname">' in text  # shown as text, never loaded


def test_the_url_fetcher_refuses_everything_but_data_urls():
    fetcher = kernel_pdf.url_fetcher()
    assert fetcher.fetch("data:text/plain;base64,5Lit5paH").read() == "中文".encode()
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/", "https://example.com/font.woff"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_radar_chart_is_drawn_point_by_point():
    axes = [{"code": c, "name": n, "share": s}
            for c, n, s in (("A1", "组织", "100.0"), ("B1", "科研", "50.0"), ("B2", "培训", "0.0"), ("B3", "成果", None))]
    svg = reports.radar_svg(axes, size=420)  # centre 210, radius 130; axes clockwise from the top
    polygons = svg.split("<polygon")
    data_polygon = polygons[-1]
    assert 'points="210.0,80.0 275.0,210.0 210.0,210.0 210.0,210.0"' in data_polygon
    assert "B1 科研" in svg and "50.0%" in svg
    assert reports.radar_svg(axes[:2]) == ""  # fewer than three axes: no radar


def test_achieved_shares_are_exact_over_the_leaves_of_each_indicator(decided):
    axes = {axis["code"]: axis["share"] for axis in reports.assessment_data(decided)["axes"]}
    assert axes == {"A1": "95.0", "B1": "90.0", "B2": "93.3"}


def test_the_city_excel_opens_with_one_row_per_alliance_ranked(cast, city_decided,
                                                               django_capture_on_commit_callbacks):
    report = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="city_xlsx",
                   cycle=city_decided)
    with report.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert len(workbook.sheetnames) == 3
    ranking, distribution, heat = (workbook[name] for name in workbook.sheetnames)
    rows = list(ranking.iter_rows(min_row=2, values_only=True))
    with translation.override("zh-hans"):
        passed, failed = translation.gettext("Passed"), translation.gettext("Not passed")
    assert [(row[0], row[1], D(str(row[2])), row[3], row[4]) for row in rows] == [
        (1, "淄博高新技术产业开发区市域产教联合体", D("92.83"), "优秀", passed),
        (2, ELECTRONIC, D("76.00"), "合格", passed),
        (3, MATERIALS, D("100.00"), "不合格", failed),  # a failed veto ranks last whatever its score
    ]
    counts = {row[0]: row[1] for row in distribution.iter_rows(min_row=2, values_only=True)}
    assert counts == {"优秀": 1, "合格": 1, "限期整改": 0, "不合格": 1}
    assert [cell.value for cell in heat[1]][1:] == ["A1 组织健全", "B1 科研创新", "B2 职业技能培训"]
    assert [D(str(v)) for v in next(heat.iter_rows(min_row=2, values_only=True))[1:]] == [D("95"), D("90"), D("93.3")]
    rules = [rule for ranges in heat.conditional_formatting for rule in ranges.rules]
    assert rules and rules[0].type == "colorScale"


def test_the_city_excel_writes_a_formula_like_alliance_name_as_text(cast, city_decided,
                                                                     django_capture_on_commit_callbacks):
    Alliance.objects.filter(name=ELECTRONIC).update(name="=1+1")
    report = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="city_xlsx",
                   cycle=city_decided)
    with report.file.open("rb") as handle:
        content = handle.read()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert len(sheets) == 3
    assert not any(re.search(r"<f[\s>/]", xml) for xml in sheets)
    ranking, _distribution, heat = load_workbook(io.BytesIO(content)).worksheets
    assert ranking["B3"].value == heat["A3"].value == "'=1+1"


def test_the_city_pdf_is_landscape_and_compares_the_alliances(cast, city_decided,
                                                              django_capture_on_commit_callbacks):
    report = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="city_pdf", cycle=city_decided)
    with report.file.open("rb") as handle:
        page = PdfReader(io.BytesIO(handle.read())).pages[0]
    assert page.mediabox.width > page.mediabox.height
    text = pdf_text(report)
    for name in ("淄博高新技术产业开发区市域产教联合体", ELECTRONIC, MATERIALS, "等次", "优秀", "合格", "不合格"):
        assert name in text
    assert text.index("92.83") < text.index("76.00")


def test_the_city_pdf_heat_map_holds_every_name_and_share_as_text(cast, city_decided,
                                                                  django_capture_on_commit_callbacks):
    Alliance.objects.filter(name=ELECTRONIC).update(name="淄博<b>电子</b>&amp;信息产教联合体")
    report = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="city_pdf", cycle=city_decided)
    text = pdf_text(report)
    # The heat map's header and rows, each row its alliance's name then its shares, as text in reading order.
    assert "A1组织健全B1科研创新B2职业技能培训" in text
    assert "淄博高新技术产业开发区市域产教联合体95.090.093.3" in text
    # The name as written, in the ranking and in the heat map: escaped, never taken for markup.
    assert text.count("淄博<b>电子</b>&amp;信息产教联合体") == 2
    assert "淄博<b>电子</b>&amp;信息产教联合体70.080.080.0" in text  # A1 28/40, B1 8/10, B2 4/5


def test_heat_colours_run_from_red_to_green():
    assert reports.heat_colour("0") == "#f8696b"
    assert reports.heat_colour("50") == "#ffeb84"
    assert reports.heat_colour("100.0") == "#63be7b"
    assert reports.heat_colour(None) == "#ffffff"


# Caching, failure and retry


def test_requesting_twice_returns_the_same_report_without_a_second_build(cast, decided,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        first = report_services.request_report(actor=cast["official"], kind="assessment_pdf", assessment=decided)
        waiting = report_services.request_report(actor=cast["secretariat"], kind="assessment_pdf",
                                                 assessment=decided)
    assert waiting.pk == first.pk and len(queued) == 1
    assert build_report(first.id) == "done"
    assert build_report(first.id) == "skipped"  # idempotent: a built report is left alone
    with django_capture_on_commit_callbacks() as queued:
        again = report_services.request_report(actor=cast["official"], kind="assessment_pdf", assessment=decided)
    assert again.pk == first.pk and again.status == "done" and queued == []
    assert Report.objects.filter(assessment=decided).count() == 1
    shown = reports.assessment_data(decided)
    assert shown["language"] == "zh-hans" and again.data_hash == reports.digest(shown)


def test_changing_the_data_builds_a_new_report(cast, decided, django_capture_on_commit_callbacks):
    first = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="assessment_pdf",
                  assessment=decided)
    Assessment.objects.filter(pk=decided.pk).update(decision_note="补充意见：加强校企合作")
    second = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="assessment_pdf",
                   assessment=Assessment.objects.get(pk=decided.pk))
    assert second.pk != first.pk and second.data_hash != first.data_hash
    assert "补充意见：加强校企合作" in pdf_text(second)


def test_a_lost_build_is_not_reused_forever(cast, decided, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        lost = report_services.request_report(actor=cast["official"], kind="assessment_pdf", assessment=decided)
    Report.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    fresh = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="assessment_pdf",
                  assessment=decided)
    assert fresh.pk != lost.pk
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.error


def test_a_failing_build_says_why_and_can_be_retried(cast, assessment, django_capture_on_commit_callbacks):
    report = Report.objects.create(kind="assessment_pdf", assessment=assessment, data_hash="0" * 64)
    assert build_report(report.id) == "failed"
    report.refresh_from_db()
    with translation.override("zh-hans"):
        why = translation.gettext("The assessment is not decided yet: its report is made once it is.")
    assert (report.status, report.error, bool(report.file)) == ("failed", why, False)

    with pytest.raises(StateConflict):  # still not decided: refused at once, nothing queued
        report_services.retry_report(report=report, actor=cast["official"])
    decided = services.assessment_decide(assessment=under_review(assessment, cast), actor=cast["official"])
    with django_capture_on_commit_callbacks() as queued:
        retried = report_services.retry_report(report=report, actor=cast["official"])
    assert len(queued) == 1 and retried.status == "pending"
    assert build_report(retried.id) == "done"
    retried.refresh_from_db()
    assert retried.status == "done" and decided.alliance.name in pdf_text(retried)
    with pytest.raises(StateConflict):
        report_services.retry_report(report=retried, actor=cast["official"])


def test_an_unexpected_error_is_stored_and_logged(cast, city_decided, caplog):
    report = Report.objects.create(kind="city_pdf", cycle=city_decided, data_hash="0" * 64)
    city_decided.assessments.filter(alliance__name=ELECTRONIC).update(working=[{"code": "A1.1", "used": ["1"]}])
    assert build_report(report.id) == "failed"  # a working table the builder cannot read
    report.refresh_from_db()
    assert report.status == "failed" and "KeyError" in report.error and not report.file
    assert any("failed" in record.getMessage() for record in caplog.records)


def test_nothing_is_requested_for_what_is_not_decided(cast, assessment, cycle):
    with pytest.raises(StateConflict):
        report_services.request_report(actor=cast["official"], kind="assessment_pdf", assessment=assessment)
    with pytest.raises(StateConflict):
        report_services.request_report(actor=cast["official"], kind="city_xlsx", cycle=cycle)
    with pytest.raises(DomainError):
        report_services.request_report(actor=cast["official"], kind="city_xlsx", assessment=assessment)
    assert not Report.objects.exists()


def test_who_may_request_which_report(cast, decided, cycle):
    for who in ("expert", "weifang_official", "outsider", "anonymous", "director"):
        with pytest.raises(NotAllowed):
            report_services.request_report(actor=cast[who], kind="assessment_pdf", assessment=decided)
    for who in ("secretariat", "expert", "weifang_official"):
        with pytest.raises(NotAllowed):
            report_services.request_report(actor=cast[who], kind="city_pdf", cycle=cycle)
    services.assessment_publish(assessment=decided, actor=cast["official"])
    published = Assessment.objects.get(pk=decided.pk)
    for who in ("anonymous", "outsider", "director", "expert"):
        report_services.request_report(actor=cast[who], kind="assessment_pdf", assessment=published)


# Pages

ROLES = ["anonymous", "official", "secretariat", "director", "contact", "expert", "outsider", "weifang_official",
         "weifang_secretariat"]


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


def done_report(**subject):
    report = Report.objects.create(data_hash="f" * 64, status="done", progress=100, finished_at=timezone.now(),
                                   **subject)
    report.file.save("test.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return report


@pytest.fixture
def pages(cast, decided, cycle):
    return {
        "decided": decided.pk, "cycle": cycle.pk,
        "undecided": cycle.assessments.exclude(pk=decided.pk).first().pk,
        "report": done_report(kind="assessment_pdf", assessment=decided).pk,
        "city_report": done_report(kind="city_xlsx", cycle=cycle).pk,
    }


OFFICIAL_AND_SECRETARIAT = _expect(404, official=200, secretariat=200)
PAGES = [
    ("POST", "request/assessment_pdf/{decided}/", _expect(404, official=302, secretariat=302, expert=403)),
    ("POST", "request/assessment_pdf/{undecided}/", _expect(404, official=409)),
    ("POST", "request/city_xlsx/{cycle}/", _expect(404, official=302, secretariat=403, expert=403)),
    ("POST", "request/city_pdf/{cycle}/", _expect(404, official=302, secretariat=403, expert=403)),
    ("POST", "request/no_such_kind/{cycle}/", _expect(404)),
    ("GET", "request/assessment_pdf/{decided}/", _expect(405)),
    ("GET", "{report}/", OFFICIAL_AND_SECRETARIAT),
    ("GET", "{report}/download/", OFFICIAL_AND_SECRETARIAT),
    ("GET", "{city_report}/", _expect(404, official=200)),
    ("GET", "{city_report}/download/", _expect(404, official=200)),
    ("POST", "{report}/retry/", _expect(404, official=409, secretariat=409)),
]


@pytest.mark.parametrize(("method", "url", "expected"), PAGES, ids=[f"{m} {u}" for m, u, _e in PAGES])
def test_report_page_permissions(cast, pages, client_for, method, url, expected, django_capture_on_commit_callbacks):
    """Each page against each role (the roles in one test: the decided assessment is costly to set up)."""
    address = "/assessments/reports/" + url.format(**pages)
    answers = {}
    for role in ROLES:
        browser = client_for(cast[role])
        with django_capture_on_commit_callbacks():
            response = browser.get(address) if method == "GET" else browser.post(address)
        answers[role] = response.status_code
    assert answers == expected, address


def test_a_published_assessments_report_is_for_everyone(cast, pages, client_for):
    services.assessment_publish(assessment=Assessment.objects.get(pk=pages["decided"]), actor=cast["official"])
    for role in ROLES:
        response = client_for(cast[role]).get(f"/assessments/reports/{pages['report']}/download/")
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert client_for(None).get(f"/assessments/reports/{pages['city_report']}/download/").status_code == 404


def test_the_download_refuses_who_may_not_see_the_assessment(cast, pages, client_for):
    for role in ("outsider", "weifang_official", "director", "anonymous"):
        response = client_for(cast[role]).get(f"/assessments/reports/{pages['report']}/download/")
        assert response.status_code == 404
        assert b"PDF" not in response.content


def test_report_files_are_not_served_from_media_url(cast, pages, client_for):
    report = Report.objects.get(pk=pages["report"])
    assert client_for(cast["official"]).get(f"/media/{report.file.name}").status_code == 404


def test_the_download_is_an_attachment_named_after_its_subject(cast, decided, client_for,
                                                                django_capture_on_commit_callbacks):
    report = build(django_capture_on_commit_callbacks, actor=cast["secretariat"], kind="assessment_pdf",
                   assessment=decided)
    response = client_for(cast["secretariat"]).get(f"/assessments/reports/{report.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_request_page_queues_and_the_status_fragment_polls_until_done(cast, decided, client_for,
                                                                          django_capture_on_commit_callbacks):
    official = client_for(cast["official"])
    with django_capture_on_commit_callbacks() as queued:
        response = official.post(f"/assessments/reports/request/assessment_pdf/{decided.pk}/")
    assert len(queued) == 1 and response.status_code == 302
    report = Report.objects.get(assessment=decided)
    assert response["Location"] == f"/assessments/reports/{report.pk}/"

    page = official.get(response["Location"])
    assert page.status_code == 200 and "淄博高新技术产业开发区市域产教联合体" in page.content.decode()
    fragment = official.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment and "<html" not in fragment

    build_report(report.id)
    fragment = official.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and f"/assessments/reports/{report.pk}/download/" in fragment

    with django_capture_on_commit_callbacks() as queued:  # asked again from an HTMX button: the ready fragment
        again = official.post(f"/assessments/reports/request/assessment_pdf/{decided.pk}/", HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and queued == []
    assert f"/assessments/reports/{report.pk}/download/" in again.content.decode()


def test_a_failed_report_shows_why_and_offers_a_retry(cast, assessment, client_for,
                                                      django_capture_on_commit_callbacks):
    report = Report.objects.create(kind="assessment_pdf", assessment=assessment, data_hash="0" * 64)
    build_report(report.id)
    official = client_for(cast["official"])
    fragment = official.get(f"/assessments/reports/{report.pk}/", HTTP_HX_REQUEST="true").content.decode()
    report.refresh_from_db()
    assert report.error in fragment and f"/assessments/reports/{report.pk}/retry/" in fragment
    assert official.post(f"/assessments/reports/{report.pk}/retry/").status_code == 409  # still undecided
    services.assessment_decide(assessment=under_review(assessment, cast), actor=cast["official"])
    with django_capture_on_commit_callbacks() as queued:
        response = official.post(f"/assessments/reports/{report.pk}/retry/")
    assert response.status_code == 302 and len(queued) == 1
    assert Report.objects.filter(assessment=assessment, status="pending").count() == 1


# Query counts: the city comparison reads a flat number of queries, however many alliances


def test_the_city_comparison_reads_a_flat_number_of_queries(framework):
    city = City.objects.create(name="计数市")
    official = UserFactory()
    RoleGrant.objects.create(user=official, role="official", city=city)
    today = timezone.localdate()
    cycle = Cycle.objects.create(framework=framework, city=city, title="计数", opens_on=today,
                                 self_assessment_due=today, review_due=today, created_by=official)
    working = aggregate(frameworks.leaves(framework), [{k: D(v) for k, v in FULL.items()}]).working

    def add(n):
        Assessment.objects.bulk_create(
            Assessment(cycle=cycle, alliance=alliance, status="decided", final_score=D("100.00"),
                       veto_failed=False, grade="excellent", working=working)
            for alliance in AllianceFactory.create_batch(n, city=city))

    def count():
        fresh = Cycle.objects.get(pk=cycle.pk)
        with CaptureQueriesContext(connection) as context:
            data = reports.city_data(fresh, kind="city_xlsx")
            reports.city_xlsx(data)
        return len(context.captured_queries), len(data["ranking"]), context

    add(10)
    small, rows, _ = count()
    assert rows == 10
    add(90)
    large, rows, context = count()
    assert rows == 100
    assert large == small, "\n".join(q["sql"] for q in context.captured_queries)


# A real worker


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_report_from_redis(settings):
    from celery.contrib.testing.worker import start_worker

    from alliance.demo import HIGH_TECH
    from config.celery import app
    from tests.conftest import load_cast

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs REDIS_URL"
    load_cast()
    official, secretariat = User.objects.get(username="official"), User.objects.get(username="secretariat")
    cast = {"official": official, "secretariat": secretariat}
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    framework = services.framework_publish(
        framework=services.framework_import(actor=official, data=FRAMEWORK), actor=official)
    cycle = open_cycle(official, framework, high_tech.city, [high_tech])
    decided = services.assessment_decide(assessment=under_review(cycle.assessments.get(), cast), actor=official)
    app.control.purge()

    with tasks_seen() as seen, start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        with transaction.atomic():
            report = report_services.request_report(actor=secretariat, kind="assessment_pdf", assessment=decided)
            assert seen.published == [], "queued before the commit"
            assert Report.objects.get(pk=report.pk).status == "pending"
        assert seen.published == [build_report.name]  # queued at the commit
        assert wait_for(lambda: Report.objects.get(pk=report.pk).status in ("done", "failed")), report.pk

    report.refresh_from_db()
    assert (report.status, report.progress, report.error) == ("done", 100, "")
    assert HIGH_TECH in pdf_text(report)


# The requester's language


def test_a_report_asked_for_in_english_is_built_in_english_and_kept_apart(cast, city_decided, high_tech,
                                                                         django_capture_on_commit_callbacks):
    chinese = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="city_xlsx", cycle=city_decided)
    english = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="city_xlsx", cycle=city_decided,
                    language="en")
    assert (chinese.language, english.language) == ("zh-hans", "en") and english.pk != chinese.pk
    with english.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert book.sheetnames[0] == "Ranking"
    assert high_tech.name_en in [row[1] for row in book["Ranking"].iter_rows(min_row=2, values_only=True)]
    assert report_services.download_name(english).startswith(high_tech.city.name_en)
    # Asked again in either language: the report of that language, not a new build.
    again = report_services.request_report(actor=cast["official"], kind="city_xlsx", cycle=city_decided, language="en")
    assert again.pk == english.pk
    assert report_services.request_report(actor=cast["official"], kind="city_xlsx", cycle=city_decided).pk == chinese.pk


def test_the_report_page_asks_in_the_readers_language(cast, client_for, city_decided,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = client_for(cast["official"]).post(f"/assessments/reports/request/city_xlsx/{city_decided.pk}/",
                                                     headers={"accept-language": "en"})
    assert response.status_code == 302
    assert Report.objects.filter(cycle=city_decided).latest("id").language == "en"


def test_an_unknown_language_falls_back_to_chinese(cast, city_decided, django_capture_on_commit_callbacks):
    report = build(django_capture_on_commit_callbacks, actor=cast["official"], kind="city_xlsx", cycle=city_decided,
                   language="fr")
    assert report.language == "zh-hans"
