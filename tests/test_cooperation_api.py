"""The cooperation API: every endpoint and action against every role (the same permissions as the pages),
bad input answered 400 with the field named in the caller's language, anonymous callers reading only what
is published and public, and flat query counts on every list (10 rows against 100)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import Alliance, City, IndustrialChain
from cooperation.models import CoreProduct, Offer, Response, Suggestion, TalentNeed, TechnologyNeed
from kernel.models import Notification
from members.models import Contact, Membership, Organization, RoleGrant
from tests.cooperation_data import NEED, OFFER, TALENT, World
from tests.factories import UserFactory
from tests.test_permissions_pages import ROLES

pytestmark = pytest.mark.django_db


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


@pytest.fixture
def world(cast, high_tech, other_alliance):
    return World(cast, high_tech, other_alliance)


ANYONE = _expect(200)
# An unpublished entry of the contact's enterprise: its unit, the alliance's people and the city's officials.
READERS = _expect(404, official=200, secretariat=200, director=200, contact=200)
WRITE_FORBIDDEN = _expect(403, anonymous=401)
KEEPERS = _expect(404, anonymous=401, official=403, secretariat=200, director=403, contact=200)
CURATOR = _expect(404, anonymous=401, official=403, secretariat=200, director=403, contact=403)
NEED_OWNER = _expect(404, anonymous=401, official=403, secretariat=403, contact=200)
SUGGESTIONS = _expect(404, official=200, secretariat=200, director=403, contact=200)
RESPONSE_READERS = _expect(404, official=200, secretariat=200, contact=200)

POST_NEED = {**NEED, "alliance": "{ht}", "organization": "{contact_org}"}

ENDPOINTS = [
    # Technology needs
    ("get", "/api/v1/technology-needs/", None, ANYONE),
    ("get", "/api/v1/technology-needs/{need}/", None, READERS),
    ("get", "/api/v1/technology-needs/{published_need}/", None, ANYONE),
    ("post", "/api/v1/technology-needs/", POST_NEED, _expect(403, anonymous=401, secretariat=201, contact=201)),
    ("patch", "/api/v1/technology-needs/{need}/", {"title": "新标题"}, KEEPERS),
    ("post", "/api/v1/technology-needs/{need}/publish/", {}, CURATOR),
    ("post", "/api/v1/technology-needs/{need}/close/", {}, KEEPERS),
    ("post", "/api/v1/technology-needs/{need}/merge/", {"into": "{published_need}"}, CURATOR),
    ("post", "/api/v1/technology-needs/{published_need}/respond/",
     {"organization": "{school_org}", "note": "可以合作"}, WRITE_FORBIDDEN),
    ("get", "/api/v1/technology-needs/{need}/suggestions/", None, SUGGESTIONS),
    # Talent needs
    ("get", "/api/v1/talent-needs/", None, ANYONE),
    ("get", "/api/v1/talent-needs/{talent}/", None, READERS),
    ("post", "/api/v1/talent-needs/", {**TALENT, "alliance": "{ht}", "organization": "{contact_org}"},
     _expect(403, anonymous=401, secretariat=201, contact=201)),
    ("patch", "/api/v1/talent-needs/{talent}/", {"filled": 2}, KEEPERS),
    ("post", "/api/v1/talent-needs/{talent}/close/", {}, KEEPERS),
    ("post", "/api/v1/talent-needs/{talent}/publish/", {}, CURATOR),
    ("get", "/api/v1/talent-needs/{talent}/suggestions/", None, SUGGESTIONS),
    # Core products: an unpublished draft is not read by the alliance's other members.
    ("get", "/api/v1/products/", None, ANYONE),
    ("get", "/api/v1/products/{product}/", None, _expect(404, official=200, secretariat=200, contact=200)),
    ("post", "/api/v1/products/", {"name": "陶瓷轴承", "alliance": "{ht}", "organization": "{contact_org}"},
     _expect(403, anonymous=401, secretariat=201, contact=201)),
    ("post", "/api/v1/products/{product}/publish/", {},
     _expect(404, anonymous=401, official=403, secretariat=200, contact=403)),
    # Offers: the school's; the cast holds no school contact, so only the secretariat keeps it.
    ("get", "/api/v1/offers/", None, ANYONE),
    ("get", "/api/v1/offers/{offer}/", None, READERS),
    ("post", "/api/v1/offers/", {**OFFER, "alliance": "{ht}", "organization": "{school_org}"},
     _expect(403, anonymous=401, secretariat=201)),
    ("patch", "/api/v1/offers/{offer}/", {"graduates": 80}, _expect(404, anonymous=401, official=403,
                                                                     secretariat=200, director=403, contact=403)),
    ("post", "/api/v1/offers/{offer}/close/", {}, _expect(404, anonymous=401, official=403, secretariat=200,
                                                          director=403, contact=403)),
    # Responses: the two sides, the need's secretariat and the city's officials.
    ("get", "/api/v1/responses/", None, ANYONE),
    ("get", "/api/v1/responses/{response}/", None, RESPONSE_READERS),
    ("post", "/api/v1/responses/{response}/accept/", {"note": "欢迎"}, NEED_OWNER),
    ("post", "/api/v1/responses/{response}/decline/", {}, NEED_OWNER),
]


def _fill(value, ids):
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda match: str(ids[match.group(1)]), value)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS,
                         ids=[f"{method} {path}" for method, path, _b, _e in ENDPOINTS])
def test_each_endpoint_answers_each_role_as_the_pages_do(world, cast, api_for, role, method, path, body, expected):
    ids = world.ids()
    url = _fill(path, ids)
    payload = _fill(body, ids) if body is not None else None
    response = getattr(api_for(cast[role]), method)(url, payload, format="json")
    assert response.status_code == expected[role], (role, response.status_code, response.content[:300])


def test_a_school_responds_and_the_enterprise_accepts_over_the_api(world, api_for):
    need = world["published_need"]
    school = api_for(world.school)
    answer = school.post(f"/api/v1/technology-needs/{need.pk}/respond/",
                         {"organization": world.school_org.pk, "note": "我校可以承担"}, format="json")
    assert answer.status_code == 201, answer.content
    response_id = answer.json()["id"]
    assert answer.json()["status"] == "proposed"
    assert school.post(f"/api/v1/technology-needs/{need.pk}/respond/",
                       {"organization": world.school_org.pk, "note": "再来"}, format="json").status_code == 409
    accepted = api_for(world.contact).post(f"/api/v1/responses/{response_id}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert api_for(world.contact).get(f"/api/v1/technology-needs/{need.pk}/").json()["status"] == "matched"
    again = api_for(world.contact).post(f"/api/v1/responses/{response_id}/accept/", {}, format="json")
    assert again.status_code == 409
    assert Notification.objects.filter(key__startswith=f"cooperation:response:{response_id}:accepted:").count() == 2


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/technology-needs/", {**POST_NEED, "budget_min": 9, "budget_max": 1}, "budget_max"),
    ("/api/v1/talent-needs/", {**TALENT, "headcount": 0, "alliance": "{ht}", "organization": "{contact_org}"},
     "headcount"),
    ("/api/v1/talent-needs/", {**TALENT, "filled": 9, "alliance": "{ht}", "organization": "{contact_org}"}, "filled"),
    ("/api/v1/talent-needs/", {**TALENT, "major_code": "990101", "alliance": "{ht}",
                               "organization": "{contact_org}"}, "major_code"),
    ("/api/v1/technology-needs/", {**POST_NEED, "organization": "{school_org}"}, "organization"),
])
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(world, api_for, path, body, field):
    before = (TechnologyNeed.objects.count(), TalentNeed.objects.count())
    answer = api_for(world.secretariat).post(path, _fill(body, world.ids()), format="json")
    assert answer.status_code == 400, answer.content
    assert list(answer.json()) == [field, "codes"]
    assert (TechnologyNeed.objects.count(), TalentNeed.objects.count()) == before


def test_the_field_message_is_in_the_callers_language(world, api_for):
    body = _fill({**TALENT, "major_code": "990101", "alliance": "{ht}", "organization": "{contact_org}"},
                 world.ids())
    api = api_for(world.contact)
    chinese = api.post("/api/v1/talent-needs/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = api.post("/api/v1/talent-needs/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert "大类" in chinese.json()["major_code"][0]
    assert "category" in english.json()["major_code"][0]


def test_a_need_for_a_unit_that_is_not_a_member_is_refused(world, api_for, other_alliance):
    answer = api_for(world.contact).post("/api/v1/technology-needs/", {
        **NEED, "alliance": other_alliance.pk, "organization": world.contact_org.pk}, format="json")
    assert answer.status_code in (400, 403)
    assert not TechnologyNeed.objects.filter(alliance=other_alliance).exists()


def test_anonymous_callers_read_only_what_is_published_and_public(world, api_for):
    published, hidden = world["published_need"], world["need"]
    members_only = world["talent"]
    api = api_for(None)
    ids = {row["id"] for row in api.get("/api/v1/technology-needs/?page_size=200").json()["results"]}
    assert published.pk in ids and hidden.pk not in ids
    assert all(row["visibility"] == "public" and row["published_at"]
               for row in api.get("/api/v1/technology-needs/?page_size=200").json()["results"])
    assert members_only.pk not in {row["id"] for row in api.get("/api/v1/talent-needs/?page_size=200").json()[
        "results"]}
    assert api.get("/api/v1/responses/").json()["count"] == 0


def test_the_lists_filter_by_their_fields(world, api_for):
    world["talent"], world["offer"]
    api = api_for(world.secretariat)
    rows = api.get(f"/api/v1/talent-needs/?major_code=460103&organization={world.contact_org.pk}").json()["results"]
    assert world["talent"].pk in {row["id"] for row in rows}
    assert all(row["major_code"] == "460103" for row in rows)
    assert all(row["kind"] == "major" for row in api.get("/api/v1/offers/?kind=major").json()["results"])
    assert api.get("/api/v1/technology-needs/?status=solved&alliance=" + str(world.alliance.pk)).json()[
        "count"] == TechnologyNeed.objects.filter(alliance=world.alliance, status="solved").count()


def test_suggestions_are_read_with_their_reason(world, api_for):
    need = world["need"]
    Suggestion.objects.create(technology_need=need, organization=world.school_org, rank=1, score=0.5,
                              reasons=[{"code": "chain", "chain": "新材料产业链"}, {"code": "same_alliance"}],
                              computed_at=timezone.now())
    rows = api_for(world.contact).get(f"/api/v1/technology-needs/{need.pk}/suggestions/",
                                      HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert rows[0]["organization"] == world.school_org.pk
    assert rows[0]["reason"] == "同属新材料产业链；本联合体成员单位"


# Query counts ------------------------------------------------------------------------------------------------


@pytest.fixture
def city_world(db):
    """A city with one alliance, its official, secretariat, an enterprise contact and a school contact."""
    city = City.objects.create(name="计数市")
    chain = IndustrialChain.objects.create(city=city, name="计数产业链")
    alliance = Alliance.objects.create(name="计数产教联合体", city=city, status="established")
    official, secretariat, contact = UserFactory(), UserFactory(), UserFactory()
    RoleGrant.objects.create(user=official, role="official", city=city)
    RoleGrant.objects.create(user=secretariat, role="secretariat", alliance=alliance)
    enterprise = Organization.objects.create(name="计数企业", uscc=_uscc(), type="enterprise", size="small")
    school = Organization.objects.create(name="计数学院", uscc=_uscc(), type="higher_vocational")
    for unit in (enterprise, school):
        Membership.objects.create(alliance=alliance, organization=unit, status="active", joined_on=timezone.localdate())
    Contact.objects.create(user=contact, organization=enterprise)
    return {"alliance": alliance, "chain": chain, "enterprise": enterprise, "school": school, "official": official,
            "secretariat": secretariat, "contact": contact}


def _uscc():
    from tests.conftest import new_uscc

    return new_uscc()


def add_entries(world, n):
    """n more of each: published public entries, and a response to each technology need."""
    common = {"alliance": world["alliance"], "visibility": "public", "published_at": timezone.now(),
              "year": timezone.localdate().year, "chain": world["chain"]}
    enterprise, school = world["enterprise"], world["school"]
    needs = TechnologyNeed.objects.bulk_create(
        [TechnologyNeed(organization=enterprise, title=f"需求{i}", description="说明", **common) for i in range(n)])
    Response.objects.bulk_create([Response(need=need, organization=school, note="可以") for need in needs])
    TalentNeed.objects.bulk_create([TalentNeed(organization=enterprise, position=f"岗位{i}", major_code="460103",
                                               major_category="46", headcount=3, **common) for i in range(n)])
    CoreProduct.objects.bulk_create([CoreProduct(organization=enterprise, name=f"产品{i}", status="published",
                                                 **common) for i in range(n)])
    Offer.objects.bulk_create([Offer(organization=school, kind="major", title=f"专业{i}", major_code="460103",
                                     major_category="46", enrolment=10, graduates=9, **common) for i in range(n)])


LISTS = ["/api/v1/technology-needs/", "/api/v1/talent-needs/", "/api/v1/products/", "/api/v1/offers/",
         "/api/v1/responses/"]


def count_queries(do):
    with CaptureQueriesContext(connection) as context:
        response = do()
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries), context


@pytest.mark.parametrize("who", ["official", "secretariat", "contact", None])
@pytest.mark.parametrize("url", LISTS)
def test_query_count_is_flat(city_world, api_for, url, who):
    api = api_for(city_world[who] if who else None)
    path = f"{url}?page_size=200"
    add_entries(city_world, 10)
    api.get(path)
    small, _ = count_queries(lambda: api.get(path))
    add_entries(city_world, 90)
    large, context = count_queries(lambda: api.get(path))
    assert large == small, "\n".join(q["sql"] for q in context.captured_queries)
    if who == "secretariat" and url != "/api/v1/responses/":
        assert api.get(path).json()["count"] >= 100


def test_a_needs_suggestions_are_read_in_one_query(city_world):
    from cooperation.selectors import suggestions_of

    add_entries(city_world, 3)
    need = TechnologyNeed.objects.filter(alliance=city_world["alliance"]).first()
    Suggestion.objects.bulk_create([Suggestion(technology_need=need, organization=unit, rank=rank, score=1 / rank,
                                               reasons=[], computed_at=timezone.now())
                                    for rank, unit in enumerate((city_world["school"], city_world["enterprise"]), 1)])
    with CaptureQueriesContext(connection) as context:
        rows = suggestions_of(need)
        names = [row.organization.name for row in rows]
    assert len(context.captured_queries) == 1
    assert names == ["计数学院", "计数企业"]


@pytest.mark.parametrize("who", ["secretariat", "anonymous"])
def test_a_list_row_is_what_the_detail_endpoint_answers(world, cast, api_for, who):
    """The lists are read in one query (cooperation/api/lists.py); each row must still be the serializer's."""
    world["response"], world["talent"], world["offer"], world["product"]
    entries_publish = [world["talent"], world["offer"], world["product"]]
    from cooperation.services import entries

    for entry in entries_publish:
        entries.entry_publish(entry=entry, actor=world.secretariat)
    api = api_for(cast[who])
    for collection in ("technology-needs", "talent-needs", "products", "offers", "responses"):
        rows = api.get(f"/api/v1/{collection}/?page_size=5").json()["results"]
        assert rows or (who == "anonymous" and collection == "responses"), collection
        for row in rows:
            assert api.get(f"/api/v1/{collection}/{row['id']}/").json() == row, collection


def test_the_pages_of_a_list_link_to_each_other(world, api_for):
    api = api_for(world.secretariat)
    first = api.get("/api/v1/talent-needs/?page_size=2").json()
    assert first["count"] > 4 and first["previous"] is None and "page=2" in first["next"]
    second = api.get(first["next"]).json()
    assert second["previous"].endswith("page_size=2") and "page=3" in second["next"]
    assert not {row["id"] for row in first["results"]} & {row["id"] for row in second["results"]}
    assert api.get("/api/v1/talent-needs/?page=999999").status_code == 404
    assert api.get(f"/api/v1/talent-needs/?page={2**40}").status_code == 404
    last = api.get("/api/v1/talent-needs/?page_size=2&page=last").json()
    assert last["next"] is None and last["results"]
