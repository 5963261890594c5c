"""The project pages: the list with its filters, a project with partners, contributions, outcomes and evidence,
the forms that record them, the secretariat's confirmation, "turn into a project" from a matched need — each
against each role, in Chinese and English, and flat query counts on the list and the project page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperation.models import Outcome, Project
from cooperation.services import projects, responses
from tests.cooperation_data import World
from tests.project_data import ProjectWorld
from tests.test_cooperation_projects_api import add_projects, count_world  # noqa: F401  (the fixture)
from tests.test_permissions_pages import LOGIN, ROLES

pytestmark = pytest.mark.django_db


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


@pytest.fixture
def world(cast, high_tech):
    world = ProjectWorld(cast, high_tech)
    project = world.project()
    outcome = world.outcome(project)
    evidence = projects.evidence_add(outcome=outcome, actor=world.school, title="培训名单",
                                     file=SimpleUploadedFile("list.pdf", b"%PDF-1.4 list"))
    contribution = projects.contribution_add(project=project, actor=world.contact, organization=world.contact_org,
                                             kind="funds", amount=100000, year=2025)
    world.ids = {"ht": high_tech.pk, "project": project.pk, "outcome": outcome.pk, "evidence": evidence.pk,
                 "contribution": contribution.pk, "school_org": world.school_org.pk,
                 "contact_org": world.contact_org.pk}
    return world


FORM = {"kind": "training_base", "title": "共享实训基地", "lead": "{school_org}", "starts_on": "2025-01-01",
        "ends_on": "2027-12-31", "status": "planned", "partners-TOTAL_FORMS": "1", "partners-INITIAL_FORMS": "0",
        "partners-0-organization": "{contact_org}", "partners-0-role": "partner"}
OUTCOME = {"year": "2025", "metric": "interns", "value": "8"}
RECORDERS = _expect(403, anonymous=LOGIN, secretariat=302, contact=302)
INTERNALS = _expect(404, anonymous=LOGIN, official=200, secretariat=200, contact=200)

PAGES = [
    ("GET", "/cooperation/projects/", None, _expect(200)),
    ("GET", "/cooperation/projects/?kind=order_class&status=running&year=2025&alliance={ht}", None, _expect(200)),
    ("GET", "/cooperation/projects/{project}/", None, _expect(200)),
    ("GET", "/cooperation/projects/new/?alliance={ht}", None,
     _expect(403, anonymous=LOGIN, secretariat=200, director=200, contact=200, weifang_secretariat=200)),
    ("POST", "/cooperation/projects/new/?alliance={ht}", FORM,
     _expect(403, anonymous=LOGIN, secretariat=302, director=400, contact=400, weifang_secretariat=400)),
    ("GET", "/cooperation/projects/{project}/edit/", None, _expect(403, anonymous=LOGIN, secretariat=200)),
    ("POST", "/cooperation/projects/{project}/edit/", {**FORM, "title": "改名后的订单班", "status": "running"},
     _expect(403, anonymous=LOGIN, secretariat=302)),
    ("POST", "/cooperation/projects/{project}/contributions/",
     {"organization": "{contact_org}", "kind": "staff", "amount": "2", "year": "2025"}, RECORDERS),
    ("POST", "/cooperation/projects/{project}/outcomes/", OUTCOME, RECORDERS),
    ("POST", "/cooperation/outcomes/{outcome}/confirm/", {},
     _expect(404, anonymous=LOGIN, official=403, secretariat=302, contact=403)),
    ("POST", "/cooperation/outcomes/{outcome}/edit/", {"value": "41"},
     _expect(404, anonymous=LOGIN, official=403, secretariat=302, contact=302)),
    ("POST", "/cooperation/contributions/{contribution}/delete/", {},
     _expect(404, anonymous=LOGIN, official=403, director=403, secretariat=302, contact=302)),
    ("GET", "/cooperation/evidence/{evidence}/", None, INTERNALS),
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
    browser = client_for(cast[role])
    url = _fill(path, world.ids)
    response = browser.get(url) if method == "GET" else browser.post(url, _fill(data, world.ids))
    wanted = expected[role]
    if wanted == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], response.status_code
    else:
        assert response.status_code == wanted, (role, response.status_code, response.content[:600])


def test_the_secretariat_records_a_project_and_lands_on_it(world, client_for):
    response = client_for(world.secretariat).post(f"/cooperation/projects/new/?alliance={world.alliance.pk}",
                                                  _fill(FORM, world.ids))
    project = Project.objects.get(title="共享实训基地")
    assert response["Location"] == f"/cooperation/projects/{project.pk}/"
    assert [p.organization_id for p in project.partners.all()] == [world.contact_org.pk]


def test_the_project_page_shows_partners_contributions_outcomes_and_evidence(world, client_for):
    page = client_for(world.secretariat).get(f"/cooperation/projects/{world.ids['project']}/").content.decode()
    assert world.contact_org.name in page and "100,000" in page or "100000" in page
    assert "培训名单" in page and "确认" in page
    public = client_for(None).get(f"/cooperation/projects/{world.ids['project']}/").content.decode()
    assert "培训名单" not in public  # an unconfirmed outcome is not shown to the public
    assert 'id="project-contributions"' not in public


def test_an_outcome_outside_the_dates_is_shown_on_its_field_in_both_languages(world, client_for):
    browser = client_for(world.school)
    url = f"/cooperation/projects/{world.ids['project']}/outcomes/"
    response = browser.post(url, {**OUTCOME, "year": "2023"})
    assert response.status_code == 400 and "项目" in response.content.decode()
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = browser.post(url, {**OUTCOME, "value": "-3"})
    assert response.status_code == 400 and "cannot be negative" in response.content.decode()
    assert not Outcome.objects.filter(metric="interns").exists()


def test_an_outcome_is_recorded_with_its_evidence_and_confirmed(world, client_for):
    response = client_for(world.school).post(f"/cooperation/projects/{world.ids['project']}/outcomes/", {
        **OUTCOME, "evidence": SimpleUploadedFile("interns.pdf", b"%PDF-1.4 interns")})
    assert response.status_code == 302
    outcome = Outcome.objects.get(metric="interns")
    assert outcome.evidence.count() == 1
    client_for(world.secretariat).post(f"/cooperation/outcomes/{outcome.pk}/confirm/")
    assert Outcome.objects.get(pk=outcome.pk).is_confirmed
    again = client_for(world.secretariat).post(f"/cooperation/outcomes/{outcome.pk}/edit/", {"value": "1"},
                                               follow=True)
    assert "已确认" in again.content.decode()
    assert Outcome.objects.get(pk=outcome.pk).value == 8


def test_a_matched_need_offers_to_become_a_project(cast, high_tech, world, client_for):
    data = World(cast, high_tech)
    need = data["published_need"]
    responses.response_accept(response=data["response"], actor=data.contact)
    browser = client_for(world.secretariat)
    page = browser.get(f"/cooperation/technology-needs/{need.pk}/").content.decode()
    assert 'id="entry-make-project"' in page
    form = browser.get(f"/cooperation/projects/new/?alliance={high_tech.pk}&need={need.pk}").content.decode()
    assert need.title in form and f'value="{need.pk}" selected' in form


def test_the_pages_read_in_english(world, client_for):
    browser = client_for(world.secretariat)
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Cooperation projects" in browser.get("/cooperation/projects/").content.decode()
    page = browser.get(f"/cooperation/projects/{world.ids['project']}/").content.decode()
    assert "Awaiting confirmation" in page and "Order class" in page


@pytest.mark.parametrize("who", ["official", "secretariat", "contact", None])
def test_the_list_and_project_pages_cost_the_same_whatever_the_rows(count_world, client_for, who):  # noqa: F811
    browser = client_for(count_world[who] if who else None)
    add_projects(count_world, 5)
    project = Project.objects.filter(alliance=count_world["alliance"]).first()
    for url in ("/cooperation/projects/", f"/cooperation/projects/{project.pk}/"):
        browser.get(url)
        with CaptureQueriesContext(connection) as small:
            assert browser.get(url).status_code == 200
        add_projects(count_world, 45)
        Outcome.objects.bulk_create([Outcome(project=project, year=2025 - i, metric="patents", value=1)
                                     for i in range(1, 2) if not project.outcomes.filter(year=2025 - i).exists()])
        with CaptureQueriesContext(connection) as large:
            assert browser.get(url).status_code == 200
        assert len(large.captured_queries) == len(small.captured_queries), "\n".join(
            q["sql"] for q in large.captured_queries)


def test_the_public_page_shows_the_projects_and_their_confirmed_outcomes(world, client_for):
    confirmed = world.outcome(Project.objects.get(pk=world.ids["project"]), metric="patents", value=3)
    projects.outcome_confirm(outcome=confirmed, actor=world.secretariat)
    page = client_for(None).get(f"/alliances/{world.alliance.pk}/public/").content.decode()
    assert 'id="public-projects"' in page and "数控技术订单班" in page
    assert "专利" in page and "培训人次" not in page  # the unconfirmed trainees do not count


def test_the_secretariat_s_home_lists_the_outcomes_to_confirm(world, client_for):
    home = client_for(world.secretariat).get("/").content.decode()
    assert 'id="due-outcomes"' in home and "数控技术订单班" in home
    assert 'id="due-outcomes"' not in client_for(world.contact).get("/").content.decode()
