"""The demo's projects: two years of projects of most kinds with partners, contributions and outcomes (last
year's confirmed), loaded once."""

import pytest
from django.utils import timezone

from cooperation.demo import load_cooperation_activity, load_cooperation_projects
from cooperation.models import Contribution, Outcome, Project, TechnologyNeed
from cooperation.selectors import project_figures

pytestmark = pytest.mark.django_db


def test_the_demo_alliance_gets_two_years_of_projects_once(high_tech):
    load_cooperation_activity()
    projects = Project.objects.filter(alliance=high_tech)
    assert len({project.kind for project in projects}) >= 8
    assert Contribution.objects.filter(project__alliance=high_tech).count() >= 10
    this_year = timezone.localdate().year
    outcomes = Outcome.objects.filter(project__alliance=high_tech)
    assert {outcome.year for outcome in outcomes} == {this_year - 1, this_year}
    assert not outcomes.filter(year=this_year - 1, confirmed_at__isnull=True).exists()
    assert outcomes.filter(year=this_year, confirmed_at__isnull=True).exists()
    assert TechnologyNeed.objects.get(projects__kind="tech_service").status == "contracted"
    last = project_figures(high_tech, timezone.localdate().replace(year=this_year - 1, month=1, day=1),
                           timezone.localdate().replace(year=this_year - 1, month=12, day=31))
    assert last["trainees"] > 0 and last["patents"] > 0 and last["graduates_placed_local"] > 0
    count = projects.count()
    assert load_cooperation_projects() is False
    assert Project.objects.filter(alliance=high_tech).count() == count
