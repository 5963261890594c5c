"""The assessments' demo: the shipped indicator framework (Han's Zibo case study, §5.4), published, with its
bindings to the named metrics; and (`load_assessment_cycle`, run by `manage.py loaddemo`) this year's cycle open
for the demo alliance, its self-assessment pre-filled from the alliance's figures."""

import datetime
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from assessments import frameworks, services
from assessments.annual import services as annual_services
from assessments.frameworks import create_from_data, validate
from assessments.models import AnnualPlan, Assessment, Cycle, Framework, Review
from assessments.services import cycle_open
from governance.figures import task_choices
from members.models import User

SEED_FRAMEWORK = Path(__file__).resolve().parent / "data" / "seed_000.json"
# The shipped framework's earlier names: a database loaded under one gets the current wording.
FORMER_NAMES = ["市域产教联合体建设成效考核指标体系（基于淄博案例 §5.4）"]


def _refresh_wording(framework: Framework, data: dict) -> None:
    """The current name, description and guidance on a framework loaded under a former name (weights and
    structure are the same version's)."""
    Framework.objects.filter(pk=framework.pk).update(
        name=data["name"], name_en=data["name_en"], description=data["description"],
        description_en=data["description_en"],
    )
    for node in validate(data):
        framework.indicators.filter(code=node["code"]).update(guidance=node["guidance"],
                                                              guidance_en=node["guidance_en"])


def load_seed_framework():
    """The shipped indicator framework, published, for any city to use."""
    data = json.loads(SEED_FRAMEWORK.read_text(encoding="utf-8"))
    framework = Framework.objects.filter(name=data["name"], version=data["version"]).first()
    if framework is None:
        framework = Framework.objects.filter(name__in=FORMER_NAMES, version=data["version"]).first()
        if framework is not None:
            _refresh_wording(framework, data)
            framework.refresh_from_db()
    if framework is None:
        framework = create_from_data(data, actor=None, version=data["version"])
        Framework.objects.filter(pk=framework.pk).update(status=Framework.Status.PUBLISHED,
                                                        published_at=timezone.now())
    else:
        _refresh_bindings(framework, data)
    return framework


def _refresh_bindings(framework: Framework, data: dict) -> None:
    """The shipped bindings on a framework loaded before the version's leaves were bound (weights, maxima and
    structure are the same version's)."""
    for node in validate(data):
        framework.indicators.filter(code=node["code"]).exclude(binding=node["binding"]).update(
            binding=node["binding"])


EXPERT_SHARES = (Decimal("0.86"), Decimal("0.82"), Decimal("0.90"))  # of each leaf's maximum, per expert


def _sheet(leaves, share: Decimal) -> dict:
    """Every leaf scored at `share` of its maximum (in half points); veto leaves passed."""
    return {leaf.code: "1" if leaf.veto else str((leaf.max_score * share * 2).to_integral_value() / 2)
            for leaf in leaves}


def load_decided_cycle() -> bool:
    """Last year's cycle of the demo alliance, decided (once): the self-assessment, three experts' reviews and the
    official's decision go through the services, as they did then; the cycle's dates and the times of its steps
    are then set in last year, so the official's dashboard, trends and city comparison have a year behind them."""
    framework = load_seed_framework()
    alliance = Alliance.objects.get(name=HIGH_TECH)
    today = timezone.localdate()
    year = today.year - 1
    title = f"{year}年度建设成效考核"
    if Cycle.objects.filter(city=alliance.city, title=title).exists():
        return False
    official, secretariat = User.objects.get(username="official"), User.objects.get(username="secretariat")
    experts = list(User.objects.filter(username__in=["expert1", "expert2", "expert3"]).order_by("username"))
    leaves = list(frameworks.leaves(framework))
    with transaction.atomic():
        cycle = cycle_open(actor=official, framework=framework, city=alliance.city, title=title, opens_on=today,
                           self_assessment_due=today + timedelta(days=30), review_due=today + timedelta(days=60),
                           alliances=[alliance])
        assessment = Assessment.objects.get(cycle=cycle, alliance=alliance)
        services.self_assessment_save(assessment=assessment, actor=secretariat,
                                      scores=_sheet(leaves, Decimal("0.9")),
                                      reasons={code: "依据年度台账核定" for code in assessment.figures.get("scores", {})})
        services.self_assessment_submit(assessment=assessment, actor=secretariat)
        for review, share in zip(services.experts_assign(assessment=assessment, actor=official, experts=experts),
                                 EXPERT_SHARES, strict=True):
            services.review_save(review=review, actor=review.expert, declared_no_conflict=True,
                                 scores=_sheet(leaves, share), comment="运行规范，产教协同成效明显。")
            services.review_submit(review=review, actor=review.expert)
        services.assessment_decide(assessment=assessment, actor=official, note="经专家评审和综合评议，确定考核等级如上。")
        # In last year, as it happened: opened in November, decided in December.
        Cycle.objects.filter(pk=cycle.pk).update(opens_on=datetime.date(year, 11, 1),
                                                 self_assessment_due=datetime.date(year, 11, 30),
                                                 review_due=datetime.date(year, 12, 20))
        Assessment.objects.filter(pk=assessment.pk).update(
            submitted_at=timezone.make_aware(datetime.datetime(year, 11, 28, 10)),
            decided_at=timezone.make_aware(datetime.datetime(year, 12, 22, 10)))
        Review.objects.filter(assessment=assessment).update(
            submitted_at=timezone.make_aware(datetime.datetime(year, 12, 15, 10)))
    return True


def load_assessment_cycle() -> bool:
    """This year's assessment of the demo alliance, open, with the self-assessment pre-filled (once)."""
    framework = load_seed_framework()
    alliance = Alliance.objects.get(name=HIGH_TECH)
    today = timezone.localdate()
    title = f"{today.year}年度建设成效考核"
    if Cycle.objects.filter(city=alliance.city, title=title).exists():
        return False
    cycle_open(actor=User.objects.get(username="official"), framework=framework, city=alliance.city, title=title,
               opens_on=today, self_assessment_due=today + timedelta(days=30),
               review_due=today + timedelta(days=60), alliances=[alliance])
    return True


# This year's work plan of the demo alliance: targets on the figures its records give, and the council's tasks.
DEMO_TARGETS = [("projects_started", 2), ("interns", 30), ("engineers_teaching", 12), ("meetings_held", 2),
                ("supply_demand_events_held", 1), ("problems_solved", 1), ("talent_filled", 60)]


def load_annual_plan() -> bool:
    """This year's work plan of the demo alliance, submitted, with its tasks (once)."""
    alliance = Alliance.objects.get(name=HIGH_TECH)
    year = timezone.localdate().year
    if AnnualPlan.objects.filter(alliance=alliance, year=year).exists():
        return False
    secretariat = User.objects.get(username="secretariat")
    plan = annual_services.plan_save(
        actor=secretariat, alliance=alliance, year=year,
        summary=f"{year}年围绕新材料和高端装备产业链，深化产教融合：新开展合作项目、扩大企业培训、提高本地就业，"
                "按季度召开理事会并举办供需对接会。",
        targets=[{"metric": key, "target": value} for key, value in DEMO_TARGETS],
        task_ids=[pk for pk, _title in task_choices(alliance.pk, year)])
    annual_services.plan_submit(actor=secretariat, plan=plan)
    # Submitted in time, as a running alliance would have (the demo is loaded at any time of the year).
    AnnualPlan.objects.filter(pk=plan.pk).update(submitted_at=timezone.make_aware(
        datetime.datetime(year, 1, 20, 10)))
    return True
