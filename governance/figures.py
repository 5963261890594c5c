"""The council's figures for the assessment, as plain values: the layers above read governance through
these (and the selectors), never its models.

A held meeting counts with the quorum it was held with (Meeting.seats_in_office, taken when it was marked
held), so a figure for a past year does not move when seats change later.
"""

from datetime import date

from django.db.models import F, Q, Sum

from governance.models import Body, Meeting, Motion, Seat, Task
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
