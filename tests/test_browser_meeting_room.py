"""The meeting room on a phone (375 px wide) in the real Debian Chromium through Playwright: a director votes
with a confirmation (and goes back once), the secretariat starts a meeting early, takes the attendance with
"all present" and one proxy (its carrier shown only then), sees who has not voted, and closes the vote after
confirming.

The setup is the one of tests/test_browser_governance.py (live_server flushes; Chromium in its own thread).
"""

from playwright.sync_api import expect

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from governance.models import Attendance, Ballot, Meeting, Motion
from governance.services import votes
from members.models import User
from tests.browser import assert_no_browser_errors, fast_password_hashing, log_in, open_page  # noqa: F401
from tests.conftest import load_cast
from tests.governance_data import council, meeting_with_open_motion, planned_meeting, seats
from tests.test_browser_assessments import in_browser_thread  # noqa: F401

PHONE = {"width": 375, "height": 812}


def _fits_the_screen(page):
    """The page's content is no wider than the phone: nothing to scroll sideways (the site header is another
    matter). A long name cut short with an ellipsis is clipped, so it does not count."""
    overflow = page.evaluate("(m => Math.max(m.scrollWidth, m.getBoundingClientRect().right) - window.innerWidth)"
                             "(document.querySelector('main'))")
    assert overflow <= 1, f"{overflow}px wider than the screen"


def test_a_director_votes_on_a_phone_after_confirming(in_browser_thread, live_server, request):  # noqa: F811
    load_cast()
    secretariat = User.objects.get(username="secretariat")
    _meeting, motion = meeting_with_open_motion(Alliance.objects.get(name=HIGH_TECH), secretariat,
                                                title="关于共建实训基地的议案")
    in_browser_thread(director_votes_no_on_a_phone, live_server.url, f"{request.node.name}", motion.pk)
    ballot = Ballot.objects.get(motion=motion)
    assert (ballot.seat.user.username, ballot.choice) == ("director1", "no")


def director_votes_no_on_a_phone(browser, base_url, name, motion_pk):
    with open_page(browser, base_url, name) as page:
        page.set_viewport_size(PHONE)
        log_in(page, "director1", "理事1")
        page.goto("/governance/votes/")
        row = page.locator(f"#motions tr[data-motion='{motion_pk}']")
        choices = row.locator("button.choice")
        expect(choices).to_have_count(3)
        sizes = [choices.nth(i).bounding_box() for i in range(3)]
        assert len({round(box["height"]) for box in sizes}) == 1 and len({round(box["width"]) for box in sizes}) == 1
        styles = [choices.nth(i).evaluate("b => getComputedStyle(b).backgroundColor + getComputedStyle(b).color")
                  for i in range(3)]
        assert len(set(styles)) == 1, styles  # no choice is suggested
        _fits_the_screen(page)

        row.locator("button[name=choice][value=yes]").click()
        expect(row.locator("[data-step='confirm'] [data-choice='yes']")).to_be_visible()
        row.locator("button[name=back]").click()  # changed their mind
        expect(row.locator("[data-step='choose']")).to_be_visible()
        row.locator("button[name=choice][value=no]").click()
        confirm = row.locator("button.confirm")
        expect(confirm).to_have_text("确认投票")
        _fits_the_screen(page)
        confirm.click()
        expect(row.locator("[data-voted='yes']")).to_contain_text("反对")
        assert_no_browser_errors(page)


def test_the_secretariat_runs_the_meeting_on_a_phone(in_browser_thread, live_server, request):  # noqa: F811
    load_cast()
    secretariat = User.objects.get(username="secretariat")
    body = council(Alliance.objects.get(name=HIGH_TECH))
    meeting = planned_meeting(body, secretariat, hours_ahead=1, title="第六次理事会会议")
    body_seats = seats(body)
    in_browser_thread(secretariat_takes_the_attendance, live_server.url, f"{request.node.name}-attendance",
                      meeting.pk, body_seats[-1].pk, body_seats[0].pk)
    rows = {row.seat_id: row for row in Attendance.objects.filter(meeting=meeting)}
    assert len(rows) == 9 and Meeting.objects.get(pk=meeting.pk).in_session
    assert (rows[body_seats[-1].pk].mode, rows[body_seats[-1].pk].proxy_seat_id) == ("proxy", body_seats[0].pk)
    assert {row.mode for pk, row in rows.items() if pk != body_seats[-1].pk} == {"in_person"}

    motion = votes.motion_open(motion=votes.motion_create(body=body, actor=secretariat, meeting=meeting,
                                                          title="关于年度预算的议案", text="正文。"),
                               actor=secretariat)
    for seat in body_seats[1:6]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    in_browser_thread(secretariat_closes_after_confirming, live_server.url, f"{request.node.name}-close", motion.pk)
    motion = Motion.objects.get(pk=motion.pk)
    assert motion.state == "closed" and motion.adopted


def secretariat_takes_the_attendance(browser, base_url, name, meeting_pk, absent_pk, carrier_pk):
    with open_page(browser, base_url, name) as page:
        page.set_viewport_size(PHONE)
        log_in(page, "secretariat", "李秘书")
        page.goto(f"/governance/meetings/{meeting_pk}/")
        _fits_the_screen(page)
        page.locator("#start-meeting").click()
        expect(page.locator("#meeting-status")).to_have_attribute("data-in-session", "yes")
        page.locator("#facts a[href$='/attendance/']").first.click()
        expect(page.locator("#quorum")).to_be_visible()
        expect(page.locator("#attendance-form .seat-line")).to_have_count(9)
        expect(page.locator(".proxy-fields:visible")).to_have_count(0)
        _fits_the_screen(page)

        page.locator("#all-present").click()
        expect(page.locator("#attendance-saved")).to_be_visible()
        expect(page.locator("#quorum-present")).to_have_text("9")

        line = page.locator(f".seat-line[data-seat='{absent_pk}']")
        line.locator("label.mode-proxy").click()  # the button, not a hidden radio
        carrier = line.locator("select")
        expect(carrier).to_be_visible()
        expect(page.locator(".proxy-fields:visible")).to_have_count(1)
        carrier.select_option(str(carrier_pk))
        _fits_the_screen(page)
        # "Saved" still shows from the first save: wait for this one's answer.
        with page.expect_response(lambda response: response.request.method == "POST") as saved:
            page.locator("#save-attendance").click()
        assert saved.value.ok
        expect(page.locator("#attendance-saved")).to_be_visible()
        expect(page.locator(f".seat-line[data-seat='{absent_pk}'] input[value=proxy]")).to_be_checked()
        assert_no_browser_errors(page)


def secretariat_closes_after_confirming(browser, base_url, name, motion_pk):
    with open_page(browser, base_url, name) as page:
        page.set_viewport_size(PHONE)
        log_in(page, "secretariat", "李秘书")
        page.goto(f"/governance/motions/{motion_pk}/")
        expect(page.locator("#not-voted tr[data-seat]")).to_have_count(4)  # 9 present, 5 voted
        _fits_the_screen(page)
        page.locator("#close-vote").click()
        expect(page.locator("#close-confirm tr[data-seat]")).to_have_count(4)
        page.locator("#confirm-close").click()
        expect(page.locator("#motion-state")).to_have_attribute("data-state", "closed")
        _fits_the_screen(page)
        assert_no_browser_errors(page)
