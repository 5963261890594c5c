"""The assessments' demo: the shipped indicator framework (Han's Zibo case study, §5.4), published, with its
bindings to the named metrics; and (`load_assessment_cycle`, run by `manage.py loaddemo`) this year's cycle open
for the demo alliance, its self-assessment pre-filled from the alliance's figures."""

import json
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from assessments.frameworks import create_from_data, validate
from assessments.models import Cycle, Framework
from assessments.services import cycle_open
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
