"""Meetings: planning, agenda, papers, invitations and RSVPs, attendance, extraordinary requests."""

import secrets
from datetime import datetime

from auditlog.context import disable_auditlog, set_actor
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import notices
from governance.models import (
    AgendaItem,
    Attendance,
    Body,
    CalendarFeed,
    ExtraordinaryRequest,
    Invitation,
    Meeting,
    Motion,
    Paper,
    Seat,
    Signature,
)
from governance.permissions import can_manage, held_seats
from governance.rules import quorum_met as share_reached
from governance.selectors import active_seats, quorum_on_the_day
from governance.services import audit
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from members.selectors import secretaries_of

MEETING_FIELDS = ("kind", "title", "starts_at", "ends_at", "location", "online_link")


def _require_manager(actor, alliance) -> None:
    if not can_manage(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat does this."))


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("body", "body__alliance").get(pk=meeting.pk)


def _require_planned(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise StateConflict(_("This meeting has been cancelled."))


def require_in_session(meeting: Meeting) -> None:
    """Votes are held only while the meeting is in session: from its start (or the secretariat starting it
    early) until it is marked held; never at a cancelled meeting."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise StateConflict(_("This meeting has been cancelled."))
    if meeting.status == Meeting.Status.HELD:
        raise StateConflict(_("This meeting has been held: its votes are over."))
    if not meeting.has_started():
        raise StateConflict(_("The meeting has not started yet. The secretariat can start it early."))


def _require_started(meeting: Meeting) -> None:
    """Attendance is taken once the meeting is in session, and corrected on a held meeting's record."""
    _require_planned(meeting)
    if meeting.status == Meeting.Status.PLANNED and not meeting.has_started():
        raise StateConflict(_("Attendance is taken once the meeting is in session. The meeting has not started "
                              "yet; the secretariat can start it early."))


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at is None or ends_at is None:
        raise DomainError(_("Give the start and end of the meeting."), field="starts_at")
    if ends_at <= starts_at:
        raise DomainError(_("The meeting must end after it starts."), field="ends_at")


@transaction.atomic
def meeting_create(*, body: Body, actor, **fields) -> Meeting:
    """Plan a meeting, or record one that already took place: a start in the past puts it in session at once,
    to take its attendance and record its votes, then mark it held."""
    _require_manager(actor, body.alliance)
    if body.kind == Body.Kind.SECRETARIAT:
        raise DomainError(_("Meetings are held by the council or a committee."), field="body")
    meeting = Meeting(body=body, created_by=actor, **{k: v for k, v in fields.items() if k in MEETING_FIELDS})
    _check_times(meeting.starts_at, meeting.ends_at)
    full_clean_or_raise(meeting, exclude=["created_by"])
    with set_actor(actor):
        meeting.save()
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor, **changes) -> Meeting:
    meeting = _lock(meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("Only a planned meeting can be changed."))
    was_in_session = meeting.in_session
    for name in MEETING_FIELDS:
        if name in changes:
            setattr(meeting, name, changes[name])
    _check_times(meeting.starts_at, meeting.ends_at)
    if was_in_session and not meeting.in_session:
        raise StateConflict(_("The meeting is in session: its start cannot move into the future."))
    full_clean_or_raise(meeting, exclude=["created_by"])
    with set_actor(actor):
        meeting.save()
    if meeting.invitations_sent_at:
        # A changed time or place goes out again (the invitation's key carries the time).
        _send_invitations(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor) -> Meeting:
    meeting = _lock(meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("Only a planned meeting can be cancelled."))
    if meeting.motions.exclude(state="draft").exists():
        raise StateConflict(_("A meeting that has voted cannot be cancelled."))
    with set_actor(actor):
        meeting.status = Meeting.Status.CANCELLED
        meeting.save(update_fields=["status"])
    if meeting.invitations_sent_at:
        for invitation in meeting.invitations.select_related("seat__user", "seat__alternate"):
            notices.meeting_cancelled(meeting, invitation.seat)
    return meeting


@transaction.atomic
def meeting_start(*, meeting: Meeting, actor) -> Meeting:
    """Open the meeting before its planned start: attendance and votes can be taken from now on."""
    meeting = _lock(meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("Only a planned meeting can be started."))
    if meeting.has_started():
        raise StateConflict(_("The meeting is already in session."))
    with set_actor(actor):
        meeting.started_at = timezone.now()
        meeting.save(update_fields=["started_at"])
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, actor) -> Meeting:
    """End the session: the meeting is recorded as held with its quorum; its votes are over."""
    meeting = _lock(meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("Only a planned meeting can be marked as held."))
    if not meeting.has_started():
        raise StateConflict(_("A meeting is marked as held once it has started."))
    if not meeting.attendance.exists():
        raise StateConflict(_("Record the attendance before marking the meeting as held."))
    if meeting.motions.filter(state=Motion.State.OPEN).exists():
        raise StateConflict(_("A vote of this meeting is still open: close it before marking the meeting as "
                              "held."))
    with set_actor(actor):
        meeting.status = Meeting.Status.HELD
        _take_quorum(meeting)
        meeting.save(update_fields=["status", *QUORUM_FIELDS])
    return meeting


QUORUM_FIELDS = ("seats_in_office", "seats_present", "quorum_fraction")


def _take_quorum(meeting: Meeting) -> None:
    """Keep the quorum the meeting is held with (what later figures read), whatever the seats become."""
    meeting.seats_in_office, meeting.seats_present = quorum_on_the_day(meeting)
    meeting.quorum_fraction = meeting.body.quorum_fraction


# Agenda and papers --------------------------------------------------------------------

@transaction.atomic
def agenda_item_add(*, meeting: Meeting, actor, title: str, description: str = "") -> AgendaItem:
    meeting = _lock(meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("The agenda of a held or cancelled meeting is fixed."))
    position = (meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem(meeting=meeting, position=position, title=(title or "").strip(), description=description)
    full_clean_or_raise(item)
    with set_actor(actor):
        item.save()
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, actor, title: str, description: str = "") -> AgendaItem:
    meeting = _lock(item.meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("The agenda of a held or cancelled meeting is fixed."))
    item.title, item.description = (title or "").strip(), description
    full_clean_or_raise(item)
    with set_actor(actor):
        item.save()
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, actor) -> None:
    meeting = _lock(item.meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("The agenda of a held or cancelled meeting is fixed."))
    item = meeting.agenda_items.select_related("motion").get(pk=item.pk)
    motion = getattr(item, "motion", None)
    if motion is not None and motion.state != Motion.State.DRAFT:
        raise StateConflict(_("An item whose motion has been voted on stays on the agenda."))
    # Row by row, not one bulk update, so that the audit log holds every change with its actor.
    with set_actor(actor):
        if motion is not None:
            motion.agenda_item = None
            motion.save(update_fields=["agenda_item"])
        item.delete()
        for later in meeting.agenda_items.filter(position__gt=item.position).order_by("position"):
            later.position -= 1
            later.save(update_fields=["position"])


@transaction.atomic
def agenda_move(*, item: AgendaItem, actor, up: bool) -> None:
    """Swap an item with its neighbour (the position constraint is checked at commit)."""
    meeting = _lock(item.meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("The agenda of a held or cancelled meeting is fixed."))
    item = meeting.agenda_items.get(pk=item.pk)
    neighbour = meeting.agenda_items.filter(position=item.position + (-1 if up else 1)).first()
    if neighbour is None:
        return
    item.position, neighbour.position = neighbour.position, item.position
    with set_actor(actor):
        item.save(update_fields=["position"])
        neighbour.save(update_fields=["position"])


@transaction.atomic
def paper_add(*, item: AgendaItem, actor, title: str, file) -> Paper:
    meeting = _lock(item.meeting)
    _require_manager(actor, meeting.body.alliance)
    _require_planned(meeting)
    paper = Paper(agenda_item=item, title=(title or getattr(file, "name", "") or "").strip()[:200], file=file,
                  uploaded_by=actor)
    full_clean_or_raise(paper)
    with set_actor(actor):
        paper.save()
    return paper


@transaction.atomic
def paper_delete(*, paper: Paper, actor) -> None:
    meeting = _lock(paper.agenda_item.meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("The papers of a held or cancelled meeting are kept."))
    storage, name = paper.file.storage, paper.file.name
    with set_actor(actor):
        paper.delete()
    # The file goes once the row is gone for good: a rolled-back deletion keeps both.
    transaction.on_commit(lambda: storage.delete(name))


# Invitations and answers ------------------------------------------------------------

def _send_invitations(meeting: Meeting) -> int:
    seats = list(active_seats(meeting.body_id).select_related("user", "alternate"))
    existing = set(meeting.invitations.values_list("seat_id", flat=True))
    Invitation.objects.bulk_create([Invitation(meeting=meeting, seat=s) for s in seats if s.pk not in existing])
    return sum(notices.meeting_invitation(meeting, seat) for seat in seats)


@transaction.atomic
def invitations_send(*, meeting: Meeting, actor) -> int:
    """Invite every current seat (and its alternate) by mail with an .ics file; running it again
    invites only seats added since. Returns how many invitations were sent now."""
    meeting = _lock(meeting)
    _require_manager(actor, meeting.body.alliance)
    if meeting.status != Meeting.Status.PLANNED:
        raise StateConflict(_("Invitations go out only for a planned meeting."))
    if meeting.ends_at <= timezone.now():
        raise StateConflict(_("This meeting is over: no invitations go out for it."))
    sent = _send_invitations(meeting)
    if meeting.invitations_sent_at is None:
        with set_actor(actor):
            meeting.invitations_sent_at = timezone.now()
            meeting.save(update_fields=["invitations_sent_at"])
    return sent


@transaction.atomic
def rsvp(*, meeting: Meeting, actor, response: str) -> Invitation:
    """The seat holder answers an invitation."""
    if response not in Invitation.Response.values or response == Invitation.Response.PENDING:
        raise DomainError(_("Choose whether you will attend."), field="response")
    meeting = _lock(meeting)
    if meeting.status != Meeting.Status.PLANNED or meeting.ends_at < timezone.now():
        raise StateConflict(_("This meeting no longer takes answers."))
    invitation = (Invitation.objects.select_for_update()
                  .filter(meeting=meeting, seat__user=actor, seat__term_end__isnull=True).first())
    if invitation is None:
        raise NotAllowed(_("You are not invited to this meeting."))
    invitation.response = response
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    return invitation


# Attendance --------------------------------------------------------------------------

@transaction.atomic
def attendance_set(*, meeting: Meeting, actor, records: list[dict]) -> list[Attendance]:
    """Record attendance for the given seats, all or nothing.

    Each record: seat, mode, and for `proxy` the present seat that carries the vote (proxy_seat),
    optionally by_alternate and the proxy letter. The whole resulting sheet is checked: a proxy
    carrier must be present in person or online, and carries one absent seat at most.
    Attendance is taken once the meeting is in session; a held meeting's sheet may be corrected (its
    quorum is taken again); a cancelled meeting has none.
    """
    meeting = _lock(meeting)
    _require_manager(actor, meeting.body.alliance)
    _require_started(meeting)
    if not records:
        raise DomainError(_("Record at least one seat."))
    seats = {seat.pk: seat for seat in active_seats(meeting.body_id)}
    sheet = {row.seat_id: row for row in meeting.attendance.all()}
    recorded = audit.snapshot(sheet.values())
    errors, touched = [], []
    for index, record in enumerate(records, start=1):
        seat_id, mode = _id(record.get("seat")), record.get("mode")
        proxy_id = _id(record.get("proxy_seat"))
        if seat_id not in seats:
            errors.append(_("Row %(row)d: that seat does not belong to this meeting's body.") % {"row": index})
            continue
        if mode not in Attendance.Mode.values:
            errors.append(_("Row %(row)d: choose in person, online, by proxy or absent.") % {"row": index})
            continue
        if mode == Attendance.Mode.PROXY and proxy_id not in seats:
            errors.append(_("Row %(row)d: name the present seat that holds the proxy.") % {"row": index})
            continue
        if mode != Attendance.Mode.PROXY and proxy_id is not None:
            errors.append(_("Row %(row)d: only a seat represented by proxy names a proxy.") % {"row": index})
            continue
        row = sheet.get(seat_id) or Attendance(meeting=meeting, seat=seats[seat_id])
        row.mode, row.proxy_seat_id = mode, proxy_id if mode == Attendance.Mode.PROXY else None
        row.by_alternate = bool(record.get("by_alternate")) and mode in (Attendance.Mode.IN_PERSON,
                                                                         Attendance.Mode.ONLINE)
        if row.by_alternate and seats[seat_id].alternate_id is None:
            errors.append(_("Row %(row)d: this seat has no alternate.") % {"row": index})
            continue
        if record.get("proxy_letter"):
            row.proxy_letter = record["proxy_letter"]
        row.recorded_by = actor
        sheet[seat_id] = row
        touched.append(row)
    errors += _check_proxies(sheet)
    if errors:
        raise DomainError(" ".join(errors), errors={"records": errors})
    for row in touched:
        full_clean_or_raise(row, exclude=["recorded_by", "proxy_seat", "seat", "meeting"])
    before = [recorded.get(row.pk) for row in touched]
    # Rows that carried a proxy are cleared first, so a proxy moving from one seat to another does not
    # collide on the one-proxy-per-seat index halfway through. That step is no change of the record: the
    # saves are logged by hand against the sheet as it was.
    carried = [row.pk for row in touched if row.pk and recorded[row.pk].proxy_seat_id is not None]
    with disable_auditlog():
        Attendance.objects.filter(pk__in=carried).update(proxy_seat=None, mode=Attendance.Mode.ABSENT)
        try:
            for row in touched:
                row.save()
        except IntegrityError as error:
            raise StateConflict(_("The attendance sheet changed meanwhile; reload it and try again.")) from error
    for row, was in zip(touched, before, strict=True):
        audit.log_saved(row, was, actor)
    if meeting.status == Meeting.Status.HELD:
        with set_actor(actor):
            _take_quorum(meeting)
            meeting.save(update_fields=list(QUORUM_FIELDS))
    return touched


def _id(value):
    if hasattr(value, "pk"):
        return value.pk
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1


def _check_proxies(sheet: dict) -> list[str]:
    errors, carried = [], set()
    for row in sheet.values():
        if row.mode != Attendance.Mode.PROXY:
            continue
        carrier = sheet.get(row.proxy_seat_id)
        name = str(row.seat.organization) if row.seat_id else ""
        if row.proxy_seat_id == row.seat_id:
            errors.append(_("%(seat)s cannot hold its own proxy.") % {"seat": name})
        elif carrier is None or carrier.mode not in (Attendance.Mode.IN_PERSON, Attendance.Mode.ONLINE):
            errors.append(_("The proxy for %(seat)s must be a seat present in person or online.") % {"seat": name})
        elif row.proxy_seat_id in carried:
            errors.append(_("A present seat can hold the proxy of one absent seat only."))
        carried.add(row.proxy_seat_id)
    return errors


# Extraordinary meetings ----------------------------------------------------------------

def _seat_in(actor, body: Body) -> Seat:
    seat = next((s for s in held_seats(actor) if s.body_id == body.pk), None)
    if seat is None:
        raise NotAllowed(_("Only directors holding a seat on this body can do this."))
    return seat


@transaction.atomic
def extraordinary_request(*, body: Body, actor, subject: str, reason: str) -> ExtraordinaryRequest:
    seat = _seat_in(actor, body)
    request = ExtraordinaryRequest(body=body, subject=(subject or "").strip(), reason=(reason or "").strip(),
                                   requested_by=seat)
    full_clean_or_raise(request, exclude=["meeting"])
    with set_actor(actor):
        request.save()
    _sign(request, seat)
    return request


@transaction.atomic
def extraordinary_sign(*, request: ExtraordinaryRequest, actor) -> ExtraordinaryRequest:
    request = ExtraordinaryRequest.objects.select_for_update().select_related("body__alliance").get(pk=request.pk)
    seat = _seat_in(actor, request.body)
    if request.status != ExtraordinaryRequest.Status.OPEN:
        raise StateConflict(_("This request is no longer collecting signatures."))
    if request.signatures.filter(seat=seat).exists():
        raise StateConflict(_("Your seat has already signed this request."))
    _sign(request, seat)
    return request


def _sign(request: ExtraordinaryRequest, seat: Seat) -> None:
    Signature.objects.create(request=request, seat=seat)
    signed = request.signatures.filter(seat__term_end__isnull=True).count()
    entitled = active_seats(request.body_id).count()
    if share_reached(signed, entitled, request.body.extraordinary_fraction):
        request.status = ExtraordinaryRequest.Status.GRANTED
        request.granted_at = timezone.now()
        request.save(update_fields=["status", "granted_at"])
        for user in secretaries_of(request.body.alliance):
            notices.extraordinary_granted(request, user)


@transaction.atomic
def calendar_feed_renew(*, user) -> tuple[CalendarFeed, bool]:
    """Create the user's calendar address, or replace it: the old address stops working at once."""
    return CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(), "created_at": timezone.now()})
