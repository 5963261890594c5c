"""The metric values of an alliance and a period over the API (`alliances/<id>/metrics/`), and the list of the
metrics a framework leaf can be bound to (`metrics/`): who may read them, bad input, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services
from assessments.metrics import metrics
from members.models import User
from tests.test_assessment_prefill import hold_meeting, open_assessment

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = f"start={TODAY.year}-01-01&end={TODAY.year}-12-31"


def url(alliance, query=PERIOD):
    return f"/api/v1/alliances/{alliance.pk}/metrics/?{query}"


def test_the_list_of_metrics_is_public(api_for):
    response = api_for(None).get("/api/v1/metrics/")
    assert response.status_code == 200
    keys = [row["key"] for row in response.json()]
    assert keys == [one.key for one in metrics()]
    assert {"meetings_held", "quorum_rate", "tasks_on_time", "members_total", "technology_needs_matched",
            "supply_demand_events_held"} <= set(keys)


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("outsider", 403), ("contact", 403), ("director", 403), ("expert", 403),
    ("weifang_official", 403), ("weifang_secretariat", 403), ("secretariat", 200), ("official", 200),
])
def test_who_reads_an_alliances_figures(cast, high_tech, api_for, who, status):
    response = api_for(cast[who]).get(url(high_tech))
    assert response.status_code == status, response.content
    if status == 200:
        body = response.json()
        assert (body["alliance"], body["start"], body["end"]) == (high_tech.pk, f"{TODAY.year}-01-01",
                                                                  f"{TODAY.year}-12-31")
        assert [row["metric"] for row in body["metrics"]] == [one.key for one in metrics()]


def test_an_expert_reviewing_the_alliance_reads_its_figures(cast, high_tech, api_for):
    assessment = open_assessment(cast, high_tech)
    services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores={"B1": "8", "C1": "1"})
    services.self_assessment_submit(assessment=assessment, actor=cast["secretariat"])
    services.experts_assign(assessment=assessment, actor=cast["official"],
                            experts=[User.objects.get(username="expert1")])
    assert api_for(cast["expert"]).get(url(high_tech)).status_code == 200
    assert api_for(User.objects.get(username="expert2")).get(url(high_tech)).status_code == 403


def test_an_alliance_the_user_cannot_see_is_a_404(cast, other_alliance, api_for):
    assert api_for(cast["secretariat"]).get(url(other_alliance)).status_code in (403, 404)
    assert api_for(cast["official"]).get("/api/v1/alliances/99999999/metrics/?" + PERIOD).status_code == 404


@pytest.mark.parametrize(("query", "field"), [
    ("", "start"), (f"start={TODAY.year}-01-01", "end"), ("start=abc&end=2026-01-01", "start"),
    ("start=2026-12-31&end=2026-01-01", "end"), ("start=2000-01-01&end=2026-01-01", "end"),
    (PERIOD + "&metrics=meetings_held,no_such_metric", "metrics"),
])
def test_bad_input_is_a_400_naming_the_field(cast, high_tech, api_for, query, field):
    response = api_for(cast["official"]).get(url(high_tech, query))
    assert response.status_code == 400
    assert field in response.json()


def test_one_metric_with_its_working_and_evidence(cast, high_tech, api_for):
    hold_meeting(high_tech, cast["secretariat"])
    response = api_for(cast["official"]).get(url(high_tech, PERIOD + "&metrics=meetings_held,quorum_rate"),
                                             headers={"accept-language": "en"})
    rows = {row["metric"]: row for row in response.json()["metrics"]}
    assert set(rows) == {"meetings_held", "quorum_rate"}
    held = rows["meetings_held"]
    assert held["label"] == "Meetings held" and held["unit"] == "count"
    assert int(held["value"]) >= 1 and held["working"]["counts"]["held"] == int(held["value"])
    assert "meetings marked held" in held["working"]["text"]
    assert held["evidence"][0]["url"].startswith("/governance/meetings/")
    assert rows["quorum_rate"]["unit"] == "percent"


def test_the_query_count_does_not_grow_with_the_records(cast, high_tech, api_for):
    api = api_for(cast["official"])
    api.get(url(high_tech))
    with CaptureQueriesContext(connection) as before:
        api.get(url(high_tech))
    for _ in range(3):
        hold_meeting(high_tech, cast["secretariat"])
    with CaptureQueriesContext(connection) as after:
        response = api.get(url(high_tech))
    assert int(next(row for row in response.json()["metrics"] if row["metric"] == "meetings_held")["value"]) >= 3
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_period_is_read_as_given(cast, high_tech, api_for):
    long_ago = "start=2001-01-01&end=2001-12-31"
    rows = {row["metric"]: row for row in api_for(cast["official"]).get(url(high_tech, long_ago)).json()["metrics"]}
    assert rows["meetings_held"]["value"] == "0" and rows["quorum_rate"]["value"] is None
    assert datetime.date(2001, 1, 1) < TODAY


# The page ---------------------------------------------------------------------------------

def page(alliance, query=PERIOD):
    return f"/assessments/alliances/{alliance.pk}/figures/?{query}"


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 302), ("outsider", 403), ("contact", 403), ("director", 403), ("expert", 403),
    ("weifang_official", 403), ("weifang_secretariat", 403), ("secretariat", 200), ("official", 200),
])
def test_who_opens_an_alliances_figures_page(cast, high_tech, client_for, who, status):
    response = client_for(cast[who]).get(page(high_tech))
    assert response.status_code == status
    if status == 200:
        assert 'data-metric="meetings_held"' in response.content.decode()


def test_the_page_shows_the_figures_in_the_readers_language(cast, high_tech, client_for):
    hold_meeting(high_tech, cast["secretariat"])
    browser = client_for(cast["official"])
    english = browser.get(page(high_tech), headers={"accept-language": "en"}).content.decode()
    assert "Meetings held" in english and "meetings marked held within the period" in english
    assert "/governance/meetings/" in english
    chinese = browser.get(page(high_tech), headers={"accept-language": "zh-hans"}).content.decode()
    assert "期内已召开会议" in chinese
    assert browser.get(f"/assessments/alliances/{high_tech.pk}/figures/").status_code == 200  # this year so far


@pytest.mark.parametrize("query", ["start=2026-12-31&end=2026-01-01", "start=abc&end=2026-01-01",
                                   "start=2000-01-01&end=2026-01-01"])
def test_a_bad_period_is_a_form_error(cast, high_tech, client_for, query):
    response = client_for(cast["official"]).get(page(high_tech, query), headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_the_pages_query_count_does_not_grow_with_the_records(cast, high_tech, client_for):
    browser = client_for(cast["secretariat"])
    browser.get(page(high_tech))
    with CaptureQueriesContext(connection) as before:
        browser.get(page(high_tech))
    for _ in range(3):
        hold_meeting(high_tech, cast["secretariat"])
    with CaptureQueriesContext(connection) as after:
        browser.get(page(high_tech))
    assert len(after.captured_queries) == len(before.captured_queries)


def test_an_unseen_alliance_is_a_404(cast, client_for):
    assert client_for(cast["official"]).get("/assessments/alliances/99999999/figures/").status_code == 404
