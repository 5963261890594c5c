"""Motions and votes: drafting with a rule, opening, ballots, closing with the result; votes taken in the
room (show of hands, paper) recorded by the secretariat.

Casting takes a shared lock on the motion's row (FOR SHARE) and writes nothing to it: ballots of one
motion are cast side by side. Closing (and anything else that changes an open motion) takes the exclusive
lock (FOR UPDATE), so it waits for the ballots in progress and sees every one of them. The unique
(motion, seat) index decides a double vote: the insert does nothing on a conflict, and that is the refusal.
A named ballot's choice is on its row; a secret ballot's in a `SecretChoice` row of its own (no voter, no
time, a random key), counted and deleted at closing. The quorum, the seat, its conflict and its attendance
are read in one query.

A vote at a meeting happens only while the meeting is in session (services/meetings.require_in_session).
A motion is voted one way only (`Motion.voting_method`): electronic ballots, cast by each seat, or a show of
hands or a paper count that the secretariat records at once; both end in the same tally, rule and numbering
(`_close`).
"""

from collections import Counter
from dataclasses import dataclass

from auditlog.context import set_actor
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import Alliance
from governance import notices
from governance.fractions import normalise_fraction
from governance.models import (
    Attendance,
    Ballot,
    Body,
    ConflictDeclaration,
    Meeting,
    Minutes,
    Motion,
    Seat,
    SecretChoice,
)
from governance.permissions import can_manage
from governance.rules import (
    PRESETS,
    Tally,
    decide,
    preset_for_category,
    quorum_met,
    rule_of,
)
from governance.selectors import active_seats, present_count, seat_to_cast
from governance.services.meetings import require_in_session
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from kernel.notify import existing_keys
from members.models import Membership, User

DRAFT_FIELDS = ("title", "text", "category", "ballot", "voting_method", "quorum_fraction", "threshold_fraction",
                "threshold_base", "threshold_strict", "abstentions_count", "sector_majority", "closes_at",
                "agenda_item", "approves_minutes")


def _require_manager(actor, alliance) -> None:
    if not can_manage(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat does this."))


def _lock(motion: Motion) -> Motion:
    """The motion, with its row locked exclusively: it waits for the ballots being cast (`_lock_shared`)."""
    return (Motion.objects.select_for_update(of=("self",))
            .select_related("alliance", "body", "meeting", "meeting__body").get(pk=motion.pk))


def _lock_shared(motion: Motion) -> Motion:
    """A shared lock on the motion's row for casting a ballot, taken with its state and deadline read again
    under it (the only fields of an open motion that change: the rest the caller loaded is kept, not fetched
    again). A bare `Motion(pk=...)` is loaded after the lock."""
    table = connection.ops.quote_name(Motion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT state, closes_at FROM {table} WHERE id = %s FOR SHARE", [motion.pk])
        row = cursor.fetchone()
    if row is None:
        raise Motion.DoesNotExist("Motion matching query does not exist.")
    if motion.__dict__.get("body_id") is None or motion.__dict__.get("ballot") is None:
        return Motion.objects.select_related("alliance", "body", "meeting", "meeting__body").get(pk=motion.pk)
    motion.state, motion.closes_at = row
    return motion


def _apply_rule(motion: Motion, fields: dict, preset: str | None) -> None:
    """A named preset first (or the category's, for a new motion), then any field given explicitly."""
    if preset:
        if preset not in PRESETS:
            raise DomainError(_("Unknown voting rule."), field="preset")
        rule = PRESETS[preset].rule
    elif motion.pk is None:
        rule = preset_for_category(fields.get("category") or motion.category).rule
    else:
        rule = None
    if rule is not None:
        motion.threshold_fraction, motion.threshold_base = rule.threshold_fraction, rule.threshold_base
        motion.threshold_strict, motion.abstentions_count = rule.threshold_strict, rule.abstentions_count
    if not motion.quorum_fraction:
        motion.quorum_fraction = motion.body.quorum_fraction
    for name in DRAFT_FIELDS:
        if name in fields and fields[name] is not None:
            setattr(motion, name, fields[name])
    if fields.get("voting_method") in Motion.RECORDED_METHODS and fields.get("ballot") is None:
        # A show of hands is named by nature and a paper vote secret: the method decides the ballot.
        motion.ballot = (Motion.Ballot.NAMED if motion.voting_method == Motion.VotingMethod.SHOW_OF_HANDS
                         else Motion.Ballot.SECRET)


def _validate_method(motion: Motion) -> None:
    if motion.voting_method == Motion.VotingMethod.ELECTRONIC:
        return
    if motion.meeting is None:
        raise DomainError(_("A show of hands or a paper ballot is taken at a meeting; by written consent the "
                            "seats vote electronically."), field="voting_method")
    if motion.voting_method == Motion.VotingMethod.SHOW_OF_HANDS and motion.ballot != Motion.Ballot.NAMED:
        raise DomainError(_("A show of hands is a named vote."), field="ballot")
    if motion.voting_method == Motion.VotingMethod.PAPER and motion.ballot != Motion.Ballot.SECRET:
        raise DomainError(_("A paper ballot is a secret vote."), field="ballot")
    if motion.closes_at is not None:
        raise DomainError(_("A vote taken in the room has no deadline: leave it empty."), field="closes_at")


def _validate(motion: Motion) -> None:
    full_clean_or_raise(motion, exclude=["created_by", "alliance", "body", "meeting", "parties"])
    motion.quorum_fraction = normalise_fraction(motion.quorum_fraction)
    motion.threshold_fraction = normalise_fraction(motion.threshold_fraction)
    meeting = motion.meeting
    if meeting is not None:
        if meeting.body_id != motion.body_id:
            raise DomainError(_("The meeting belongs to another body."), field="meeting")
        if meeting.status == Meeting.Status.CANCELLED:
            raise StateConflict(_("This meeting has been cancelled."))
        if meeting.status == Meeting.Status.HELD:
            raise StateConflict(_("This meeting has been held: its votes are over."))
    _validate_method(motion)
    if motion.agenda_item is not None and (meeting is None or motion.agenda_item.meeting_id != meeting.pk):
        raise DomainError(_("The agenda item belongs to another meeting."), field="agenda_item")
    if motion.sector_majority and motion.ballot == Motion.Ballot.SECRET:
        raise DomainError(_("A majority within each sector needs a named ballot: a secret one would give a "
                            "small sector's votes away."), field="sector_majority")
    if meeting is None and motion.closes_at is None:
        raise DomainError(_("A vote by written consent needs a deadline."), field="closes_at")
    if motion.closes_at is not None and motion.closes_at <= timezone.now():
        raise DomainError(_("The deadline must be in the future."), field="closes_at")
    minutes = motion.approves_minutes
    if minutes is not None:
        if minutes.meeting.body.alliance_id != motion.alliance_id:
            raise DomainError(_("Those minutes belong to another alliance."), field="approves_minutes")
        if minutes.status != Minutes.Status.CIRCULATED:
            raise StateConflict(_("Minutes are put to a vote once they have been circulated."))
        if meeting is not None and meeting.starts_at <= minutes.meeting.starts_at:
            raise DomainError(_("Minutes are approved at a later meeting."), field="approves_minutes")
        pending = minutes.approval_motions.filter(state__in=[Motion.State.DRAFT, Motion.State.OPEN])
        if pending.exclude(pk=motion.pk).exists():
            raise StateConflict(_("Another motion already puts these minutes to a vote."))


def _meeting_of(agenda_item, meeting: Meeting | None) -> Meeting | None:
    """The meeting a motion is put to: its agenda item's, which a meeting named as well must be."""
    if agenda_item is None:
        return meeting
    if meeting is not None and meeting.pk != agenda_item.meeting_id:
        raise DomainError(_("The agenda item belongs to another meeting."), field="agenda_item")
    return agenda_item.meeting


@transaction.atomic
def motion_create(*, actor, body: Body | None = None, meeting: Meeting | None = None, preset: str | None = None,
                  parties=(), **fields) -> Motion:
    """Draft a motion. One on an agenda item is put to the item's meeting; one at a meeting is put to the
    meeting's body unless a body is named (which must then be the meeting's)."""
    item = fields.get("agenda_item")
    placed = meeting or (item.meeting if item is not None else None)
    body = body or (placed.body if placed is not None else None)
    if body is None:
        raise DomainError(_("Choose the body that votes on the motion."), field="body")
    _require_manager(actor, body.alliance)
    if body.kind == Body.Kind.SECRETARIAT:
        raise DomainError(_("Motions are put to the council or a committee."), field="body")
    motion = Motion(alliance=body.alliance, body=body, meeting=_meeting_of(item, meeting), created_by=actor,
                    quorum_fraction="")
    _apply_rule(motion, fields, preset)
    _validate(motion)
    with set_actor(actor):
        motion.save()
        motion.parties.set(_parties_of(motion, parties))
    return motion


def _parties_of(motion: Motion, parties):
    parties = list(parties or [])
    ids = {getattr(p, "pk", p) for p in parties}
    members = set(Membership.objects.filter(alliance=motion.alliance, organization_id__in=ids)
                  .values_list("organization_id", flat=True))
    if ids - members:
        raise DomainError(_("Parties must be member units of the alliance."), field="parties")
    return list(ids)


@transaction.atomic
def motion_update(*, motion: Motion, actor, preset: str | None = None, parties=None, **fields) -> Motion:
    """Change a draft, its voting rule included; once open, a motion's rule never changes. Given an agenda
    item, a draft by written consent is put to the item's meeting."""
    motion = _lock(motion)
    _require_manager(actor, motion.alliance)
    if motion.state != Motion.State.DRAFT:
        raise StateConflict(_("Only a draft motion can be changed."))
    _apply_rule(motion, fields, preset)
    if fields.get("agenda_item") is not None:
        motion.meeting = _meeting_of(motion.agenda_item, motion.meeting)
    _validate(motion)
    with set_actor(actor):
        motion.save()
        if parties is not None:
            motion.parties.set(_parties_of(motion, parties))
    return motion


@transaction.atomic
def motion_delete(*, motion: Motion, actor) -> None:
    motion = _lock(motion)
    _require_manager(actor, motion.alliance)
    if motion.state != Motion.State.DRAFT:
        raise StateConflict(_("Only a draft motion can be deleted."))
    with set_actor(actor):
        motion.delete()


def _present_seat_ids(meeting: Meeting) -> set[int]:
    return set(Attendance.objects.filter(meeting=meeting, mode__in=Attendance.PRESENT_MODES,
                                         seat__term_end__isnull=True).values_list("seat_id", flat=True))


def _conflicted_seat_ids(motion: Motion) -> set[int]:
    return set(motion.conflicts.values_list("seat_id", flat=True))


def _require_quorum(motion: Motion) -> None:
    """A vote at a meeting is taken once its attendance is recorded and its quorum met."""
    if not motion.meeting.attendance.exists():
        raise StateConflict(_("Record the attendance before opening the vote."))
    entitled = active_seats(motion.body_id).count()
    present = present_count(motion.meeting_id)
    if not quorum_met(present, entitled, motion.quorum_fraction):
        raise StateConflict(
            _("The meeting is below its quorum (%(present)d of %(entitled)d seats present, %(fraction)s "
              "needed): the vote cannot open.")
            % {"present": present, "entitled": entitled, "fraction": motion.quorum_fraction}
        )


@transaction.atomic
def motion_open(*, motion: Motion, actor) -> Motion:
    motion = _lock(motion)
    _require_manager(actor, motion.alliance)
    if motion.voting_method != Motion.VotingMethod.ELECTRONIC:
        raise StateConflict(_("A show of hands or a paper ballot is not opened for electronic ballots: record "
                              "its result."))
    if motion.state != Motion.State.DRAFT:
        raise StateConflict(_("This motion is already open or closed."))
    if motion.closes_at is not None and motion.closes_at <= timezone.now():
        raise StateConflict(_("The deadline has passed; set a new one before opening the vote."))
    if motion.meeting is not None:
        require_in_session(motion.meeting)
        _require_quorum(motion)
    with set_actor(actor):
        motion.state = Motion.State.OPEN
        motion.opened_at = timezone.now()
        motion.save(update_fields=["state", "opened_at"])
    for user in _voters(motion).values():
        notices.vote_opened(motion, user)
    return motion


def _voters(motion: Motion) -> dict:
    """Who casts for each entitled seat: {user id: user}."""
    return {caster.pk: caster for _seat, caster, _as_proxy in castable(motion)}


def castable(motion: Motion) -> list[tuple[Seat, object, bool]]:
    """(seat, the user who casts its ballot, cast as proxy) for each seat that may vote now (the rule of
    `_who_casts`), without a declared conflict; for notices and reminders to the whole body."""
    conflicted = _conflicted_seat_ids(motion)
    seats = {s.pk: s for s in active_seats(motion.body_id).select_related("user", "alternate", "organization")}
    users = {user.pk: user for seat in seats.values() for user in (seat.user, seat.alternate) if user is not None}
    if motion.meeting_id is None:
        return [(seat, seat.user, False) for pk, seat in seats.items() if pk not in conflicted]
    rows = {row.seat_id: row for row in Attendance.objects.filter(meeting_id=motion.meeting_id, seat_id__in=seats)}
    found = []
    for pk, row in rows.items():
        carrier = rows.get(row.proxy_seat_id)
        caster, as_proxy, _why = _who_casts(seats[pk], row, carrier, carrier and seats[carrier.seat_id])
        if caster is not None and pk not in conflicted:
            found.append((seats[pk], users[caster], as_proxy))
    return found


@dataclass(frozen=True)
class VoteChoice:
    seat: Seat
    as_proxy: bool


def seats_for_actor(motion: Motion, actor) -> list[VoteChoice]:
    """The seats the actor may cast for on this motion now: their own (or the one they attend for as
    alternate) and one they carry by proxy; without a declared conflict."""
    own = active_seats(motion.body_id).filter(Q(user=actor) | Q(alternate=actor))
    candidates = own
    if motion.meeting_id is not None:
        carried = Attendance.objects.filter(meeting_id=motion.meeting_id, proxy_seat__in=own).values("seat_id")
        candidates = active_seats(motion.body_id).filter(Q(pk__in=own.values("pk")) | Q(pk__in=carried))
    conflicted = _conflicted_seat_ids(motion)
    choices = []
    for seat in candidates.select_related("organization").order_by("id"):
        caster, as_proxy, _why = _caster(motion, seat)
        if caster == actor.pk and seat.pk not in conflicted:
            choices.append(VoteChoice(seat, as_proxy))
    return choices


def _who_casts(seat: Seat, row: Attendance | None, carrier: Attendance | None, carrier_seat: Seat | None
               ) -> tuple[int | None, bool, str]:
    """At a meeting, who casts the seat's ballot: (user id or None, as proxy, why its holder does not).
    The holder of a seat present in person or online, or the alternate who attended for it; for an
    absent seat represented by proxy, whoever casts for the present carrier seat."""
    if row is None or row.mode == Attendance.Mode.ABSENT:
        return None, False, _("Your seat is not recorded as present at this meeting.")
    if row.mode != Attendance.Mode.PROXY:
        if row.by_alternate:
            return seat.alternate_id, False, _("Your alternate attended for your seat and votes for it.")
        return seat.user_id, False, ""
    represented = _("Your seat is represented by proxy at this meeting: the proxy votes for it.")
    if carrier is None or carrier.mode not in (Attendance.Mode.IN_PERSON, Attendance.Mode.ONLINE):
        return None, True, represented
    return (carrier_seat.alternate_id if carrier.by_alternate else carrier_seat.user_id), True, represented


def _caster(motion: Motion, seat: Seat) -> tuple[int | None, bool, str]:
    """Who casts this one seat's ballot now (by written consent its holder), reading only its own
    attendance row and, for a proxy, its carrier's."""
    if motion.meeting_id is None:
        return seat.user_id, False, ""
    row = Attendance.objects.filter(meeting_id=motion.meeting_id, seat=seat).first()
    carrier = None
    if row is not None and row.mode == Attendance.Mode.PROXY:
        carrier = (Attendance.objects.filter(meeting_id=motion.meeting_id, seat_id=row.proxy_seat_id,
                                             seat__term_end__isnull=True).select_related("seat").first())
    return _who_casts(seat, row, carrier, carrier and carrier.seat)


def _ballot_open(motion: Motion) -> None:
    if motion.voting_method != Motion.VotingMethod.ELECTRONIC:
        raise StateConflict(_("This vote is taken in the room (show of hands or paper); the secretariat records "
                              "it."))
    if motion.state != Motion.State.OPEN:
        raise StateConflict(_("This motion is not open for voting."))
    if motion.closes_at is not None and motion.closes_at <= timezone.now():
        raise StateConflict(_("The vote has closed."))
    if motion.meeting is not None:
        require_in_session(motion.meeting)


def _ballot_seat(motion: Motion, actor, seat: Seat | int | None) -> Seat:
    """The seat the ballot is for (one query: `selectors.seat_to_cast`), or the refusal; not yet whether the
    actor casts it (`_ballot_caster`)."""
    seat_id = None if seat is None else _seat_id(seat)
    found = None if seat is not None and seat_id is None else seat_to_cast(motion, actor, seat_id)
    if found is None:
        if seat is not None:
            raise NotAllowed(_("That seat does not vote on this motion."))
        raise NotAllowed(_("You hold no seat that votes on this motion."))
    if found.conflicted:
        raise StateConflict(_("A conflict of interest has been declared for this seat: it does not vote."))
    return found


def _ballot_caster(motion: Motion, actor, seat: Seat) -> tuple[bool, Exception | None]:
    """(cast as proxy, the refusal or None): the quorum at a meeting, then whether the actor casts the seat's
    ballot, from what `seat_to_cast` read (a proxy's carrier is one more query)."""
    if motion.meeting_id is None:
        caster, as_proxy, why_not = seat.user_id, False, ""
    else:
        if not quorum_met(seat.quorum_present, seat.quorum_entitled, motion.quorum_fraction):
            return False, StateConflict(_("The meeting is below its quorum: no ballot can be cast now."))
        row = None
        if seat.attendance_mode is not None:
            row = Attendance(meeting_id=motion.meeting_id, seat_id=seat.pk, mode=seat.attendance_mode,
                             by_alternate=seat.attendance_by_alternate, proxy_seat_id=seat.attendance_proxy_seat)
        carrier = None
        if row is not None and row.mode == Attendance.Mode.PROXY:
            carrier = (Attendance.objects.filter(meeting_id=motion.meeting_id, seat_id=row.proxy_seat_id,
                                                 seat__term_end__isnull=True).select_related("seat").first())
        caster, as_proxy, why_not = _who_casts(seat, row, carrier, carrier and carrier.seat)
    if caster != actor.pk:
        if seat.user_id == actor.pk:
            return as_proxy, StateConflict(why_not)
        return as_proxy, NotAllowed(_("You cannot cast this seat's ballot."))
    return as_proxy, None


def _ballot_checks(motion: Motion, actor, seat: Seat | int | None) -> tuple[Seat, bool]:
    """Whether the actor may cast this seat's ballot now: (the seat, cast as proxy), or the refusal. Without
    a seat: the actor's own seat (not a proxy's)."""
    _ballot_open(motion)
    seat = _ballot_seat(motion, actor, seat)
    if Ballot.objects.filter(motion=motion, seat=seat).exists():
        raise StateConflict(_("This seat has already voted on this motion."))
    as_proxy, refusal = _ballot_caster(motion, actor, seat)
    if refusal is not None:
        raise refusal
    return seat, as_proxy


def _check_choice(choice: str) -> None:
    if choice not in Ballot.Choice.values:
        raise DomainError(_("Vote yes, no or abstain."), field="choice")


def ballot_check(*, motion: Motion, actor, choice: str, seat: Seat | int | None = None) -> VoteChoice:
    """The checks of `ballot_cast` without casting (nothing locked or written), for the page that asks the
    director to confirm a ballot before it is cast: the seat it would be cast for, and whether as proxy."""
    _check_choice(choice)
    return VoteChoice(*_ballot_checks(motion, actor, seat))


def _insert_ballot(ballot: Ballot) -> bool:
    """INSERT ... ON CONFLICT (motion, seat) DO NOTHING: False if the seat has a ballot already (or one being
    cast concurrently, once that commits). No savepoint, nothing to roll back but this transaction."""
    fields = [f for f in Ballot._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(Ballot._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({quote('motion_id')}, {quote('seat_id')}) "
           f"DO NOTHING RETURNING {quote('id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(ballot, True), connection) for f in fields])
        row = cursor.fetchone()
    if row is None:
        return False
    ballot.pk = row[0]
    ballot._state.adding, ballot._state.db = False, connection.alias
    return True


@transaction.atomic
def ballot_cast(*, motion: Motion, actor, choice: str, seat: Seat | int | None = None) -> Ballot:
    """Cast one seat's ballot. Without a seat: the actor's own seat (not a proxy's).

    Under a shared lock on the motion (the motion itself is the one the caller loaded). The refusals come in
    the order they always had: not open, the seat, its conflict, already voted, the quorum, who casts; the
    ballot is inserted before the last two are raised (the raise rolls it back), so that a second ballot is
    refused by the unique index itself."""
    _check_choice(choice)
    motion = _lock_shared(motion)
    _ballot_open(motion)
    seat = _ballot_seat(motion, actor, seat)
    as_proxy, refusal = _ballot_caster(motion, actor, seat)
    secret = motion.ballot == Motion.Ballot.SECRET
    ballot = Ballot(motion=motion, seat=seat, cast_by=actor, as_proxy=as_proxy, cast_on=timezone.localdate(),
                    choice="" if secret else choice)
    if not _insert_ballot(ballot):
        raise StateConflict(_("This seat has already voted on this motion."))
    if refusal is not None:
        raise refusal
    if secret:
        SecretChoice.objects.create(motion_id=motion.pk, choice=choice)
    return ballot


@transaction.atomic
def conflict_declare(*, motion: Motion, actor, reason: str, seat: Seat | None = None) -> ConflictDeclaration:
    """A director declares an interest in a motion: that seat will not vote on it."""
    motion = _lock(motion)
    if motion.state == Motion.State.CLOSED:
        raise StateConflict(_("This motion is closed."))
    seat = seat or active_seats(motion.body_id).filter(user=actor).first()
    if seat is None or seat.user_id != actor.pk or seat.body_id != motion.body_id:
        raise NotAllowed(_("Only the seat's holder declares its conflicts of interest."))
    if Ballot.objects.filter(motion=motion, seat=seat).exists():
        raise StateConflict(_("This seat has already voted on this motion."))
    declaration = ConflictDeclaration(motion=motion, seat=seat, reason=(reason or "").strip(), declared_by=actor)
    full_clean_or_raise(declaration, exclude=["motion", "seat", "declared_by"])
    try:
        with transaction.atomic():
            declaration.save()
    except IntegrityError as error:
        raise StateConflict(_("A conflict of interest is already declared for this seat.")) from error
    return declaration


def party_warning(motion: Motion, actor) -> list:
    """The actor's member units that the motion names as parties (a reason to declare a conflict)."""
    own = {seat.organization_id for seat in active_seats(motion.body_id).filter(user=actor)}
    return [org for org in motion.parties.all() if org.pk in own]


def _count_ballots(motion: Motion) -> None:
    """Set the locked motion's counts from its electronic ballots: the named ones' choices, or the secret
    choices, counted and deleted in the same statement (after closing, only the result says how the seats
    voted, as it always has; a count withheld for too few ballots is then nowhere)."""
    if motion.ballot == Motion.Ballot.SECRET:
        table = connection.ops.quote_name(SecretChoice._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"WITH counted AS (DELETE FROM {table} WHERE motion_id = %s RETURNING choice) "
                           f"SELECT choice, count(*) FROM counted GROUP BY choice", [motion.pk])
            found = dict(cursor.fetchall())
    else:
        found = dict(Ballot.objects.filter(motion_id=motion.pk).order_by().values_list("choice")
                     .annotate(n=Count("*")))
    motion.yes_count, motion.no_count, motion.abstain_count = (
        found.get("yes", 0), found.get("no", 0), found.get("abstain", 0))


def _tally(motion: Motion) -> Tally:
    conflicted = _conflicted_seat_ids(motion)
    entitled = set(active_seats(motion.body_id).values_list("pk", flat=True)) - conflicted
    cast = motion.yes_count + motion.no_count + motion.abstain_count
    if motion.meeting_id is None:
        present = cast
    else:
        present = len(_present_seat_ids(motion.meeting) & entitled)
    return Tally(motion.yes_count, motion.no_count, motion.abstain_count, len(entitled), present)


SECTORS = {
    "government": ("government", "park"),
    "schools": ("secondary_vocational", "higher_vocational", "vocational_undergraduate", "undergraduate"),
    "enterprises": ("enterprise",),
    "institutes": ("research_institute",),
}


SECTOR_LABELS = {
    "government": gettext_lazy("Government"), "schools": gettext_lazy("Schools"),
    "enterprises": gettext_lazy("Enterprises"), "institutes": gettext_lazy("Research institutes"),
    "other": gettext_lazy("Others"),
}


def sector_rows(motion: Motion) -> list[tuple]:
    """(label, counts) for each sector that voted, in a fixed order, for the result page."""
    tally = motion.sector_tally or {}
    return [(label, tally[key]) for key, label in SECTOR_LABELS.items() if key in tally]


def sector_of(organization_type: str) -> str:
    return next((sector for sector, types in SECTORS.items() if organization_type in types), "other")


def sector_tally(motion: Motion) -> dict:
    """Named ballots counted by the voting unit's sector, reported beside the total. Never for a
    secret ballot: a sector with one seat would give its vote away."""
    tally = {}
    for org_type, choice in motion.ballots.values_list("seat__organization__type", "choice"):
        counts = tally.setdefault(sector_of(org_type), {"yes": 0, "no": 0, "abstain": 0})
        counts[choice] += 1
    return tally


def _number(motion: Motion) -> None:
    """The next resolution number of the alliance for the year (the alliance row is locked): the year of the
    meeting, so a meeting recorded after the fact numbers its resolutions in its own year; by written consent,
    the year the vote closed."""
    Alliance.objects.select_for_update().filter(pk=motion.alliance_id).first()
    year = timezone.localdate(motion.meeting.starts_at if motion.meeting_id else motion.closed_at).year
    last = Motion.objects.filter(alliance_id=motion.alliance_id, resolution_year=year).aggregate(
        last=Max("resolution_seq"))["last"]
    motion.resolution_year, motion.resolution_seq = year, (last or 0) + 1


@transaction.atomic
def motion_close(*, motion: Motion, actor=None) -> Motion:
    """Close the vote and record the result; `actor` None is the deadline closing it (Celery)."""
    motion = _lock(motion)
    if actor is not None:
        _require_manager(actor, motion.alliance)
    if motion.state != Motion.State.OPEN:
        raise StateConflict(_("Only an open motion can be closed."))
    return _close(motion, actor, closed_at=timezone.now())


def _close(motion: Motion, actor, *, closed_at) -> Motion:
    """Record the result of the locked motion, whichever way it was voted: electronic ballots are counted
    now; a vote taken in the room comes with its counts set."""
    if motion.voting_method == Motion.VotingMethod.ELECTRONIC:
        motion.state = Motion.State.CLOSED  # the counts set next are the result, not the ballots so far
        _count_ballots(motion)
    tally = _tally(motion)
    if motion.ballot == Motion.Ballot.NAMED:
        motion.sector_tally = sector_tally(motion)
    # One outcome, the sector rule included: adoption, the number, the minutes and the notices all follow it.
    outcome = decide(rule_of(motion), tally, motion.quorum_fraction, secret=motion.ballot == Motion.Ballot.SECRET,
                     sectors=motion.sector_tally)
    motion.state, motion.closed_at = Motion.State.CLOSED, closed_at
    motion.eligible, motion.present = tally.eligible, tally.present
    motion.quorum_met, motion.adopted = outcome.quorum_met, outcome.adopted
    if not outcome.decided:
        # Too few secret ballots to publish a count that would not give a voter away: the count is erased.
        motion.yes_count = motion.no_count = motion.abstain_count = None
    if motion.adopted:
        _number(motion)
    with set_actor(actor):
        motion.save()
        if motion.adopted and motion.approves_minutes_id:
            _approve_minutes(motion)
    for user in _result_recipients(motion):
        notices.vote_result(motion, user)
    return motion


def voters_present(motion: Motion) -> dict[int, Attendance]:
    """{seat id: attendance row} of the seats present at the motion's meeting that may vote on it (no declared
    conflict): the hands a show of hands records, and the most ballots a paper count can have."""
    conflicted = _conflicted_seat_ids(motion)
    rows = (Attendance.objects.filter(meeting_id=motion.meeting_id, mode__in=Attendance.PRESENT_MODES,
                                      seat__term_end__isnull=True, seat__body_id=motion.body_id)
            .exclude(seat_id__in=conflicted).select_related("seat__organization", "seat__user")
            .order_by("seat_id"))
    return {row.seat_id: row for row in rows}


def _hands(hands, voters: dict[int, Attendance]) -> dict[int, str]:
    """{seat id: choice} from the recorded show of hands, or the refusal naming each bad row."""
    if not isinstance(hands, (list, tuple)) or not hands:
        raise DomainError(_("Record the vote of at least one seat present."), field="hands")
    choices, errors = {}, []
    for index, row in enumerate(hands, start=1):
        row = row if isinstance(row, dict) else {}
        seat_id, choice = _seat_id(row.get("seat")), row.get("choice")
        if seat_id not in voters:
            errors.append(_("Row %(row)d: that seat is not present at the meeting, or has declared a conflict of "
                            "interest.") % {"row": index})
        elif choice not in Ballot.Choice.values:
            errors.append(_("Row %(row)d: vote yes, no or abstain.") % {"row": index})
        elif seat_id in choices:
            errors.append(_("Row %(row)d: that seat's vote is already recorded.") % {"row": index})
        else:
            choices[seat_id] = choice
    if errors:
        raise DomainError(" ".join(errors), errors={"hands": errors})
    return choices


def _seat_id(value) -> int | None:
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None


def _paper_counts(counts, entitled: int) -> dict[str, int]:
    counts = counts if isinstance(counts, dict) else {}
    found = {}
    for choice in Ballot.Choice.values:
        value = counts.get(choice, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DomainError(_("Give each count as a whole number, zero or more."), field="counts")
        found[choice] = value
    total = sum(found.values())
    if total == 0:
        raise DomainError(_("Enter the count of the ballots."), field="counts")
    if total > entitled:
        raise DomainError(
            _("%(total)d ballots counted, but only %(entitled)d seats present may vote: the count cannot be above "
              "the ballots entitled.") % {"total": total, "entitled": entitled}, field="counts")
    return found


@transaction.atomic
def motion_record(*, motion: Motion, actor, hands=None, counts=None, tellers: str = "") -> Motion:
    """Record a vote taken in the room and close it with its result, tallied, numbered and minuted by the
    rules of an electronic vote (quorum, threshold, the secret-count and sector rules).

    Show of hands: `hands`, a list of {"seat", "choice"} for the seats present that raised a hand, named seat
    by seat (a present seat left out did not vote). Paper: `counts` {"yes", "no", "abstain"} of the ballots
    returned, never more than the seats present that may vote, and the `tellers` who counted them. Taken while
    the meeting is in session, so a meeting recorded after the fact records its votes before it is marked
    held; such a vote is dated at the meeting's end.
    """
    motion = _lock(motion)
    _require_manager(actor, motion.alliance)
    if motion.voting_method == Motion.VotingMethod.ELECTRONIC:
        raise StateConflict(_("This motion is voted by electronic ballots: open the vote instead."))
    if motion.state != Motion.State.DRAFT:
        raise StateConflict(_("The result of this vote has already been recorded."))
    require_in_session(motion.meeting)
    _require_quorum(motion)
    voters = voters_present(motion)
    when = min(timezone.now(), motion.meeting.ends_at)
    if motion.voting_method == Motion.VotingMethod.SHOW_OF_HANDS:
        choices = _hands(hands, voters)
        Ballot.objects.bulk_create([
            Ballot(motion=motion, seat_id=seat_id, choice=choice, cast_by=actor, cast_on=timezone.localdate(when),
                   as_proxy=voters[seat_id].mode == Attendance.Mode.PROXY,
                   voting_method=Motion.VotingMethod.SHOW_OF_HANDS)
            for seat_id, choice in choices.items()])
        found = Counter(choices.values())
        found = {choice: found.get(choice, 0) for choice in Ballot.Choice.values}
    else:
        found = _paper_counts(counts, len(voters))
        motion.tellers = " ".join((tellers or "").split())
        if not motion.tellers:
            raise DomainError(_("Name the tellers who counted the ballots."), field="tellers")
        if len(motion.tellers) > Motion._meta.get_field("tellers").max_length:
            raise DomainError(_("The tellers' names are too long."), field="tellers")
    motion.yes_count, motion.no_count, motion.abstain_count = found["yes"], found["no"], found["abstain"]
    motion.opened_at = when
    return _close(motion, actor, closed_at=when)


@dataclass(frozen=True)
class NotVoted:
    seat: Seat
    caster: object  # who casts the seat's ballot: its holder, the alternate who attended, or the proxy
    as_proxy: bool
    reminded: bool


def seats_not_voted(motion: Motion) -> list[NotVoted]:
    """Each seat that may vote now and has not, with who casts for it and whether they were reminded: shown to
    the secretariat, for a secret ballot too (who voted is known to the council; how, never)."""
    voted = set(Ballot.objects.filter(motion=motion).values_list("seat_id", flat=True))
    waiting = [row for row in castable(motion) if row[0].pk not in voted]
    reminded = existing_keys(notices.vote_reminder_key(motion, caster) for _seat, caster, _p in waiting)
    return [NotVoted(seat, caster, as_proxy, notices.vote_reminder_key(motion, caster) in reminded)
            for seat, caster, as_proxy in sorted(waiting, key=lambda row: row[0].pk)]


@transaction.atomic
def motion_remind(*, motion: Motion, actor) -> int:
    """Remind whoever casts for a seat that has not voted, through the outbox: once per motion and person
    (the key the deadline reminder uses too). Returns how many reminders were sent now."""
    motion = _lock(motion)
    _require_manager(actor, motion.alliance)
    if motion.state != Motion.State.OPEN:
        raise StateConflict(_("Only an open vote has seats to remind."))
    casters = {row.caster.pk: row.caster for row in seats_not_voted(motion) if not row.reminded}
    return sum(notices.vote_reminder(motion, caster) for caster in casters.values())


def _approve_minutes(motion: Motion) -> None:
    """The minutes an adopted motion approves are approved and locked (saved, so audited under the actor)."""
    minutes = Minutes.objects.select_for_update().get(pk=motion.approves_minutes_id)
    minutes.status, minutes.approved_at = Minutes.Status.APPROVED, motion.closed_at
    minutes.save(update_fields=["status", "approved_at"])


def _result_recipients(motion: Motion):
    return User.objects.filter(seats__body_id=motion.body_id, seats__term_end__isnull=True).distinct()


def close_due_motions(now=None) -> int:
    """Close every open motion whose deadline has passed, each in its own transaction."""
    now = now or timezone.now()
    closed = 0
    for pk in Motion.objects.filter(state=Motion.State.OPEN, closes_at__lte=now).values_list("pk", flat=True):
        try:
            motion_close(motion=Motion(pk=pk), actor=None)
            closed += 1
        except StateConflict:
            continue
    return closed


@transaction.atomic
def motion_publish(*, motion: Motion, actor, published: bool = True) -> Motion:
    """Publish an adopted resolution for the public and the portals (or withdraw it)."""
    motion = _lock(motion)
    _require_manager(actor, motion.alliance)
    if motion.state != Motion.State.CLOSED or not motion.adopted:
        raise StateConflict(_("Only an adopted resolution can be published."))
    with set_actor(actor):
        motion.published = published
        motion.save(update_fields=["published"])
    return motion

