"""Every metric of the assessment's registry for the 150 alliances of a city, in one batch (issue 11; step 8 of
`make bench`, after the matching).

On the matching step's city (bench/matching.py: 150 alliances, 450 schools with five years of major offers, the
city's industry figures) it adds, in bulk, what the other metrics read: five enterprises joining each alliance
beside its three schools (1,200 active memberships), a council with four held meetings a year, and ten
cooperation projects per alliance (1,500) with two partners, two contributions and four confirmed outcomes each
(6,000 outcomes). Then it times, in-process, `assessments.metrics.compute_figures` over the 150 alliances for
2025 with every registered metric (what a cycle's opening computes, for its bound metrics only), the median of
several runs, with the query count of one run.
Aim: within 5 s.
"""

import datetime
import random
import statistics
import time

ENTERPRISES_PER_ALLIANCE = 5
MEETINGS_PER_ALLIANCE = 4
PROJECTS_PER_ALLIANCE = 10
OUTCOMES_PER_PROJECT = 4
YEAR = 2025
RUNS = 3
AIM_SECONDS = 5.0
KINDS = ["industrial_college", "training_base", "order_class", "apprenticeship", "tech_service", "staff_exchange"]
OUTCOMES = ["students_enrolled", "trainees", "graduates_placed_local", "interns", "teachers_in_enterprise",
            "patents", "contract_value", "problems_solved"]


def build(seed: int = 20261201) -> dict:
    """The matching city with members, meetings and projects (once: a second call finds them)."""
    from django.db import transaction
    from django.utils import timezone

    from alliance.models import Alliance
    from bench.matching import SCHOOLS_PER_ALLIANCE
    from bench.matching import build as build_city
    from bench.run import uscc_for
    from cooperation.models import Contribution, Outcome, Project, ProjectPartner
    from governance.models import Body, Meeting
    from members.models import Membership, Organization, User

    city = build_city()["city"]
    alliances = list(Alliance.objects.filter(city=city).order_by("id"))
    if Project.objects.filter(alliance__in=alliances).exists():
        return {"city": city, "alliances": alliances}
    rng = random.Random(seed)
    schools = list(Organization.objects.filter(city=city, type="higher_vocational").order_by("name"))
    with transaction.atomic():
        author, _created = User.objects.get_or_create(username="bench-metrics")
        enterprises = Organization.objects.bulk_create(
            Organization(name=f"{city.name}企业{n:04d}", uscc=uscc_for(950_000 + n, "enterprise", "370399"),
                         type="enterprise", size="medium", city=city)
            for n in range(len(alliances) * ENTERPRISES_PER_ALLIANCE))
        units = {}
        for index, alliance in enumerate(alliances):
            units[alliance.pk] = (schools[index * SCHOOLS_PER_ALLIANCE:(index + 1) * SCHOOLS_PER_ALLIANCE]
                                  + enterprises[index * ENTERPRISES_PER_ALLIANCE:(index + 1) * ENTERPRISES_PER_ALLIANCE])
        Membership.objects.bulk_create(
            Membership(alliance_id=pk, organization=unit, status="active", role="member",
                       joined_on=datetime.date(YEAR - 2, 3, 1))
            for pk, members in units.items() for unit in members)
        for alliance in alliances:
            alliance.lead_school_id = units[alliance.pk][0].pk
        Alliance.objects.bulk_update(alliances, ["lead_school"])
        bodies = Body.objects.bulk_create(Body(alliance=alliance, kind="council", name="理事会") for alliance in alliances)
        meetings = []
        for body in bodies:
            for quarter in range(MEETINGS_PER_ALLIANCE):
                held = timezone.make_aware(datetime.datetime(YEAR, 3 * quarter + 2, 15, 9))
                meetings.append(Meeting(body=body, kind="regular", title=f"理事会第{quarter + 1}次会议",
                                        starts_at=held, ends_at=held + datetime.timedelta(hours=2), status="held",
                                        created_by=author))
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        projects = Project.objects.bulk_create(
            Project(alliance_id=pk, kind=rng.choice(KINDS), title=f"合作项目{n:02d}",
                    lead=rng.choice(members), starts_on=datetime.date(YEAR - rng.randint(0, 2), rng.randint(1, 12), 1),
                    status="running", created_by=author)
            for pk, members in units.items() for n in range(PROJECTS_PER_ALLIANCE))
        partners, contributions, outcomes = [], [], []
        confirmed = timezone.now()
        for project in projects:
            others = [unit for unit in units[project.alliance_id] if unit.pk != project.lead_id]
            for unit in rng.sample(others, 2):
                partners.append(ProjectPartner(project=project, organization=unit, role="partner"))
                contributions.append(Contribution(project=project, organization=unit, kind="funds", year=YEAR,
                                                  amount=rng.randint(10, 500) * 1000, unit="元"))
            for metric in rng.sample(OUTCOMES, OUTCOMES_PER_PROJECT):
                outcomes.append(Outcome(project=project, year=YEAR, metric=metric, value=rng.randint(1, 200),
                                        recorded_by=author, confirmed_by=author, confirmed_at=confirmed))
        ProjectPartner.objects.bulk_create(partners, batch_size=2000)
        Contribution.objects.bulk_create(contributions, batch_size=2000)
        Outcome.objects.bulk_create(outcomes, batch_size=2000)
    return {"city": city, "alliances": alliances}


def run() -> list[str]:
    """Build (once), time and report as Markdown lines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.metrics import compute_figures, metrics

    ids = [alliance.pk for alliance in build()["alliances"]]
    start, end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    with CaptureQueriesContext(connection) as queries:
        figures = compute_figures(ids, start, end)
    durations = []
    for _run in range(RUNS):
        started = time.perf_counter()
        compute_figures(ids, start, end)
        durations.append(time.perf_counter() - started)
    seconds = statistics.median(durations)
    keys = len(metrics())
    computed = sum(1 for pk in ids for figure in figures[pk].values() if figure.value is not None)
    met = seconds <= AIM_SECONDS
    return [
        "## Metrics for the assessment: 150 alliances",
        "",
        f"The matching city's {len(ids)} alliances with {ENTERPRISES_PER_ALLIANCE} enterprises each beside their "
        f"schools, {MEETINGS_PER_ALLIANCE} council meetings each, {len(ids) * PROJECTS_PER_ALLIANCE:,} projects and "
        f"{len(ids) * PROJECTS_PER_ALLIANCE * OUTCOMES_PER_PROJECT:,} confirmed outcomes; every registered metric "
        f"for {YEAR}, in-process, median of {RUNS} runs.",
        "",
        "| computation | median s | queries |",
        "|---|---:|---:|",
        f"| {keys} metrics × {len(ids)} alliances ({computed:,} figures available) | {seconds:.3f} "
        f"| {len(queries)} |",
        "",
        f"Aim: every metric for 150 alliances within {AIM_SECONDS:.0f} s. {'Met' if met else '**Not met**'}.",
    ]
