"""Figures the application computes from what it already holds, shown beside the self-assessment.

Meeting, resolution and task figures need the governance records (a later issue); until
those exist they are reported as not available rather than as zero.
"""

from decimal import Decimal

from alliance.models import Alliance, AllianceDocument
from governance.models import Body, Seat
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
    share = (Decimal(enterprises) * 100 / total).quantize(Decimal("0.1")) if total else Decimal(0)
    return {
        "members_total": total,
        "members_by_type": {t: by_type[t] for t in Organization.Type.values if by_type.get(t)},
        "member_types": len(by_type),
        "enterprise_share_percent": str(share),
        "schools": schools,
        "meets_minimum_members": total >= MINIMUM_MEMBERS,
        "council_established": Body.Kind.COUNCIL in bodies and seats > 0,
        "council_seats": seats,
        "secretariat_established": Body.Kind.SECRETARIAT in bodies,
        "documents": {kind: kind in documents for kind in (
            AllianceDocument.Kind.CHARTER, AllianceDocument.Kind.DEVELOPMENT_PLAN,
            AllianceDocument.Kind.CONSTRUCTION_SCHEME, AllianceDocument.Kind.WORK_PLAN)},
        "meetings_held": None,
        "quorum_rate": None,
        "resolutions_adopted": None,
        "tasks_done_on_time": None,
    }
