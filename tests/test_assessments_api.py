"""The assessments API: who may do what, the whole cycle over HTTP, bad input, flat query counts."""

import copy
import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.demo import HIGH_TECH
from alliance.models import Alliance, City
from assessments import frameworks, services
from assessments.models import Assessment, Cycle, Framework, RectificationItem, Review
from members.models import RoleGrant, User
from tests.conftest import cast_users
from tests.factories import AllianceFactory, UserFactory
from tests.shared import small_framework
from tests.test_permissions_pages import ROLES

pytestmark = pytest.mark.django_db

SMALL = small_framework("接口测试指标体系")
FULL = {"A1": "8", "B1": "9", "B2": "4", "C1": "1"}  # 32 + 31.5 + 20 = 83.50: qualified


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def small(name=SMALL["name"]):
    return {**copy.deepcopy(SMALL), "name": name}


def published_framework(official, name=SMALL["name"]):
    framework = services.framework_import(actor=official, data=small(name))
    return services.framework_publish(framework=framework, actor=official)


def open_cycle(official, framework, alliance, title="2026年度考核"):
    return services.cycle_open(actor=official, framework=framework, city=alliance.city, title=title,
                               opens_on=days(0), self_assessment_due=days(30), review_due=days(60),
                               alliances=[alliance])


STAGES = ["draft", "filled", "submitted", "reviewing", "scored", "reviewed", "decided", "published"]


def assessment_at(stage, cast, framework, alliance):
    """An assessment taken through the services up to `stage`, and expert1's review once assigned."""
    official, secretariat, expert = cast["official"], cast["secretariat"], cast["expert1"]
    assessment = open_cycle(official, framework, alliance, title=f"{stage}考核").assessments.get()
    review = None
    steps = [
        lambda: services.self_assessment_save(assessment=assessment, actor=secretariat, scores=FULL),
        lambda: services.self_assessment_submit(assessment=assessment, actor=secretariat),
        lambda: services.experts_assign(assessment=assessment, actor=official, experts=[expert]),
        lambda: services.review_save(review=review, actor=expert, scores=FULL, declared_no_conflict=True),
        lambda: services.review_submit(review=review, actor=expert),
        lambda: services.assessment_decide(assessment=assessment, actor=official, note="合格"),
        lambda: services.assessment_publish(assessment=assessment, actor=official),
    ]
    for step in steps[:STAGES.index(stage)]:
        result = step()
        if isinstance(result, list):
            review = result[0]
    return assessment, review


# The permission matrix ----------------------------------------------------------


@pytest.fixture(scope="module")
def built_world(module_transaction):
    """A published and a draft framework, and the high-tech alliance's assessment at every stage (with expert1's
    review once assigned); built once for the module, each test sees it as built (see module_transaction)."""
    cast = cast_users()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    official = cast["official"]
    framework = published_framework(official)
    draft = services.framework_import(actor=official, data=small("草稿指标体系"))
    ids = {"fw": framework.pk, "draft_fw": draft.pk, "zibo": high_tech.city_id, "ht": high_tech.pk,
           "expert1": cast["expert1"].pk}
    for stage in STAGES:
        assessment, review = assessment_at(stage, cast, framework, high_tech)
        ids[stage] = assessment.pk
        ids[f"{stage}_cycle"] = assessment.cycle_id
        if review:
            ids[f"{stage}_review"] = review.pk
    return ids


@pytest.fixture(autouse=True)
def world(built_world, db):
    """The ids of the module's assessments (autouse: every test of the module runs on the same rows)."""
    return dict(built_world)


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


ANYONE = _expect(200)
SIGNED_IN = _expect(200, anonymous=401)
OFFICIALS = {"official": 200}  # a draft belongs to its city's officials
CYCLE = {"framework": "{fw}", "city": "{zibo}", "title": "新一轮考核", "opens_on": "{today}",
         "self_assessment_due": "{today}", "review_due": "{today}", "alliances": ["{ht}"]}

ENDPOINTS = [
    ("get", "/api/v1/frameworks/", None, ANYONE),
    ("get", "/api/v1/frameworks/{fw}/", None, ANYONE),
    ("get", "/api/v1/frameworks/{draft_fw}/", None, _expect(404, **OFFICIALS)),
    ("post", "/api/v1/frameworks/", small("新导入指标体系"), _expect(403, anonymous=401, official=201,
                                                               weifang_official=201)),
    ("patch", "/api/v1/frameworks/{draft_fw}/", {"indicators": SMALL["indicators"]},
     _expect(404, anonymous=401, **OFFICIALS)),
    ("put", "/api/v1/frameworks/{fw}/", {"indicators": SMALL["indicators"]},
     _expect(403, anonymous=401, official=409)),
    ("post", "/api/v1/frameworks/{draft_fw}/publish/", None, _expect(404, anonymous=401, **OFFICIALS)),
    ("post", "/api/v1/frameworks/{fw}/publish/", None, _expect(403, anonymous=401, official=409)),
    ("post", "/api/v1/frameworks/{fw}/new_version/", None, _expect(403, anonymous=401, official=201,
                                                                   weifang_official=201)),
    ("get", "/api/v1/cycles/", None, ANYONE),
    ("get", "/api/v1/cycles/{draft_cycle}/", None, _expect(404, official=200, secretariat=200)),
    ("get", "/api/v1/cycles/{reviewing_cycle}/", None, _expect(404, official=200, secretariat=200, expert=200)),
    ("get", "/api/v1/cycles/{published_cycle}/", None, ANYONE),
    ("post", "/api/v1/cycles/", CYCLE, _expect(403, anonymous=401, official=201)),
    ("get", "/api/v1/assessments/", None, ANYONE),
    ("get", "/api/v1/assessments/{published}/", None, ANYONE),
    ("get", "/api/v1/assessments/{draft}/", None, _expect(404, official=200, secretariat=200)),
    ("get", "/api/v1/assessments/{decided}/", None, _expect(404, official=200, secretariat=200, expert=200)),
    ("patch", "/api/v1/assessments/{draft}/", {"self_scores": {"A1": "5"}},
     _expect(404, anonymous=401, official=403, secretariat=200)),
    ("patch", "/api/v1/assessments/{published}/", {"self_scores": {"A1": "5"}},
     _expect(403, anonymous=401, secretariat=409)),
    ("post", "/api/v1/assessments/{filled}/submit/", None, _expect(404, anonymous=401, official=403, secretariat=200)),
    ("post", "/api/v1/assessments/{submitted}/return/", {"reason": "证据不足"},
     _expect(404, anonymous=401, official=200, secretariat=403)),
    ("post", "/api/v1/assessments/{submitted}/assign_experts/", {"experts": ["{expert1}"]},
     _expect(404, anonymous=401, official=201, secretariat=403)),
    ("post", "/api/v1/assessments/{reviewed}/decide/", {"note": "合格"},
     _expect(404, anonymous=401, official=200, secretariat=403, expert=403)),
    ("post", "/api/v1/assessments/{decided}/publish/", None,
     _expect(404, anonymous=401, official=200, secretariat=403, expert=403)),
    ("get", "/api/v1/reviews/", None, SIGNED_IN),
    ("get", "/api/v1/reviews/{reviewing_review}/", None, _expect(404, anonymous=401, official=200, expert=200)),
    ("patch", "/api/v1/reviews/{reviewing_review}/", {"scores": {"A1": "5"}, "declared_no_conflict": True},
     _expect(404, anonymous=401, official=403, expert=200)),
    ("post", "/api/v1/reviews/{scored_review}/submit/", None, _expect(404, anonymous=401, official=403, expert=200)),
    ("post", "/api/v1/reviews/{reviewed_review}/submit/", None, _expect(404, anonymous=401, official=403, expert=409)),
]


def _fill(value, ids):
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        filled = value.format(today=timezone.localdate().isoformat(), **ids)
        return int(filled) if filled.isdigit() else filled
    return value


@pytest.mark.parametrize(("method", "url", "data", "expected"), ENDPOINTS,
                         ids=[f"{m.upper()} {u}" for m, u, _d, _e in ENDPOINTS])
def test_endpoint_permissions(cast, world, api_for, method, url, data, expected):
    """Each role in turn, each in a savepoint rolled back, so every role meets the same state."""
    answers = {}
    for role in ROLES:
        with transaction.atomic():
            response = getattr(api_for(cast[role]), method)(url.format(**world), _fill(data, world), format="json")
            answers[role] = response.status_code
            transaction.set_rollback(True)
    wrong = {role: (answers[role], expected[role]) for role in ROLES if answers[role] != expected[role]}
    assert not wrong, f"role: (got, expected) {wrong}"


def test_anonymous_sees_a_published_assessment_but_not_an_unpublished_one(world, api_for):
    anonymous = api_for(None)
    listed = {row["id"] for row in anonymous.get("/api/v1/assessments/?page_size=200").json()["results"]}
    assert world["published"] in listed
    assert not listed & {world[stage] for stage in STAGES if stage != "published"}
    published = anonymous.get(f"/api/v1/assessments/{world['published']}/").json()
    assert (published["grade"], published["final_score"]) == ("qualified", "83.50")
    assert anonymous.get(f"/api/v1/assessments/{world['decided']}/").status_code == 404
    cycles = {row["id"] for row in anonymous.get("/api/v1/cycles/?page_size=200").json()["results"]}
    assert world["published_cycle"] in cycles and world["decided_cycle"] not in cycles
    frameworks_seen = {row["id"] for row in anonymous.get("/api/v1/frameworks/?page_size=200").json()["results"]}
    assert world["fw"] in frameworks_seen and world["draft_fw"] not in frameworks_seen


def test_reviews_are_never_public_and_experts_see_only_their_own(cast, world, api_for):
    assert api_for(None).get("/api/v1/reviews/").status_code == 401
    for who in ("secretariat", "director", "contact", "outsider", "weifang_official"):
        assert api_for(cast[who]).get("/api/v1/reviews/").json()["count"] == 0, who
    expert2 = User.objects.get(username="expert2")
    assert api_for(expert2).get("/api/v1/reviews/").json()["count"] == 0
    mine = api_for(cast["expert1"]).get("/api/v1/reviews/?page_size=200").json()["results"]
    assert {row["expert"] for row in mine} == {cast["expert1"].pk}
    assert {world["reviewing_review"], world["published_review"]} <= {row["id"] for row in mine}


def test_a_secretariat_of_another_alliance_sees_none_of_it(cast, world, api_for):
    api = api_for(cast["weifang_secretariat"])
    listed = {row["id"] for row in api.get("/api/v1/assessments/?page_size=200").json()["results"]}
    assert listed & {world[stage] for stage in STAGES} == {world["published"]}


# The whole cycle over the API -------------------------------------------------------


def test_the_full_flow_over_the_api(cast, api_for, high_tech):
    official, secretariat = api_for(cast["official"]), api_for(cast["secretariat"])
    experts = [User.objects.get(username=name) for name in ("expert1", "expert2")]

    imported = official.post("/api/v1/frameworks/", small("流程测试指标体系"), format="json")
    assert imported.status_code == 201, imported.json()
    framework = imported.json()
    assert (framework["status"], framework["version"]) == ("draft", 1)
    assert [node["code"] for node in framework["indicators"]] == ["A", "B", "C"]
    assert framework["indicators"][1]["children"][1] == {
        "code": "B2", "name": "培训", "name_en": "", "weight": "25.00", "max_score": "5.00", "veto": False,
        "guidance": "", "guidance_en": "", "binding": None, "children": []}
    published = official.post(f"/api/v1/frameworks/{framework['id']}/publish/")
    assert published.json()["status"] == "published"

    opened = official.post("/api/v1/cycles/", {
        "framework": framework["id"], "city": high_tech.city_id, "title": "2026年度考核",
        "opens_on": str(days(0)), "self_assessment_due": str(days(30)), "review_due": str(days(60)),
        "alliances": [high_tech.pk], "thresholds": {"excellent": "90", "qualified": "75", "rectify": "60"},
    }, format="json")
    assert opened.status_code == 201, opened.json()
    cycle = opened.json()
    assert cycle["thresholds"] == {"excellent": "90.00", "qualified": "75.00", "rectify": "60.00"}
    rows = secretariat.get(f"/api/v1/assessments/?cycle={cycle['id']}").json()["results"]
    assert [(row["alliance"], row["status"]) for row in rows] == [(high_tech.pk, "draft")]
    assessment_url = f"/api/v1/assessments/{rows[0]['id']}/"
    assert rows[0]["computed_metrics"]["members_total"] == 91

    saved = secretariat.patch(assessment_url, {"self_scores": {"A1": "9", "B1": "8.5"},
                                               "self_narratives": {"A1": "理事会运行规范"}}, format="json")
    assert saved.status_code == 200, saved.json()
    saved = secretariat.patch(assessment_url, {"self_scores": {"B2": 4, "C1": "1"}}, format="json")
    assert saved.json()["self_scores"] == {"A1": "9.00", "B1": "8.50", "B2": "4.00", "C1": "1.00"}
    assert saved.json()["self_narratives"] == {"A1": "理事会运行规范"}
    submitted = secretariat.post(f"{assessment_url}submit/")
    assert submitted.json()["status"] == "submitted"

    assigned = official.post(f"{assessment_url}assign_experts/", {"experts": [e.pk for e in experts]}, format="json")
    assert assigned.status_code == 201, assigned.json()
    assert sorted(review["expert"] for review in assigned.json()) == sorted(e.pk for e in experts)
    assert official.get(assessment_url).json()["status"] == "under_review"

    scores = {"expert1": {"A1": "9", "B1": "9", "B2": "5", "C1": "1"},
              "expert2": {"A1": "10", "B1": "8", "B2": "4", "C1": "1"}}
    for expert in experts:
        api = api_for(expert)
        mine = api.get(f"/api/v1/reviews/?assessment={rows[0]['id']}").json()["results"]
        assert [review["expert"] for review in mine] == [expert.pk]
        review_url = f"/api/v1/reviews/{mine[0]['id']}/"
        patched = api.patch(review_url, {"scores": scores[expert.username], "declared_no_conflict": True,
                                         "comments": {"B1": "科研成果突出"}, "comment": "总体良好"}, format="json")
        assert patched.status_code == 200, patched.json()
        assert patched.json()["declared_no_conflict"] is True
        done = api.post(f"{review_url}submit/")
        assert done.json()["status"] == "submitted"

    decided = official.post(f"{assessment_url}decide/", {"note": "予以表彰"}, format="json")
    assert decided.status_code == 200, decided.json()
    result = decided.json()
    # A1 9.5/10*40 = 38, B1 8.5/10*35 = 29.75, B2 4.5/5*25 = 22.5
    assert (result["final_score"], result["grade"], result["veto_failed"]) == ("90.25", "excellent", False)
    assert result["status"] == "decided" and result["decision_note"] == "予以表彰"
    assert [row["code"] for row in result["working"]] == ["A1", "B1", "B2", "C1"]

    assert api_for(None).get(assessment_url).status_code == 404
    published = official.post(f"{assessment_url}publish/")
    assert published.json()["published_at"]
    public = api_for(None).get(assessment_url)
    assert public.status_code == 200
    assert (public.json()["final_score"], public.json()["grade"]) == ("90.25", "excellent")


# Bad input --------------------------------------------------------------------------


@pytest.fixture
def framework(cast):
    return published_framework(cast["official"])


@pytest.fixture
def assessment(cast, framework, high_tech):
    return open_cycle(cast["official"], framework, high_tech).assessments.get()


@pytest.mark.parametrize(("scores", "words"), [
    ({"A1": "11"}, "A1"), ({"A1": "-1"}, "A1"), ({"B2": "5.5"}, "B2"), ({"C1": "0.5"}, "C1"), ({"A": "5"}, "A"),
    ({"ZZ": "1"}, "ZZ"), ({"A1": "abc"}, ""), ({"A1": "1.234"}, ""), ({"A1": 1e30}, ""), ({"A1": None}, ""),
    ({"A1": {"x": 1}}, ""), ({"A1": True}, ""), (["A1"], ""), ("8", ""), ({"A1": "NaN"}, ""),
])
def test_self_scores_out_of_range_are_a_400_with_a_field_message_and_nothing_is_saved(
        cast, api_for, assessment, scores, words):
    response = api_for(cast["secretariat"]).patch(f"/api/v1/assessments/{assessment.pk}/",
                                                  {"self_scores": scores, "self_narratives": {"A1": "说明"}},
                                                  format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["codes"]) == ["self_scores"]
    assert words in str(response.json()["self_scores"])
    assessment.refresh_from_db()
    assert (assessment.self_scores, assessment.self_narratives) == ({}, {})


def test_an_experts_score_out_of_range_is_a_400_naming_the_indicator(cast, api_for, framework, high_tech):
    _, review = assessment_at("reviewing", cast, framework, high_tech)
    response = api_for(cast["expert1"]).patch(f"/api/v1/reviews/{review.pk}/",
                                              {"scores": {"B2": "6"}, "declared_no_conflict": True}, format="json")
    assert response.status_code == 400
    assert "B2" in response.json()["scores"][0] and "5.00" in response.json()["scores"][0]
    assert Review.objects.get(pk=review.pk).scores == {}


def test_submitting_twice_is_a_409(cast, api_for, framework, high_tech):
    assessment, _ = assessment_at("filled", cast, framework, high_tech)
    api = api_for(cast["secretariat"])
    assert api.post(f"/api/v1/assessments/{assessment.pk}/submit/").status_code == 200
    again = api.post(f"/api/v1/assessments/{assessment.pk}/submit/")
    assert again.status_code == 409
    assert "detail" in again.json()


def test_submitting_with_indicators_missing_is_a_400_naming_them(cast, api_for, assessment):
    api = api_for(cast["secretariat"])
    api.patch(f"/api/v1/assessments/{assessment.pk}/", {"self_scores": {"A1": "5"}}, format="json")
    response = api.post(f"/api/v1/assessments/{assessment.pk}/submit/")
    assert response.status_code == 400
    assert "B1" in response.json()["self_scores"][0]
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"


def test_an_expert_must_declare_no_conflict_before_scoring_and_submitting(cast, api_for, framework, high_tech):
    _, review = assessment_at("reviewing", cast, framework, high_tech)
    api = api_for(cast["expert1"])
    scored = api.patch(f"/api/v1/reviews/{review.pk}/", {"scores": FULL}, format="json")
    assert scored.status_code == 400
    assert list(scored.json()["codes"]) == ["declared_no_conflict"]
    submitted = api.post(f"/api/v1/reviews/{review.pk}/submit/")
    assert submitted.status_code == 400
    assert "declared_no_conflict" in submitted.json()
    assert Review.objects.filter(pk=review.pk, status="assigned", scores={}).exists()


def test_deciding_a_rectify_grade_without_rectify_by_is_a_400(cast, api_for, framework, high_tech):
    assessment, review = assessment_at("reviewing", cast, framework, high_tech)
    services.review_save(review=review, actor=cast["expert1"], declared_no_conflict=True,
                         scores={"A1": "7", "B1": "6", "B2": "3", "C1": "1"})  # 28 + 21 + 15 = 64: rectify
    services.review_submit(review=review, actor=cast["expert1"])
    api = api_for(cast["official"])
    url = f"/api/v1/assessments/{assessment.pk}/decide/"

    refused = api.post(url, {"note": "需整改"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["codes"]) == ["rectify_by"]
    assert Assessment.objects.get(pk=assessment.pk).status == "under_review"
    assert api.post(url, {"rectify_by": "2026-02-30"}, format="json").status_code == 400
    assert api.post(url, {"rectify_by": str(days(0))}, format="json").status_code == 400

    decided = api.post(url, {"note": "需整改", "rectify_by": str(days(90)),
                             "rectification_items": ["完善理事会议事规则"]}, format="json")
    assert decided.status_code == 200, decided.json()
    body = decided.json()
    assert (body["grade"], body["final_score"], body["rectify_by"]) == ("rectify", "64.00", str(days(90)))
    assert [item["text"] for item in body["rectification_items"]] == ["完善理事会议事规则"]
    assert Alliance.objects.get(pk=high_tech.pk).status == "rectifying"
    assert api.post(url, {"note": "再次"}, format="json").status_code == 409


def _broken(path, value):
    data = small("权重不符指标体系")
    node = data
    *parents, last = path
    for key in parents:
        node = node[key]
    node[last] = value
    return data


@pytest.mark.parametrize(("data", "words"), [
    (_broken(["indicators", 1, "children", 0, "weight"], "30"), "B"),
    (_broken(["indicators", 0, "weight"], "50"), "A"),
    (_broken(["indicators", 2, "children", 0, "weight"], "5"), "C1"),
    (_broken(["indicators", 1, "children", 1, "code"], "A1"), "A1"),
])
def test_a_framework_whose_weights_do_not_add_up_is_a_400_and_nothing_is_saved(cast, api_for, data, words):
    before = Framework.objects.count()
    response = api_for(cast["official"]).post("/api/v1/frameworks/", data, format="json")
    assert response.status_code == 400
    assert list(response.json()["codes"]) == ["indicators"]
    assert words in response.json()["indicators"][0]
    assert Framework.objects.count() == before


@pytest.mark.parametrize("data", [
    {"name": "x", "indicators": []}, {"name": "x"}, {"indicators": SMALL["indicators"]}, [], "x",
    _broken(["indicators", 0, "children", 0, "max_score"], "1e30"),
    _broken(["indicators", 0, "children", 0, "weight"], "abc"),
    _broken(["indicators", 0, "children", 0, "children"], {"code": "A11"}),
    _broken(["indicators", 0, "children", 0, "children"], [
        {"code": "D1", "name": "d", "children": [{"code": "D2", "name": "d", "children": [
            {"code": "D3", "name": "d", "children": [{"code": "D4", "name": "d"}]}]}]}]),
    _broken(["indicators", 0, "code"], "x" * 31),
])
def test_a_framework_that_does_not_parse_is_a_400_and_nothing_is_saved(cast, api_for, data):
    before = Framework.objects.count()
    response = api_for(cast["official"]).post("/api/v1/frameworks/", data, format="json")
    assert response.status_code == 400, response.json()
    assert Framework.objects.count() == before


def test_replacing_a_drafts_tree_checks_it_and_keeps_the_old_one_when_refused(cast, api_for):
    draft = services.framework_import(actor=cast["official"], data=small("草稿"))
    api = api_for(cast["official"])
    bad = _broken(["indicators", 0, "weight"], "50")["indicators"]
    assert api.patch(f"/api/v1/frameworks/{draft.pk}/", {"indicators": bad}, format="json").status_code == 400
    assert frameworks.export(draft)["indicators"][0]["weight"] == "40.00"
    renamed = small("草稿")
    renamed["indicators"][0]["children"][0]["name"] = "组织机构"
    replaced = api.put(f"/api/v1/frameworks/{draft.pk}/", renamed, format="json")
    assert replaced.status_code == 200
    assert replaced.json()["indicators"][0]["children"][0]["name"] == "组织机构"


def test_a_new_version_is_a_draft_one_version_up(cast, api_for, framework):
    response = api_for(cast["official"]).post(f"/api/v1/frameworks/{framework.pk}/new_version/")
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == (framework.version + 1, "draft")
    assert response.json()["indicators"] == api_for(None).get(f"/api/v1/frameworks/{framework.pk}/").json()[
        "indicators"]


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"opens_on": "2026-13-01"}, "opens_on", 400),
    ({"review_due": "tomorrow"}, "review_due", 400),
    ({"review_due": "2000-01-01"}, "review_due", 400),
    ({"alliances": [99999999]}, "alliances", 400),
    ({"alliances": []}, "alliances", 400),
    ({"alliances": "{ht}"}, "alliances", 400),
    ({"framework": 99999999}, "framework", 400),
    ({"city": 99999999}, "city", 400),
    ({"thresholds": {"excellent": "70", "qualified": "75"}}, "thresholds", 400),
    ({"thresholds": {"excellent": "101"}}, "thresholds", 400),
    ({"framework": "{draft_fw}"}, "detail", 409),
    ({"alliances": ["{other}"]}, "alliances", 400),
])
def test_opening_a_cycle_with_bad_input_is_refused_and_nothing_is_saved(
        cast, api_for, framework, high_tech, other_alliance, change, field, code):
    draft = services.framework_import(actor=cast["official"], data=small("草稿"))
    ids = {"fw": framework.pk, "draft_fw": draft.pk, "zibo": high_tech.city_id, "ht": high_tech.pk,
           "other": other_alliance.pk}
    before = Cycle.objects.count()
    data = {**_fill(CYCLE, ids), "self_assessment_due": str(days(10)), "review_due": str(days(20))}
    response = api_for(cast["official"]).post("/api/v1/cycles/", {**data, **_fill(change, ids)}, format="json")
    assert response.status_code == code, response.json()
    assert field in response.json()
    assert Cycle.objects.count() == before


@pytest.mark.parametrize(("experts", "words"), [([99999999], "99999999"), ([], ""), ("x", ""), ([0], ""),
                                                ([{"id": 1}], ""), (["outsider"], "")])
def test_assigning_unknown_experts_is_a_400_and_nothing_is_saved(cast, api_for, framework, high_tech, experts, words):
    assessment, _ = assessment_at("submitted", cast, framework, high_tech)
    if experts == ["outsider"]:
        experts = [cast["outsider"].pk]  # exists, but is no expert reviewer: the service says so
    response = api_for(cast["official"]).post(f"/api/v1/assessments/{assessment.pk}/assign_experts/",
                                              {"experts": experts}, format="json")
    assert response.status_code == 400, response.json()
    assert words in str(response.json()["experts"])
    assert not Review.objects.filter(assessment=assessment).exists()
    assert Assessment.objects.get(pk=assessment.pk).status == "submitted"


def test_returning_without_a_reason_is_a_400(cast, api_for, framework, high_tech):
    assessment, _ = assessment_at("submitted", cast, framework, high_tech)
    url = f"/api/v1/assessments/{assessment.pk}/return/"
    api = api_for(cast["official"])
    assert "reason" in api.post(url, {"reason": " "}, format="json").json()
    assert api.post(url, {"reason": "证据不足"}, format="json").json()["status"] == "draft"


JUNK = [None, "", "x" * 5000, -1, 10**30, 1e308, [], {"a": 1}, [{"a": 1}], "<script>", "' OR 1=1 --", "💥", True]


def test_no_input_gives_a_500(cast, api_for, world):
    official, secretariat, expert = (api_for(cast[who]) for who in ("official", "secretariat", "expert1"))
    calls = [(official, "post", "/api/v1/frameworks/", field) for field in ("name", "indicators")]
    calls += [(official, "patch", f"/api/v1/frameworks/{world['draft_fw']}/", "indicators")]
    calls += [(official, "post", "/api/v1/cycles/", field) for field in
              ("framework", "city", "opens_on", "alliances", "thresholds", "title")]
    calls += [(secretariat, "patch", f"/api/v1/assessments/{world['draft']}/", field)
              for field in ("self_scores", "self_narratives")]
    calls += [(official, "post", f"/api/v1/assessments/{world['submitted']}/return/", "reason"),
              (official, "post", f"/api/v1/assessments/{world['submitted']}/assign_experts/", "experts")]
    calls += [(official, "post", f"/api/v1/assessments/{world['reviewed']}/decide/", field)
              for field in ("note", "rectify_by", "rectification_items")]
    calls += [(expert, "patch", f"/api/v1/reviews/{world['reviewing_review']}/", field)
              for field in ("scores", "comments", "comment", "declared_no_conflict")]
    failures = []
    for value in JUNK:
        for api, method, url, field in calls:
            for payload in ({field: value}, {field: {"A1": value}}, {field: [value]}):
                with transaction.atomic():
                    response = getattr(api, method)(url, payload, format="json")
                    transaction.set_rollback(True)
                if response.status_code >= 500:
                    failures.append((method, url, repr(payload)[:60], response.status_code))
    assert not failures
    # A bad filter is a 400 naming it (a bad page or ordering alongside is not reached); a bad id is a 404.
    for api, url, status, fields in [
        (official, "/api/v1/assessments/?cycle=abc&grade=x&alliance=1e99&page=abc&ordering=nope", 400,
         {"cycle", "grade", "alliance", "codes"}),
        (official, "/api/v1/cycles/?city=x&status=y", 400, {"city", "status", "codes"}),
        (official, "/api/v1/frameworks/?status=x&page_size=-1", 400, {"status", "codes"}),
        (official, "/api/v1/assessments/99999999999999999999/", 404, {"detail", "code"}),
        (official, "/api/v1/frameworks/abc/", 404, {"detail", "code"}),
        (expert, "/api/v1/reviews/?assessment=x&expert=%00", 400, {"assessment", "expert", "codes"}),
    ]:
        response = api.get(url)
        assert response.status_code == status, (url, response.status_code)
        assert set(response.json()) == fields, (url, response.json())


def test_filters_narrow_the_lists(cast, api_for, world):
    official = api_for(cast["official"])
    assert official.get(f"/api/v1/assessments/?cycle={world['decided_cycle']}").json()["count"] == 1
    graded = official.get("/api/v1/assessments/?grade=qualified&page_size=200").json()["results"]
    assert {world["decided"], world["published"]} <= {row["id"] for row in graded}
    assert {row["grade"] for row in graded} == {"qualified"}
    assert official.get("/api/v1/frameworks/?status=draft").json()["results"][0]["status"] == "draft"
    by_expert = official.get(f"/api/v1/reviews/?expert={world['expert1']}&page_size=200").json()
    assert by_expert["count"] >= 5
    weifang = api_for(cast["weifang_official"]).get(f"/api/v1/cycles/?city={world['zibo']}").json()
    assert {row["id"] for row in weifang["results"]} == {world["published_cycle"]}


def test_messages_follow_accept_language(cast, api_for, assessment):
    url = f"/api/v1/assessments/{assessment.pk}/"
    english = api_for(cast["secretariat"]).patch(url, {"self_scores": {"A1": "11"}}, format="json",
                                                 HTTP_ACCEPT_LANGUAGE="en")
    assert "must be between 0 and 10.00" in english.json()["self_scores"][0]
    chinese = api_for(cast["secretariat"]).patch(url, {"self_scores": {"A1": "11"}}, format="json",
                                                 HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "A1" in chinese.json()["self_scores"][0] and "must" not in chinese.json()["self_scores"][0]


# Query counts: flat from 10 to 100 rows --------------------------------------------------


@pytest.fixture
def count_world(db):
    city = City.objects.create(name="计数市")
    alliance = AllianceFactory(city=city)
    official, secretariat, expert = UserFactory(), UserFactory(), UserFactory()
    RoleGrant.objects.create(user=official, role="official", city=city)
    RoleGrant.objects.create(user=secretariat, role="secretariat", alliance=alliance)
    RoleGrant.objects.create(user=expert, role="expert")
    return {"city": city, "alliance": alliance, "official": official, "secretariat": secretariat, "expert": expert,
            "made": 0}


def add_rows(world, n):
    """n more published frameworks (each a full tree) and n more cycles, each with a published assessment of the
    alliance, its rectification item and a submitted review by the world's expert."""
    for _ in range(n):
        world["made"] += 1
        framework = frameworks.create_from_data(small(f"计数指标体系{world['made']}"), actor=world["official"])
        Framework.objects.filter(pk=framework.pk).update(status="published", published_at=timezone.now())
    framework = Framework.objects.filter(name__startswith="计数指标体系").first()
    cycles = Cycle.objects.bulk_create(
        Cycle(framework=framework, city=world["city"], title=f"计数考核{i}", opens_on=days(0),
              self_assessment_due=days(1), review_due=days(2), created_by=world["official"]) for i in range(n))
    assessments = Assessment.objects.bulk_create(
        Assessment(cycle=cycle, alliance=world["alliance"], status="decided", final_score="88.00", grade="qualified",
                   veto_failed=False, self_scores=FULL, published_at=timezone.now()) for cycle in cycles)
    RectificationItem.objects.bulk_create(
        RectificationItem(assessment=assessment, text="整改", due_on=days(30)) for assessment in assessments)
    Review.objects.bulk_create(
        Review(assessment=assessment, expert=world["expert"], declared_no_conflict=True, scores=FULL,
               status="submitted", assigned_by=world["official"]) for assessment in assessments)


def count_queries(do):
    with CaptureQueriesContext(connection) as context:
        response = do()
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries), context, response.json()["count"]


LISTS = ["/api/v1/frameworks/", "/api/v1/cycles/", "/api/v1/assessments/", "/api/v1/reviews/"]


@pytest.mark.parametrize("who", ["official", "secretariat", "expert", None])
@pytest.mark.parametrize("url", LISTS)
def test_query_count_is_flat(count_world, api_for, url, who):
    if who is None and url.endswith("/reviews/"):
        pytest.skip("reviews are never public")
    api = api_for(count_world[who] if who else None)
    path = f"{url}?page_size=200"
    add_rows(count_world, 10)
    api.get(path)  # warm the content-type caches
    small_count, _, rows_before = count_queries(lambda: api.get(path))
    add_rows(count_world, 90)
    large_count, context, rows_after = count_queries(lambda: api.get(path))
    sees_rows = not (who == "secretariat" and url.endswith("/reviews/"))  # reviews are the experts' and officials'
    assert rows_after - rows_before == (90 if sees_rows else 0), (rows_before, rows_after)
    assert large_count == small_count, "\n".join(q["sql"] for q in context.captured_queries)
