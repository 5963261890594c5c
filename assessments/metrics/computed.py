"""Figures the application computes from what it already holds, shown beside the self-assessment.

Meeting, resolution and task figures, and those of supply and demand (cooperation/metrics.py: events
held, responses accepted, needs posted), cover the year before the computation. A rate with
nothing to measure (no meeting held, no task due) is reported as not available, not as zero.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from alliance.models import Alliance, AllianceDocument
from cooperation.metrics import cooperation_metrics
from governance.figures import council_business, council_establishment
from members.models import Organization
from members.selectors import active_member_counts_by_type

MINIMUM_MEMBERS = 30  # seed 000 §5.4.4 "more than 30"; DOMAIN.md "30+": 30 counts as enough


def alliance_metrics(alliance: Alliance) -> dict:
    by_type = active_member_counts_by_type(alliance)
    total = sum(by_type.values())
    enterprises = by_type.get(Organization.Type.ENTERPRISE, 0)
    schools = sum(by_type.get(t, 0) for t in Organization.SCHOOL_TYPES)
    documents = set(alliance.documents.values_list("kind", flat=True))
    return {
        "members_total": total,
        "members_by_type": {t: by_type[t] for t in Organization.Type.values if by_type.get(t)},
        "member_types": len(by_type),
        "enterprise_share_percent": _percent(enterprises, total) or "0",
        "schools": schools,
        "meets_minimum_members": total >= MINIMUM_MEMBERS,
        **council_establishment(alliance),
        "documents": {kind: kind in documents for kind in (
            AllianceDocument.Kind.CHARTER, AllianceDocument.Kind.DEVELOPMENT_PLAN,
            AllianceDocument.Kind.CONSTRUCTION_SCHEME, AllianceDocument.Kind.WORK_PLAN)},
        **governance_metrics(alliance),
        **cooperation_metrics(alliance),
    }


def _percent(part, whole) -> str | None:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))) if whole else None


def governance_metrics(alliance: Alliance, today=None) -> dict:
    today = today or timezone.localdate()
    business = council_business(alliance, after=today - timedelta(days=365), until=today)
    return {
        "meetings_held": business["meetings_held"],
        "quorum_rate": _percent(business["meetings_quorate"], business["meetings_held"]),
        "resolutions_adopted": business["resolutions_adopted"],
        "tasks_done_on_time": _percent(business["task_weight_on_time"], business["task_weight_due"]),
    }
