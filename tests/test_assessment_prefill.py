"""The self-assessment arrives pre-filled with the scores its bound indicators' figures give; the secretariat
changes one only with a reason; the expert sees each figure, its working and its evidence beside the score; the
figures of a submitted self-assessment are frozen."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import Alliance
from assessments import services
from assessments.demo import load_annual_plan, load_assessment_cycle, load_decided_cycle
from assessments.metrics import compute_figures
from assessments.models import AnnualPlan, Assessment
from assessments.prefill import assessment_period, figures_for
from governance.services import meetings
from kernel.errors import DomainError
from members.models import User
from tests import governance_data as gd
from tests.shared import small_framework

pytestmark = pytest.mark.django_db

MEETINGS = {"metric": "meetings_held", "rule": "thresholds",
            "thresholds": [{"at_least": "1", "score": "4"}, {"at_least": "2", "score": "7"},
                           {"at_least": "3", "score": "10"}]}
MEMBERS = {"metric": "members_total", "rule": "linear", "full_at": "200"}
COUNCIL = {"metric": "council_established", "rule": "thresholds", "thresholds": [{"at_least": "1", "score": "1"}]}


def bound_framework(name="预填测试指标体系", extra_bindings=False):
    data = small_framework(name)
    data["indicators"][0]["children"][0]["binding"] = MEETINGS
    data["indicators"][1]["children"][1]["binding"] = MEMBERS
    if extra_bindings:
        data["indicators"][1]["children"][0]["binding"] = {"metric": "resolutions_adopted", "rule": "linear",
                                                           "full_at": "5"}
        data["indicators"][2]["children"][0]["binding"] = COUNCIL
    return data


def hold_meeting(alliance, secretariat, body=None):
    body = body or gd.council(alliance)
    if not body.seats.exists():
        gd.seats(body)
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat, hours_ahead=0.01), secretariat, present=6)
    return meetings.meeting_mark_held(meeting=meeting, actor=secretariat)


def open_assessment(cast, alliance, **framework_kwargs):
    framework = services.framework_import(actor=cast["official"], data=bound_framework(**framework_kwargs))
    framework = services.framework_publish(framework=framework, actor=cast["official"])
    today = timezone.localdate()
    cycle = services.cycle_open(
        actor=cast["official"], framework=framework, city=alliance.city, title="预填考核", opens_on=today,
        self_assessment_due=today + datetime.timedelta(days=30), review_due=today + datetime.timedelta(days=60),
        alliances=[alliance])
    return cycle.assessments.get()


def expected(alliance, cycle):
    figures = compute_figures([alliance.pk], *assessment_period(cycle))[alliance.pk]
    held, members = figures["meetings_held"].value, figures["members_total"].value
    meeting_score = next((step["score"] for step in reversed(MEETINGS["thresholds"])
                          if held >= D(step["at_least"])), "0")
    return held, D(meeting_score), (D(5) * min(D(members) / 200, D(1))).quantize(D("0.01"))


def test_a_new_cycle_arrives_with_the_bound_scores_filled_in(cast, high_tech):
    hold_meeting(high_tech, cast["secretariat"])
    assessment = open_assessment(cast, high_tech)
    held, meeting_score, member_score = expected(high_tech, assessment.cycle)
    assert held >= 1
    assert D(assessment.self_scores["A1"]) == meeting_score
    assert D(assessment.self_scores["B2"]) == member_score
    assert "B1" not in assessment.self_scores and "C1" not in assessment.self_scores
    assert assessment.figures["values"]["meetings_held"]["value"] == str(held)
    assert assessment.figures["values"]["meetings_held"]["evidence"][0]["url"].startswith("/governance/meetings/")
    assert set(assessment.figures["scores"]) == {"A1", "B2"}


def test_changing_a_computed_score_needs_a_reason_which_is_kept(cast, high_tech):
    assessment = open_assessment(cast, high_tech)
    computed = assessment.self_scores["A1"]
    changed = "9" if D(computed) != 9 else "8"
    with pytest.raises(DomainError) as caught:
        services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores={"A1": changed})
    assert caught.value.field == "score_reasons" and "A1" in str(caught.value.message)
    assert Assessment.objects.get(pk=assessment.pk).self_scores["A1"] == computed
    saved = services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores={"A1": changed},
                                          reasons={"A1": "理事会另有两次通讯会议，会议纪要见附件"})
    assert saved.self_scores["A1"] == changed
    assert saved.score_reasons == {"A1": "理事会另有两次通讯会议，会议纪要见附件"}
    saved = services.self_assessment_save(assessment=saved, actor=cast["secretariat"], narratives={"A1": "说明"})
    assert saved.self_scores["A1"] == changed  # an overridden score stays with its reason
    back = services.self_assessment_save(assessment=saved, actor=cast["secretariat"], scores={"A1": computed})
    assert back.score_reasons == {}


def test_a_reason_for_an_unbound_indicator_is_refused(cast, high_tech):
    assessment = open_assessment(cast, high_tech)
    with pytest.raises(DomainError) as caught:
        services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], reasons={"B1": "x"})
    assert caught.value.field == "score_reasons"


def test_the_figures_follow_the_records_until_submission_and_then_are_frozen(cast, high_tech):
    assessment = open_assessment(cast, high_tech)
    before = assessment.figures["values"]["meetings_held"]["value"]
    body = gd.council(high_tech)
    hold_meeting(high_tech, cast["secretariat"], body)
    # the page sends back the score it showed: it follows the new figure without a reason
    saved = services.self_assessment_save(assessment=assessment, actor=cast["secretariat"],
                                          scores={"A1": assessment.self_scores["A1"], "B1": "8", "C1": "1"})
    assert int(saved.figures["values"]["meetings_held"]["value"]) == int(before) + 1
    assert D(saved.self_scores["A1"]) == expected(high_tech, saved.cycle)[1]
    submitted = services.self_assessment_submit(assessment=saved, actor=cast["secretariat"])
    frozen = dict(submitted.figures)
    hold_meeting(high_tech, cast["secretariat"], body)
    again = Assessment.objects.get(pk=assessment.pk)
    assert again.figures == frozen and again.self_scores == submitted.self_scores


def _reviewed_by_expert(cast, high_tech):
    hold_meeting(high_tech, cast["secretariat"])
    assessment = open_assessment(cast, high_tech)
    services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores={"B1": "8", "C1": "1"})
    services.self_assessment_submit(assessment=assessment, actor=cast["secretariat"])
    expert = User.objects.get(username="expert1")
    (review,) = services.experts_assign(assessment=assessment, actor=cast["official"], experts=[expert])
    return Assessment.objects.get(pk=assessment.pk), review


def test_the_expert_sees_figure_working_and_evidence_beside_the_score(cast, high_tech, client_for):
    assessment, review = _reviewed_by_expert(cast, high_tech)
    page = client_for(cast["expert"]).get(f"/assessments/reviews/{review.pk}/",
                                          headers={"accept-language": "en"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-metric="meetings_held"' in html and 'data-metric="members_total"' in html
    assert "meetings marked held within the period" in html
    assert "/governance/meetings/" in html  # the evidence
    assert "The figures are those of the submission" in html


def test_the_api_shows_the_figures_to_those_who_see_the_assessment(cast, high_tech, api_for):
    assessment, _review = _reviewed_by_expert(cast, high_tech)
    for who in ("expert", "official", "secretariat"):
        body = api_for(cast[who]).get(f"/api/v1/assessments/{assessment.pk}/").json()
        figures = body["figures"]
        assert figures["frozen"] is True
        codes = {row["code"]: row for row in figures["indicators"]}
        assert set(codes) == {"A1", "B2"}
        assert codes["A1"]["metric"] == "meetings_held" and codes["A1"]["working"]["counts"]["held"] >= 1
        assert codes["A1"]["evidence"] and codes["A1"]["score"] == body["self_scores"]["A1"]
    for who in ("outsider", "director", "contact", "weifang_official", "anonymous"):
        assert api_for(cast[who]).get(f"/api/v1/assessments/{assessment.pk}/").status_code == 404, who


def test_the_api_refuses_a_changed_score_without_a_reason_naming_the_field(cast, high_tech, api_for):
    assessment = open_assessment(cast, high_tech)
    changed = "9" if D(assessment.self_scores["A1"]) != 9 else "8"
    api = api_for(cast["secretariat"])
    url = f"/api/v1/assessments/{assessment.pk}/"
    response = api.patch(url, {"self_scores": {"A1": changed}}, format="json")
    assert response.status_code == 400 and "score_reasons" in response.json()
    assert Assessment.objects.get(pk=assessment.pk).self_scores == assessment.self_scores
    response = api.patch(url, {"self_scores": {"A1": changed}, "score_reasons": {"A1": "另有说明"}}, format="json")
    assert response.status_code == 200
    assert response.json()["score_reasons"] == {"A1": "另有说明"} and response.json()["figures"]["frozen"] is False
    for who in ("director", "contact", "official", "expert"):
        refused = api_for(cast[who]).patch(url, {"score_reasons": {"A1": "x"}}, format="json")
        assert refused.status_code in (403, 404), who


def test_the_page_asks_for_a_reason_as_a_form_error(cast, high_tech, client_for):
    assessment = open_assessment(cast, high_tech)
    browser = client_for(cast["secretariat"])
    page = browser.get(f"/assessments/{assessment.pk}/", headers={"accept-language": "en"}).content.decode()
    assert 'name="reason_A1"' in page and 'name="reason_B1"' not in page
    assert 'data-metric="meetings_held"' in page
    changed = "9" if D(assessment.self_scores["A1"]) != 9 else "8"
    data = {"score_A1": changed, "score_B2": assessment.self_scores["B2"], "action": "save"}
    response = browser.post(f"/assessments/{assessment.pk}/self-assessment/", data,
                            headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "give a reason for changing it" in response.content.decode()
    data["reason_A1"] = "Two more meetings by correspondence"
    response = browser.post(f"/assessments/{assessment.pk}/self-assessment/", data)
    assert response.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).score_reasons == {"A1": "Two more meetings by correspondence"}


def test_the_pages_queries_do_not_grow_with_the_bound_indicators(cast, high_tech, client_for):
    hold_meeting(high_tech, cast["secretariat"])
    few = open_assessment(cast, high_tech)
    many = open_assessment(cast, high_tech, name="预填测试指标体系（多）", extra_bindings=True)
    assert len(many.figures["scores"]) > len(few.figures["scores"])
    browser = client_for(cast["official"])
    counts = []
    for assessment in (few, many):
        browser.get(f"/assessments/{assessment.pk}/")
        with CaptureQueriesContext(connection) as context:
            assert browser.get(f"/assessments/{assessment.pk}/").status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_the_figures_of_a_cycle_take_queries_that_do_not_grow_with_the_alliances(cast, high_tech):
    assessment = open_assessment(cast, high_tech)
    cycle = assessment.cycle
    counts = []
    for n in (1, 8):
        ids = [high_tech.pk] + [Alliance.objects.create(name=f"批量{n}-{i}", city=high_tech.city).pk
                                for i in range(n - 1)]
        with CaptureQueriesContext(connection) as context:
            figures = figures_for(cycle.framework, cycle, ids)
        counts.append(len(context.captured_queries))
        assert set(figures) == set(ids)
    assert counts[0] == counts[1]


def test_the_demo_opens_this_years_cycle_with_the_self_assessment_prefilled(high_tech):
    assert load_assessment_cycle() is True
    assessment = Assessment.objects.get(alliance=high_tech, cycle__title=f"{timezone.localdate().year}年度建设成效考核")
    assert assessment.status == Assessment.Status.DRAFT
    assert {"A1.3", "A4.2", "B2.1", "C1.2"} <= set(assessment.figures["scores"])
    assert {code for code, bound in assessment.figures["scores"].items() if bound["score"] is not None} <= set(
        assessment.self_scores)
    assert D(assessment.self_scores["A4.2"]) > 0  # the demo alliance has members
    assert load_assessment_cycle() is False


def test_the_demo_has_last_years_cycle_decided_and_this_years_plan_submitted(high_tech):
    assert load_decided_cycle() is True and load_annual_plan() is True
    year = timezone.localdate().year
    decided = Assessment.objects.get(alliance=high_tech, cycle__title=f"{year - 1}年度建设成效考核")
    assert decided.status == Assessment.Status.DECIDED and decided.grade in ("excellent", "qualified")
    assert decided.cycle.review_due.year == year - 1 and decided.decided_at.year == year - 1
    assert decided.reviews.filter(status="submitted").count() == 3
    plan = AnnualPlan.objects.get(alliance=high_tech, year=year)
    assert plan.status == "submitted" and timezone.localdate(plan.submitted_at) <= datetime.date(year, 1, 31)
    assert plan.targets.count() >= 5
    high_tech.refresh_from_db()
    assert high_tech.status == "established"
    assert load_decided_cycle() is False and load_annual_plan() is False
