"""Matching in the real Debian Chromium through Playwright: the city's official imports the industry table of a
statistical yearbook and reads the city's comparison (its chart drawn, the working one click away); the matching
pages have no WCAG 2.1 A/AA violation at 1366 and 375 px. The setup is that of tests/test_browser_cooperation.py.
"""

import io

from openpyxl import Workbook
from playwright.sync_api import expect

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from matching.models import IndustryFigure
from tests.browser import assert_no_browser_errors, fast_password_hashing, log_in, open_page  # noqa: F401
from tests.conftest import load_cast
from tests.test_browser_assessments import in_browser_thread  # noqa: F401
from tests.test_browser_pages import axe_pages

OFFICIAL_NAME = "王主任（市教育局）"


def _yearbook(path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["表 3-2 分行业增加值与从业人员"])
    sheet.append(["年份", "行业代码", "行业", "增加值（亿元）", "从业人员（万人）"])
    sheet.append([2019, "C", "制造业", 1580.4, 61.2])
    sheet.append([2019, "I", "信息传输、软件和信息技术服务业", 98.6, 3.1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())


def test_the_official_imports_the_yearbook_table_and_reads_the_city_comparison(in_browser_thread,  # noqa: F811
                                                                                live_server, request, tmp_path):
    load_cast()
    city_id = Alliance.objects.get(name=HIGH_TECH).city_id
    upload = tmp_path / "yearbook.xlsx"
    _yearbook(upload)
    in_browser_thread(official_imports_and_compares, live_server.url, request.node.name, city_id, str(upload))
    assert IndustryFigure.objects.get(city_id=city_id, year=2019, sector__code="C").jobs == 612_000


def official_imports_and_compares(browser, base_url, name, city_id, upload):
    with open_page(browser, base_url, name) as page:
        log_in(page, "official", OFFICIAL_NAME)
        page.goto(f"/matching/cities/{city_id}/figures/import/")
        page.locator("#id_file").set_input_files(upload)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("#import-done")).to_contain_text("2")
        page.goto(f"/matching/cities/{city_id}/")
        expect(page.locator("#alliances tbody tr[data-alliance]")).to_have_count(3)
        page.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('alliances-chart'))")
        expect(page.locator("#working table").first).to_be_hidden()
        page.locator("#working summary").click()
        expect(page.locator("#working table").first).to_be_visible()
        page.locator("#alliances a").first.click()
        expect(page.locator("#coupling tbody tr")).to_have_count(3)
        page.wait_for_function("() => window.Chart.getChart(document.getElementById('shares-chart'))")
        assert_no_browser_errors(page)


def test_the_matching_pages_have_no_accessibility_violations(in_browser_thread, live_server, request):  # noqa: F811
    load_cast()
    alliance = Alliance.objects.get(name=HIGH_TECH)
    city = alliance.city_id
    pages = {"official": [f"/matching/alliances/{alliance.pk}/", f"/matching/cities/{city}/",
                          f"/matching/cities/{city}/figures/", f"/matching/cities/{city}/mappings/"]}
    violations = in_browser_thread(axe_pages, live_server.url, request.node.name, pages)
    assert violations == [], "\n".join(violations)
