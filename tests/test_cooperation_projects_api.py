"""The projects API (`projects/`, `outcomes/`, `contributions/`): every endpoint against every role, bad input
answered 400 with the field named (an outcome's year outside the project's dates, a negative value, a partner
that is not an active member), state conflicts 409 (a confirmed outcome), evidence uploads, and flat query
counts on the lists (10 projects against 100)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import Alliance, City
from cooperation.models import Contribution, Outcome, Project, ProjectPartner
from cooperation.services import projects
from members.models import Contact, Membership, Organization, RoleGrant
from tests.conftest import new_uscc
from tests.factories import OrganizationFactory, UserFactory
from tests.project_data import ProjectWorld
from tests.test_permissions_pages import ROLES

pytestmark = pytest.mark.django_db


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


@pytest.fixture
def world(cast, high_tech):
    world = ProjectWorld(cast, high_tech)
    project = world.project()
    outcome = world.outcome(project)
    confirmed = world.outcome(project, metric="patents", value=2)
    projects.outcome_confirm(outcome=confirmed, actor=world.secretariat)
    contribution = projects.contribution_add(project=project, actor=world.contact, organization=world.contact_org,
                                             kind="funds", amount=100000, year=2025)
    world.ids = {"ht": high_tech.pk, "project": project.pk, "outcome": outcome.pk, "confirmed": confirmed.pk,
                 "contribution": contribution.pk, "school_org": world.school_org.pk,
                 "contact_org": world.contact_org.pk}
    return world


ANYONE = _expect(200)
INSIDERS = _expect(404, official=200, secretariat=200, contact=200)
SECRETARIAT_OR_PARTNER = _expect(403, anonymous=401, secretariat=201, contact=201)
NEW = {"alliance": "{ht}", "kind": "training_base", "title": "共享实训基地", "starts_on": "2025-01-01",
       "ends_on": "2027-12-31"}

ENDPOINTS = [
    ("get", "/api/v1/projects/", None, ANYONE),
    ("get", "/api/v1/projects/{project}/", None, ANYONE),
    ("post", "/api/v1/projects/", {**NEW, "lead": "{school_org}", "partners": [{"organization": "{contact_org}"}]},
     _expect(403, anonymous=401, secretariat=201)),
    ("post", "/api/v1/projects/", {**NEW, "lead": "{contact_org}"}, SECRETARIAT_OR_PARTNER),
    ("patch", "/api/v1/projects/{project}/", {"title": "新名称"},
     _expect(403, anonymous=401, secretariat=200)),
    ("post", "/api/v1/projects/{project}/contributions/",
     {"organization": "{contact_org}", "kind": "staff", "amount": "3", "year": 2025}, SECRETARIAT_OR_PARTNER),
    ("post", "/api/v1/projects/{project}/outcomes/", {"year": 2025, "metric": "interns", "value": 12},
     SECRETARIAT_OR_PARTNER),
    ("get", "/api/v1/outcomes/", None, ANYONE),
    ("get", "/api/v1/outcomes/{outcome}/", None, INSIDERS),
    ("get", "/api/v1/outcomes/{confirmed}/", None, ANYONE),
    ("patch", "/api/v1/outcomes/{outcome}/", {"value": 41},
     _expect(404, anonymous=401, official=403, secretariat=200, contact=200)),
    ("post", "/api/v1/outcomes/{outcome}/confirm/", {},
     _expect(404, anonymous=401, official=403, secretariat=200, contact=403)),
    ("delete", "/api/v1/outcomes/{outcome}/", None,
     _expect(404, anonymous=401, official=403, secretariat=204, contact=204)),
    ("post", "/api/v1/outcomes/{confirmed}/confirm/", {}, _expect(403, anonymous=401, secretariat=409)),
    ("get", "/api/v1/contributions/", None, ANYONE),
    ("get", "/api/v1/contributions/{contribution}/", None,
     _expect(404, official=200, secretariat=200, director=200, contact=200)),
    ("delete", "/api/v1/contributions/{contribution}/", None,
     _expect(404, anonymous=401, official=403, director=403, secretariat=204, contact=204)),
]


def _fill(value, ids):
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda match: str(ids[match.group(1)]), value)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


def _int_ids(body):
    """Ids in bodies go as integers."""
    if isinstance(body, dict):
        return {key: int(value) if key in ("alliance", "lead", "organization") else _int_ids(value)
                for key, value in body.items()}
    if isinstance(body, list):
        return [_int_ids(item) for item in body]
    return body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS,
                         ids=[f"{method} {path}" for method, path, _b, _e in ENDPOINTS])
def test_each_endpoint_answers_each_role(world, cast, api_for, role, method, path, body, expected):
    url = _fill(path, world.ids)
    payload = _int_ids(_fill(body, world.ids)) if body is not None else None
    response = getattr(api_for(cast[role]), method)(url, payload, format="json")
    assert response.status_code == expected[role], (role, response.status_code, response.content[:400])


def test_a_project_reads_with_its_partners_contributions_and_outcomes(world, api_for, cast):
    data = api_for(world.secretariat).get(f"/api/v1/projects/{world.ids['project']}/").json()
    assert data["lead"] == world.school_org.pk and data["kind"] == "order_class"
    assert data["partners"] == [{"organization": world.contact_org.pk, "organization_name": world.contact_org.name,
                                 "role": "partner"}]
    assert [(c["kind"], c["amount"], c["unit"]) for c in data["contributions"]] == [("funds", "100000.00", "yuan")]
    assert {(o["metric"], o["confirmed"]) for o in data["outcomes"]} == {("trainees", False), ("patents", True)}
    public = api_for(None).get(f"/api/v1/projects/{world.ids['project']}/").json()
    assert [o["metric"] for o in public["outcomes"]] == ["patents"]
    assert public["contributions"] == []  # what each unit put in is for the alliance's people


def test_filters(world, api_for):
    api = api_for(world.secretariat)
    ids = {row["id"] for row in api.get(f"/api/v1/projects/?organization={world.contact_org.pk}").json()["results"]}
    assert world.ids["project"] in ids
    assert api.get("/api/v1/projects/?kind=rd_platform&title=x").json()["count"] == Project.objects.filter(
        kind="rd_platform").count()
    assert world.ids["project"] not in {r["id"] for r in api.get("/api/v1/projects/?year=2023").json()["results"]}
    assert world.ids["project"] in {r["id"] for r in api.get("/api/v1/projects/?year=2025").json()["results"]}
    assert api.get("/api/v1/projects/?year=99999").status_code == 400
    confirmed = api.get(f"/api/v1/outcomes/?project={world.ids['project']}&confirmed=true").json()["results"]
    assert [row["metric"] for row in confirmed] == ["patents"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/projects/{project}/outcomes/", {"year": 2023, "metric": "interns", "value": 1}, "year"),
    ("/api/v1/projects/{project}/outcomes/", {"year": 2025, "metric": "interns", "value": -1}, "value"),
    ("/api/v1/projects/{project}/outcomes/", {"year": 2025, "metric": "likes", "value": 1}, "metric"),
    ("/api/v1/projects/{project}/contributions/", {"organization": "{stranger}", "kind": "funds", "amount": "1"},
     "organization"),
    ("/api/v1/projects/{project}/contributions/", {"organization": "{contact_org}", "kind": "funds",
                                                   "amount": "-1"}, "amount"),
    ("/api/v1/projects/", {**NEW, "lead": "{school_org}", "partners": [{"organization": "{stranger}"}]},
     "partners"),
    ("/api/v1/projects/", {**NEW, "lead": "{stranger}"}, "lead"),
    ("/api/v1/projects/", {**NEW, "lead": "{school_org}", "ends_on": "2024-01-01"}, "ends_on"),
    ("/api/v1/projects/", {**NEW, "lead": "{school_org}", "resolution": 999999}, "resolution"),
    ("/api/v1/projects/", {**NEW, "lead": "{school_org}", "outcomes": [{"year": 2030, "metric": "patents",
                                                                        "value": 1}]}, "outcomes"),
])
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(world, api_for, path, body, field):
    world.ids["stranger"] = OrganizationFactory().pk
    before = (Project.objects.count(), Outcome.objects.count(), Contribution.objects.count())
    response = api_for(world.secretariat).post(_fill(path, world.ids), _int_ids(_fill(body, world.ids)),
                                               format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert (Project.objects.count(), Outcome.objects.count(), Contribution.objects.count()) == before


def test_the_year_message_is_in_the_callers_language(world, api_for):
    url = f"/api/v1/projects/{world.ids['project']}/outcomes/"
    for language, words in (("zh-hans", "项目"), ("en", "project's dates")):
        response = api_for(world.contact).post(url, {"year": 2023, "metric": "interns", "value": 1}, format="json",
                                               HTTP_ACCEPT_LANGUAGE=language)
        assert words in response.json()["year"][0]


def test_changing_a_confirmed_outcome_is_a_409(world, api_for):
    api = api_for(world.secretariat)
    assert api.patch(f"/api/v1/outcomes/{world.ids['confirmed']}/", {"value": 9}, format="json").status_code == 409
    assert api.delete(f"/api/v1/outcomes/{world.ids['confirmed']}/").status_code == 409
    url = f"/api/v1/projects/{world.ids['project']}/outcomes/"
    assert api.post(url, {"year": 2025, "metric": "patents", "value": 1}, format="json").status_code == 409
    assert Outcome.objects.get(pk=world.ids["confirmed"]).value == 2


def test_an_ended_project_and_a_backward_status_are_409(world, api_for):
    api = api_for(world.secretariat)
    url = f"/api/v1/projects/{world.ids['project']}/"
    assert api.patch(url, {"status": "planned"}, format="json").status_code == 409
    assert api.patch(url, {"status": "completed"}, format="json").status_code == 200
    assert api.patch(url, {"title": "再改"}, format="json").status_code == 409


def test_partners_are_replaced_through_patch(world, api_for):
    other = Membership.objects.filter(alliance=world.alliance, status="active").exclude(
        organization__in=[world.school_org, world.contact_org]).first().organization
    response = api_for(world.secretariat).patch(f"/api/v1/projects/{world.ids['project']}/", {"partners": [
        {"organization": world.contact_org.pk, "role": "funder"}, {"organization": other.pk, "role": "host"}]},
        format="json")
    assert response.status_code == 200
    assert {(p["organization"], p["role"]) for p in response.json()["partners"]} == {
        (world.contact_org.pk, "funder"), (other.pk, "host")}


def test_evidence_is_uploaded_to_an_unconfirmed_outcome(world, api_for):
    api = api_for(world.contact)
    response = api.post(f"/api/v1/outcomes/{world.ids['outcome']}/evidence/",
                        {"title": "培训签到表", "file": SimpleUploadedFile("sign-in.pdf", b"%PDF-1.4 x")},
                        format="multipart")
    assert response.status_code == 201, response.content
    evidence = response.json()["evidence"]
    assert [row["title"] for row in evidence] == ["培训签到表"]
    bad = api.post(f"/api/v1/outcomes/{world.ids['outcome']}/evidence/",
                   {"file": SimpleUploadedFile("run.exe", b"MZ")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    confirmed = api.post(f"/api/v1/outcomes/{world.ids['confirmed']}/evidence/",
                         {"file": SimpleUploadedFile("late.pdf", b"%PDF-1.4")}, format="multipart")
    assert confirmed.status_code == 409


def test_the_secretariat_confirms_over_the_api(world, api_for):
    response = api_for(world.secretariat).post(f"/api/v1/outcomes/{world.ids['outcome']}/confirm/")
    assert response.status_code == 200 and response.json()["confirmed"] is True


# Query counts --------------------------------------------------------------------------------------------------


@pytest.fixture
def count_world(db):
    city = City.objects.create(name="项目计数市")
    alliance = Alliance.objects.create(name="项目计数联合体", city=city, status="established")
    official, secretariat, contact = UserFactory(), UserFactory(), UserFactory()
    RoleGrant.objects.create(user=official, role="official", city=city)
    RoleGrant.objects.create(user=secretariat, role="secretariat", alliance=alliance)
    school = Organization.objects.create(name="计数学院", uscc=new_uscc(), type="higher_vocational")
    enterprise = Organization.objects.create(name="计数企业", uscc=new_uscc(), type="enterprise", size="small")
    for unit in (school, enterprise):
        Membership.objects.create(alliance=alliance, organization=unit, status="active", joined_on=timezone.localdate())
    Contact.objects.create(user=contact, organization=enterprise)
    return {"alliance": alliance, "school": school, "enterprise": enterprise, "official": official,
            "secretariat": secretariat, "contact": contact}


def add_projects(world, n):
    import datetime

    made = Project.objects.bulk_create([Project(
        alliance=world["alliance"], kind="order_class", title=f"项目{i}", lead=world["school"],
        starts_on=datetime.date(2025, 1, 1), status="running") for i in range(n)])
    ProjectPartner.objects.bulk_create([ProjectPartner(project=p, organization=world["enterprise"]) for p in made])
    Contribution.objects.bulk_create([Contribution(project=p, organization=world["enterprise"], kind="funds",
                                                   year=2025, amount=1000, unit="yuan") for p in made])
    Outcome.objects.bulk_create([Outcome(project=p, year=2025, metric="trainees", value=5) for p in made])


@pytest.mark.parametrize("who", ["official", "secretariat", "contact", None])
@pytest.mark.parametrize("url", ["/api/v1/projects/", "/api/v1/outcomes/", "/api/v1/contributions/"])
def test_query_count_is_flat(count_world, api_for, url, who):
    api = api_for(count_world[who] if who else None)
    path = f"{url}?page_size=200"
    add_projects(count_world, 10)
    api.get(path)
    with CaptureQueriesContext(connection) as small:
        assert api.get(path).status_code == 200
    add_projects(count_world, 90)
    with CaptureQueriesContext(connection) as large:
        response = api.get(path)
    assert len(large.captured_queries) == len(small.captured_queries), "\n".join(
        q["sql"] for q in large.captured_queries)
    if who == "secretariat":
        assert response.json()["count"] >= 100


def test_a_project_is_created_with_its_first_contributions_and_outcomes(world, api_for):
    response = api_for(world.school).post("/api/v1/projects/", {
        **_int_ids(_fill(NEW, world.ids)), "lead": world.school_org.pk,
        "partners": [{"organization": world.contact_org.pk, "role": "host"}],
        "contributions": [{"organization": world.school_org.pk, "kind": "land", "amount": "1200", "year": 2025}],
        "outcomes": [{"year": 2025, "metric": "trainees", "value": 300}]}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [(c["kind"], c["unit"]) for c in data["contributions"]] == [("land", "m2")]
    assert [(o["metric"], o["value"], o["confirmed"]) for o in data["outcomes"]] == [("trainees", 300, False)]
    assert data["partners"][0]["role"] == "host"


def test_the_lead_units_contact_changes_the_project_and_a_terminated_one_is_shown(world, api_for, client_for):
    api = api_for(world.school)
    url = f"/api/v1/projects/{world.ids['project']}/"
    assert api.patch(url, {"status": "terminated"}, format="json").json()["status"] == "terminated"
    assert api.post(url + "outcomes/", {"year": 2025, "metric": "interns", "value": 1},
                    format="json").status_code == 409
    page = client_for(world.school).get(f"/cooperation/projects/{world.ids['project']}/")
    assert page.status_code == 200 and 'id="outcome-form"' not in page.content.decode()
