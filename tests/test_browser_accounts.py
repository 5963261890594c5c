"""Accounts end to end in the real Debian Chromium (/usr/bin/chromium) through Playwright, on a phone-sized
screen (375 px): a new person accepts an invitation, chooses a password and lands on the home page with
their role; a contact turns on two-factor authentication and logs in again with a code from the app.

The setup is the one of tests/test_browser_assessments.py: ``live_server`` is transactional and flushes the
database afterwards, so each test loads the cast itself; Chromium runs in a thread of its own.
"""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from members.invitations import invitation_create, invitation_token
from members.models import RoleGrant, User
from tests.browser import PASSWORD, assert_no_browser_errors, fast_password_hashing, in_menu, open_page  # noqa: F401
from tests.conftest import load_cast
from tests.test_browser_assessments import in_browser_thread  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
NEW_PASSWORD = "violet-harbour-lantern-42"
CONTACT_NAME = "张经理（成员企业）"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_new_person_accepts_an_invitation_and_lands_on_the_home_page_with_the_role(
        in_browser_thread, live_server, request):  # noqa: F811
    load_cast()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    official = User.objects.get(username="official")
    invitation = invitation_create(actor=official, email="wang.fang@test.invalid", kind="role",
                                   payload={"role": "secretariat", "alliance": high_tech.pk})

    in_browser_thread(accept, live_server.url, request.node.name, invitation_token(invitation))

    user = User.objects.get(pk=invitation.user_id)
    assert user.is_active and user.username == "wangfang" and user.check_password(NEW_PASSWORD)
    assert RoleGrant.objects.filter(user=user, role="secretariat", alliance=high_tech).exists()


def accept(browser, base_url, name, token):
    with open_page(browser, base_url, name) as page:
        page.set_viewport_size(PHONE)
        page.goto(f"/invitations/accept/{token}/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("main")).to_contain_text(HIGH_TECH)
        assert fits_the_screen(page)
        page.locator("#id_full_name").fill("王芳")
        page.locator("#id_username").fill("wangfang")
        page.locator("#id_password1").fill(NEW_PASSWORD)
        page.locator("#id_password2").fill(NEW_PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
        expect(page.locator("header")).to_contain_text("王芳")
        expect(page.locator("main")).to_contain_text("秘书处")  # the role on the home page
        assert fits_the_screen(page)
        # The link is used up.
        response = page.goto(f"/invitations/accept/{token}/")
        assert response.status == 409
        expect(page.locator("main h1")).to_be_visible()
        assert_no_browser_errors(page, expected=[f"HTTP 409: GET {base_url}/invitations/accept/{token}/"])


def test_a_contact_turns_on_two_factor_and_logs_in_with_a_code(in_browser_thread, live_server,  # noqa: F811
                                                               request):
    load_cast()
    in_browser_thread(two_factor_round_trip, live_server.url, request.node.name)
    assert User.objects.get(username="contact").totpdevice_set.filter(confirmed=True).exists()


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    """What the phone shows for the key typed in from the page."""
    totp = TOTP(b32decode(secret.replace(" ", "")), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def log_in_with_password(page):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("contact")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def two_factor_round_trip(browser, base_url, name):
    with open_page(browser, base_url, name) as page:
        page.set_viewport_size(PHONE)
        log_in_with_password(page)
        expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
        in_menu(page, "header a[href='/accounts/']").click()
        page.locator("#two-factor a[href='/accounts/two-factor/']").click()
        expect(page.locator("img.qr-code")).to_be_visible()
        assert page.locator("img.qr-code").evaluate("img => img.naturalWidth") > 0
        assert fits_the_screen(page)
        secret = page.locator("#totp-secret").inner_text()
        page.locator("#id_code").fill(code_for(secret))
        page.locator("main form.stack button[type=submit]").click()
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        assert fits_the_screen(page)
        in_menu(page, "header form[action='/accounts/logout/'] button").click()

        log_in_with_password(page)
        expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
        page.locator("#id_code").fill(code_for(secret, steps_ahead=1))
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
        expect(page.locator("header")).to_contain_text(CONTACT_NAME)
        assert_no_browser_errors(page)
