"""Figures the application computes from what it already holds, shown beside the self-assessment.

Meeting, resolution and task figures, and those of supply and demand (cooperation/metrics.py: events
held, responses accepted, needs posted), cover the year before the computation. A rate with
nothing to measure (no meeting held, no task due) is reported as not available, not as zero.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone

from alliance.models import Alliance, AllianceDocument
from cooperation.metrics import cooperation_metrics
from governance.models import Body, Meeting, Motion, Seat, Task
from governance.selectors import meeting_quorum, with_quorum
from members.models import Organization
from members.selectors import active_member_counts_by_type

MINIMUM_MEMBERS = 30  # seed 000 §5.4.4 "more than 30"; DOMAIN.md "30+": 30 counts as enough


def alliance_metrics(alliance: Alliance) -> dict:
    by_type = active_member_counts_by_type(alliance)
    total = sum(by_type.values())
    enterprises = by_type.get(Organization.Type.ENTERPRISE, 0)
    schools = sum(by_type.get(t, 0) for t in Organization.SCHOOL_TYPES)
    documents = set(alliance.documents.values_list("kind", flat=True))
    bodies = set(Body.objects.filter(alliance=alliance).values_list("kind", flat=True))
    seats = Seat.objects.filter(body__alliance=alliance, body__kind=Body.Kind.COUNCIL, term_end__isnull=True).count()
    return {
        "members_total": total,
        "members_by_type": {t: by_type[t] for t in Organization.Type.values if by_type.get(t)},
        "member_types": len(by_type),
        "enterprise_share_percent": _percent(enterprises, total) or "0",
        "schools": schools,
        "meets_minimum_members": total >= MINIMUM_MEMBERS,
        "council_established": Body.Kind.COUNCIL in bodies and seats > 0,
        "council_seats": seats,
        "secretariat_established": Body.Kind.SECRETARIAT in bodies,
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
    year_ago = today - timedelta(days=365)
    held = list(with_quorum(Meeting.objects.filter(
        body__alliance=alliance, status=Meeting.Status.HELD, starts_at__date__gt=year_ago,
        starts_at__date__lte=today)).select_related("body"))
    quorate = sum(1 for meeting in held if meeting_quorum(meeting)["met"])
    tasks_due = Task.objects.filter(alliance=alliance, due_on__gt=year_ago, due_on__lte=today)
    weights = tasks_due.aggregate(
        due=Sum("weight"),
        on_time=Sum("weight", filter=Q(status=Task.Status.ACCEPTED, accepted_at__date__lte=F("due_on"))),
    )
    return {
        "meetings_held": len(held),
        "quorum_rate": _percent(quorate, len(held)),
        "resolutions_adopted": Motion.objects.filter(
            alliance=alliance, adopted=True, closed_at__date__gt=year_ago, closed_at__date__lte=today).count(),
        "tasks_done_on_time": _percent(weights["on_time"] or 0, weights["due"] or 0),
    }
