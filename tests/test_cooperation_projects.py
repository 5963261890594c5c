"""Cooperation projects through the services: who records a project, its partners (active members), its
contributions and outcomes (the year within the project's dates, no negative value), the secretariat's
confirmation (a confirmed outcome no longer changes), evidence files, notifications, the resolution it came from
(through the reference hook) and the figures that count confirmed outcomes only."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cooperation.metrics import cooperation_figures
from cooperation.models import Outcome, Project, TechnologyNeed
from cooperation.selectors import project_figures
from cooperation.services import entries, projects, responses
from governance.models import Body, Motion
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.models import Notification
from members.models import Membership
from tests.cooperation_data import NEED, World
from tests.factories import OrganizationFactory
from tests.project_data import START, ProjectWorld

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, high_tech):
    return ProjectWorld(cast, high_tech)


def test_the_secretariat_records_a_project_with_its_partners(world):
    project = world.project()
    assert (project.lead, project.status, project.alliance) == (world.school_org, "running", world.alliance)
    assert [(p.organization, p.role) for p in project.partners.all()] == [(world.contact_org, "partner")]


def test_the_lead_units_contacts_record_a_project_and_others_cannot(world, cast):
    assert world.project(actor=world.school).created_by == world.school
    for user in (world.contact, cast["official"], cast["director"], cast["outsider"], cast["weifang_secretariat"]):
        with pytest.raises(NotAllowed):
            world.project(actor=user, title="不该有的项目")
    assert not Project.objects.filter(title="不该有的项目").exists()


def test_a_partner_that_is_not_an_active_member_is_refused_with_the_field_named(world):
    stranger = OrganizationFactory()
    with pytest.raises(DomainError) as refused:
        world.project(partners=[{"organization": stranger, "role": "partner"}])
    assert refused.value.field == "partners"
    Membership.objects.filter(alliance=world.alliance, organization=world.school_org).update(status="withdrawn")
    with pytest.raises(DomainError) as refused:
        world.project()
    assert refused.value.field == "lead"
    assert not Project.objects.filter(title="数控技术订单班").exists()


def test_the_lead_is_not_also_a_partner_and_a_partner_is_named_once(world):
    for partners in ([{"organization": world.school_org, "role": "partner"}],
                     [{"organization": world.contact_org, "role": "partner"},
                      {"organization": world.contact_org, "role": "funder"}]):
        with pytest.raises(DomainError) as refused:
            world.project(partners=partners)
        assert refused.value.field == "partners"


def test_a_project_cannot_end_before_it_starts(world):
    with pytest.raises(DomainError) as refused:
        world.project(ends_on=START - datetime.timedelta(days=1))
    assert "ends_on" in refused.value.errors


def test_the_partners_are_told_once(world):
    project = world.project()
    keys = list(Notification.objects.filter(key__startswith=f"cooperation:project:{project.pk}:partner:")
                .values_list("user__username", flat=True))
    assert keys == ["contact"]


def test_the_status_moves_forward_and_an_ended_project_stays_as_it_is(world):
    project = world.project(status="planned")
    with pytest.raises(StateConflict):
        projects.project_update(project=project, actor=world.secretariat, status="completed")
    project = projects.project_update(project=project, actor=world.school, status="running")
    project = projects.project_update(project=project, actor=world.secretariat, status="completed")
    with pytest.raises(StateConflict):
        projects.project_update(project=project, actor=world.secretariat, title="改名")
    with pytest.raises(NotAllowed):
        projects.project_update(project=world.project(), actor=world.contact, title="改名")


def test_partners_replaced_on_update_and_a_contributing_partner_stays(world):
    project = world.project()
    other = Membership.objects.filter(alliance=world.alliance, status="active").exclude(
        organization__in=[world.school_org, world.contact_org]).first().organization
    project = projects.project_update(project=project, actor=world.secretariat, partners=[
        {"organization": world.contact_org, "role": "funder"}, {"organization": other, "role": "host"}])
    assert {(p.organization_id, p.role) for p in project.partners.all()} == {
        (world.contact_org.pk, "funder"), (other.pk, "host")}
    projects.contribution_add(project=project, actor=world.contact, organization=world.contact_org, kind="funds",
                              amount=100000)
    with pytest.raises(StateConflict):
        projects.project_update(project=project, actor=world.secretariat, partners=[])
    assert project.partners.count() == 2


def test_a_partner_records_its_own_contribution_and_not_anothers(world):
    project = world.project()
    contribution = projects.contribution_add(project=project, actor=world.contact, organization=world.contact_org,
                                             kind="equipment", amount=350000, year=2025, description="数控车床两台")
    assert (contribution.unit, contribution.year) == ("yuan", 2025)
    with pytest.raises(NotAllowed):
        projects.contribution_add(project=project, actor=world.contact, organization=world.school_org, kind="funds",
                                  amount=1)
    stranger = OrganizationFactory()
    with pytest.raises(DomainError) as refused:
        projects.contribution_add(project=project, actor=world.secretariat, organization=stranger, kind="funds",
                                  amount=1)
    assert refused.value.field == "organization"
    with pytest.raises(DomainError) as refused:
        projects.contribution_add(project=project, actor=world.secretariat, organization=world.school_org,
                                  kind="land", amount=-5)
    assert "amount" in refused.value.errors


def test_an_outcome_outside_the_projects_years_or_negative_is_refused(world):
    project = world.project()
    for year in (2023, 2027):
        with pytest.raises(DomainError) as refused:
            world.outcome(project, year=year)
        assert refused.value.field == "year"
    with pytest.raises(DomainError) as refused:
        world.outcome(project, value=-1)
    assert refused.value.field == "value"
    assert not project.outcomes.exists()


def test_an_outcome_is_recorded_once_per_year_and_metric(world):
    project = world.project()
    world.outcome(project)
    with pytest.raises(StateConflict):
        world.outcome(project, value=50)


def test_who_records_outcomes(world, cast):
    project = world.project()
    world.outcome(project, actor=world.contact, metric="interns")
    world.outcome(project, actor=world.secretariat, metric="patents", value=2)
    for user in (cast["official"], cast["director"], cast["outsider"]):
        with pytest.raises(NotAllowed):
            world.outcome(project, actor=user, metric="standards")


def test_the_secretariat_confirms_and_a_confirmed_outcome_no_longer_changes(world):
    project = world.project()
    outcome = world.outcome(project)
    assert Notification.objects.filter(key=f"cooperation:outcome:{outcome.pk}:recorded:{world.secretariat.pk}").exists()
    own = world.outcome(project, actor=world.secretariat, metric="standards", value=1)
    assert not Notification.objects.filter(key__startswith=f"cooperation:outcome:{own.pk}:recorded:").exists()
    with pytest.raises(NotAllowed):
        projects.outcome_confirm(outcome=outcome, actor=world.school)
    outcome = projects.outcome_update(outcome=outcome, actor=world.school, value=45)
    outcome = projects.outcome_confirm(outcome=outcome, actor=world.secretariat)
    assert outcome.is_confirmed and outcome.value == 45
    assert Notification.objects.filter(key=f"cooperation:outcome:{outcome.pk}:confirmed:{world.school.pk}").exists()
    for call in (lambda: projects.outcome_update(outcome=outcome, actor=world.school, value=1),
                 lambda: projects.outcome_confirm(outcome=outcome, actor=world.secretariat),
                 lambda: projects.outcome_delete(outcome=outcome, actor=world.secretariat),
                 lambda: projects.evidence_add(outcome=outcome, actor=world.school, title="名单",
                                               file=SimpleUploadedFile("list.pdf", b"%PDF-1.4"))):
        with pytest.raises(StateConflict):
            call()
    assert Outcome.objects.get(pk=outcome.pk).value == 45


def test_evidence_is_validated_like_every_upload(world, settings):
    project = world.project()
    outcome = world.outcome(project)
    evidence = projects.evidence_add(outcome=outcome, actor=world.school, title="培训名单",
                                     file=SimpleUploadedFile("trainees.pdf", b"%PDF-1.4 list"))
    assert evidence.file.name.startswith(f"project-evidence/{project.pk}/")
    with pytest.raises(DomainError) as refused:
        projects.evidence_add(outcome=outcome, actor=world.school, title="x",
                              file=SimpleUploadedFile("run.exe", b"MZ"))
    assert "file" in refused.value.errors
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(DomainError):
        projects.evidence_add(outcome=outcome, actor=world.school, title="x",
                              file=SimpleUploadedFile("big.pdf", b"%PDF-1.4 " * 10))
    assert outcome.evidence.count() == 1


def test_a_terminated_project_takes_no_more_records(world):
    project = world.project()
    projects.project_update(project=project, actor=world.secretariat, status="terminated")
    with pytest.raises(StateConflict):
        world.outcome(project)


def test_nested_contributions_and_outcomes_are_all_or_nothing(world):
    with pytest.raises(DomainError) as refused:
        world.project(title="一次录入", contributions=[{"organization": world.contact_org, "kind": "funds",
                                                      "amount": 5000}],
                      outcomes=[{"year": 2025, "metric": "trainees", "value": 3},
                                {"year": 1999, "metric": "patents", "value": 1}])
    assert refused.value.errors["outcomes"][1] == {"year": refused.value.errors["outcomes"][1]["year"]}
    assert not Project.objects.filter(title="一次录入").exists()


def test_a_matched_need_becomes_a_contracted_project(cast, high_tech, world):
    data = World(cast, high_tech)
    need = data["published_need"]
    response = data["response"]
    responses.response_accept(response=response, actor=data.contact)
    project = world.project(need=need, kind="tech_service", title=need.title)
    assert project.need == need
    assert TechnologyNeed.objects.get(pk=need.pk).status == "contracted"


def test_a_need_of_another_alliance_is_refused(cast, high_tech, other_alliance, world):
    foreign = World(cast, high_tech, other_alliance)["weifang_need"]
    with pytest.raises(DomainError) as refused:
        world.project(need=foreign)
    assert refused.value.field == "need"


def _resolution(alliance, user, *, adopted=True):
    body = Body.objects.filter(alliance=alliance).first()
    return Motion.objects.create(
        alliance=alliance, body=body, title="关于共建产业学院的决议", text="……", quorum_fraction="2/3",
        threshold_fraction="1/2", threshold_base="cast", threshold_strict=True, abstentions_count=False,
        created_by=user, state="closed", adopted=adopted, resolution_year=2025 if adopted else None,
        resolution_seq=77 if adopted else None)


def test_a_project_names_an_adopted_resolution_of_its_alliance(world, other_alliance):
    motion = _resolution(world.alliance, world.secretariat)
    assert world.project(resolution=motion.pk).resolution == motion.pk
    rejected = _resolution(world.alliance, world.secretariat, adopted=False)
    for pk in (rejected.pk, 10**9):
        with pytest.raises(DomainError) as refused:
            world.project(resolution=pk)
        assert refused.value.field == "resolution"


def test_figures_count_confirmed_outcomes_only(world):
    before = project_figures(world.alliance, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    project = world.project()
    confirmed = world.outcome(project, metric="trainees", value=40)
    projects.outcome_confirm(outcome=confirmed, actor=world.secretariat)
    world.outcome(project, metric="patents", value=3)
    world.outcome(project, metric="contract_value", value=500000, year=2024)
    projects.contribution_add(project=project, actor=world.contact, organization=world.contact_org, kind="funds",
                              amount=200000, year=2025)
    after = project_figures(world.alliance, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert after["projects"] == before["projects"] + 1
    assert after["projects_by_kind"]["order_class"] == before["projects_by_kind"]["order_class"] + 1
    assert after["trainees"] == before["trainees"] + 40
    assert after["patents"] == before["patents"]
    assert after["contract_value"] == before["contract_value"]
    assert float(after["funds_contributed"]) == float(before["funds_contributed"]) + 200000
    assert "trainees" in cooperation_figures(world.alliance, timezone.localdate().year)


def test_figures_cost_three_queries(world, django_assert_num_queries):
    with django_assert_num_queries(3):
        project_figures(world.alliance, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def test_an_unconfirmed_outcome_can_be_deleted_with_its_evidence(world):
    project = world.project()
    outcome = world.outcome(project)
    projects.outcome_delete(outcome=outcome, actor=world.school)
    assert not project.outcomes.exists()


def test_entries_need_unaffected(world):
    """A project's need link does not change an open need's status."""
    need = entries.entry_create(model=TechnologyNeed, actor=world.contact, alliance=world.alliance,
                                organization=world.contact_org, **NEED)
    world.project(need=need)
    assert TechnologyNeed.objects.get(pk=need.pk).status == "open"


def test_a_resolution_s_page_lists_the_projects_that_came_of_it(world, client_for):
    motion = _resolution(world.alliance, world.secretariat)
    project = world.project(resolution=motion.pk)
    page = client_for(world.secretariat).get(f"/governance/motions/{motion.pk}/").content.decode()
    assert 'id="referrers"' in page and project.title in page
    detail = client_for(world.secretariat).get(f"/cooperation/projects/{project.pk}/").content.decode()
    assert "2025-77" in detail
