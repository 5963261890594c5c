"""The city's alliances compared on participation (share of units active, concentration on the lead units) for a
year: a chart with its table, for the city's officials only, in a fixed number of queries, in both languages."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import Alliance
from cooperation.selectors import participation
from tests.project_data import ProjectWorld
from tests.test_early_warnings import _alliance
from tests.test_permissions_pages import LOGIN, ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, high_tech):
    Alliance.objects.filter(pk=high_tech.pk).update(lead_school=ProjectWorld(cast, high_tech).school_org)
    high_tech.refresh_from_db()
    world = ProjectWorld(cast, high_tech)
    world.project()
    return world


def _url(alliance, year=2025):
    return f"/cooperation/cities/{alliance.city_id}/participation/?year={year}"


@pytest.mark.parametrize("role", ROLES)
def test_it_answers_the_city_s_officials_only(world, cast, client_for, role):
    expected = {"anonymous": LOGIN, "official": 200}.get(role, 403)
    response = client_for(cast[role]).get(_url(world.alliance))
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected


def test_an_unknown_city_is_404(cast, client_for):
    assert client_for(cast["official"]).get("/cooperation/cities/99999999/participation/").status_code == 404


def test_it_shows_each_alliance_of_the_city_with_the_participation_page_s_figures(world, cast, client_for,
                                                                                 other_alliance):
    response = client_for(cast["official"]).get(_url(world.alliance))
    page = response.content.decode()
    figures = participation(world.alliance, 2025)
    row = page.split(f'<tr data-alliance="{world.alliance.pk}">')[1].split("</tr>")[0]
    assert f"{figures['lead_unit_project_share']}%" in row and f"{figures['active_share']}%" in row
    assert f'data-alliance="{other_alliance.pk}"' not in page
    chart = json.loads(page.split('id="participation-data" type="application/json">')[1].split("</script>")[0])
    index = chart["labels"].index(world.alliance.name)
    assert chart["series"][1]["values"][index] == float(figures["lead_unit_project_share"])
    assert 'src="/static/js/participation.js"' in page and "onclick" not in page


def test_it_costs_the_same_with_more_alliances(world, cast, client_for, high_tech):
    browser = client_for(cast["official"])

    def counted():
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(_url(world.alliance)).status_code == 200
        return len(captured)

    counted()  # the user's scope and the session, once
    few = counted()
    added = [_alliance(high_tech.city, cast["secretariat"], members=3) for _ in range(4)]
    assert counted() == few
    page = browser.get(_url(world.alliance)).content.decode()
    assert all(f'<tr data-alliance="{alliance.pk}">' in page for alliance in added)


def test_it_reads_in_both_languages_and_the_official_finds_it(world, cast, client_for):
    browser = client_for(cast["official"])
    page = browser.get(_url(world.alliance)).content.decode()
    assert "各联合体比较" in page and "牵头单位牵头的项目占比" in page and "Share of the" not in page
    home = browser.get("/cooperation/").content.decode()
    assert f'href="/cooperation/cities/{world.alliance.city_id}/participation/"' in home
    assert "/cooperation/cities/" not in client_for(cast["secretariat"]).get("/cooperation/").content.decode()
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = browser.get(_url(world.alliance)).content.decode()
    assert "<h1>Participation: the city's alliances compared · 2025</h1>" in page
    assert "Share of the projects led by the lead units" in page
