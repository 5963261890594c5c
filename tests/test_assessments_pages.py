"""The assessment pages: who may see and do what, bad input refused with its message and nothing
saved, what each role finds on the pages, and query counts that do not grow with the rows."""

import datetime
import json
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.demo import HIGH_TECH
from alliance.models import Alliance, City
from assessments import frameworks, services
from assessments.models import Assessment, Cycle, EarlyWarning, Framework, RectificationItem, Review
from members.models import Contact, Organization, RoleGrant, User
from tests.conftest import cast_users
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.test_assessments import SMALL

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "official", "secretariat", "director", "contact", "expert", "outsider", "weifang_official",
         "weifang_secretariat"]
LOGIN = "login"
TOP = {"A1": "10", "B1": "10", "B2": "5", "C1": "1"}  # 100.00: excellent
MIDDLING = {"A1": "7", "B1": "7", "B2": "3.5", "C1": "1"}  # 28 + 24.5 + 17.5 = 70.00: rectify


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


def expert(number):
    return User.objects.get(username=f"expert{number}")


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def framework(world):
    """The published framework of the module's cycles."""
    return Framework.objects.get(pk=world["framework"])


def open_cycle(cast, framework, alliance, title):
    return services.cycle_open(actor=cast["official"], framework=framework, city=alliance.city, title=title,
                               opens_on=days(0), self_assessment_due=days(30), review_due=days(60),
                               alliances=[alliance])


def advance(cast, assessment, to, *, reviewers=(2,), scores=TOP, **decision):
    """Drive an assessment through the services up to the state `to`."""
    steps = ["draft", "submitted", "under_review", "reviewed", "decided", "published"]
    reached = steps.index(to)
    if reached >= 1:
        services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores=scores)
        services.self_assessment_submit(assessment=assessment, actor=cast["secretariat"])
    if reached >= 2:
        services.experts_assign(assessment=assessment, actor=cast["official"],
                                experts=[expert(n) for n in reviewers])
    if reached >= 3:
        for review in assessment.reviews.select_related("expert"):
            services.review_save(review=review, actor=review.expert, scores=scores, declared_no_conflict=True)
            services.review_submit(review=review, actor=review.expert)
    if reached >= 4:
        services.assessment_decide(assessment=assessment, actor=cast["official"], **decision)
    if reached >= 5:
        services.assessment_publish(assessment=assessment, actor=cast["official"])
    return Assessment.objects.get(pk=assessment.pk)


@pytest.fixture(scope="module")
def built_world(module_transaction):
    """A published framework and the high-tech alliance in one cycle per state; expert1 (the cast's expert)
    reviews only cycle C. Built once for the module, each test sees it as built (see module_transaction)."""
    cast = cast_users()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    framework = services.framework_publish(framework=services.framework_import(actor=cast["official"], data=SMALL),
                                           actor=cast["official"])
    made = {}
    for key, state, reviewers in [("a", "draft", ()), ("b", "submitted", ()), ("c", "under_review", (1,)),
                                  ("d", "reviewed", (2,)), ("e", "decided", (2,)), ("f", "published", (3,))]:
        cycle = open_cycle(cast, framework, high_tech, f"周期{key.upper()}")
        made[key] = advance(cast, cycle.assessments.get(), state, reviewers=reviewers)
        made[f"cycle_{key}"] = made[key].cycle
    draft = services.framework_import(actor=cast["official"], data={**SMALL, "name": "草稿指标体系"},
                                      city=high_tech.city)
    return {
        **{key: value.pk for key, value in made.items()},
        "review_c": made["c"].reviews.get().pk,
        "framework": framework.pk, "draft": draft.pk, "ht": high_tech.pk, "city": high_tech.city_id,
        "expert2": expert(2).pk,
    }


@pytest.fixture(autouse=True)
def world(built_world, db):
    """The ids of the module's cycles and assessments, and the rows themselves fresh from the database under
    "objects" (autouse: every test of the module runs on the same rows)."""
    objects = {key: (Cycle if key.startswith("cycle_") else Assessment).objects.get(pk=built_world[key])
               for key in built_world if key in ("a", "b", "c", "d", "e", "f") or key.startswith("cycle_")}
    return {**built_world, "objects": objects}


def small_file(name="新指标体系"):
    return SimpleUploadedFile("framework.json", json.dumps({**SMALL, "name": name}).encode(), "application/json")


ANYONE = _expect(200)
OFFICIALS = _expect(403, anonymous=LOGIN, official=200, weifang_official=200)
ZIBO_OFFICIAL = _expect(404, anonymous=LOGIN, official=302)
ZIBO_OFFICIAL_OVER_SECRETARIAT = _expect(404, anonymous=LOGIN, official=302, secretariat=403)

PAGES = [
    ("GET", "/assessments/", None, ANYONE),
    ("GET", "/assessments/dashboard/", None, OFFICIALS),
    ("GET", "/assessments/cycles/new/", None, OFFICIALS),
    ("POST", "/assessments/cycles/new/",
     {"framework": "{framework}", "city": "{city}", "title": "新周期", "opens_on": days(0), "self_assessment_due": days(5),
      "review_due": days(9), "excellent_from": "90", "qualified_from": "75", "rectify_from": "60", "alliances": "{ht}"},
     _expect(403, anonymous=LOGIN, official=302, weifang_official=400)),
    ("GET", "/assessments/cycles/{cycle_a}/", None, _expect(404, official=200, secretariat=200)),
    ("GET", "/assessments/cycles/{cycle_c}/", None, _expect(404, official=200, secretariat=200, expert=200)),
    ("GET", "/assessments/cycles/{cycle_f}/", None, ANYONE),
    ("GET", "/assessments/{a}/", None, _expect(404, official=200, secretariat=200)),
    ("GET", "/assessments/{c}/", None, _expect(404, official=200, secretariat=200, expert=200)),
    ("GET", "/assessments/{f}/", None, ANYONE),
    ("POST", "/assessments/{a}/self-assessment/", {"action": "save", "score_A1": "5"},
     _expect(404, anonymous=LOGIN, secretariat=302, official=403)),
    ("POST", "/assessments/{b}/return/", {"reason": "证据不足"}, ZIBO_OFFICIAL_OVER_SECRETARIAT),
    ("POST", "/assessments/{b}/experts/", {"experts": "{expert2}"}, ZIBO_OFFICIAL_OVER_SECRETARIAT),
    ("POST", "/assessments/{d}/decide/", {"note": "表彰"}, ZIBO_OFFICIAL_OVER_SECRETARIAT),
    ("POST", "/assessments/{c}/decide/", {"note": ""},
     _expect(404, anonymous=LOGIN, official=409, secretariat=403, expert=403)),
    ("POST", "/assessments/{e}/publish/", {}, ZIBO_OFFICIAL_OVER_SECRETARIAT),
    ("GET", "/assessments/reviews/{review_c}/", None, _expect(404, anonymous=LOGIN, official=200, expert=200)),
    ("POST", "/assessments/reviews/{review_c}/", {"action": "save", "score_A1": "5", "declared_no_conflict": "on"},
     _expect(404, anonymous=LOGIN, official=403, expert=302)),
    ("GET", "/assessments/frameworks/", None, OFFICIALS),
    ("POST", "/assessments/frameworks/", {"file": "FILE"},
     _expect(403, anonymous=LOGIN, official=302, weifang_official=302)),
    ("GET", "/assessments/frameworks/{framework}/", None, ANYONE),
    ("GET", "/assessments/frameworks/{framework}/export.json", None, ANYONE),
    ("GET", "/assessments/frameworks/{draft}/", None, _expect(404, official=200)),
    ("GET", "/assessments/frameworks/{draft}/export.json", None, _expect(404, official=200)),
    ("POST", "/assessments/frameworks/{draft}/publish/", {}, ZIBO_OFFICIAL),
    ("POST", "/assessments/frameworks/{draft}/replace/", {"file": "FILE"}, ZIBO_OFFICIAL),
    ("POST", "/assessments/frameworks/{framework}/new-version/", {},
     _expect(403, anonymous=LOGIN, official=302, weifang_official=302)),
]


def _request(browser, method, path, data, ids):
    if method == "GET":
        return browser.get(path)
    payload = {key: (small_file() if value == "FILE" else str(value).format(**ids)) for key, value in data.items()}
    return browser.post(path, payload)


def _check_roles(cast, client_for, method, path, data, expected, ids):
    """Each role in its own savepoint, so one role's write does not change what the next one meets."""
    wrong = {}
    for role in ROLES:
        with transaction.atomic():
            response = _request(client_for(cast[role]), method, path, data, ids)
            transaction.set_rollback(True)
        want = expected[role]
        if want == LOGIN:
            ok = response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        else:
            ok = response.status_code == want
            if want == 302:
                ok = ok and not response["Location"].startswith("/accounts/login/")
        if not ok:
            wrong[role] = (want, response.status_code)
    assert wrong == {}, path


@pytest.mark.parametrize(("method", "url", "data", "expected"), PAGES, ids=[f"{m} {u}" for m, u, _d, _e in PAGES])
def test_page_permissions(cast, world, client_for, method, url, data, expected):
    _check_roles(cast, client_for, method, url.format(**world), data, expected, world)


def test_rectification_permissions(cast, framework, high_tech, client_for):
    cycle = open_cycle(cast, framework, high_tech, "整改权限周期")
    assessment = advance(cast, cycle.assessments.get(), "decided", scores=MIDDLING, rectify_by=days(60),
                         rectification_items=["完善议事规则"])
    item = assessment.rectification_items.get()
    _check_roles(cast, client_for, "POST", f"/assessments/{assessment.pk}/rectification/{item.pk}/done/",
                 {"note": "已完成"}, _expect(404, anonymous=LOGIN, official=302, secretariat=302), {})
    services.assessment_publish(assessment=assessment, actor=cast["official"])
    # Published, the result is public, but recording rectification stays with the secretariat and officials.
    _check_roles(cast, client_for, "POST", f"/assessments/{assessment.pk}/rectification/{item.pk}/done/",
                 {"note": "已完成"},
                 _expect(403, anonymous=LOGIN, official=302, secretariat=302), {})
    assert RectificationItem.objects.get(pk=item.pk).done_at is None


def test_refused_writes_leave_no_trace(cast, world, client_for):
    objects = world["objects"]
    client_for(cast["official"]).post(f"/assessments/{world['a']}/self-assessment/",
                                      {"action": "submit", **{f"score_{c}": v for c, v in TOP.items()}})
    client_for(cast["secretariat"]).post(f"/assessments/{world['b']}/return/", {"reason": "x"})
    client_for(cast["secretariat"]).post(f"/assessments/{world['d']}/decide/", {"note": ""})
    client_for(cast["expert"]).post(f"/assessments/{world['d']}/decide/", {"note": ""})
    client_for(cast["weifang_official"]).post(f"/assessments/{world['e']}/publish/", {})
    client_for(cast["official"]).post(f"/assessments/reviews/{world['review_c']}/",
                                      {"action": "save", "score_A1": "1"})
    for key, status in [("a", "draft"), ("b", "submitted"), ("d", "under_review"), ("e", "decided")]:
        assessment = Assessment.objects.get(pk=objects[key].pk)
        assert assessment.status == status
        assert assessment.published_at is None
    assert Assessment.objects.get(pk=world["a"]).self_scores == {}
    assert Review.objects.get(pk=world["review_c"]).scores == {}


def test_every_post_form_carries_a_csrf_token(cast, world, client_for, framework, high_tech):
    cycle = open_cycle(cast, framework, high_tech, "整改表单周期")
    rectify = advance(cast, cycle.assessments.get(), "decided", scores=MIDDLING, rectify_by=days(60),
                      rectification_items=["完善议事规则"])
    pages = [
        ("official", "/assessments/cycles/new/"), ("official", "/assessments/frameworks/"),
        ("official", f"/assessments/frameworks/{world['draft']}/"), ("official", f"/assessments/{world['b']}/"),
        ("official", f"/assessments/{world['c']}/"), ("official", f"/assessments/{world['e']}/"),
        ("official", f"/assessments/{rectify.pk}/"), ("secretariat", f"/assessments/{world['a']}/"),
        ("expert", f"/assessments/reviews/{world['review_c']}/"),
    ]
    for role, url in pages:
        html = client_for(cast[role]).get(url).content.decode()
        forms = re.findall(r'<form[^>]*method="post".*?</form>', html, re.S)
        assert len(forms) >= 3, url  # the language switch, the logout and at least one of the page's own
        assert all('name="csrfmiddlewaretoken"' in form for form in forms), url


def test_posts_without_the_csrf_token_are_refused(cast, world):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast["official"])
    assert browser.post(f"/assessments/{world['d']}/decide/", {"note": ""}).status_code == 403
    assert browser.post("/assessments/frameworks/", {"file": small_file()}).status_code == 403
    assert Assessment.objects.get(pk=world["d"]).status == "under_review"
    assert not Framework.objects.filter(name="新指标体系").exists()


# What each role finds


def test_each_role_finds_its_own_list(cast, world, client_for):
    official = client_for(cast["official"]).get("/assessments/").content.decode()
    assert 'id="open-cycle"' in official and "周期A" in official and "/assessments/dashboard/" in official

    secretariat = client_for(cast["secretariat"]).get("/assessments/").content.decode()
    assert 'id="secretariat-assessments"' in secretariat
    assert f"/assessments/{world['a']}/" in secretariat and "open-cycle" not in secretariat

    mine = client_for(cast["expert"]).get("/assessments/").content.decode()
    section = mine[mine.index('id="expert-reviews"'):mine.index('id="published-results"')]
    assert f"/assessments/reviews/{world['review_c']}/" in section
    due = world["objects"]["cycle_c"].review_due
    assert f"{due.year}年{due.month}月{due.day}日" in section
    assert section.count("data-review=") == 1

    public = client_for(None).get("/assessments/").content.decode()
    assert f"/assessments/{world['f']}/" in public
    assert f"/assessments/{world['e']}/" not in public  # decided but not published
    assert "expert-reviews" not in public and "open-cycle" not in public


def test_the_nav_link_shows_to_officials_secretariats_and_experts(cast, client_for):
    link = 'href="/assessments/"'
    for role in ("official", "secretariat", "expert"):
        assert link in client_for(cast[role]).get("/").content.decode(), role
    for role in ("anonymous", "director", "contact", "outsider"):
        assert link not in client_for(cast[role]).get("/").content.decode(), role


def test_the_cycle_page_flags_what_is_overdue(cast, world, client_for, high_tech, framework):
    Cycle.objects.filter(pk__in=[world["cycle_a"], world["cycle_c"]]).update(
        opens_on=days(-40), self_assessment_due=days(-2), review_due=days(-1))
    page = client_for(cast["official"]).get(f"/assessments/cycles/{world['cycle_a']}/").content.decode()
    assert 'data-overdue="self"' in page
    page = client_for(cast["official"]).get(f"/assessments/cycles/{world['cycle_c']}/").content.decode()
    assert 'data-overdue="review"' in page and 'data-overdue="self"' not in page
    page = client_for(cast["official"]).get(f"/assessments/cycles/{world['cycle_b']}/").content.decode()
    assert "data-overdue" not in page


def test_the_cycle_table_filters_through_htmx(cast, world, client_for, framework):
    other = AllianceFactory(city=Alliance.objects.get(pk=world["ht"]).city, name="第二联合体")
    cycle = services.cycle_open(actor=cast["official"], framework=framework, city=other.city, title="双联合体周期",
                                opens_on=days(0), self_assessment_due=days(3), review_due=days(6),
                                alliances=[Alliance.objects.get(pk=world["ht"]), other])
    advance(cast, cycle.assessments.get(alliance_id=world["ht"]), "submitted")
    browser = client_for(cast["official"])
    response = browser.get(f"/assessments/cycles/{cycle.pk}/?status=submitted", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>" not in html
    assert html.count("data-assessment=") == 1 and "第二联合体" not in html
    full = browser.get(f"/assessments/cycles/{cycle.pk}/").content.decode()
    assert full.count("data-assessment=") == 2


def test_the_assessment_page_shows_the_computed_figures(cast, world, client_for):
    html = client_for(cast["secretariat"]).get(f"/assessments/{world['a']}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    figures = html[html.index('id="computed-figures"'):html.index("</section>", html.index('id="computed-figures"'))]
    assert ">91<" in figures and "48.4%" in figures  # 91 active member units, 44 of them enterprises
    assert ">44<" in figures
    assert figures.count("not available yet") == 2  # no meeting held, no task due: no rate to give
    assert 'name="score_A1"' in html and 'max="10"' in html and 'name="narrative_B2"' in html
    assert '<select name="score_C1"' in html  # a veto indicator: passed or failed


def test_the_public_sees_a_published_result_without_the_self_assessment(world, client_for):
    html = client_for(None).get(f"/assessments/{world['f']}/").content.decode()
    assert 'id="working"' in html and 'data-grade="excellent"' in html and "100.00" in html
    assert 'id="self-assessment"' not in html and 'id="computed-figures"' not in html
    assert 'id="decide-form"' not in html and 'id="publish-form"' not in html


# The path through the pages


def scores_post(scores, *, action, text="narrative", **extra):
    data = {"action": action, **extra}
    for code, value in scores.items():
        data[f"score_{code}"] = value
        data[f"{text}_{code}"] = f"{code} 的说明"
    return data


def test_the_secretariat_saves_then_submits_the_self_assessment(cast, world, client_for):
    browser = client_for(cast["secretariat"])
    url = f"/assessments/{world['a']}/self-assessment/"
    response = browser.post(url, scores_post({"A1": "8"}, action="save"))
    assert response.status_code == 302
    assessment = Assessment.objects.get(pk=world["a"])
    assert assessment.self_scores == {"A1": "8"} and assessment.self_narratives["A1"] == "A1 的说明"
    assert assessment.status == "draft"
    response = browser.post(url, scores_post(MIDDLING, action="submit"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and assessment.self_scores["B2"] == "3.5"
    html = browser.get(f"/assessments/{world['a']}/").content.decode()
    assert 'id="self-assessment-form"' not in html and "B1 的说明" in html


def test_saving_through_htmx_swaps_the_form_in_place(cast, world, client_for):
    response = client_for(cast["secretariat"]).post(f"/assessments/{world['a']}/self-assessment/",
                                                    scores_post({"B1": "6"}, action="save"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>" not in html and 'class="saved"' in html
    assert 'value="6"' in html
    assert Assessment.objects.get(pk=world["a"]).self_scores == {"B1": "6"}


def test_a_returned_self_assessment_shows_the_reason(cast, world, client_for):
    response = client_for(cast["official"]).post(f"/assessments/{world['b']}/return/", {"reason": "佐证材料不足"})
    assert response.status_code == 302
    html = client_for(cast["secretariat"]).get(f"/assessments/{world['b']}/").content.decode()
    assert 'id="returned-reason"' in html and "佐证材料不足" in html and 'id="self-assessment-form"' in html


def test_the_official_assigns_experts(cast, world, client_for):
    response = client_for(cast["official"]).post(f"/assessments/{world['b']}/experts/",
                                                 {"experts": [expert(1).pk, expert(3).pk]})
    assert response.status_code == 302
    assessment = Assessment.objects.get(pk=world["b"])
    assert assessment.status == "under_review"
    assert set(assessment.reviews.values_list("expert__username", flat=True)) == {"expert1", "expert3"}


def test_the_expert_scores_and_submits_then_the_review_is_locked(cast, world, client_for):
    browser = client_for(cast["expert"])
    url = f"/assessments/reviews/{world['review_c']}/"
    page = browser.get(url).content.decode()
    assert 'name="declared_no_conflict"' in page and 'name="score_B2"' in page and 'max="5"' in page
    response = browser.post(url, scores_post(TOP, action="submit", text="comment", declared_no_conflict="on",
                                             comment="总体良好"))
    assert response.status_code == 302
    review = Review.objects.get(pk=world["review_c"])
    assert review.status == "submitted" and review.scores == TOP and review.comment == "总体良好"
    assert review.comments["B1"] == "B1 的说明"
    page = browser.get(url).content.decode()
    assert 'id="review-form"' not in page and 'id="review-locked"' in page
    response = browser.post(url, scores_post({"A1": "1"}, action="save", text="comment", declared_no_conflict="on"))
    assert response.status_code == 409
    assert Review.objects.get(pk=world["review_c"]).scores == TOP


def test_the_official_decides_and_publishes(cast, world, client_for):
    browser = client_for(cast["official"])
    page = browser.get(f"/assessments/{world['d']}/").content.decode()
    assert 'id="preview"' in page and "100.00" in page
    assert browser.post(f"/assessments/{world['d']}/decide/", {"note": "予以表彰"}).status_code == 302
    assessment = Assessment.objects.get(pk=world["d"])
    assert (assessment.grade, assessment.final_score, assessment.decision_note) == ("excellent", D("100.00"), "予以表彰")
    page = browser.get(f"/assessments/{world['d']}/").content.decode()
    assert 'data-grade="excellent"' in page and 'id="working"' in page and 'id="publish-form"' in page
    working = page[page.index('id="working"'):page.index("</table>", page.index('id="working"'))]
    assert 'data-code="A1"' in working and "40.00" in working  # A1's contribution: 40 × 10/10
    assert browser.post(f"/assessments/{world['d']}/publish/").status_code == 302
    assert Assessment.objects.get(pk=world["d"]).published_at is not None


def test_a_rectify_decision_lists_its_items_which_can_be_done(cast, world, client_for, high_tech, framework):
    cycle = open_cycle(cast, framework, high_tech, "整改周期")
    assessment = advance(cast, cycle.assessments.get(), "reviewed", scores=MIDDLING)
    browser = client_for(cast["official"])
    response = browser.post(f"/assessments/{assessment.pk}/decide/", {
        "note": "限期整改", "rectify_by": days(90).isoformat(), "rectification_items": "完善议事规则\n\n补充年度计划\n"})
    assert response.status_code == 302
    items = list(RectificationItem.objects.filter(assessment=assessment).order_by("id"))
    assert [item.text for item in items] == ["完善议事规则", "补充年度计划"]
    page = browser.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "完善议事规则" in page and 'data-grade="rectify"' in page and "70.00" in page
    done_url = f"/assessments/{assessment.pk}/rectification/{items[0].pk}/done/"
    assert client_for(cast["director"]).post(done_url, {"note": "x"}).status_code == 404
    assert client_for(cast["secretariat"]).post(done_url, {"note": "已修订"}).status_code == 302
    assert RectificationItem.objects.get(pk=items[0].pk).done_note == "已修订"
    assert client_for(cast["secretariat"]).post(done_url, {"note": "again"}).status_code == 409


def test_the_official_opens_a_cycle_for_the_chosen_alliances(cast, framework, client_for, high_tech):
    browser = client_for(cast["official"])
    form = browser.get("/assessments/cycles/new/").content.decode()
    assert 'name="excellent_from"' in form and 'value="90"' in form and 'value="75"' in form and 'value="60"' in form
    assert high_tech.name in form and "潍坊" not in form
    assert f'value="{framework.pk}"' in form
    response = browser.post("/assessments/cycles/new/", {
        "framework": framework.pk, "city": high_tech.city_id, "title": "2027年度考核", "opens_on": days(0),
        "self_assessment_due": days(10), "review_due": days(20), "excellent_from": "85", "qualified_from": "70",
        "rectify_from": "60", "alliances": [high_tech.pk]})
    cycle = Cycle.objects.get(title="2027年度考核")
    assert response.status_code == 302 and response["Location"] == f"/assessments/cycles/{cycle.pk}/"
    assert cycle.excellent_from == 85 and list(cycle.assessments.values_list("alliance_id", flat=True)) == [high_tech.pk]


def test_a_draft_framework_is_not_offered_for_a_cycle(cast, framework, client_for):
    draft = services.framework_import(actor=cast["official"], data={**SMALL, "name": "未发布"})
    form = client_for(cast["official"]).get("/assessments/cycles/new/").content.decode()
    assert f'value="{draft.pk}"' not in form


# Bad input: the message is shown and nothing is saved


def cycle_post(framework, alliance, **changes):
    data = {"framework": framework.pk, "city": alliance.city_id, "title": "坏周期", "opens_on": days(0),
            "self_assessment_due": days(10), "review_due": days(20), "excellent_from": "90", "qualified_from": "75",
            "rectify_from": "60", "alliances": [alliance.pk]}
    data.update(changes)
    return data


@pytest.mark.parametrize(("changes", "message"), [
    ({"review_due": days(5)}, "The dates must be in order"),
    ({"excellent_from": "70"}, "The grade thresholds must be in order"),
    ({"excellent_from": "101"}, "100"),
    ({"alliances": []}, "This field is required"),
    ({"opens_on": "not a date"}, "Enter a valid date"),
    ({"title": ""}, "This field is required"),
])
def test_bad_cycle_input_is_refused_with_its_message(cast, framework, client_for, high_tech, changes, message):
    before = Cycle.objects.count()
    response = client_for(cast["official"]).post("/assessments/cycles/new/", cycle_post(framework, high_tech, **changes),
                                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Cycle.objects.count() == before


def test_another_citys_alliance_cannot_be_put_in_a_cycle(cast, framework, client_for, high_tech, other_alliance):
    before = Cycle.objects.count()
    response = client_for(cast["official"]).post("/assessments/cycles/new/",
                                                 cycle_post(framework, high_tech, alliances=[other_alliance.pk]))
    assert response.status_code == 400 and Cycle.objects.count() == before


@pytest.mark.parametrize(("scores", "action", "status", "message"), [
    ({"A1": "11"}, "save", 400, "less than or equal to 10"),
    ({"A1": "-1"}, "save", 400, "greater than or equal to 0"),
    ({"B2": "2.345"}, "save", 400, "2 decimal places"),
    ({"A1": "abc"}, "save", 400, "Enter a number"),
    ({"C1": "0.5"}, "save", 400, "Select a valid choice"),
    ({"A1": "8", "B1": "9"}, "submit", 400, "missing: B2, C1"),
])
def test_bad_self_assessment_input_is_refused_and_nothing_is_saved(cast, world, client_for, scores, action, status,
                                                                   message):
    response = client_for(cast["secretariat"]).post(f"/assessments/{world['a']}/self-assessment/",
                                                    scores_post(scores, action=action), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    assert message in response.content.decode()
    assessment = Assessment.objects.get(pk=world["a"])
    assert (assessment.self_scores, assessment.self_narratives, assessment.status) == ({}, {}, "draft")


def test_a_self_assessment_cannot_be_changed_after_submitting(cast, world, client_for):
    response = client_for(cast["secretariat"]).post(f"/assessments/{world['b']}/self-assessment/",
                                                    scores_post({"A1": "1"}, action="save"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "submitted and locked" in response.content.decode()
    assert Assessment.objects.get(pk=world["b"]).self_scores["A1"] == "10"


def test_a_self_assessment_after_its_deadline_is_refused(cast, world, client_for):
    Cycle.objects.filter(pk=world["cycle_a"]).update(opens_on=days(-40), self_assessment_due=days(-1))
    response = client_for(cast["secretariat"]).post(f"/assessments/{world['a']}/self-assessment/",
                                                    scores_post({"A1": "1"}, action="save"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "was due on" in response.content.decode()
    assert Assessment.objects.get(pk=world["a"]).self_scores == {}


def test_an_htmx_save_with_bad_input_answers_the_form_with_its_message(cast, world, client_for):
    response = client_for(cast["secretariat"]).post(f"/assessments/{world['a']}/self-assessment/",
                                                    scores_post({"A1": "11"}, action="save"),
                                                    HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 400 and "<h1>" not in html and "less than or equal to 10" in html
    assert Assessment.objects.get(pk=world["a"]).self_scores == {}


def test_returning_needs_a_reason_and_happens_once(cast, world, client_for):
    browser = client_for(cast["official"])
    url = f"/assessments/{world['b']}/return/"
    response = browser.post(url, {"reason": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert Assessment.objects.get(pk=world["b"]).status == "submitted"
    assert browser.post(url, {"reason": "补充材料"}).status_code == 302
    services.self_assessment_submit(assessment=Assessment.objects.get(pk=world["b"]), actor=cast["secretariat"])
    response = browser.post(url, {"reason": "再次退回"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "only once" in response.content.decode()
    assessment = Assessment.objects.get(pk=world["b"])
    assert (assessment.status, assessment.returned_reason) == ("submitted", "补充材料")


def test_an_expert_with_a_conflict_is_refused_with_the_services_message(cast, world, client_for):
    conflicted = expert(2)
    Contact.objects.create(user=conflicted, organization=Organization.objects.get(contacts__user=cast["contact"]))
    response = client_for(cast["official"]).post(f"/assessments/{world['b']}/experts/",
                                                 {"experts": [expert(1).pk, conflicted.pk]}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 400
    assert f"{conflicted} works for a member unit of this alliance." in html
    assessment = Assessment.objects.get(pk=world["b"])
    assert assessment.status == "submitted" and not assessment.reviews.exists()


def test_a_user_who_is_no_expert_cannot_be_chosen(cast, world, client_for):
    response = client_for(cast["official"]).post(f"/assessments/{world['b']}/experts/",
                                                 {"experts": [cast["outsider"].pk]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Assessment.objects.get(pk=world["b"]).reviews.exists()
    response = client_for(cast["official"]).post(f"/assessments/{world['b']}/experts/", {})
    assert response.status_code == 400


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"score_B2": "6"}, 400, "less than or equal to 5"),
    ({"score_C1": "2"}, 400, "Select a valid choice"),
    ({**{f"score_{c}": v for c, v in TOP.items()}, "action": "submit"}, 400, "Declare that you have no conflict"),
    ({"score_A1": "5", "declared_no_conflict": "on", "action": "submit"}, 400, "missing: B1, B2, C1"),
])
def test_bad_review_input_is_refused_and_nothing_is_saved(cast, world, client_for, data, status, message):
    response = client_for(cast["expert"]).post(f"/assessments/reviews/{world['review_c']}/",
                                               {"action": "save", **data}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    assert message in response.content.decode()
    review = Review.objects.get(pk=world["review_c"])
    assert (review.scores, review.declared_no_conflict, review.status) == ({}, False, "assigned")


def test_a_review_after_its_deadline_is_refused(cast, world, client_for):
    Cycle.objects.filter(pk=world["cycle_c"]).update(opens_on=days(-40), self_assessment_due=days(-20),
                                                     review_due=days(-1))
    response = client_for(cast["expert"]).post(f"/assessments/reviews/{world['review_c']}/",
                                               {"action": "save", "score_A1": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "was due on" in response.content.decode()
    assert Review.objects.get(pk=world["review_c"]).scores == {}


def test_a_rectify_grade_without_a_deadline_is_refused(cast, world, client_for, high_tech, framework):
    cycle = open_cycle(cast, framework, high_tech, "缺期限周期")
    assessment = advance(cast, cycle.assessments.get(), "reviewed", scores=MIDDLING)
    browser = client_for(cast["official"])
    for data, message in [({"note": "x"}, "Set the date by which the alliance must rectify."),
                          ({"note": "x", "rectify_by": days(-1).isoformat()}, "must be in the future"),
                          ({"note": "x", "rectify_by": "2026-13-45"}, "Enter a valid date")]:
        response = browser.post(f"/assessments/{assessment.pk}/decide/", {**data, "rectification_items": "一项"},
                                HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and message in response.content.decode(), data
    assessment.refresh_from_db()
    assert (assessment.status, assessment.grade, assessment.final_score) == ("under_review", "", None)
    assert not assessment.rectification_items.exists()
    assert Alliance.objects.get(pk=high_tech.pk).status == "established"


def test_deciding_before_every_review_is_in_is_a_conflict(cast, world, client_for):
    response = client_for(cast["official"]).post(f"/assessments/{world['c']}/decide/", {"note": ""},
                                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "Every assigned expert must submit" in response.content.decode()
    assert Assessment.objects.get(pk=world["c"]).status == "under_review"


def test_publishing_twice_is_a_conflict(cast, world, client_for):
    response = client_for(cast["official"]).post(f"/assessments/{world['f']}/publish/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "already published" in response.content.decode()


# Frameworks


def test_the_official_imports_exports_and_publishes_a_framework(cast, client_for, high_tech):
    browser = client_for(cast["official"])
    response = browser.post("/assessments/frameworks/", {"file": small_file("导入的指标体系")})
    framework = Framework.objects.get(name="导入的指标体系")
    assert response.status_code == 302 and response["Location"] == f"/assessments/frameworks/{framework.pk}/"
    assert (framework.status, framework.city_id) == ("draft", high_tech.city_id)
    exported = browser.get(f"/assessments/frameworks/{framework.pk}/export.json")
    assert exported["Content-Disposition"].startswith("attachment")
    assert json.loads(exported.content) == frameworks.export(framework)
    assert browser.post(f"/assessments/frameworks/{framework.pk}/publish/").status_code == 302
    assert Framework.objects.get(pk=framework.pk).status == "published"
    response = browser.post(f"/assessments/frameworks/{framework.pk}/new-version/")
    newer = Framework.objects.get(name="导入的指标体系", version=framework.version + 1)
    assert response["Location"] == f"/assessments/frameworks/{newer.pk}/" and newer.status == "draft"
    listing = browser.get("/assessments/frameworks/").content.decode()
    assert f'data-framework="{newer.pk}"' in listing and f'data-framework="{framework.pk}"' in listing


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (json.dumps({**SMALL, "indicators": [{**SMALL["indicators"][0], "weight": "50",
                                          "children": [{**SMALL["indicators"][0]["children"][0], "weight": "50"}]},
                                         *SMALL["indicators"][1:]]}).encode(), "not to 100"),
    (json.dumps({"name": "空"}).encode(), "non-empty list of indicators"),
])
def test_a_bad_framework_file_is_refused_with_its_message(cast, client_for, content, message):
    before = Framework.objects.count()
    response = client_for(cast["official"]).post(
        "/assessments/frameworks/", {"file": SimpleUploadedFile("f.json", content)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Framework.objects.count() == before


def test_a_framework_file_over_one_megabyte_is_refused(cast, client_for):
    before = Framework.objects.count()
    big = SimpleUploadedFile("f.json", b" " * (1024 * 1024 + 1))
    response = client_for(cast["official"]).post("/assessments/frameworks/", {"file": big}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "larger than 1 MB" in response.content.decode()
    assert Framework.objects.count() == before


def test_a_published_framework_cannot_be_replaced(cast, framework, client_for):
    indicators = list(framework.indicators.values_list("code", flat=True))
    response = client_for(cast["official"]).post(f"/assessments/frameworks/{framework.pk}/replace/",
                                                 {"file": small_file(framework.name)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "never changes" in response.content.decode()
    assert list(framework.indicators.values_list("code", flat=True)) == indicators


def test_a_bad_file_does_not_replace_a_drafts_indicators(cast, world, client_for):
    draft = Framework.objects.get(pk=world["draft"])
    before = list(draft.indicators.values_list("code", "weight"))
    response = client_for(cast["official"]).post(f"/assessments/frameworks/{draft.pk}/replace/",
                                                 {"file": SimpleUploadedFile("f.json", b"[1, 2")},
                                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "not valid JSON" in response.content.decode()
    assert list(draft.indicators.values_list("code", "weight")) == before


def test_publishing_a_published_framework_says_so(cast, framework, client_for):
    response = client_for(cast["official"]).post(f"/assessments/frameworks/{framework.pk}/publish/",
                                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "already published" in response.content.decode()


# Dashboard


def test_the_dashboard_shows_each_alliance_with_its_trend_and_charts(cast, world, framework, client_for, high_tech):
    # The trend is of this test's two cycles: the module's are taken away (for this test only).
    Cycle.objects.filter(pk__in=[world[f"cycle_{key}"] for key in "abcdef"]).delete()
    first = open_cycle(cast, framework, high_tech, "2025年度")
    advance(cast, first.assessments.get(), "decided", scores=MIDDLING, rectify_by=days(30))
    Alliance.objects.filter(pk=high_tech.pk).update(status="established")
    second = open_cycle(cast, framework, high_tech, "2026年度")
    advance(cast, second.assessments.get(), "decided", scores=TOP)
    response = client_for(cast["official"]).get("/assessments/dashboard/")
    html = response.content.decode()
    row = re.search(rf'<tr data-alliance="{high_tech.pk}">.*?</tr>', html, re.S).group(0)
    assert 'data-grade="excellent"' in row and "100.00" in row and "70.00 → 100.00" in row and ">91<" in row
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html,
                                re.S).group(1))
    assert data["cycles"] == ["2025年度", "2026年度"]
    assert {"label": high_tech.name, "data": [70.0, 100.0]} in data["series"]
    assert data["grades"]["counts"] == [1, 0, 0, 0]
    assert "/static/vendor/chartjs/chart.umd.min.js" in html and "/static/js/dashboard.js" in html
    assert "<script>" not in html  # the CSP allows no inline script
    assert "潍坊" not in html


def test_the_dashboards_queries_do_not_grow_with_alliances_results_and_warnings(cast, world, client_for, high_tech):
    browser = client_for(cast["official"])
    cycle = Cycle.objects.filter(city=high_tech.city).order_by("id").first()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert browser.get("/assessments/dashboard/").status_code == 200
        return len(queries)

    count()  # warm what is read once per process
    before = count()
    for n in range(4):
        alliance = AllianceFactory(city=high_tech.city, status="established")
        MembershipFactory(alliance=alliance)
        Assessment.objects.create(cycle=cycle, alliance=alliance, status="decided", final_score=D(60 + n),
                                  grade="qualified")
        EarlyWarning.objects.create(alliance=alliance, rule="council_silent", level="warning", value=D(8),
                                    threshold=D(6), since=timezone.localdate(), checked_on=timezone.localdate())
    assert count() == before


def test_the_dashboard_pages_its_table_and_charts_every_alliance(cast, world, client_for, high_tech):
    cycle = Cycle.objects.filter(city=high_tech.city).order_by("id").first()
    for n in range(55):
        alliance = AllianceFactory(city=high_tech.city, status="established", name=f"分页测试联合体{n:02d}")
        Assessment.objects.create(cycle=cycle, alliance=alliance, status="decided", final_score=D(70), grade="qualified")
    browser = client_for(cast["official"])
    total = Alliance.objects.filter(city=high_tech.city).count()
    first = browser.get("/assessments/dashboard/").content.decode()
    second = browser.get("/assessments/dashboard/?page=2").content.decode()
    rows = [set(re.findall(r'<tr data-alliance="(\d+)">', html)) for html in (first, second)]
    assert len(rows[0]) == 50 and rows[0].isdisjoint(rows[1]) and len(rows[0] | rows[1]) == total
    assert 'class="pager"' in first and "page=2" in first
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', first,
                                re.S).group(1))
    assert "分页测试联合体54" in {series["label"] for series in data["series"]}  # on the second page, in the chart


def test_pages_read_in_english_through_the_language_switch(cast, world, client_for):
    browser = client_for(cast["official"])
    browser.post("/i18n/setlang/", {"language": "en", "next": "/assessments/"})
    html = browser.get("/assessments/").content.decode()
    assert '<html lang="en">' in html and "Open a cycle" in html and "Published results" in html


# Query counts: flat from 10 to 100 rows


@pytest.fixture
def count_world(db):
    """A city with its official, secretariat, expert and published framework; rows are added per test."""
    city = City.objects.create(name="计数考核市")
    alliance = AllianceFactory(city=city)
    official, secretariat, reviewer = UserFactory(), UserFactory(), UserFactory()
    RoleGrant.objects.create(user=official, role="official", city=city)
    RoleGrant.objects.create(user=secretariat, role="secretariat", alliance=alliance)
    RoleGrant.objects.create(user=reviewer, role="expert")
    framework = services.framework_publish(framework=services.framework_import(actor=official, data=SMALL),
                                           actor=official)
    cycle = Cycle.objects.create(framework=framework, city=city, title="计数周期", opens_on=days(-5),
                                 self_assessment_due=days(-1), review_due=days(10), created_by=official)
    return {"city": city, "alliance": alliance, "official": official, "secretariat": secretariat,
            "expert": reviewer, "framework": framework, "cycle": cycle, "n": 0}


def _decided(**fields):
    return {"status": "decided", "final_score": D("80.50"), "grade": "qualified", "decided_at": timezone.now(),
            "working": [], **fields}


def add_cycles(world, n):
    """n more cycles, each with the secretariat's alliance decided, published and reviewed by the expert."""
    for _ in range(n):
        world["n"] += 1
        cycle = Cycle.objects.create(framework=world["framework"], city=world["city"], title=f"周期{world['n']}",
                                     opens_on=days(-world["n"]), self_assessment_due=days(0), review_due=days(0),
                                     created_by=world["official"])
        assessment = Assessment.objects.create(cycle=cycle, alliance=world["alliance"],
                                               **_decided(published_at=timezone.now()))
        Review.objects.create(assessment=assessment, expert=world["expert"], assigned_by=world["official"],
                              status="submitted", declared_no_conflict=True)
        Framework.objects.create(name=f"计数指标体系{world['n']}", created_by=world["official"], city=world["city"])


def add_alliances(world, n):
    """n more alliances in the city, each with members, in the cycle under review (one expert) and decided in an
    earlier one."""
    earlier = world.setdefault("earlier", Cycle.objects.create(
        framework=world["framework"], city=world["city"], title="上一周期", opens_on=days(-400),
        self_assessment_due=days(-390), review_due=days(-380), created_by=world["official"]))
    for alliance in AllianceFactory.create_batch(n, city=world["city"]):
        MembershipFactory(alliance=alliance, organization=OrganizationFactory(city=world["city"]))
        current = Assessment.objects.create(cycle=world["cycle"], alliance=alliance, status="under_review")
        Review.objects.create(assessment=current, expert=world["expert"], assigned_by=world["official"])
        Assessment.objects.create(cycle=earlier, alliance=alliance, **_decided())


def count_queries(do):
    with CaptureQueriesContext(connection) as context:
        response = do()
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries), context, response


LISTS = [
    ("official", "/assessments/", add_cycles, "周期"),
    ("secretariat", "/assessments/", add_cycles, "周期"),
    ("expert", "/assessments/", add_cycles, "data-review="),
    (None, "/assessments/", add_cycles, "周期"),
    ("official", "/assessments/frameworks/", add_cycles, "data-framework="),
    ("official", "/assessments/cycles/{cycle}/", add_alliances, "data-assessment="),
    ("official", "/assessments/dashboard/", add_alliances, "data-alliance="),
]


@pytest.mark.parametrize(("who", "url", "add", "marker"), LISTS,
                         ids=[f"{who} {url} {add.__name__}" for who, url, add, _m in LISTS])
def test_query_count_is_flat(count_world, client_for, who, url, add, marker):
    browser = client_for(count_world[who] if who else None)
    path = url.format(cycle=count_world["cycle"].pk)
    add(count_world, 10)
    browser.get(path)  # warm the session and content-type caches
    small, _context, first = count_queries(lambda: browser.get(path))
    add(count_world, 90)
    large, context, second = count_queries(lambda: browser.get(path))
    assert second.content.decode().count(marker) > first.content.decode().count(marker)  # the rows are there
    assert large == small, "\n".join(query["sql"] for query in context.captured_queries)


def test_the_return_form_is_offered_as_long_as_the_service_would_return(cast, world, client_for):
    browser = client_for(cast["official"])
    detail = f"/assessments/{world['b']}/"
    assert 'id="return-form"' in browser.get(detail).content.decode()
    assessment = services.self_assessment_return(assessment=Assessment.objects.get(pk=world["b"]),
                                                 actor=cast["official"], reason="补充材料")
    services.self_assessment_submit(assessment=assessment, actor=cast["secretariat"])
    assert services.return_refusal(Assessment.objects.get(pk=world["b"])) is not None
    assert 'id="return-form"' not in browser.get(detail).content.decode()


def test_a_rectification_item_past_its_date_reads_overdue_until_it_is_done(cast, framework, client_for, high_tech):
    cycle = open_cycle(cast, framework, high_tech, "整改逾期周期")
    assessment = advance(cast, cycle.assessments.get(), "decided", scores=MIDDLING, rectify_by=days(60),
                         rectification_items=["完善议事规则"])
    RectificationItem.objects.filter(assessment=assessment).update(due_on=days(-1))

    def items_table():
        page = client_for(cast["secretariat"]).get(f"/assessments/{assessment.pk}/").content.decode()
        return re.search(r'<table id="rectification-items">.*?</table>', page, re.S).group(0)

    assert "badge overdue" in items_table() and 'name="note"' in items_table()
    services.rectification_done(item=assessment.rectification_items.get(), actor=cast["secretariat"], note="已修订")
    assert "badge overdue" not in items_table() and 'name="note"' not in items_table()


def test_only_those_who_record_rectification_get_its_form(cast, framework, client_for, high_tech):
    cycle = open_cycle(cast, framework, high_tech, "整改表单周期")
    assessment = advance(cast, cycle.assessments.get(), "published", scores=MIDDLING, rectify_by=days(60),
                         rectification_items=["完善议事规则"])
    for role, shown in [("official", True), ("secretariat", True), ("outsider", False), ("anonymous", False)]:
        page = client_for(cast[role]).get(f"/assessments/{assessment.pk}/").content.decode()
        assert ('name="note"' in page) is shown, role
        assert ('id="publish-form"' in page) is False, role
