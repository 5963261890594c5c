"""Reads of the annual cycle: the deadlines, who sees what, and a work plan's execution rate.

The execution rate of a plan is the weighted mean of how far each of its items got, each capped at 100 %:
a target reaches `achieved / target` of its metric (the registry's figure for the year so far), a task of the
council `progress / target` (Task.progress_percent). A plan with no items has no rate (None, not zero).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from alliance.selectors import alliances_overseen_by
from assessments.metrics import Unit, compute_figures, metric, metrics
from assessments.models import AnnualPlan, AnnualReport, PlanTarget
from governance.figures import tasks_as_figures

# Metrics a target can be set on: those where more is better (not indices or yes/no).
TARGET_UNITS = (Unit.COUNT, Unit.PERCENT, Unit.YUAN, Unit.PERSON_TIMES)
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


def plan_due(year: int) -> datetime.date:
    """The year's work plan is due on 31 January of that year."""
    return datetime.date(year, 1, 31)


def report_due(year: int) -> datetime.date:
    """The year's construction self-assessment report is due on 31 December of that year."""
    return datetime.date(year, 12, 31)


def pass_rate() -> Decimal:
    """The execution rate a plan must reach by the year's end (ANNUAL_PLAN_PASS_RATE, per cent)."""
    return Decimal(settings.ANNUAL_PLAN_PASS_RATE)


def target_metrics() -> list:
    return [one for one in metrics() if one.unit in TARGET_UNITS]


def is_target_metric(key: str) -> bool:
    one = metric(key)
    return one is not None and one.unit in TARGET_UNITS


def is_late(record, due: datetime.date, today: datetime.date | None = None) -> bool:
    """A plan or report submitted after its deadline, or not submitted (None, or a draft) once it is past."""
    if record is not None and record.submitted_at:
        return timezone.localdate(record.submitted_at) > due
    return (today or timezone.localdate()) > due


def is_open(record) -> bool:
    """Not started, or a draft: the secretariat may still write it (a submitted plan or report never changes)."""
    return record is None or record.status == record.Status.DRAFT


# Who sees what: the secretariat writes, the city's officials read (assessments.permissions) -------------------


def plans_for(user) -> QuerySet[AnnualPlan]:
    """The plans of the alliances whose annual cycle the user reads (as secretariat or the city's official)."""
    return AnnualPlan.objects.filter(alliance__in=alliances_overseen_by(user)).select_related("alliance")


def reports_for(user) -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(alliance__in=alliances_overseen_by(user)).select_related("alliance")


# Execution -------------------------------------------------------------------------------------------------------


@dataclass
class Execution:
    """How far a plan got over its year until `until`: each item and the weighted rate (per cent)."""

    until: datetime.date
    rate: Decimal | None = None
    items: list = field(default_factory=list)


def period_of(year: int, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The year from 1 January to its end, or to today while it runs."""
    return datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), max(today, datetime.date(year, 1, 1)))


def _share(achieved, target) -> Decimal:
    if not target:
        return HUNDRED.quantize(TENTH)
    return min(HUNDRED, Decimal(achieved) * HUNDRED / Decimal(target)).quantize(TENTH, ROUND_HALF_UP)


def executions(plans, today: datetime.date | None = None) -> dict[int, Execution]:
    """{plan id: Execution} for many plans: the metrics of each year computed once for all its alliances, the
    targets, tasks and their figures in one query each."""
    today = today or timezone.localdate()
    plans = list(plans)
    if not plans:
        return {}
    targets: dict[int, list[PlanTarget]] = {}
    for target in PlanTarget.objects.filter(plan__in=plans).order_by("plan_id", "id"):
        targets.setdefault(target.plan_id, []).append(target)
    task_links: dict[int, list[int]] = {}
    for plan_id, task_id in AnnualPlan.tasks.through.objects.filter(annualplan__in=plans).values_list(
            "annualplan_id", "task_id").order_by("task_id"):
        task_links.setdefault(plan_id, []).append(task_id)
    tasks = tasks_as_figures({pk for ids in task_links.values() for pk in ids})
    figures = {}
    for year in {plan.year for plan in plans}:
        in_year = [plan for plan in plans if plan.year == year]
        keys = {target.metric for plan in in_year for target in targets.get(plan.pk, []) if metric(target.metric)}
        if keys:
            start, end = period_of(year, today)
            figures[year] = compute_figures([plan.alliance_id for plan in in_year], start, end, keys=sorted(keys))
    found = {}
    for plan in plans:
        execution = Execution(until=period_of(plan.year, today)[1])
        for target in targets.get(plan.pk, []):
            one = metric(target.metric)
            figure = figures.get(plan.year, {}).get(plan.alliance_id, {}).get(target.metric)
            achieved = figure.value if figure is not None and figure.value is not None else Decimal(0)
            execution.items.append({
                "kind": "target", "key": target.metric, "label": one.label if one else target.metric,
                "unit": Unit(one.unit).label if one else "",
                "target": target.target, "achieved": achieved, "weight": target.weight, "note": target.note,
                "percent": _share(achieved, target.target),
            })
        for task_id in task_links.get(plan.pk, []):
            task = tasks.get(task_id)
            if task is None:
                continue
            execution.items.append({
                "kind": "task", "key": f"task:{task_id}", "label": task["title"], "unit": task["unit"],
                "target": task["target"], "achieved": task["progress"], "weight": task["weight"],
                "note": task["owner"], "status": task["status_label"], "due_on": task["due_on"],
                "percent": Decimal(task["percent"]).quantize(TENTH),
            })
        weight = sum((item["weight"] for item in execution.items), Decimal(0))
        if weight:
            execution.rate = (sum(item["percent"] * item["weight"] for item in execution.items) / weight).quantize(
                TENTH, ROUND_HALF_UP)
        found[plan.pk] = execution
    return found


def execution_of(plan: AnnualPlan, today: datetime.date | None = None) -> Execution:
    return executions([plan], today)[plan.pk]


def expected_rate(year: int, today: datetime.date) -> Decimal:
    """Where a plan should be by `today` if its work is spread evenly over the year (per cent)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if today <= start:
        return Decimal(0)
    if today >= end:
        return HUNDRED
    return (HUNDRED * (today - start).days / ((end - start).days + 1)).quantize(TENTH, ROUND_HALF_UP)


def year_rates(alliance_ids, years, today: datetime.date | None = None) -> dict[tuple[int, int], Decimal | None]:
    """{(alliance id, year): the execution rate of its submitted plan}: the rate frozen in the year's submitted
    report when there is one (what the alliance reported), else computed from the records now."""
    today = today or timezone.localdate()
    rates = {}
    frozen = AnnualReport.objects.filter(alliance_id__in=alliance_ids, year__in=years,
                                         status=AnnualReport.Status.SUBMITTED).values_list("alliance_id", "year",
                                                                                           "data")
    for alliance_id, year, data in frozen:
        plan = (data or {}).get("plan") or {}
        if plan.get("submitted"):
            rate = plan.get("rate")
            rates[alliance_id, year] = Decimal(rate) if rate is not None else None
    plans = [plan for plan in AnnualPlan.objects.filter(alliance_id__in=alliance_ids, year__in=years,
                                                        status=AnnualPlan.Status.SUBMITTED)
             if (plan.alliance_id, plan.year) not in rates]
    by_id = {plan.pk: plan for plan in plans}
    for plan_id, execution in executions(plans, today).items():
        rates[by_id[plan_id].alliance_id, by_id[plan_id].year] = execution.rate
    return rates
