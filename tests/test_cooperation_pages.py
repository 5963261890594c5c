"""The cooperation pages: each page and form against each role, in Chinese and English, the contact's and the
school's home page, and flat query counts on the list pages and the home page (10 rows against 100)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cooperation.models import Response, TechnologyNeed
from cooperation.services import events
from tests.cooperation_data import NEED, World
from tests.test_cooperation_api import add_entries, city_world  # noqa: F401  (the fixture)
from tests.test_permissions_pages import LOGIN, ROLES

pytestmark = pytest.mark.django_db


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


class PageWorld(World):
    def make_event(self):
        now = timezone.now()
        return events.event_create(alliance=self.alliance, actor=self.secretariat, title="校企供需对接会",
                                   starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1),
                                   technology_needs=[self["published_need"]])


@pytest.fixture
def world(cast, high_tech, other_alliance):
    return PageWorld(cast, high_tech, other_alliance)


ANYONE = _expect(200)
READERS = _expect(404, official=200, secretariat=200, director=200, contact=200)
POSTERS = _expect(403, anonymous=LOGIN, secretariat=200, director=200, contact=200, weifang_secretariat=200)
KEEPERS = _expect(404, anonymous=LOGIN, official=403, secretariat=200, director=403, contact=200)
KEEPERS_WRITE = {**KEEPERS, "secretariat": 302, "contact": 302}
CURATOR_WRITE = _expect(404, anonymous=LOGIN, official=403, secretariat=302, director=403, contact=403)
FILES = _expect(403, anonymous=LOGIN, official=200, secretariat=200)
EVENT_READERS = _expect(403, anonymous=LOGIN, official=200, secretariat=200, director=200, contact=200)

FORM = {**NEED, "alliance": "{ht}", "organization": "{contact_org}", "year": ""}

PAGES = [
    ("GET", "/cooperation/", None, ANYONE),
    ("GET", "/cooperation/technology-needs/", None, ANYONE),
    ("GET", "/cooperation/talent-needs/", None, ANYONE),
    ("GET", "/cooperation/products/", None, ANYONE),
    ("GET", "/cooperation/offers/", None, ANYONE),
    ("GET", "/cooperation/technology-needs/{need}/", None, READERS),
    ("GET", "/cooperation/technology-needs/{published_need}/", None, ANYONE),
    ("GET", "/cooperation/talent-needs/{talent}/", None, READERS),
    ("GET", "/cooperation/products/{product}/", None, _expect(404, official=200, secretariat=200, contact=200)),
    ("GET", "/cooperation/offers/{offer}/", None, READERS),
    ("GET", "/cooperation/technology-needs/new/", None, POSTERS),
    ("POST", "/cooperation/technology-needs/new/", FORM,
     _expect(403, anonymous=LOGIN, secretariat=302, director=400, contact=302, weifang_secretariat=400)),
    ("GET", "/cooperation/technology-needs/{need}/edit/", None, KEEPERS),
    ("POST", "/cooperation/technology-needs/{need}/edit/", {**NEED, "year": "2026", "title": "改后的标题"},
     {**KEEPERS, "secretariat": 302, "contact": 302}),
    ("POST", "/cooperation/technology-needs/{need}/publish/", {}, CURATOR_WRITE),
    ("POST", "/cooperation/technology-needs/{need}/close/", {}, KEEPERS_WRITE),
    ("POST", "/cooperation/technology-needs/{published_need}/respond/",
     {"organization": "{school_org}", "note": "可以"}, _expect(403, anonymous=LOGIN)),
    ("POST", "/cooperation/responses/{response}/accept/", {}, _expect(404, anonymous=LOGIN, official=403,
                                                                      secretariat=403, contact=302)),
    ("GET", "/cooperation/alliances/{ht}/technology-needs/export.xlsx", None, FILES),
    ("GET", "/cooperation/alliances/{ht}/talent-needs/import/", None,
     _expect(403, anonymous=LOGIN, secretariat=200)),
    ("GET", "/cooperation/alliances/{ht}/lists.xlsx", None, FILES),
    ("GET", "/cooperation/alliances/{ht}/events/", None, EVENT_READERS),
    ("GET", "/cooperation/alliances/{ht}/events/new/", None, _expect(403, anonymous=LOGIN, secretariat=200)),
    ("GET", "/cooperation/events/{event}/", None, _expect(404, anonymous=LOGIN, official=200, secretariat=200,
                                                          director=200, contact=200)),
    ("POST", "/cooperation/events/{event}/held/", {"summary": "已举办"},
     _expect(404, anonymous=LOGIN, official=403, secretariat=302, director=403, contact=403)),
]


def _fill(value, ids):
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda match: str(ids[match.group(1)]), value)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "data", "expected"), PAGES,
                         ids=[f"{method} {path}" for method, path, _d, _e in PAGES])
def test_each_page_answers_each_role(world, cast, client_for, role, method, path, data, expected):
    ids = world.ids()
    browser = client_for(cast[role])
    url = _fill(path, ids)
    if method == "GET":
        response = browser.get(url)
    else:
        response = browser.post(url, _fill(data, ids))
    wanted = expected[role]
    if wanted == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], response.status_code
    else:
        assert response.status_code == wanted, (role, response.status_code, response.content[:400])


def test_the_contact_posts_a_need_and_finds_it_with_its_responses_on_the_home_page(world, client_for):
    browser = client_for(world.contact)
    response = browser.post("/cooperation/technology-needs/new/", _fill(FORM, world.ids()))
    assert response.status_code == 302
    need = TechnologyNeed.objects.filter(organization=world.contact_org).latest("id")
    assert response["Location"] == f"/cooperation/technology-needs/{need.pk}/"
    world["response"]
    home = browser.get("/").content.decode()
    assert need.title in home and "陶瓷激光打孔工艺" in home
    assert world.school_org.name in home  # the response waiting for an answer


def test_the_school_sees_the_needs_it_may_help_with_and_its_responses(world, client_for):
    world["response"]
    home = client_for(world.school).get("/").content.decode()
    assert 'id="own-responses"' in home and "陶瓷激光打孔工艺" in home


def test_bad_input_on_the_form_is_shown_on_its_field_and_nothing_is_saved(world, client_for):
    before = TechnologyNeed.objects.count()
    response = client_for(world.contact).post("/cooperation/technology-needs/new/", _fill(
        {**FORM, "budget_min": "500000", "budget_max": "100"}, world.ids()))
    assert response.status_code == 400
    assert "预算上限低于下限" in response.content.decode()
    assert TechnologyNeed.objects.count() == before


def test_an_unknown_major_code_gets_a_clear_message_in_english_too(world, client_for):
    browser = client_for(world.contact)
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = browser.post("/cooperation/talent-needs/new/", _fill(
        {"alliance": "{ht}", "organization": "{contact_org}", "position": "钳工", "major_code": "990101",
         "headcount": "2", "filled": "0", "education_level": "higher_vocational", "visibility": "alliance",
         "year": ""}, world.ids()))
    assert response.status_code == 400
    assert "Unknown major category “99”" in response.content.decode()


def test_the_enterprise_accepts_a_response_on_the_needs_page(world, client_for):
    response = world["response"]
    browser = client_for(world.contact)
    page = browser.get(f"/cooperation/technology-needs/{response.need_id}/").content.decode()
    assert f'data-response="{response.pk}"' in page and "/accept/" in page
    assert browser.post(f"/cooperation/responses/{response.pk}/accept/").status_code == 302
    assert Response.objects.get(pk=response.pk).status == "accepted"


def test_the_lists_read_in_chinese_and_english(client):
    assert "技术需求" in client.get("/cooperation/technology-needs/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Technology needs" in client.get("/cooperation/technology-needs/").content.decode()


def test_the_list_is_filtered_by_htmx_without_the_page_around_it(world, client_for):
    world["published_need"]
    response = client_for(None).get("/cooperation/technology-needs/?q=激光打孔", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "陶瓷激光打孔工艺" in html


# Query counts ------------------------------------------------------------------------------------------------


def count_queries(do):
    with CaptureQueriesContext(connection) as context:
        response = do()
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries), context


PAGE_LISTS = ["/cooperation/technology-needs/", "/cooperation/talent-needs/", "/cooperation/products/",
              "/cooperation/offers/", "/"]


@pytest.mark.parametrize("who", ["official", "secretariat", "contact", None])
@pytest.mark.parametrize("url", PAGE_LISTS)
def test_query_count_is_flat(city_world, client_for, url, who):  # noqa: F811
    browser = client_for(city_world[who] if who else None)
    add_entries(city_world, 10)
    browser.get(url)
    small, _ = count_queries(lambda: browser.get(url))
    add_entries(city_world, 90)
    large, context = count_queries(lambda: browser.get(url))
    assert large == small, "\n".join(q["sql"] for q in context.captured_queries)


def test_the_alliance_page_shows_the_lists(world, client_for):
    world["published_need"]
    html = client_for(None).get(f"/alliances/{world.alliance.pk}/").content.decode()
    assert 'id="cooperation-lists"' in html


def test_the_secretariat_plans_an_event_records_it_and_links_a_response(world, client_for):
    browser = client_for(world.secretariat)
    need = world["published_need"]
    start = timezone.localtime() - timedelta(hours=3)
    response = browser.post(f"/cooperation/alliances/{world.alliance.pk}/events/new/", {
        "title": "智能制造供需对接会", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "location": "科创中心",
        "technology_needs": [need.pk]})
    assert response.status_code == 302, response.content[:500]
    event_url = response["Location"]
    event_id = int(event_url.rstrip("/").rsplit("/", 1)[1])
    assert browser.post(f"/cooperation/events/{event_id}/held/", {"summary": "对接成功"}).status_code == 302
    answer = world["response"]
    assert browser.post(f"/cooperation/events/{event_id}/link/", {"response": answer.pk}).status_code == 302
    page = browser.get(event_url).content.decode()
    assert 'data-status="held"' in page and need.title in page and world.school_org.name in page
    figures = browser.get(f"/cooperation/alliances/{world.alliance.pk}/events/").content.decode()
    assert 'id="events-held"' in figures


def test_an_event_that_ends_before_it_starts_is_refused_on_its_field(world, client_for):
    start = timezone.localtime() + timedelta(days=3)
    response = client_for(world.secretariat).post(f"/cooperation/alliances/{world.alliance.pk}/events/new/", {
        "title": "对接会", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400
    assert "结束时间须晚于开始时间" in response.content.decode()
