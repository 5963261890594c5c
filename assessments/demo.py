"""The assessments' demo: the shipped indicator framework (Han's Zibo case study, §5.4), published."""

import json
from pathlib import Path

from django.utils import timezone

from assessments.frameworks import create_from_data, validate
from assessments.models import Framework

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
    return framework
