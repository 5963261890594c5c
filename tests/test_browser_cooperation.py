"""Supply and demand end to end in the real Debian Chromium (/usr/bin/chromium) through Playwright: an
enterprise's contact posts a technology need, a school's contact responds, the enterprise accepts and the
need is matched; the lists fit a phone's screen (375 px).

The setup is the one of tests/test_browser_assessments.py: ``live_server`` is transactional and flushes the
database afterwards, so the test loads the cast itself; Chromium runs in a thread of its own.
"""

import re

from playwright.sync_api import expect

from cooperation.models import Response, TechnologyNeed
from kernel.models import Notification
from tests.browser import assert_no_browser_errors, fast_password_hashing, log_in, open_page  # noqa: F401
from tests.conftest import load_cast
from tests.test_browser_assessments import in_browser_thread  # noqa: F401

CONTACT_NAME = "张经理（成员企业）"
SCHOOL_NAME = "赵老师（淄博职业学院）"
TITLE = "陶瓷轴承套圈磨削烧伤检测"


def test_an_enterprise_posts_a_need_a_school_responds_and_the_enterprise_accepts(in_browser_thread,  # noqa: F811
                                                                                   live_server, request):
    load_cast()
    name = request.node.name
    need_id = in_browser_thread(enterprise_posts_a_need, live_server.url, f"{name}-post")
    need = TechnologyNeed.objects.get(pk=need_id)
    assert (need.title, need.status, need.organization.name) == (TITLE, "open", "淄博高新区示范企业03（演示）")

    in_browser_thread(school_responds, live_server.url, f"{name}-respond", need_id)
    response = Response.objects.get(need=need)
    assert (response.status, response.organization.name) == ("proposed", "淄博职业学院")
    assert Notification.objects.filter(key__startswith=f"cooperation:response:{response.pk}:proposed:",
                                       user__username="contact").count() == 1

    in_browser_thread(enterprise_accepts, live_server.url, f"{name}-accept", need_id, response.pk)
    need.refresh_from_db()
    response.refresh_from_db()
    assert (need.status, response.status) == ("matched", "accepted")
    assert Notification.objects.filter(key__startswith=f"cooperation:response:{response.pk}:accepted:",
                                       user__username="school").count() == 1

    in_browser_thread(the_lists_fit_a_phone, live_server.url, f"{name}-phone")


def enterprise_posts_a_need(browser, base_url, name):
    with open_page(browser, base_url, name) as page:
        log_in(page, "contact", CONTACT_NAME)
        page.locator("#own-needs a[href='/cooperation/technology-needs/new/']").click()
        expect(page).to_have_url(re.compile(r"/cooperation/technology-needs/new/$"))
        form = page.locator("#entry-form")
        form.locator("#id_alliance").select_option(label="淄博高新技术产业开发区市域产教联合体")
        form.locator("#id_title").fill(TITLE)
        form.locator("#id_description").fill("陶瓷轴承套圈磨削后表面烧伤难以目检，需要在线检测方法。")
        form.locator("#id_form").select_option("contract")
        form.locator("#id_budget_min").fill("100000")
        form.locator("#id_budget_max").fill("300000")
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/cooperation/technology-needs/\d+/$"))
        expect(page.locator("#entry-status")).to_have_attribute("data-status", "open")
        expect(page.locator("h1")).to_contain_text(TITLE)
        assert_no_browser_errors(page)
        return int(re.search(r"/(\d+)/$", page.url).group(1))


def school_responds(browser, base_url, name, need_id):
    with open_page(browser, base_url, name) as page:
        log_in(page, "school", SCHOOL_NAME)
        page.goto(f"/cooperation/technology-needs/{need_id}/")
        form = page.locator("#respond-form")
        form.locator("#id_note").fill("我校有磨削工艺实训中心与视觉检测设备，可联合开发在线检测方法。")
        form.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_be_visible()
        expect(page.locator("#responses tr[data-response] [data-status]")).to_have_attribute("data-status",
                                                                                             "proposed")
        expect(page.locator("#respond-form")).to_have_count(1)  # still open: another unit of the school may respond
        assert_no_browser_errors(page)


def enterprise_accepts(browser, base_url, name, need_id, response_id):
    with open_page(browser, base_url, name) as page:
        log_in(page, "contact", CONTACT_NAME)
        waiting = page.locator(f"#responses-waiting a[href='/cooperation/technology-needs/{need_id}/#responses']")
        expect(waiting).to_contain_text(TITLE)
        waiting.click()
        row = page.locator(f"#responses tr[data-response='{response_id}']")
        expect(row).to_contain_text("淄博职业学院")
        row.locator("button.accept").click()
        expect(page.locator("#entry-status")).to_have_attribute("data-status", "matched")
        expect(row.locator("[data-status]")).to_have_attribute("data-status", "accepted")
        expect(row.locator("button.accept")).to_have_count(0)
        assert_no_browser_errors(page)


def the_lists_fit_a_phone(browser, base_url, name):
    context = browser.new_context(base_url=base_url, locale="zh-CN", viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        for path in ("/cooperation/technology-needs/", "/cooperation/talent-needs/", "/cooperation/"):
            page.goto(path)
            expect(page.locator("main h1")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, width)
        page.screenshot(path=f"/tmp/alliance-browser-tests/{name}.png", full_page=True)
    finally:
        context.close()
