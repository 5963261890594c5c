"""The Zibo demo (`manage.py loaddemo`): each app's part, in the order the layers build on each other.
Idempotent: running it twice changes nothing."""

from django.db import transaction

from alliance.demo import load_core_demo
from alliance.models import Alliance
from assessments.demo import (
    load_annual_plan,
    load_assessment_cycle,
    load_decided_cycle,
    load_seed_framework,
)
from cooperation.demo import load_cooperation_activity, load_cooperation_demo
from governance.demo import load_demo_council, load_governance_demo
from matching.demo import load_matching_demo
from members.demo import load_members_demo
from members.models import Organization
from publicity.demo import load_publicity_demo

DEMO_LOGINS = [
    ("official", "municipal official, Zibo"),
    ("secretariat", "secretariat of the Zibo National High-tech Zone alliance"),
    ("director1 … director9", "council of that alliance (director1 is the chair)"),
    ("contact", "contact of a member enterprise"),
    ("school", "contact of a member school (淄博职业学院)"),
    ("expert1 … expert3", "expert reviewers"),
]


@transaction.atomic
def load_demo() -> dict:
    """The register: alliances, units, memberships, users and roles, the council and its seats, the three
    lists with offers, responses and an event, the assessment framework."""
    core = load_core_demo()
    members = load_members_demo(core)
    load_governance_demo(core, members)
    load_cooperation_demo(core)
    load_matching_demo(core)
    load_seed_framework()
    return {"alliances": Alliance.objects.count(), "organizations": Organization.objects.count()}


__all__ = ["DEMO_LOGINS", "load_annual_plan", "load_assessment_cycle", "load_decided_cycle", "load_cooperation_activity", "load_demo", "load_demo_council", "load_publicity_demo"]
