"""The council's ballot end to end in the real Debian Chromium (/usr/bin/chromium) through Playwright: a
director opens "needs my vote", chooses yes and confirms it (HTMX swaps the ballot box in place), the
secretariat closes the vote, and the director finds the adopted result with its resolution number.

The setup is the one of tests/test_browser_assessments.py: ``live_server`` is transactional and flushes the
database afterwards, so the test loads the cast itself; Chromium runs in a thread of its own.
"""

import re

from playwright.sync_api import expect

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from governance.models import Ballot, Motion
from governance.services import votes
from members.models import User
from tests.browser import assert_no_browser_errors, fast_password_hashing, log_in, open_page  # noqa: F401
from tests.conftest import load_cast
from tests.governance_data import council, meeting_with_open_motion, seats
from tests.test_browser_assessments import in_browser_thread  # noqa: F401

DIRECTOR_NAME = "理事1"


def test_a_director_votes_and_sees_the_adopted_result(in_browser_thread, live_server,  # noqa: F811
                                                                    request):
    load_cast()
    secretariat = User.objects.get(username="secretariat")
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    _meeting, motion = meeting_with_open_motion(high_tech, secretariat, title="关于共建产业学院的议案")

    in_browser_thread(director_votes_yes, live_server.url, f"{request.node.name}-vote", motion.pk)
    director = User.objects.get(username="director1")
    ballot = Ballot.objects.get(motion=motion)
    assert (ballot.seat.user, ballot.choice) == (director, "yes")

    # The other directors vote and the secretariat closes the vote (through the services).
    for seat in seats(council(high_tech))[1:]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes" if seat.pk % 3 else "abstain")
    closed = votes.motion_close(motion=Motion.objects.get(pk=motion.pk), actor=secretariat)
    assert closed.adopted and closed.resolution_number

    in_browser_thread(director_sees_the_result, live_server.url, f"{request.node.name}-result", motion.pk,
                      closed.resolution_number, closed.yes_count)


def director_votes_yes(browser, base_url, name, motion_pk):
    with open_page(browser, base_url, name) as page:
        log_in(page, "director1", DIRECTOR_NAME)
        page.locator("header nav a[href='/governance/votes/']").click()
        expect(page).to_have_url(re.compile(r"/governance/votes/$"))
        row = page.locator(f"#motions tr[data-motion='{motion_pk}']")
        expect(row).to_contain_text("关于共建产业学院的议案")
        page.evaluate("window.__notReloaded = true")
        row.locator("button[name=choice][value=yes]").click()
        expect(row.locator("form.ballot[data-step='confirm'] [data-choice='yes']")).to_be_visible()
        with page.expect_response(lambda response: response.request.headers.get("hx-request") == "true") as voted:
            row.locator("form.ballot button.confirm").click()
        assert voted.value.status == 200
        expect(row.locator("[data-voted='yes']")).to_be_visible()
        expect(row.locator("button[name=choice]")).to_have_count(0)
        assert page.evaluate("window.__notReloaded") is True
        assert_no_browser_errors(page)


def director_sees_the_result(browser, base_url, name, motion_pk, number, yes):
    with open_page(browser, base_url, name) as page:
        log_in(page, "director1", DIRECTOR_NAME)
        page.goto("/governance/votes/")
        expect(page.locator(f"#motions tr[data-motion='{motion_pk}']")).to_have_count(0)
        page.goto(f"/governance/motions/{motion_pk}/")
        expect(page.locator("#motion-state")).to_have_attribute("data-state", "closed")
        expect(page.locator("#result")).to_have_attribute("data-adopted", "yes")
        expect(page.locator("#resolution-number")).to_have_text(number)
        expect(page.locator("#tally-yes")).to_have_text(str(yes))
        expect(page.locator("#eligible")).to_have_text("9")
        expect(page.locator("#ballots tr[data-seat]")).to_have_count(9)
        assert_no_browser_errors(page)
