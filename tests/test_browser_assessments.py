"""The assessment pages end to end in the real Debian Chromium (/usr/bin/chromium) through Playwright:
an expert scores and submits a review, the official decides and finds the grade on the dashboard.

The launch setup is the one of tests/test_browser.py: ``live_server`` is transactional and flushes
the database afterwards, so each test loads the cast itself; logins go through the real login form;
assertions on Chinese pages rest on ids, data attributes, numbers and demo data, not on how complete
the zh_Hans catalogue is.
"""

import datetime
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django import db
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from assessments import services
from assessments.models import Assessment, Review
from members.models import User
from tests.browser import assert_no_browser_errors, fast_password_hashing, log_in, open_page  # noqa: F401
from tests.conftest import load_cast
from tests.shared import CHROMIUM, CHROMIUM_ARGS
from tests.test_assessments import SMALL

EXPERT_NAME = "评审专家1"
OFFICIAL_NAME = "王主任（市教育局）"
# 40 × 9/10 + 35 × 8/10 + 25 × 5/5 = 36 + 28 + 25 = 89.00: qualified (75 ≤ 89 < 90).
EXPERT_SCORES = {"A1": "9", "B1": "8", "B2": "5"}


@pytest.fixture(scope="module")
def in_browser_thread():
    """Run a callable in a thread of its own that owns Chromium: `in_browser_thread(fn, *args)` calls
    `fn(browser, *args)` there and returns its result or raises its error.

    The launch is the one of tests/test_browser.py, but that module keeps its Playwright running in the
    main thread for the whole session, and a second sync Playwright cannot start in a thread whose event
    loop is already running. A thread of our own has none, so both modules run in one session in any order.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM} (make test-system-packages).")
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
    running = {}

    def start():
        running["playwright"] = sync_playwright().start()
        running["browser"] = running["playwright"].chromium.launch(executable_path=CHROMIUM, headless=True,
                                                                    args=CHROMIUM_ARGS)

    def stop():
        running["browser"].close()
        running["playwright"].stop()

    def call(function, *args):
        def in_thread():
            try:
                return function(running["browser"], *args)
            finally:
                db.connections.close_all()  # this thread's own database connection

        return executor.submit(in_thread).result()

    # Playwright's event loop runs in the thread that also queries the database (as in tests/test_browser.py),
    # and the test's own queries may run while the other module's loop runs in the main thread.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        executor.submit(start).result()
        try:
            yield call
        finally:
            executor.submit(stop).result()
            executor.shutdown()


def log_out(page):
    page.locator("header form[action='/accounts/logout/'] button").click()
    expect(page.locator("header a[href='/accounts/login/']")).to_be_visible()


def assessment_under_review():
    """The high-tech alliance's assessment, self-assessed and submitted, with expert1 assigned."""
    official = User.objects.get(username="official")
    secretariat = User.objects.get(username="secretariat")
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    framework = services.framework_publish(framework=services.framework_import(actor=official, data=SMALL),
                                           actor=official)
    today = timezone.localdate()
    cycle = services.cycle_open(actor=official, framework=framework, city=high_tech.city, title="2026年度考核",
                                opens_on=today, self_assessment_due=today + datetime.timedelta(days=30),
                                review_due=today + datetime.timedelta(days=60), alliances=[high_tech])
    assessment = cycle.assessments.get()
    services.self_assessment_save(assessment=assessment, actor=secretariat,
                                  scores={"A1": "9", "B1": "9", "B2": "5", "C1": "1"},
                                  narratives={"B1": "共建技术技能创新平台两个"})
    services.self_assessment_submit(assessment=assessment, actor=secretariat)
    review = services.experts_assign(assessment=assessment, actor=official,
                                     experts=[User.objects.get(username="expert1")])[0]
    return assessment, review


def test_an_expert_scores_and_submits_then_the_official_decides_and_sees_the_grade(in_browser_thread, live_server,
                                                                                    request):
    load_cast()
    assessment, review = assessment_under_review()
    in_browser_thread(expert_then_official, live_server.url, request.node.name, assessment.pk, review.pk)


def expert_then_official(browser, base_url, name, assessment_pk, review_pk):
    with open_page(browser, base_url, name) as page:
        expert_scores_and_submits(page, Review.objects.select_related("assessment__cycle").get(pk=review_pk))
        official_decides_and_sees_the_grade(page, Assessment.objects.select_related("alliance", "cycle")
                                            .get(pk=assessment_pk))
        assert_no_browser_errors(page)


def expert_scores_and_submits(page, review):
    assessment = review.assessment

    # The expert finds the review through the navigation and the list of assigned reviews.
    log_in(page, "expert1", EXPERT_NAME)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator("header nav a[href='/assessments/']").click()
    expect(page).to_have_url(re.compile(r"/assessments/$"))
    row = page.locator(f"#expert-reviews tr[data-review='{review.pk}']")
    expect(row).to_contain_text(HIGH_TECH)
    due = assessment.cycle.review_due
    expect(row).to_contain_text(f"{due.year}年{due.month}月{due.day}日")
    row.locator(f"a[href='/assessments/reviews/{review.pk}/']").click()
    expect(page).to_have_url(re.compile(rf"/assessments/reviews/{review.pk}/$"))
    expect(page.locator("#review-status")).to_have_attribute("data-status", "assigned")
    expect(page.locator("tr[data-code='B1']")).to_contain_text("共建技术技能创新平台两个")  # the narrative

    form = page.locator("#review-form")
    expect(form.locator("[name='score_A1']")).to_have_attribute("max", "10")
    expect(form.locator("[name='score_B2']")).to_have_attribute("max", "5")
    form.locator("#id_declared_no_conflict").check()
    for code, score in EXPERT_SCORES.items():
        form.locator(f"[name='score_{code}']").fill(score)
        form.locator(f"[name='comment_{code}']").fill(f"{code}：材料翔实")
    form.locator("[name='score_C1']").select_option("1")
    form.locator("[name='comment']").fill("建设成效较好，建议加强科研创新。")

    # Saving goes through HTMX: the form is swapped in place, the page is not reloaded.
    page.evaluate("window.__notReloaded = true")
    with page.expect_response(lambda response: response.request.headers.get("hx-request") == "true") as saved:
        page.locator("#review-save").click()
    assert saved.value.status == 200
    expect(page.locator("#review .saved")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    stored = Review.objects.get(pk=review.pk)
    assert stored.status == "assigned" and stored.scores == {**EXPERT_SCORES, "C1": "1"}
    assert stored.declared_no_conflict is True

    page.locator("#review-submit").click()
    expect(page.locator("#review-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#review-locked")).to_be_visible()
    expect(page.locator("#review-form")).to_have_count(0)
    expect(page.locator("ul.messages li.success")).to_have_count(1)
    stored = Review.objects.get(pk=review.pk)
    assert stored.status == "submitted" and stored.comment == "建设成效较好，建议加强科研创新。"
    assert stored.comments["B1"] == "B1：材料翔实"
    log_out(page)


def official_decides_and_sees_the_grade(page, assessment):
    high_tech = assessment.alliance
    # The official decides on the assessment page, reached from the cycle.
    log_in(page, "official", OFFICIAL_NAME)
    page.locator("header nav a[href='/assessments/']").click()
    page.locator("#official-cycles").get_by_role("link", name="2026年度考核").click()
    expect(page).to_have_url(re.compile(rf"/assessments/cycles/{assessment.cycle_id}/$"))
    page.locator(f"tr[data-assessment='{assessment.pk}'] a").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment.pk}/$"))
    expect(page.locator("#preview")).to_contain_text("89.00")
    decide = page.locator("#decide-form")
    decide.locator("[name='note']").fill("考核合格。")
    decide.locator("button[type=submit]").click()

    expect(page.locator("#grade")).to_have_attribute("data-grade", "qualified")
    expect(page.locator("#final-score")).to_have_text("89.00")
    expect(page.locator("#working tr[data-code='A1']")).to_contain_text("36.00")
    expect(page.locator("#working tfoot")).to_contain_text("89.00")
    decided = Assessment.objects.get(pk=assessment.pk)
    assert (decided.status, decided.grade, str(decided.final_score)) == ("decided", "qualified", "89.00")

    # The dashboard shows the grade and the score, and draws both charts with the local Chart.js.
    page.locator(f"main a[href='/assessments/cycles/{assessment.cycle_id}/']").first.click()
    page.locator("main a[href='/assessments/dashboard/']").click()
    expect(page).to_have_url(re.compile(r"/assessments/dashboard/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    row = page.locator(f"#alliances tr[data-alliance='{high_tech.pk}']")
    expect(row.locator("[data-grade]")).to_have_attribute("data-grade", "qualified")
    expect(row.locator("[data-score]")).to_have_text("89.00")
    expect(page.locator("#grade-distribution tr[data-grade='qualified'] td")).to_have_text("1")
    page.wait_for_function("() => window.Chart && Chart.getChart('trend-chart') && Chart.getChart('grade-chart')")
    trend = page.evaluate("() => Chart.getChart('trend-chart').data")
    assert trend["labels"] == ["2026年度考核"]
    assert {"label": HIGH_TECH, "data": [89]} in [{"label": d["label"], "data": d["data"]} for d in trend["datasets"]]
    grades = page.evaluate("() => Chart.getChart('grade-chart').data.datasets[0].data")
    assert grades == [0, 1, 0, 0]
