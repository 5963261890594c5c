"""End-to-end tests in the real Debian Chromium (/usr/bin/chromium) through Playwright.

They run against pytest-django's ``live_server``, which is transactional: the
database is flushed afterwards, so each test loads the cast itself. Logins go
through the real login form. On Chinese pages the assertions do not depend on
how complete the zh_Hans catalogue is: they check ``<html lang>``, demo data,
URLs and ids; English text is checked only where the locale is en.
"""

import os
import re

import pytest
from playwright.sync_api import expect, sync_playwright

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from members.models import Membership, Organization
from members.uscc import ALPHABET
from members.views import REGISTER_PAGE_SIZE
from tests.browser import assert_no_browser_errors, fast_password_hashing, log_in, open_page  # noqa: F401
from tests.conftest import load_cast, new_uscc
from tests.shared import CHROMIUM, CHROMIUM_ARGS

SECRETARIAT_NAME = "李秘书（联合体秘书处）"
OFFICIAL_NAME = "王主任（市教育局）"


@pytest.fixture(scope="session")
def browser():
    # The sync API runs an event loop in this thread, so Django's ORM would raise
    # SynchronousOnlyOperation for queries made by the test while Playwright is active
    # (the documented workaround; it only lifts that check, for the rest of the session).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        if not os.access(CHROMIUM, os.X_OK):
            pytest.fail(f"The browser tests need Chromium at {CHROMIUM} (make test-system-packages).")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser, live_server, request):
    with open_page(browser, live_server.url, request.node.name) as tab:
        yield tab


def test_secretariat_enrols_a_new_unit_and_finds_it_in_the_register(page):
    load_cast()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    uscc = new_uscc()
    name = "淄博浏览器测试精密制造有限公司"

    log_in(page, "secretariat", SECRETARIAT_NAME)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#language-switch button[value=en]")).to_have_text("English")

    # The home page lists the secretariat's alliance: open it.
    page.locator("main").get_by_role("link", name=HIGH_TECH, exact=True).first.click()
    expect(page).to_have_url(re.compile(rf"/alliances/{high_tech.pk}/$"))
    expect(page.locator("h1")).to_contain_text(HIGH_TECH)
    expect(page.locator("main")).to_contain_text("淄博职业学院")  # its lead school

    page.locator(f"main a[href='/alliances/{high_tech.pk}/members/add/']").click()
    expect(page).to_have_url(re.compile(rf"/alliances/{high_tech.pk}/members/add/$"))
    expect(page.locator("h1")).to_contain_text(HIGH_TECH)

    form = page.locator("#member-add-form")
    form.locator("#id_uscc").fill(uscc)
    form.locator("#id_name").fill(name)
    form.locator("#id_type").select_option("enterprise")
    form.locator("#id_size").select_option("small")
    form.locator("button[type=submit]").click()

    # Back on the alliance page, with a success message naming the unit.
    expect(page).to_have_url(re.compile(rf"/alliances/{high_tech.pk}/$"))
    expect(page.locator("ul.messages li.success")).to_contain_text(name)

    # The member register, searched through the HTMX filter box.
    page.locator("header nav a[href='/register/']").click()
    expect(page).to_have_url(re.compile(r"/register/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    rows = page.locator("#register-table tbody tr")
    expect(rows).to_have_count(REGISTER_PAGE_SIZE)  # a full first page of the demo register, before searching
    page.evaluate("window.__notReloaded = true")

    with page.expect_response(
        lambda response: "/register/?" in response.url and response.request.headers.get("hx-request") == "true"
    ) as htmx:
        page.locator("#id_q").press_sequentially("浏览器测试", delay=20)
    assert htmx.value.status == 200

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(name)
    expect(rows.first).to_contain_text(uscc)
    expect(rows.first).to_contain_text(HIGH_TECH)
    expect(page).to_have_url(re.compile(r"/register/\?.*q=%E6%B5%8F%E8%A7%88%E5%99%A8"))  # hx-push-url
    assert page.evaluate("window.__notReloaded") is True  # swapped in place, not a full page load
    expect(page.locator("h1")).to_have_count(1)  # the table alone was swapped in, not a whole page

    # The row links to the unit's page.
    rows.first.get_by_role("link", name=name, exact=True).click()
    expect(page.locator("h1")).to_contain_text(name)

    membership = Membership.objects.select_related("organization").get(organization__uscc=uscc)
    assert membership.alliance_id == high_tech.pk
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MEMBER
    assert membership.organization.name == name
    assert membership.organization.type == Organization.Type.ENTERPRISE
    assert membership.organization.city_id == high_tech.city_id
    assert_no_browser_errors(page)


def test_official_switches_the_interface_to_english(page):
    load_cast()
    log_in(page, "official", OFFICIAL_NAME)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main")).to_contain_text(HIGH_TECH)  # the alliances in the official's city

    page.locator("#language-switch button[value=en]").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))  # back on the page it was switched on
    expect(page.locator("h1")).to_have_text(f"Welcome, {OFFICIAL_NAME}")
    expect(page.locator("header nav")).to_contain_text("Member register")
    expect(page.locator("header")).to_contain_text("Log out")
    switch_back = page.locator("#language-switch button")
    expect(switch_back).to_have_count(1)
    expect(switch_back).to_have_attribute("value", "zh-hans")
    expect(switch_back).to_have_text("中文")
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies.get("django_language") == "en"

    # Another page, reached through the navigation, stays in English.
    page.locator("header nav a[href='/register/']").click()
    expect(page).to_have_url(re.compile(r"/register/$"))
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Member register")
    expect(page.locator("#id_q")).to_have_attribute("placeholder", "Name or credit code")

    # And a page loaded afresh too.
    page.goto("/alliances/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Alliances")
    expect(page.locator("main")).to_contain_text(HIGH_TECH)

    # The switch works back to Chinese.
    page.locator("#language-switch button[value=zh-hans]").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(r"/alliances/$"))
    expect(page.locator("#language-switch button[value=en]")).to_have_text("English")
    assert_no_browser_errors(page)


def test_a_wrong_check_character_is_refused_and_nothing_is_saved(page):
    load_cast()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    valid = new_uscc()
    wrong = ALPHABET[(ALPHABET.index(valid[-1]) + 1) % len(ALPHABET)]
    bad = valid[:-1] + wrong
    name = "淄博错误代码测试有限公司"
    organizations_before = Organization.objects.count()
    members_before = Membership.objects.filter(alliance=high_tech).count()

    log_in(page, "secretariat", SECRETARIAT_NAME)
    page.goto(f"/alliances/{high_tech.pk}/members/add/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    form = page.locator("#member-add-form")
    form.locator("#id_uscc").fill(bad)
    form.locator("#id_name").fill(name)
    form.locator("#id_type").select_option("enterprise")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        form.locator("button[type=submit]").click()
    assert posted.value.status == 400

    expect(page).to_have_url(re.compile(rf"/alliances/{high_tech.pk}/members/add/$"))
    uscc_field = form.locator("#id_uscc")
    expect(uscc_field).to_have_attribute("aria-invalid", "true")
    expect(uscc_field).to_have_value(bad)
    expect(form.locator("#id_name")).to_have_value(name)
    errors = form.locator("ul.errorlist")
    expect(errors).to_have_count(1)
    expect(errors).to_be_visible()
    # The message names the expected and the given check character, in any language.
    error_text = errors.inner_text()
    assert valid[-1] in error_text and wrong in error_text
    expect(page.locator("ul.messages")).to_have_count(0)

    assert Organization.objects.count() == organizations_before
    assert not Organization.objects.filter(uscc__in=[bad, valid]).exists()
    assert not Organization.objects.filter(name=name).exists()
    assert Membership.objects.filter(alliance=high_tech).count() == members_before
    assert_no_browser_errors(page, expected=[f"HTTP 400: POST {posted.value.url}"])
