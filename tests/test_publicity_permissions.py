"""Publicity's pages and endpoints against each role: allowed, refused (403), hidden (404) or sent to log in.

The items and announcements are made once for the module (inside a transaction rolled back at its end, as
Django's setUpTestData does); each test runs in a savepoint of its own on top of them.
"""

import pytest
from django.db import transaction
from django.test import override_settings

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from members.models import User
from publicity import services
from publicity.models import Announcement, NewsItem
from tests.conftest import OTHER_CITY_ALLIANCE
from tests.publicity_data import announcement, draft, png_upload, published
from tests.test_permissions_pages import LOGIN, ROLES

pytestmark = pytest.mark.django_db


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Ids of: the High-tech Zone alliance and the Weifang one (not public), a published typical case with an
    image, a draft, a withdrawn item, a published item of the Weifang alliance, a sent and a draft announcement."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        high_tech = Alliance.objects.get(name=HIGH_TECH)
        other = Alliance.objects.get(name=OTHER_CITY_ALLIANCE)
        secretariat = User.objects.get(username="secretariat")
        case = published(high_tech, secretariat, kind="typical_case", title="公开的典型案例", image=png_upload())
        withdrawn = published(high_tech, secretariat, title="撤回的新闻")
        services.news_withdraw(item=withdrawn, actor=secretariat)
        data = {
            "ht": high_tech.pk, "other": other.pk, "zibo": high_tech.city_id, "case": case.pk,
            "image": case.image_name, "draft": draft(high_tech, secretariat, title="草稿").pk,
            "withdrawn": withdrawn.pk,
            "hidden": published(other, User.objects.get(username="weifang_secretariat"), title="潍坊的新闻").pk,
            "sent": announcement(high_tech, secretariat).pk,
            "unsent": announcement(high_tech, secretariat, title="待发送的通知", send=False).pk,
        }
    yield data
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    media.disable()


ANYONE = _expect(200)
SIGNED_IN = _expect(200, anonymous=LOGIN)
OVERSEERS = _expect(404, official=200, secretariat=200)
# The alliance is public: others see it exist, but may not do this to it.
EDITORS = _expect(403, anonymous=LOGIN, official=200, secretariat=200)
SECRETARIAT = _expect(403, anonymous=LOGIN, secretariat=200)
# A hidden item: its overseers may see it; of them only the secretariat may act.
SECRETARIAT_ACTS = _expect(404, anonymous=LOGIN, official=403, secretariat=302)
RECIPIENTS = _expect(404, anonymous=LOGIN, official=200, secretariat=200, director=200, contact=200)
WEIFANG = _expect(404, weifang_official=200, weifang_secretariat=200)

PAGES = [
    ("GET", "/alliances/{ht}/public/", None, ANYONE),
    ("GET", "/alliances/{other}/public/", None, _expect(404)),
    ("GET", "/alliances/{ht}/news/", None, ANYONE),
    ("GET", "/alliances/{other}/news/", None, WEIFANG),
    ("GET", "/alliances/{ht}/news/feed/", None, ANYONE),
    ("GET", "/alliances/{other}/news/feed/", None, _expect(404)),
    ("GET", "/cities/{zibo}/news/", None, ANYONE),
    ("GET", "/cities/{zibo}/news/feed/", None, ANYONE),
    ("GET", "/news/{case}/", None, ANYONE),
    ("GET", "/news/{case}/images/{image}", None, ANYONE),
    ("GET", "/news/{draft}/", None, OVERSEERS),
    ("GET", "/news/{withdrawn}/", None, OVERSEERS),
    ("GET", "/news/{hidden}/", None, WEIFANG),
    ("GET", "/alliances/{ht}/news/new/", None, SECRETARIAT),
    ("POST", "/alliances/{ht}/news/new/", {"kind": "news", "title": "新的新闻", "body": "正文"},
     _expect(403, anonymous=LOGIN, secretariat=302)),
    ("GET", "/news/{draft}/edit/", None, _expect(404, anonymous=LOGIN, official=403, secretariat=200)),
    ("GET", "/news/{case}/edit/", None, _expect(403, anonymous=LOGIN, secretariat=200)),
    ("POST", "/news/{draft}/edit/", {"kind": "news", "title": "改过的草稿", "body": "正文"}, SECRETARIAT_ACTS),
    ("POST", "/news/{draft}/publish/", {}, SECRETARIAT_ACTS),
    ("POST", "/news/{case}/withdraw/", {}, _expect(403, anonymous=LOGIN, secretariat=302)),
    ("GET", "/alliances/{ht}/announcements/", None, EDITORS),
    ("GET", "/alliances/{other}/announcements/", None, _expect(404, anonymous=LOGIN, weifang_official=200,
                                                               weifang_secretariat=200)),
    ("GET", "/alliances/{ht}/announcements/new/", None, SECRETARIAT),
    ("POST", "/alliances/{ht}/announcements/new/", {"title": "通知", "body": "正文"},
     _expect(403, anonymous=LOGIN, secretariat=302)),
    ("GET", "/announcements/", None, SIGNED_IN),
    ("GET", "/announcements/{sent}/", None, RECIPIENTS),
    ("GET", "/announcements/{unsent}/", None, _expect(404, anonymous=LOGIN, official=200, secretariat=200)),
    ("GET", "/announcements/{unsent}/edit/", None, _expect(404, anonymous=LOGIN, official=403, secretariat=200)),
    ("POST", "/announcements/{unsent}/send/", {}, SECRETARIAT_ACTS),
    ("POST", "/announcements/{sent}/send/", {}, _expect(404, anonymous=LOGIN, official=403, secretariat=302,
                                                        director=403, contact=403)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "expected"), PAGES, ids=[f"{m} {u}" for m, u, _d, _e in PAGES])
def test_page_permissions(cast, world, client_for, role, method, url, data, expected):
    browser = client_for(cast[role])
    path = url.format(**world)
    response = browser.get(path) if method == "GET" else browser.post(path, data or {})
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), response
    else:
        assert response.status_code == want, (role, path, response.status_code)


def test_refused_writes_leave_no_trace(cast, world, client_for):
    for role in ("official", "director", "contact", "outsider", "weifang_secretariat"):
        browser = client_for(cast[role])
        browser.post(f"/news/{world['draft']}/publish/")
        browser.post(f"/news/{world['case']}/withdraw/")
        browser.post(f"/announcements/{world['unsent']}/send/")
        browser.post(f"/alliances/{world['ht']}/news/new/", {"kind": "news", "title": "越权的新闻", "body": "x"})
    assert NewsItem.objects.get(pk=world["draft"]).status == "draft"
    assert NewsItem.objects.get(pk=world["case"]).status == "published"
    assert Announcement.objects.get(pk=world["unsent"]).status == "draft"
    assert not NewsItem.objects.filter(title="越权的新闻").exists()


def test_the_secretariats_writes_really_happen(cast, world, client_for):
    browser = client_for(cast["secretariat"])
    browser.post(f"/news/{world['draft']}/publish/")
    assert NewsItem.objects.get(pk=world["draft"]).status == "published"
    browser.post(f"/announcements/{world['unsent']}/send/")
    assert Announcement.objects.get(pk=world["unsent"]).receipts.exists()


def test_a_refusal_names_why(cast, world, client_for):
    response = client_for(cast["official"]).get(f"/alliances/{world['ht']}/news/new/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Only the alliance&#x27;s secretariat writes its news" in response.content.decode()


# The API ------------------------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/v1/news/", ANYONE),
    ("get", "/api/v1/news/{case}/", ANYONE),
    ("get", "/api/v1/news/{draft}/", OVERSEERS),
    ("get", "/api/v1/news/{withdrawn}/", OVERSEERS),
    ("get", "/api/v1/news/{hidden}/", WEIFANG),
    ("post", "/api/v1/news/", _expect(405)),
    ("patch", "/api/v1/news/{case}/", _expect(405)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "expected"), ENDPOINTS, ids=[f"{m.upper()} {u}" for m, u, _e in ENDPOINTS])
def test_endpoint_permissions(cast, world, api_for, role, method, url, expected):
    payload = {"title": "x"} if method != "get" else None
    response = getattr(api_for(cast[role]), method)(url.format(**world), payload, format="json")
    assert response.status_code == expected[role], (role, response.status_code, getattr(response, "data", None))


def test_the_public_reads_published_items_of_public_alliances_only(world, api_for):
    results = api_for(None).get("/api/v1/news/?page_size=200").json()["results"]
    ids = {row["id"] for row in results}
    assert world["case"] in ids
    assert not ids & {world["draft"], world["withdrawn"], world["hidden"]}
    assert {row["status"] for row in results} == {"published"}


def test_the_api_answers_the_contracts_fields_and_filters(cast, world, api_for):
    api = api_for(None)
    row = api.get(f"/api/v1/news/{world['case']}/").json()
    assert {"id", "alliance", "kind", "title", "body", "published_at"} <= set(row)
    assert (row["alliance"], row["kind"], row["title"]) == (world["ht"], "typical_case", "公开的典型案例")
    assert row["image_url"] == f"http://testserver/news/{world['case']}/images/{world['image']}"
    assert api.get(row["image_url"]).status_code == 200
    cases = api.get(f"/api/v1/news/?alliance={world['ht']}&kind=typical_case").json()["results"]
    assert [item["id"] for item in cases if item["id"] == world["case"]] == [world["case"]]
    assert all(item["kind"] == "typical_case" for item in cases)
    assert all(item["kind"] == "news" for item in api.get("/api/v1/news/?kind=news").json()["results"])
    assert api.get(f"/api/v1/news/?city={world['zibo']}").json()["count"] >= 1
    assert api.get("/api/v1/news/?kind=poem").status_code == 400
    assert api.get("/api/v1/news/?city=淄博市").status_code == 400


def test_the_secretariat_reads_its_drafts_in_the_api(cast, world, api_for):
    api = api_for(cast["secretariat"])
    drafts = api.get(f"/api/v1/news/?alliance={world['ht']}&status=draft").json()["results"]
    assert [row["id"] for row in drafts] == [world["draft"]]
    assert drafts[0]["published_at"] is None and drafts[0]["image_url"] is None
