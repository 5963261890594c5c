"""The assessments' demo: the indicator framework built from seed 000 §5.4, published."""

import json
from pathlib import Path

from django.utils import timezone

from assessments.frameworks import create_from_data
from assessments.models import Framework

SEED_FRAMEWORK = Path(__file__).resolve().parent / "data" / "seed_000.json"


def load_seed_framework():
    """The indicator framework built from seed 000 §5.4, published, for any city to use."""
    data = json.loads(SEED_FRAMEWORK.read_text(encoding="utf-8"))
    framework = Framework.objects.filter(name=data["name"], version=data["version"]).first()
    if framework is None:
        framework = create_from_data(data, actor=None, version=data["version"])
        Framework.objects.filter(pk=framework.pk).update(status=Framework.Status.PUBLISHED,
                                                        published_at=timezone.now())
    return framework
