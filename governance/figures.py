"""The council's figures for the assessment, as plain values: the layers above read governance through
these (and the selectors), never its models.

A held meeting counts with the quorum it was held with (Meeting.seats_in_office, taken when it was marked
held), so a figure for a past year does not move when seats change later.
"""

from datetime import date

from django.db.models import Count, F, Max, Q, Sum

from governance.models import Attendance, Body, Meeting, Motion, Seat, Task
from governance.selectors import meeting_quorum, with_quorum


def council_establishment(alliance) -> dict:
    """Whether the alliance has set up its council (with seats) and secretariat, and the council's seats now."""
    kinds = set(Body.objects.filter(alliance=alliance).values_list("kind", flat=True))
    seats = Seat.objects.filter(body__alliance=alliance, body__kind=Body.Kind.COUNCIL, term_end__isnull=True).count()
    return {
        "council_established": Body.Kind.COUNCIL in kinds and seats > 0,
        "council_seats": seats,
        "secretariat_established": Body.Kind.SECRETARIAT in kinds,
    }


def council_business(alliance, *, after: date, until: date) -> dict:
    """The council's work from the day after `after` to `until` (both dates local): meetings held and those
    of them that met their quorum, resolutions adopted, and the weight of the tasks due then and of those
    accepted by their due date."""
    held = list(with_quorum(Meeting.objects.filter(
        body__alliance=alliance, status=Meeting.Status.HELD, starts_at__date__gt=after, starts_at__date__lte=until,
    )).select_related("body"))
    weights = Task.objects.filter(alliance=alliance, due_on__gt=after, due_on__lte=until).aggregate(
        due=Sum("weight"),
        on_time=Sum("weight", filter=Q(status=Task.Status.ACCEPTED, accepted_at__date__lte=F("due_on"))),
    )
    return {
        "meetings_held": len(held),
        "meetings_quorate": sum(1 for meeting in held if meeting_quorum(meeting)["met"]),
        "resolutions_adopted": Motion.objects.filter(
            alliance=alliance, adopted=True, closed_at__date__gt=after, closed_at__date__lte=until).count(),
        "task_weight_due": weights["due"] or 0,
        "task_weight_on_time": weights["on_time"] or 0,
    }


# For the early warnings (assessments/early_warnings/): one query each, for many alliances at once.


def last_council_meeting_by_alliance(alliance_ids) -> dict:
    """{alliance id: when its council last held a meeting} (alliances whose council never met are left out)."""
    return dict(Meeting.objects.filter(body__alliance_id__in=alliance_ids, body__kind=Body.Kind.COUNCIL,
                                       status=Meeting.Status.HELD)
                .values_list("body__alliance_id").annotate(last=Max("starts_at")))


def council_participants(alliance_ids, since: date) -> set[tuple[int, int]]:
    """(alliance id, unit id) of the units that took part in the council's work since `since`: present at a
    meeting (in person, online or by proxy), or owner of a task given or accepted since."""
    present = (Attendance.objects.filter(meeting__body__alliance_id__in=alliance_ids,
                                         meeting__starts_at__date__gte=since, mode__in=Attendance.PRESENT_MODES)
               .values_list("meeting__body__alliance_id", "seat__organization_id").distinct())
    tasked = (Task.objects.filter(alliance_id__in=alliance_ids)
              .filter(Q(created_at__date__gte=since) | Q(accepted_at__date__gte=since))
              .values_list("alliance_id", "owner_id").distinct())
    return set(present) | set(tasked)


def overdue_tasks_by_alliance(alliance_ids, today: date) -> dict:
    """{alliance id: the council's tasks past their due date and not yet accepted}."""
    return dict(Task.objects.filter(alliance_id__in=alliance_ids, due_on__lt=today)
                .exclude(status=Task.Status.ACCEPTED).values_list("alliance_id").annotate(count=Count("id")))
