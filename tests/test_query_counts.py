"""Every list page and list endpoint: the query count does not grow with rows (10 vs 100)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import Alliance, City
from members.models import Membership, RoleGrant
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_world(db):
    """A city with its own official and secretariat; rows are added per test."""
    city = City.objects.create(name="计数市")
    alliance = AllianceFactory(city=city)
    official, secretariat = UserFactory(), UserFactory()
    RoleGrant.objects.create(user=official, role="official", city=city)
    RoleGrant.objects.create(user=secretariat, role="secretariat", alliance=alliance)
    return {"city": city, "alliance": alliance, "official": official, "secretariat": secretariat}


def add_rows(world, n):
    """n more member units in the alliance, n more alliances in the city (with chains)."""
    for _ in range(n):
        MembershipFactory(alliance=world["alliance"], organization=OrganizationFactory(city=world["city"]))
    for alliance in AllianceFactory.create_batch(n, city=world["city"]):
        Membership.objects.create(alliance=alliance, organization=OrganizationFactory(), status="applied")


def count_queries(do):
    with CaptureQueriesContext(connection) as context:
        response = do()
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries), context


LISTS = [
    ("page", "/alliances/?page_size=200"),
    ("page", "/register/"),
    ("page", "/register/export.xlsx"),
    ("page", "/"),
    ("page", "/alliances/{alliance}/"),
    ("page", "/alliances/{alliance}/history/"),
    ("api", "/api/v1/alliances/?page_size=200"),
    ("api", "/api/v1/organizations/?page_size=200"),
    ("api", "/api/v1/memberships/?page_size=200"),
    ("api", "/api/v1/bodies/?page_size=200"),
    ("api", "/api/v1/seats/?page_size=200"),
]


@pytest.mark.parametrize("who", ["official", "secretariat", None])
@pytest.mark.parametrize(("kind", "url"), LISTS, ids=[url for _k, url in LISTS])
def test_query_count_is_flat(city_world, client_for, api_for, kind, url, who):
    user = city_world[who] if who else None
    if (url.endswith(".xlsx") or url.endswith("/history/")) and user is None:
        pytest.skip("this page needs a login")
    path = url.format(alliance=city_world["alliance"].pk)
    client = client_for(user) if kind == "page" else api_for(user)

    add_rows(city_world, 10)
    client.get(path)  # warm the session and content-type caches
    small, _ = count_queries(lambda: client.get(path))
    add_rows(city_world, 90)
    large, context = count_queries(lambda: client.get(path))
    assert large == small, "\n".join(q["sql"] for q in context.captured_queries)


def test_the_rows_really_appear(city_world, api_for):
    add_rows(city_world, 10)
    api = api_for(city_world["official"])
    assert api.get(f"/api/v1/memberships/?alliance={city_world['alliance'].pk}").json()["count"] == 10
    assert api.get(f"/api/v1/alliances/?city={city_world['city'].pk}").json()["count"] == 11
    assert Alliance.objects.filter(city=city_world["city"]).count() == 11
