"""A framework leaf bound to a metric with a scoring rule: data in the framework JSON, validated like the rest of
it (unknown metric, thresholds that do not increase, a score above the leaf's maximum are refused, saying where),
kept through export and import, and turned into a score by exact rules."""

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import override

from assessments import frameworks, services
from assessments.bindings import bound_score
from assessments.models import Framework
from kernel.errors import DomainError
from tests.shared import small_framework

pytestmark = pytest.mark.django_db

THRESHOLDS = {"metric": "meetings_held", "rule": "thresholds",
              "thresholds": [{"at_least": "1", "score": "4"}, {"at_least": "2", "score": "7"},
                             {"at_least": "4", "score": "10"}]}
LINEAR = {"metric": "members_total", "rule": "linear", "full_at": "30"}


def bound(name="绑定测试指标体系", a1=THRESHOLDS, b2=LINEAR, c1=None):
    data = small_framework(name)
    leaves = {"A1": data["indicators"][0]["children"][0], "B2": data["indicators"][1]["children"][1],
              "C1": data["indicators"][2]["children"][0]}
    for code, binding in (("A1", a1), ("B2", b2), ("C1", c1)):
        if binding is not None:
            leaves[code]["binding"] = binding
    return data


def test_bindings_are_kept_through_export_and_import(cast):
    framework = services.framework_import(actor=cast["official"], data=bound(
        c1={"metric": "members_total", "rule": "thresholds", "thresholds": [{"at_least": 30, "score": 1}]}))
    exported = frameworks.export(framework)
    leaves = {node["code"]: node for group in exported["indicators"] for node in group["children"]}
    assert leaves["A1"]["binding"] == THRESHOLDS
    assert leaves["B2"]["binding"] == LINEAR
    assert leaves["C1"]["binding"]["thresholds"] == [{"at_least": "30", "score": "1"}]
    assert leaves["B1"]["binding"] is None
    again = services.framework_import(actor=cast["official"], data=exported)
    assert frameworks.export(again)["indicators"] == exported["indicators"]
    assert set(frameworks.bindings(again)) == {"A1", "B2", "C1"}


def _steps(*pairs):
    return {"metric": "meetings_held", "rule": "thresholds",
            "thresholds": [{"at_least": value, "score": score} for value, score in pairs]}


@pytest.mark.parametrize(("changes", "words"), [
    ({"a1": {"metric": "no_such_metric", "rule": "linear", "full_at": "3"}}, ["A1", "binding.metric", "no_such_metric"]),
    ({"a1": _steps(("2", "4"), ("1", "7"))}, ["A1", "binding.thresholds[1]"]),  # values decrease
    ({"a1": _steps(("1", "7"), ("2", "7"))}, ["A1", "binding.thresholds[1]"]),  # scores do not increase
    ({"a1": _steps(("1", "4"), ("2", "11"))}, ["A1", "binding.thresholds[1].score", "10"]),  # above the max
    ({"b2": {"metric": "members_total", "rule": "linear", "full_at": "5"} | {"full_at": "0"}},
     ["B2", "binding.full_at"]),
    ({"b2": {"metric": "members_total", "rule": "steps"}}, ["B2", "binding.rule"]),
    ({"a1": {"metric": "meetings_held", "rule": "thresholds", "thresholds": []}}, ["A1", "binding.thresholds"]),
    ({"a1": _steps(("x", "4"))}, ["A1", "binding.thresholds[0].at_least"]),
    ({"c1": _steps(("1", "2"))}, ["C1", "binding.thresholds[0].score"]),  # a veto scores 0 or 1
    ({"c1": {"metric": "members_total", "rule": "linear", "full_at": "30"}}, ["C1", "binding.rule"]),
    ({"a1": "meetings_held"}, ["A1", "binding"]),
])
def test_a_bad_binding_is_refused_saying_where_and_nothing_is_saved(cast, changes, words):
    before = Framework.objects.count()
    with pytest.raises(DomainError) as caught:
        services.framework_import(actor=cast["official"], data=bound(**changes))
    for word in words:
        assert word in str(caught.value.message)
    assert Framework.objects.count() == before


def test_a_group_cannot_be_bound(cast):
    data = bound()
    data["indicators"][0]["binding"] = LINEAR
    with pytest.raises(DomainError) as caught, override("en"):
        services.framework_import(actor=cast["official"], data=data)
    assert "Indicator A, binding: only a scored indicator (a leaf)" in str(caught.value.message)


def test_a_framework_with_bindings_still_refuses_weights_that_do_not_add_up(cast):
    data = bound()
    data["indicators"][0]["weight"] = "50"
    data["indicators"][0]["children"][0]["weight"] = "50"
    with pytest.raises(DomainError, match="100"):
        services.framework_import(actor=cast["official"], data=data)


def test_the_api_answers_a_bad_binding_with_a_400_naming_the_field(cast, api_for):
    before = Framework.objects.count()
    response = api_for(cast["official"]).post(
        "/api/v1/frameworks/", bound(a1={"metric": "nonexistent", "rule": "linear", "full_at": "2"}), format="json")
    assert response.status_code == 400
    assert "indicators" in response.json()
    assert "binding.metric" in response.json()["indicators"][0]
    response = api_for(cast["official"]).post(
        "/api/v1/frameworks/", bound(a1=_steps(("1", "4"), ("2", "3"))), format="json")
    assert response.status_code == 400 and "binding.thresholds[1]" in response.json()["indicators"][0]
    assert Framework.objects.count() == before


def test_the_api_shows_and_takes_bindings(cast, api_for):
    response = api_for(cast["official"]).post("/api/v1/frameworks/", bound(), format="json")
    assert response.status_code == 201
    leaf = response.json()["indicators"][0]["children"][0]
    assert leaf["binding"] == THRESHOLDS


def test_the_page_shows_a_bad_binding_as_a_form_error(cast, client_for):
    framework = services.framework_import(actor=cast["official"], data=bound("页面绑定测试"))
    browser = client_for(cast["official"])
    tree = bound()["indicators"]
    tree[0]["children"][0]["binding"] = _steps(("1", "4"), ("2", "20"))
    response = browser.post(f"/assessments/frameworks/{framework.pk}/edit/",
                            {"indicators": json.dumps(tree)}, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "binding.thresholds[1].score" in response.content.decode()
    page = browser.get(f"/assessments/frameworks/{framework.pk}/").content.decode()
    assert "Meetings held" in page or "会议" in page


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (0, D("0.00")), (D("0.9"), D("0.00")), (1, D("4.00")), (3, D("7.00")), (4, D("10.00")),
    (100, D("10.00")),
])
def test_thresholds_give_the_score_of_the_highest_step_reached(value, expected):
    assert bound_score(THRESHOLDS, value, D(10)) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (0, D("0.00")), (10, D("1.67")), (15, D("2.50")), (30, D("5.00")), (45, D("5.00")),
])
def test_linear_reaches_the_maximum_at_full_at(value, expected):
    assert bound_score(LINEAR, value, D(5)) == expected


def test_the_shipped_framework_binds_leaves_where_a_metric_fits():
    data = json.loads((Path(settings.BASE_DIR) / "assessments" / "data" / "seed_000.json").read_text())
    flat = frameworks.validate(data)
    bound_leaves = {node["code"]: node["binding"]["metric"] for node in flat if node["binding"]}
    assert bound_leaves["A1.3"] == "meetings_held"
    assert bound_leaves["B2.1"] == "supply_demand_events_held"
    assert bound_leaves["C1.2"] == "members_total"
    assert len(bound_leaves) >= 8
