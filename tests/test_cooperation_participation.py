"""Contributions and participation per alliance and year: what each unit put in and took part in, the share of
units active and the concentration on the lead units; the page for the secretariat and the city's officials, in a
fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import Alliance
from cooperation.selectors import participation
from cooperation.services import projects
from tests.project_data import ProjectWorld
from tests.test_cooperation_projects_api import add_projects, count_world  # noqa: F401  (the fixture)
from tests.test_permissions_pages import LOGIN, ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, high_tech):
    return ProjectWorld(cast, high_tech)


def test_each_unit_s_part_and_the_shares(world):
    before = participation(world.alliance, 2025)
    Alliance.objects.filter(pk=world.alliance.pk).update(lead_school=world.school_org)
    world.alliance.refresh_from_db()
    project = world.project()
    projects.contribution_add(project=project, actor=world.contact, organization=world.contact_org, kind="funds",
                              amount=300000, year=2025)
    projects.contribution_add(project=project, actor=world.secretariat, organization=world.school_org,
                              kind="funds", amount=100000, year=2025)
    figures = participation(world.alliance, 2025)
    rows = {row["organization"].pk: row for row in figures["rows"]}
    assert rows[world.school_org.pk]["projects_led"] >= 1 and rows[world.school_org.pk]["is_lead_unit"]
    assert rows[world.contact_org.pk]["projects_partnered"] >= 1
    assert rows[world.contact_org.pk]["funds"] >= 300000 and rows[world.contact_org.pk]["active"]
    assert figures["members"] == before["members"]
    assert figures["projects"] == before["projects"] + 1
    assert figures["lead_unit_project_share"] is not None and figures["lead_unit_funds_share"] is not None
    assert 0 < figures["active_share"] <= 100
    assert participation(world.alliance, 2019)["lead_unit_project_share"] is None


def test_participation_costs_a_fixed_number_of_queries(count_world):  # noqa: F811
    add_projects(count_world, 5)
    with CaptureQueriesContext(connection) as small:
        participation(count_world["alliance"], 2025)
    add_projects(count_world, 50)
    with CaptureQueriesContext(connection) as large:
        figures = participation(count_world["alliance"], 2025)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert figures["projects"] == 55 and figures["active_share"] == 100


@pytest.mark.parametrize("role", ROLES)
def test_the_page_answers_each_role(world, cast, client_for, role):
    expected = {"anonymous": LOGIN, "official": 200, "secretariat": 200}.get(role, 403)
    response = client_for(cast[role]).get(f"/cooperation/alliances/{world.alliance.pk}/participation/?year=2025")
    if expected == LOGIN:
        assert response.status_code == 302
    else:
        assert response.status_code == expected


def test_the_page_reads_in_both_languages(world, client_for):
    browser = client_for(world.secretariat)
    world.project()
    page = browser.get(f"/cooperation/alliances/{world.alliance.pk}/participation/?year=2025").content.decode()
    assert "参与" in page and world.school_org.name in page
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = browser.get(f"/cooperation/alliances/{world.alliance.pk}/participation/").content.decode()
    assert "Concentration on the lead units" in page
