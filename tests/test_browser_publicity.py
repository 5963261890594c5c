"""Publicity end to end in the real Debian Chromium (/usr/bin/chromium) through Playwright: the secretariat
writes a typical case with a picture and publishes it; the public finds it on the alliance's public page on a
phone-sized screen (375 px), picture and all; a contact reads an announcement, and the secretariat sees it read.

The setup is the one of tests/test_browser_assessments.py: ``live_server`` is transactional and flushes the
database afterwards, so each test loads the cast itself; Chromium runs in a thread of its own.
"""

import re

import pytest
from playwright.sync_api import expect

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from members.models import User
from publicity.models import AnnouncementReceipt, NewsItem
from tests.browser import assert_no_browser_errors, fast_password_hashing, log_in, open_page  # noqa: F401
from tests.conftest import load_cast
from tests.publicity_data import announcement, picture
from tests.test_browser_assessments import in_browser_thread  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
SECRETARIAT_NAME = "李秘书（联合体秘书处）"
CONTACT_NAME = "张经理（成员企业）"
CASE_TITLE = "校企共建智能制造产业学院"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_secretariat_publishes_a_typical_case_that_the_public_page_shows(in_browser_thread, live_server,  # noqa: F811
                                                                             media, request, tmp_path):
    load_cast()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    image = tmp_path / "基地.png"
    image.write_bytes(picture("PNG", size=(640, 360)))

    in_browser_thread(secretariat_publishes_a_case, live_server.url, f"{request.node.name}-secretariat",
                      high_tech.pk, str(image))
    case = NewsItem.objects.get(title=CASE_TITLE)
    assert (case.kind, case.status, case.image_type) == ("typical_case", "published", "image/png")

    in_browser_thread(the_public_finds_it, live_server.url, f"{request.node.name}-public", high_tech.pk, case.pk)


def secretariat_publishes_a_case(browser, base_url, name, alliance_pk, image_path):
    with open_page(browser, base_url, name) as page:
        log_in(page, "secretariat", SECRETARIAT_NAME)
        page.goto(f"/alliances/{alliance_pk}/")
        page.locator("#publicity-panel #write-news").click()
        expect(page).to_have_url(re.compile(rf"/alliances/{alliance_pk}/news/new/$"))
        page.locator("#id_kind").select_option("typical_case")
        page.locator("#id_title").fill(CASE_TITLE)
        page.locator("#id_body").fill("联合体牵头企业与淄博职业学院共建产业学院。\n\n首届学生全部在淄博就业。")
        page.locator("#id_image").set_input_files(image_path)
        page.locator("#id_image_caption").fill("产业学院实训车间")
        page.locator("#news-form button[type=submit]").click()
        expect(page.locator("#news-item")).to_have_attribute("data-status", "draft")
        page.locator("#publish").click()
        expect(page.locator("#news-item")).to_have_attribute("data-status", "published")
        expect(page.locator("#news-item h1")).to_have_text(CASE_TITLE)
        assert_no_browser_errors(page)


def the_public_finds_it(browser, base_url, name, alliance_pk, case_pk):
    with open_page(browser, base_url, name) as page:
        page.set_viewport_size(PHONE)
        page.goto(f"/alliances/{alliance_pk}/public/")
        expect(page.locator("#public-page h1")).to_contain_text(HIGH_TECH)
        cases = page.locator("#public-cases")
        expect(cases.locator(f"li[data-news='{case_pk}']")).to_contain_text(CASE_TITLE)
        expect(page.locator("#public-members")).to_be_visible()
        assert fits_the_screen(page)
        cases.locator(f"li[data-news='{case_pk}'] a").click()
        expect(page).to_have_url(re.compile(rf"/news/{case_pk}/$"))
        picture_shown = page.locator("#news-item img.news-image")
        expect(picture_shown).to_have_attribute("alt", "产业学院实训车间")
        page.wait_for_function("() => document.querySelector('#news-item img.news-image').naturalWidth === 640")
        expect(page.locator("#news-body p")).to_have_count(2)
        assert fits_the_screen(page)
        assert_no_browser_errors(page)


def test_a_contact_reads_an_announcement_and_the_secretariat_sees_it_read(in_browser_thread, live_server,  # noqa: F811
                                                                         request):
    load_cast()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    sent = announcement(high_tech, User.objects.get(username="secretariat"), title="关于报送三张清单的通知",
                        important=True)
    contact = User.objects.get(username="contact")

    in_browser_thread(contact_reads, live_server.url, f"{request.node.name}-contact", sent.pk)
    assert AnnouncementReceipt.objects.get(announcement=sent, user=contact).read_at is not None
    unread = AnnouncementReceipt.objects.filter(announcement=sent, read_at__isnull=True).count()
    assert unread >= 1
    in_browser_thread(secretariat_sees_it_read, live_server.url, f"{request.node.name}-secretariat", sent.pk,
                      contact.pk, unread)


def contact_reads(browser, base_url, name, announcement_pk):
    with open_page(browser, base_url, name) as page:
        page.set_viewport_size(PHONE)
        log_in(page, "contact", CONTACT_NAME)
        unread = page.locator(f"#unread-announcements li[data-announcement='{announcement_pk}']")
        expect(unread).to_contain_text("关于报送三张清单的通知")
        assert fits_the_screen(page)
        unread.locator("a").click()
        expect(page.locator("#announcement-body")).to_contain_text("请各成员单位按时报送。")
        expect(page.locator("#read-mark")).to_be_visible()
        page.goto("/")
        expect(page.locator("#unread-announcements")).to_have_count(0)
        assert_no_browser_errors(page)


def secretariat_sees_it_read(browser, base_url, name, announcement_pk, contact_pk, unread):
    with open_page(browser, base_url, name) as page:
        log_in(page, "secretariat", SECRETARIAT_NAME)
        page.goto(f"/announcements/{announcement_pk}/")
        expect(page.locator(f"#receipts tr[data-user='{contact_pk}']")).to_have_attribute("data-read", "yes")
        expect(page.locator("#receipts tr[data-read='no']")).to_have_count(unread)
        assert_no_browser_errors(page)
