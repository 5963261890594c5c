"""Cooperation projects in the real Debian Chromium through Playwright, on a phone's screen (375 px): the
secretariat records a project with a partner unit, records its trainees of the year and confirms them, and the
open self-assessment, saved again, shows the bound indicator's figure and score grown by them; the city's
official compares the participation of the city's alliances (the chart drawn, nothing wider than the screen).

The setup is that of tests/test_browser_cooperation.py: ``live_server`` is transactional and flushes the database
afterwards, so the test loads the cast itself; Chromium runs in a thread of its own.
"""

import datetime
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from assessments import services
from cooperation.models import Outcome, Project
from members.models import User
from tests.browser import (  # noqa: F401
    assert_no_browser_errors,
    fast_password_hashing,
    in_menu,
    log_in,
    open_page,
)
from tests.conftest import load_cast
from tests.shared import small_framework
from tests.test_browser_assessments import in_browser_thread  # noqa: F401
from tests.test_browser_pages import axe_pages, page_width

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
SECRETARIAT_NAME = "李秘书（联合体秘书处）"
OFFICIAL_NAME = "王主任（市教育局）"
TITLE = "智能制造订单班（浏览器测试）"
CYCLE = "项目成果预填考核（浏览器测试）"
TRAINEES = 40
# B2 (培训, at most 5) is scored from the year's confirmed trainees: 1 for any, 5 from 40 person-times.
TRAINEES_BINDING = {"metric": "trainees", "rule": "thresholds",
                    "thresholds": [{"at_least": "1", "score": "1"}, {"at_least": str(TRAINEES), "score": "5"}]}


def _open_cycle(alliance):
    """A cycle of the city open today for the alliance, its B2 bound to the confirmed trainees."""
    official = User.objects.get(username="official")
    data = small_framework("项目成果预填指标体系")
    data["indicators"][1]["children"][1]["binding"] = TRAINEES_BINDING
    framework = services.framework_publish(framework=services.framework_import(actor=official, data=data),
                                           actor=official)
    today = timezone.localdate()
    cycle = services.cycle_open(actor=official, framework=framework, city=alliance.city, title=CYCLE,
                                opens_on=today, self_assessment_due=today + datetime.timedelta(days=30),
                                review_due=today + datetime.timedelta(days=60), alliances=[alliance])
    return cycle.assessments.get()


def test_the_secretariat_records_a_project_and_its_outcome_and_the_self_assessment_shows_it(
        in_browser_thread, live_server, request):  # noqa: F811
    load_cast()
    alliance = Alliance.objects.get(name=HIGH_TECH)
    assessment = _open_cycle(alliance)
    year = assessment.cycle.self_assessment_due.year  # the period's year: its outcomes count
    before = Decimal(assessment.figures["values"]["trainees"]["value"])
    assert before < TRAINEES and assessment.self_scores["B2"] != "5"

    shown = in_browser_thread(secretariat_records_and_sees_the_figure, live_server.url, request.node.name,
                              assessment.pk, year)

    project = Project.objects.get(title=TITLE)
    assert (project.alliance, project.lead.name, project.status) == (alliance, "淄博职业学院", "running")
    assert [partner.organization.name for partner in project.partners.all()] == ["淄博高新区示范企业03（演示）"]
    outcome = Outcome.objects.get(project=project)
    assert (outcome.year, outcome.metric, outcome.value, outcome.confirmed_at is not None) == (
        year, "trainees", TRAINEES, True)
    assessment.refresh_from_db()
    assert Decimal(assessment.figures["values"]["trainees"]["value"]) == before + TRAINEES
    assert assessment.self_scores["B2"] == "5"
    assert shown == {"value": str(before + TRAINEES), "score": "5"}


def secretariat_records_and_sees_the_figure(browser, base_url, name, assessment_pk, year):
    with open_page(browser, base_url, name, **PHONE) as page:
        log_in(page, "secretariat", SECRETARIAT_NAME)
        in_menu(page, "header nav a[href='/cooperation/']").click()
        page.locator("main a[href='/cooperation/projects/new/']").first.click()
        form = page.locator("#project-form")
        form.locator("#id_kind").select_option("order_class")
        form.locator("#id_title").fill(TITLE)
        form.locator("#id_lead").select_option(label="淄博职业学院")
        form.locator("#id_starts_on").fill(f"{year}-03-01")
        form.locator("#id_status").select_option("running")
        form.locator("#id_partners-0-organization").select_option(label="淄博高新区示范企业03（演示）")
        form.locator("#id_partners-0-role").select_option("partner")
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/cooperation/projects/\d+/$"))
        expect(page.locator("#project-status")).to_have_attribute("data-status", "running")
        expect(page.locator("#project-partners")).to_contain_text("淄博高新区示范企业03（演示）")
        assert page_width(page) <= 375

        page.locator("#record-outcome summary").click()
        outcome = page.locator("#outcome-form")
        outcome.locator("#id_year").fill(str(year))
        outcome.locator("#id_metric").select_option("trainees")
        outcome.locator("#id_value").fill(str(TRAINEES))
        outcome.locator("#id_note").fill("数控车工岗前培训两期")
        outcome.locator("button[type=submit]").click()
        row = page.locator("#project-outcomes tr[data-outcome]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(str(TRAINEES))
        row.locator("button.confirm-outcome").click()
        expect(row.locator(".badge.confirmed")).to_be_visible()
        expect(row.locator("button.confirm-outcome")).to_have_count(0)

        in_menu(page, "header nav a[href='/assessments/']").click()
        page.locator(f"main a[href='/assessments/{assessment_pk}/']").first.click()
        leaf = page.locator("#self-assessment tr[data-code='B2']")
        expect(leaf.locator(".figure[data-metric='trainees']")).to_be_visible()
        page.locator("#self-assessment-form button[name=action][value=save]").click()  # the figures computed again
        expect(page.locator("#self-assessment .saved")).to_be_visible()
        leaf = page.locator("#self-assessment tr[data-code='B2']")
        expect(leaf.locator(".figure-score")).to_have_text("5")
        expect(leaf.locator("select, input").first).to_have_value("5")
        expect(leaf.locator(".figure-evidence a", has_text=TITLE)).to_have_count(1)
        assert_no_browser_errors(page)
        return {"value": leaf.locator(".figure-value").inner_text().split()[0],
                "score": leaf.locator(".figure-score").inner_text()}


def test_the_official_compares_the_participation_of_the_city_s_alliances(in_browser_thread, live_server,  # noqa: F811
                                                                         request):
    load_cast()
    city_id = Alliance.objects.get(name=HIGH_TECH).city_id
    in_browser_thread(official_compares_on_a_phone, live_server.url, request.node.name, city_id)
    pages = {"official": [f"/cooperation/cities/{city_id}/participation/"]}
    violations = in_browser_thread(axe_pages, live_server.url, f"{request.node.name}-axe", pages)
    assert violations == [], "\n".join(violations)


def official_compares_on_a_phone(browser, base_url, name, city_id):
    with open_page(browser, base_url, name, **PHONE) as page:
        log_in(page, "official", OFFICIAL_NAME)
        in_menu(page, "header nav a[href='/cooperation/']").click()
        page.locator(f"main a[href='/cooperation/cities/{city_id}/participation/']").click()
        expect(page.locator("#city-participation tbody tr[data-alliance]").first).to_be_visible()
        page.wait_for_function(
            "() => window.Chart && window.Chart.getChart(document.getElementById('participation-chart'))")
        assert page_width(page) <= 375
        page.locator("#city-participation tbody tr[data-alliance] a").first.click()
        expect(page).to_have_url(re.compile(r"/cooperation/alliances/\d+/participation/\?year=\d+$"))
        assert page_width(page) <= 375
        assert_no_browser_errors(page)
