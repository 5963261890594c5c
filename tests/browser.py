"""What the Playwright test modules share: the page with its problem log, the login, fast hashing."""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.conftest import PASSWORD

TIMEOUT_MS = 10_000
SCREENSHOTS = Path("/tmp/alliance-browser-tests")

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The flushed cast is reloaded in every test: hash its ~20 passwords cheaply (PBKDF2 still checks the
    users loaded at session start)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@contextmanager
def open_page(browser, base_url, name, **options):
    """A fresh browser context (no cookies) of a user in China, pointed at the live server (`options` for
    Playwright's new_context, e.g. a phone's viewport).

    `page.problems` collects JavaScript errors, console errors and failed requests; a screenshot
    named `name` is kept in /tmp when the page closes.
    """
    context = browser.new_context(base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    problems = []

    def on_console(message):
        # Failed requests are reported below, with their address.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    def on_response(response):
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.on("console", on_console)
    tab.on("response", on_response)
    tab.problems = problems
    try:
        yield tab
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        try:
            tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        except PlaywrightError:
            pass
        context.close()


def log_in(page, username, shown_as):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))  # LOGIN_REDIRECT_URL: home
    expect(page.locator("header")).to_contain_text(shown_as)
    expect(page.locator("header form[action='/accounts/logout/']")).to_have_count(1)  # folded on a phone


def in_menu(page, selector):
    """A link or form of the header (`selector`), the menu unfolded first when the screen is a phone's."""
    toggle = page.locator("header .nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return page.locator(selector)


def assert_no_browser_errors(page, *, expected=()):
    """No JavaScript errors, no CSP violations (which would silently disable HTMX), no failed requests."""
    assert [problem for problem in page.problems if problem not in expected] == []
