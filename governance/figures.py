"""The council's figures for the assessment, as plain values: the layers above read governance through
these (and the selectors), never its models.

A held meeting counts with the quorum it was held with (Meeting.seats_in_office, taken when it was marked
held), so a figure for a past year does not move when seats change later.
"""

from datetime import date, timedelta

from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

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


def council_establishment_by_alliance(alliance_ids) -> dict[int, dict]:
    """council_establishment for many alliances at once, in two queries."""
    ids = list(alliance_ids)
    kinds = {pk: set() for pk in ids}
    for alliance_id, kind in Body.objects.filter(alliance_id__in=ids).values_list("alliance_id", "kind"):
        kinds[alliance_id].add(kind)
    seats = dict(Seat.objects.filter(body__alliance_id__in=ids, body__kind=Body.Kind.COUNCIL, term_end__isnull=True)
                 .values_list("body__alliance_id").annotate(n=Count("id")).order_by())
    return {pk: {"council_established": Body.Kind.COUNCIL in kinds[pk] and seats.get(pk, 0) > 0,
                 "council_seats": seats.get(pk, 0),
                 "secretariat_established": Body.Kind.SECRETARIAT in kinds[pk]} for pk in ids}


def council_business(alliance, *, after: date, until: date) -> dict:
    """The council's work from the day after `after` to `until` (both dates local): meetings held and those
    of them that met their quorum, resolutions adopted, and the weight of the tasks due then and of those
    accepted by their due date."""
    figures = council_business_by_alliance([alliance.pk], start=after + timedelta(days=1), end=until)[alliance.pk]
    figures.pop("meetings")
    return figures


def council_business_by_alliance(alliance_ids, *, start: date, end: date) -> dict[int, dict]:
    """council_business for many alliances at once, the days from `start` to `end` both included, in three
    queries whatever their number; each alliance's figures also list its held meetings (id, title, date), the
    records a figure rests on."""
    ids = list(alliance_ids)
    figures = {pk: {"meetings_held": 0, "meetings_quorate": 0, "resolutions_adopted": 0, "task_weight_due": 0,
                    "task_weight_on_time": 0, "meetings": []} for pk in ids}
    held = with_quorum(Meeting.objects.filter(
        body__alliance_id__in=ids, status=Meeting.Status.HELD, starts_at__date__gte=start, starts_at__date__lte=end,
    )).select_related("body").order_by("starts_at", "id")
    for meeting in held:
        row = figures[meeting.body.alliance_id]
        row["meetings_held"] += 1
        row["meetings_quorate"] += meeting_quorum(meeting)["met"]
        row["meetings"].append({"id": meeting.pk, "title": meeting.title, "date": timezone.localdate(meeting.starts_at)})
    tasks = Task.objects.filter(alliance_id__in=ids, due_on__gte=start, due_on__lte=end).values("alliance_id").annotate(
        due=Sum("weight"),
        on_time=Sum("weight", filter=Q(status=Task.Status.ACCEPTED, accepted_at__date__lte=F("due_on"))),
    ).order_by()
    for row in tasks:
        figures[row["alliance_id"]].update(task_weight_due=row["due"] or 0, task_weight_on_time=row["on_time"] or 0)
    adopted = Motion.objects.filter(alliance_id__in=ids, adopted=True, closed_at__date__gte=start,
                                    closed_at__date__lte=end).values("alliance_id").annotate(n=Count("id")).order_by()
    for row in adopted:
        figures[row["alliance_id"]]["resolutions_adopted"] = row["n"]
    return figures


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


def tasks_as_figures(task_ids) -> dict[int, dict]:
    """{task id: its title, owner's name, target, progress, weight, due date, status and the share done (per cent,
    as Task.progress_percent)} — one query, for an annual work plan's execution."""
    return {task.pk: {"id": task.pk, "alliance_id": task.alliance_id, "title": task.title,
                      "owner": task.owner.name, "target": task.target_value, "unit": task.target_unit,
                      "progress": task.progress, "weight": task.weight, "due_on": task.due_on,
                      "status": task.status, "status_label": task.get_status_display(),
                      "percent": task.progress_percent}
            for task in Task.objects.filter(id__in=list(task_ids)).select_related("owner")}


def task_choices(alliance_id: int, year: int) -> list[tuple[int, str]]:
    """The alliance's tasks due in the year (for a work plan's choice)."""
    return [(pk, title) for pk, title in Task.objects.filter(alliance_id=alliance_id, due_on__year=year)
            .order_by("due_on", "id").values_list("id", "title")]
