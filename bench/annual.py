"""The year's construction self-assessment report of an alliance with 300 active member units and 200 cooperation
projects (issue 11; step 9 of `make bench`, after the assessment reports of step 6, whose alliance of 300 members it
uses).

It adds to that alliance, in bulk, 200 projects of the year with two partners, two contributions and four confirmed
outcomes each, twelve council tasks, and a submitted work plan with ten targets and the tasks; then times, in-process,
what `assessments.annual.document` does for the report's page, its PDF and its submission: the data from the records
(`report_data`) and the PDF (`render`), the median of several runs, with the query count of one run and the pages
and size of the file. Aim: within 2 s.
"""

import datetime
import io
import random
import statistics
import time

PROJECTS = 200
TASKS = 12
OUTCOMES_PER_PROJECT = 4
RUNS = 5
AIM_SECONDS = 2.0
KINDS = ["industrial_college", "training_base", "practice_centre", "rd_platform", "tech_service", "order_class",
         "apprenticeship", "staff_exchange", "training_programme"]
OUTCOMES = ["students_enrolled", "trainees", "graduates_placed_local", "interns", "teachers_in_enterprise",
            "engineers_teaching", "patents", "standards", "contract_value", "problems_solved"]
TARGETS = [("projects_started", 150), ("trainees", 20_000), ("graduates_placed_local", 3_000), ("interns", 4_000),
           ("teachers_in_enterprise", 1_500), ("engineers_teaching", 1_500), ("patents", 300), ("standards", 50),
           ("contract_value", 50_000_000), ("meetings_held", 4)]
NARRATIVE = "本年度联合体围绕重点产业链推进产教融合，" * 20


def build(alliance_id: int, seed: int = 20261202) -> dict:
    """The alliance's projects, tasks, plan and report of the year (once: a second call finds them)."""
    from django.db import transaction
    from django.utils import timezone

    from alliance.models import Alliance
    from assessments.models import AnnualPlan, AnnualReport, PlanTarget
    from cooperation.models import Contribution, Outcome, Project, ProjectPartner
    from governance.models import Task
    from members.models import Membership, User

    alliance = Alliance.objects.select_related("city").get(pk=alliance_id)
    year = timezone.localdate().year
    if AnnualReport.objects.filter(alliance=alliance, year=year).exists():
        return {"alliance": alliance, "year": year}
    rng = random.Random(seed)
    members = list(Membership.objects.filter(alliance=alliance, status="active").values_list("organization_id",
                                                                                             flat=True))
    with transaction.atomic():
        author, _created = User.objects.get_or_create(username="bench-annual")
        projects = Project.objects.bulk_create(
            Project(alliance=alliance, kind=rng.choice(KINDS), title=f"年度合作项目{n:03d}",
                    lead_id=rng.choice(members), starts_on=datetime.date(year, rng.randint(1, 11), 1),
                    status="running", created_by=author)
            for n in range(PROJECTS))
        partners, contributions, outcomes = [], [], []
        confirmed = timezone.now()
        for project in projects:
            for unit in rng.sample([pk for pk in members if pk != project.lead_id], 2):
                partners.append(ProjectPartner(project=project, organization_id=unit, role="partner"))
                contributions.append(Contribution(project=project, organization_id=unit, kind="funds", year=year,
                                                  amount=rng.randint(10, 500) * 1000, unit="元"))
            for metric in rng.sample(OUTCOMES, OUTCOMES_PER_PROJECT):
                outcomes.append(Outcome(project=project, year=year, metric=metric, value=rng.randint(1, 300),
                                        recorded_by=author, confirmed_by=author, confirmed_at=confirmed))
        ProjectPartner.objects.bulk_create(partners)
        Contribution.objects.bulk_create(contributions)
        Outcome.objects.bulk_create(outcomes)
        tasks = Task.objects.bulk_create(
            Task(alliance=alliance, title=f"理事会任务{n:02d}", owner_id=rng.choice(members), target_value=100,
                 target_unit="人次", progress=rng.randint(0, 100), due_on=datetime.date(year, 12, 1),
                 created_by=author)
            for n in range(TASKS))
        plan = AnnualPlan.objects.create(alliance=alliance, year=year, summary=NARRATIVE, status="submitted",
                                         submitted_at=timezone.make_aware(datetime.datetime(year, 1, 20)),
                                         created_by=author)
        PlanTarget.objects.bulk_create(PlanTarget(plan=plan, metric=key, target=value) for key, value in TARGETS)
        plan.tasks.set(tasks)
        plan.projects.set(projects[:50])
        AnnualReport.objects.create(alliance=alliance, year=year, created_by=author, narratives={
            code: NARRATIVE for code in ("overview", "members", "cooperation", "training", "problems", "next_year")})
    return {"alliance": alliance, "year": year}


def run(alliance_id: int) -> list[str]:
    """Build (once), time and report as Markdown lines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from assessments.annual import document
    from assessments.models import AnnualReport
    from members.models import Membership

    built = build(alliance_id)
    alliance, year = built["alliance"], built["year"]
    narratives = AnnualReport.objects.get(alliance=alliance, year=year).narratives
    with CaptureQueriesContext(connection) as queries:
        data = document.report_data(alliance, year, narratives)
    first_started = time.perf_counter()
    pdf = document.render(data)
    first = time.perf_counter() - first_started
    gathering, rendering = [], []
    for _run in range(RUNS):
        started = time.perf_counter()
        data = document.report_data(alliance, year, narratives)
        middle = time.perf_counter()
        pdf = document.render(data)
        gathering.append(middle - started)
        rendering.append(time.perf_counter() - middle)
    totals = [a + b for a, b in zip(gathering, rendering, strict=True)]
    seconds = statistics.median(totals)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    members = Membership.objects.filter(alliance=alliance, status="active").count()
    met = seconds <= AIM_SECONDS
    return [
        "## The year's construction self-assessment report",
        "",
        f"The alliance of step 6 ({members} active member units) with {PROJECTS} projects of {year}, "
        f"{PROJECTS * OUTCOMES_PER_PROJECT} confirmed outcomes, {PROJECTS * 2} contributions, {TASKS} council tasks "
        f"and a submitted work plan of {len(TARGETS)} targets; in-process, median of {RUNS} runs (the first render, "
        "which pays for WeasyPrint's set-up, apart).",
        "",
        "| document | median s | data s | render s | first render s | queries | file | aim s | met |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|",
        f"| annual report (PDF) | {seconds:.2f} | {statistics.median(gathering):.2f} | "
        f"{statistics.median(rendering):.2f} | {first:.2f} | {len(queries)} | {pages} pages, {len(pdf) // 1024} KiB "
        f"| {AIM_SECONDS:.0f} | {'yes' if met else '**no**'} |",
    ]
