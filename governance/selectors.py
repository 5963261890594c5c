"""Reads of bodies, seats, meetings, motions, minutes and tasks, scoped to the user."""

from datetime import timedelta

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from alliance.models import Alliance
from alliance.selectors import (
    alliances_overseen_by,
    private_alliance_filter,
    visible_alliance_filter,
)
from governance.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Body,
    ConflictDeclaration,
    ExtraordinaryRequest,
    Invitation,
    Meeting,
    Minutes,
    Motion,
    Paper,
    Seat,
    Task,
)
from governance.rules import quorum_met
from kernel.rows import rows_where
from kernel.scope import scope_of
from kernel.selectors import get_or_404, pk_or_404
from members.models import Organization


def council_filter(user, alliance_field: str = "alliance") -> Q:
    """Rows of alliances whose council business the user may read: its secretariat, its seats and
    alternates, its city's officials (the alliance's private business)."""
    return private_alliance_filter(user, f"{alliance_field}__")


def bodies_for_user(user) -> QuerySet[Body]:
    return Body.objects.filter(
        alliance__in=Alliance.objects.filter(visible_alliance_filter(user))
    ).select_related("alliance")


def seats_for_user(user) -> QuerySet[Seat]:
    """Seats (who sits for which unit) are shown to the alliance's own people and its officials."""
    return Seat.objects.select_related("body", "user", "organization", "alternate").filter(
        council_filter(user, "body__alliance")
    )


def active_seats(body_id) -> QuerySet[Seat]:
    return Seat.objects.filter(body_id=body_id, term_end__isnull=True)


def _entitled_count(body_ref) -> Coalesce:
    seats = (
        Seat.objects.filter(body=body_ref, term_end__isnull=True).order_by().values("body")
        .annotate(n=Count("id")).values("n")
    )
    return Coalesce(Subquery(seats, output_field=IntegerField()), 0)


def _present_count(meeting_ref) -> Coalesce:
    present = (
        Attendance.objects.filter(meeting=meeting_ref, mode__in=Attendance.PRESENT_MODES, seat__term_end__isnull=True)
        .order_by().values("meeting").annotate(n=Count("id")).values("n")
    )
    return Coalesce(Subquery(present, output_field=IntegerField()), 0)


def _quorum_taken() -> Q:
    """Held meetings whose quorum was taken when they were held (Meeting.seats_in_office)."""
    return Q(status=Meeting.Status.HELD, seats_in_office__isnull=False)


def with_quorum(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings annotated with present and entitled seat counts (two subqueries, not one query per row): for a
    held meeting the counts taken when it was held, for any other the seats as they are now."""
    return queryset.annotate(
        entitled_count=Case(When(_quorum_taken(), then=F("seats_in_office")),
                            default=_entitled_count(OuterRef("body"))),
        present_count=Case(When(_quorum_taken(), then=F("seats_present")),
                           default=_present_count(OuterRef("pk"))),
        attendance_recorded=Exists(Attendance.objects.filter(meeting=OuterRef("pk"))),
    )


def _seat_to_cast_sql() -> tuple[str, list, list]:
    """The statement of `seat_to_cast`, built once from the models' tables and columns (a fixed shape: composing
    it with the ORM on every ballot cost more CPU than the ballot's other work)."""
    q = connection.ops.quote_name
    seat_fields = [f.attname for f in Seat._meta.concrete_fields]
    org_fields = [f.attname for f in Organization._meta.concrete_fields]
    present = ", ".join(f"'{mode}'" for mode in Attendance.PRESENT_MODES)
    seat, org, att, conflict = (q(m._meta.db_table) for m in (Seat, Organization, Attendance, ConflictDeclaration))
    sql = (
        f"SELECT {', '.join(f's.{q(f)}' for f in seat_fields)}, {', '.join(f'o.{q(f)}' for f in org_fields)}, "
        f"EXISTS (SELECT 1 FROM {conflict} c WHERE c.motion_id = %(motion)s AND c.seat_id = s.id), "
        f"a.mode, a.by_alternate, a.proxy_seat_id, "
        f"(SELECT count(*) FROM {att} pa JOIN {seat} ps ON ps.id = pa.seat_id WHERE pa.meeting_id = %(meeting)s "
        f"AND pa.mode IN ({present}) AND ps.term_end IS NULL), "
        f"(SELECT count(*) FROM {seat} es WHERE es.body_id = %(body)s AND es.term_end IS NULL) "
        f"FROM {seat} s JOIN {org} o ON o.id = s.organization_id "
        f"LEFT JOIN {att} a ON a.meeting_id = %(meeting)s AND a.seat_id = s.id "
        f"WHERE s.body_id = %(body)s AND s.term_end IS NULL AND (s.id = %(seat)s OR %(seat)s IS NULL "
        f"AND (s.user_id = %(user)s OR s.alternate_id = %(user)s)) "
        f"ORDER BY s.user_id = %(user)s DESC, s.id LIMIT 1"
    )
    return sql, seat_fields, org_fields


_SEAT_TO_CAST = []


def seat_to_cast(motion: Motion, actor, seat_id=None) -> Seat | None:
    """For a ballot, in one statement: the seat (the one named, or else the actor's own: held before attended
    as alternate) with its unit, whether it declared a conflict on the motion (`conflicted`), its attendance at
    the motion's meeting (`attendance_mode`, `attendance_by_alternate`, `attendance_proxy_seat`: None by
    written consent or without a row) and the meeting's quorum now (`quorum_present`, `quorum_entitled`: the
    counts `present_count` and `active_seats(...).count()` give). None: no such active seat on the body."""
    if not _SEAT_TO_CAST:
        _SEAT_TO_CAST.append(_seat_to_cast_sql())
    sql, seat_fields, org_fields = _SEAT_TO_CAST[0]
    with connection.cursor() as cursor:
        cursor.execute(sql, {"motion": motion.pk, "meeting": motion.meeting_id, "body": motion.body_id,
                             "seat": seat_id, "user": actor.pk})
        row = cursor.fetchone()
    if row is None:
        return None
    n, m = len(seat_fields), len(org_fields)
    seat = Seat.from_db(connection.alias, seat_fields, row[:n])
    seat.organization = Organization.from_db(connection.alias, org_fields, row[n:n + m])
    (seat.conflicted, seat.attendance_mode, seat.attendance_by_alternate, seat.attendance_proxy_seat,
     seat.quorum_present, seat.quorum_entitled) = row[n + m:]
    return seat


def present_count(meeting_id) -> int:
    """Current seats present at the meeting: in person, online, or represented by proxy."""
    return Attendance.objects.filter(meeting_id=meeting_id, mode__in=Attendance.PRESENT_MODES,
                                     seat__term_end__isnull=True).count()


def seats_in_office_on(body_id, day) -> QuerySet[Seat]:
    """The body's seats whose term covered that day."""
    return Seat.objects.filter(body_id=body_id, term_start__lte=day).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=day))


def quorum_on_the_day(meeting: Meeting) -> tuple[int, int]:
    """(seats in office on the day of the meeting, those of them recorded present): the quorum a meeting is
    held with."""
    in_office = seats_in_office_on(meeting.body_id, timezone.localdate(meeting.starts_at))
    present = Attendance.objects.filter(meeting=meeting, mode__in=Attendance.PRESENT_MODES, seat__in=in_office)
    return in_office.count(), present.count()


def meeting_quorum(meeting: Meeting) -> dict:
    """Present, entitled, the quorum fraction and whether the quorum is met, for one meeting: a held meeting's
    as it was when held, any other's with the seats as they are now."""
    taken = meeting.status == Meeting.Status.HELD and meeting.seats_in_office is not None
    if not hasattr(meeting, "present_count"):
        if taken:
            meeting.entitled_count, meeting.present_count = meeting.seats_in_office, meeting.seats_present
        else:
            meeting.entitled_count = active_seats(meeting.body_id).count()
            meeting.present_count = present_count(meeting.pk)
        meeting.attendance_recorded = Attendance.objects.filter(meeting=meeting).exists()
    fraction = meeting.quorum_fraction if taken else meeting.body.quorum_fraction
    return {
        "present": meeting.present_count,
        "entitled": meeting.entitled_count,
        "fraction": fraction,
        "recorded": meeting.attendance_recorded,
        "met": meeting.attendance_recorded and quorum_met(meeting.present_count, meeting.entitled_count, fraction),
    }


def meetings_for_user(user) -> QuerySet[Meeting]:
    return with_quorum(
        Meeting.objects.filter(council_filter(user, "body__alliance")).select_related("body", "body__alliance")
    )


def meeting_get_for_user(user, pk) -> Meeting:
    return get_or_404(meetings_for_user(user), pk)


# How far back a calendar feed reaches: calendar programs keep what they have already fetched.
CALENDAR_HISTORY = timedelta(days=365)


def calendar_meetings(user) -> QuerySet[Meeting]:
    """Meetings of the bodies where the user holds a seat or is its alternate, and every meeting of the
    alliances whose secretariat they are; cancelled ones too (the feed tells calendars to drop them)."""
    seats = Seat.objects.filter(Q(user=user) | Q(alternate=user), term_end__isnull=True)
    visible = Q(body__in=seats.values("body"))
    secretariat = scope_of(user).secretariat_alliance_ids
    if secretariat:
        visible |= Q(body__alliance_id__in=secretariat)
    return (Meeting.objects.filter(visible, starts_at__gte=timezone.now() - CALENDAR_HISTORY)
            .select_related("body__alliance").order_by("starts_at", "id"))


def public_resolution_filter() -> Q:
    return Q(published=True, adopted=True, alliance__status__in=Alliance.PUBLIC_STATUSES)


def motions_for_user(user) -> QuerySet[Motion]:
    """The council's motions for its own people and officials; published resolutions for everyone."""
    return Motion.objects.filter(council_filter(user) | public_resolution_filter()).select_related(
        "alliance", "body", "meeting"
    )


def motion_get_for_user(user, pk) -> Motion:
    return get_or_404(motions_for_user(user), pk)


def motion_for_ballot(pk) -> Motion:
    """The motion a ballot is cast on, with its meeting, read by its id alone: casting needs a seat of the
    motion's body that the caller holds, stands in for or carries the proxy of (`votes.ballot_cast` checks it),
    which is stricter than `motions_for_user`; a refusal is answered as for a motion the caller cannot see when
    they cannot (the `vote` action). One statement written once per process (kernel/rows.py), not the caller's
    scope and a permission filter on every ballot."""
    found = rows_where(Motion, "id", pk_or_404(pk), related="meeting")
    if not found:
        raise Http404
    return found[0]


def published_resolutions() -> QuerySet[Motion]:
    return Motion.objects.filter(public_resolution_filter()).select_related("alliance").order_by(
        "-resolution_year", "-resolution_seq"
    )


def ballots_for_user(user, motion: Motion) -> QuerySet[Ballot]:
    """Who has voted; the choice only on a named ballot (a secret ballot never stores one)."""
    fields = ["id", "motion_id", "seat_id", "seat__organization__name", "seat__user__full_name", "seat__user__username",
              "as_proxy", "cast_on"]
    if motion.ballot == Motion.Ballot.NAMED:
        fields.append("choice")
    return (
        Ballot.objects.filter(motion=motion)
        .select_related("seat", "seat__organization", "seat__user")
        .only(*fields)
        .order_by("seat__organization__name", "id")
    )


def motions_needing_vote(user) -> QuerySet[Motion]:
    """Open motions with a seat whose ballot the user casts and that has not voted (nor declared a
    conflict): by written consent the seats they hold; at a meeting the seats they attend for (holder,
    or alternate who attended) and the absent seats whose proxy one of those carries."""
    if not scope_of(user).seat_alliance_ids:
        return Motion.objects.none()
    mine = Seat.objects.filter(Q(user=user) | Q(alternate=user), term_end__isnull=True)
    unvoted = ~Exists(Ballot.objects.filter(motion=OuterRef(OuterRef("pk")), seat=OuterRef("seat"))) & ~Exists(
        ConflictDeclaration.objects.filter(motion=OuterRef(OuterRef("pk")), seat=OuterRef("seat")))
    present = [Attendance.Mode.IN_PERSON, Attendance.Mode.ONLINE]
    attends = (Q(mode__in=present, by_alternate=False, seat__user=user)
               | Q(mode__in=present, by_alternate=True, seat__alternate=user))
    carrier = Attendance.objects.filter(meeting=OuterRef("meeting"), seat=OuterRef("proxy_seat")).filter(attends)
    at_meeting = (Attendance.objects.filter(meeting=OuterRef("meeting"), seat__term_end__isnull=True)
                  .filter(attends | (Q(mode=Attendance.Mode.PROXY) & Exists(carrier))).filter(unvoted))
    by_consent = Seat.objects.filter(body=OuterRef("body"), user=user, term_end__isnull=True).annotate(
        seat=F("pk")).filter(unvoted)
    return (
        Motion.objects.filter(state=Motion.State.OPEN, body__in=mine.values("body"))
        .filter(Q(meeting__isnull=True) & Exists(by_consent) | Q(meeting__isnull=False) & Exists(at_meeting))
        .select_related("alliance", "body", "meeting").order_by("closes_at", "id")
    )


def open_votes_overseen_by(user) -> QuerySet[Motion]:
    """Open motions of the alliances the user runs or oversees (secretariat, the city's officials), with
    the ballots returned so far and the seats of the body, for the secretariat's overview."""
    returned = (Ballot.objects.filter(motion=OuterRef("pk")).order_by().values("motion")
                .annotate(n=Count("id")).values("n"))
    return (Motion.objects.filter(state=Motion.State.OPEN, alliance__in=alliances_overseen_by(user))
            .annotate(ballots_returned=Coalesce(Subquery(returned, output_field=IntegerField()), 0),
                      seat_count=_entitled_count(OuterRef("body")))
            .select_related("alliance", "body", "meeting").order_by("closes_at", "id"))


def upcoming_meetings_overseen_by(user) -> QuerySet[Meeting]:
    return meetings_for_user(user).filter(body__alliance__in=alliances_overseen_by(user),
                                          status=Meeting.Status.PLANNED, ends_at__gte=timezone.now()
                                          ).order_by("starts_at", "id")


def invitations_for_user(user) -> QuerySet[Invitation]:
    return Invitation.objects.filter(seat__user=user, seat__term_end__isnull=True).select_related(
        "meeting", "meeting__body", "seat"
    )


def minutes_for_user(user) -> QuerySet[Minutes]:
    return Minutes.objects.filter(council_filter(user, "meeting__body__alliance")).select_related("meeting")


def requests_for_user(user) -> QuerySet[ExtraordinaryRequest]:
    return ExtraordinaryRequest.objects.filter(council_filter(user, "body__alliance")).select_related(
        "body", "requested_by__organization"
    ).annotate(signature_count=Count("signatures"))


def tasks_for_user(user) -> QuerySet[Task]:
    """The alliance's people and officials see its tasks; an owner unit's contacts see the unit's own."""
    scope = scope_of(user)
    visible = council_filter(user)
    if scope.contact_organization_ids:
        visible |= Q(owner_id__in=scope.contact_organization_ids)
    return Task.objects.filter(visible).select_related("alliance", "owner", "motion")


def task_get_for_user(user, pk) -> Task:
    return get_or_404(tasks_for_user(user), pk)


# Reads for the governance pages (views.py) -------------------------------------------------

def rsvp_counts(meeting_ids) -> dict[int, dict[str, int]]:
    """{meeting id: {response: count}} for a page of meetings, in one query."""
    counts: dict[int, dict[str, int]] = {}
    rows = (Invitation.objects.filter(meeting_id__in=list(meeting_ids)).order_by()
            .values_list("meeting_id", "response").annotate(n=Count("id")))
    for meeting_id, response, n in rows:
        counts.setdefault(meeting_id, {})[response] = n
    return counts


def agenda_items_for_user(user) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(meeting__in=meetings_for_user(user)).select_related(
        "meeting", "meeting__body", "meeting__body__alliance")


def agenda_item_get_for_user(user, pk):
    return get_or_404(agenda_items_for_user(user), pk)


def paper_get_for_user(user, pk):
    return get_or_404(Paper.objects.filter(agenda_item__meeting__in=meetings_for_user(user)).select_related(
        "agenda_item__meeting__body__alliance"), pk)


def voting_bodies(alliance) -> QuerySet[Body]:
    """The bodies that meet and vote: the council and committees, not the secretariat."""
    return Body.objects.filter(alliance=alliance).exclude(kind=Body.Kind.SECRETARIAT).order_by("kind", "name")


def motion_choices(alliance) -> dict:
    """What a motion of the alliance may refer to (read after the secretariat check): its voting bodies,
    planned meetings and their agenda items, member units (as parties), circulated minutes."""
    meetings = (Meeting.objects.filter(body__alliance=alliance, status=Meeting.Status.PLANNED)
                .select_related("body").order_by("starts_at"))
    return {
        "bodies": voting_bodies(alliance),
        "meetings": meetings,
        "items": AgendaItem.objects.filter(meeting__in=meetings).select_related("meeting")
        .order_by("meeting__starts_at", "position"),
        "units": active_member_units(alliance),
        "minutes": Minutes.objects.filter(meeting__body__alliance=alliance, status=Minutes.Status.CIRCULATED)
        .select_related("meeting"),
    }


def active_member_units(alliance):
    """The alliance's active member units, for the owner, party and seat choices."""
    return Organization.objects.filter(memberships__alliance=alliance, memberships__status="active").order_by("name")


# --- API reads (governance/api) ---------------------------------------------------------------

def attendance_for_meeting(meeting: Meeting) -> QuerySet[Attendance]:
    """The meeting's attendance sheet, seat by seat (the meeting already read through meetings_for_user)."""
    return Attendance.objects.filter(meeting=meeting).select_related("seat__organization").order_by("seat_id")


def meetings_with_proxy_for(user, meeting_ids) -> set[int]:
    """Of these meetings, those where a seat the user holds (or attends for) carries an absent seat's proxy."""
    if not meeting_ids:
        return set()
    seats = Seat.objects.filter(Q(user=user) | Q(alternate=user), term_end__isnull=True)
    return set(Attendance.objects.filter(meeting_id__in=list(meeting_ids), mode=Attendance.Mode.PROXY,
                                         proxy_seat__in=seats).values_list("meeting_id", flat=True))


def seat_counts(body_ids) -> dict[int, int]:
    """{body id: current seats} for a page of rows, in one query."""
    return dict(Seat.objects.filter(body_id__in=list(body_ids), term_end__isnull=True).order_by()
                .values_list("body_id").annotate(n=Count("id")))


def resolution_labels(alliance_id: int, ids) -> dict[int, str]:
    """The adopted resolutions (those with a number) of the alliance among these motion ids, labelled by their
    number and title: what another app's record may name as the resolution it came from (registered with
    alliance/extensions.py as the reference kind "resolution")."""
    rows = Motion.objects.filter(alliance_id=alliance_id, pk__in=list(ids), resolution_seq__isnull=False).only(
        "id", "title", "resolution_year", "resolution_seq")
    return {motion.pk: f"{motion.resolution_number} {motion.title}" for motion in rows}
