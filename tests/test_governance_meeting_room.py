"""The meeting room through the services on PostgreSQL: a meeting's life decides what can happen (attendance
and votes only in session; started early; entered after the fact), votes taken in the room (a show of hands
seat by seat, a paper count with its tellers) tallied and numbered like electronic ones, one voting method
per motion down to the database, and the secretariat's view of who has not voted with its one reminder."""

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from governance.figures import council_business
from governance.models import Ballot, Meeting, Motion
from governance.rules import Tally, decide, rule_of
from governance.services import meetings, votes
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.models import Notification
from tests import governance_data as gd

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


class World:
    """What a test needs, made through the services on first use (as in tests/test_governance_api.py)."""

    def __init__(self, cast, alliance):
        self.cast, self.alliance = cast, alliance
        self.secretariat = cast["secretariat"]
        self.body = gd.council(alliance)
        self.seats = gd.seats(self.body)
        self._made = {}

    def __getitem__(self, name):
        if name not in self._made:
            self._made[name] = getattr(self, f"make_{name}")()
        return self._made[name]

    def make_ahead(self):
        """Three days ahead, not started."""
        return gd.planned_meeting(self.body, self.secretariat, hours_ahead=72, title="三天后的会议")

    def make_live(self):
        """In session: eight present in person, the ninth absent, its vote carried by proxy by the first."""
        meeting = gd.planned_meeting(self.body, self.secretariat, title="进行中的会议")
        return gd.record_attendance(meeting, self.secretariat, modes={
            self.seats[-1]: {"mode": "proxy", "proxy_seat": self.seats[0].pk}})

    def motion(self, method, **fields):
        return gd.open_motion(self.secretariat, meeting=self["live"], opened=False, voting_method=method,
                              title=f"{method}议案", **fields)


@pytest.fixture
def world(cast, high_tech):
    return World(cast, high_tech)


def _hands(seats, choices):
    return [{"seat": seat.pk, "choice": choice} for seat, choice in zip(seats, choices, strict=False)]


# A meeting's life --------------------------------------------------------------------------------


def test_a_meeting_three_days_ahead_takes_no_attendance_and_no_vote(world):
    meeting = world["ahead"]
    assert not meeting.in_session
    with pytest.raises(StateConflict, match="not started"):
        meetings.attendance_set(meeting=meeting, actor=world.secretariat,
                                   records=[{"seat": seat.pk, "mode": "in_person"} for seat in world.seats])
    motion = gd.open_motion(world.secretariat, meeting=meeting, opened=False)
    with pytest.raises(StateConflict, match="not started"):
        votes.motion_open(motion=motion, actor=world.secretariat)
    hands = gd.open_motion(world.secretariat, meeting=meeting, opened=False, voting_method="show_of_hands")
    with pytest.raises(StateConflict, match="not started"):
        votes.motion_record(motion=hands, actor=world.secretariat, hands=_hands(world.seats, ["yes"] * 9))
    with pytest.raises(StateConflict, match="started"):
        meetings.meeting_mark_held(meeting=meeting, actor=world.secretariat)
    assert not meeting.attendance.exists() and not Ballot.objects.filter(motion__meeting=meeting).exists()


def test_a_meeting_that_started_five_minutes_ago_is_created_in_session(world):
    start = timezone.now() - timedelta(minutes=5)
    meeting = meetings.meeting_create(body=world.body, actor=world.secretariat, kind="regular", title="刚开始的会议",
                                      starts_at=start, ends_at=start + timedelta(hours=2))
    assert meeting.in_session and meeting.started_at is None
    gd.record_attendance(meeting, world.secretariat)
    motion = votes.motion_open(motion=gd.open_motion(world.secretariat, meeting=meeting, opened=False),
                               actor=world.secretariat)
    assert votes.ballot_cast(motion=motion, actor=world.seats[0].user, choice="yes").seat == world.seats[0]


def test_the_secretariat_starts_a_meeting_early_and_only_once(world, cast):
    meeting = world["ahead"]
    for user in (cast["director"], cast["official"], cast["weifang_secretariat"]):
        with pytest.raises(NotAllowed):
            meetings.meeting_start(meeting=meeting, actor=user)
    started = meetings.meeting_start(meeting=meeting, actor=world.secretariat)
    assert started.in_session and started.started_at <= timezone.now() < started.starts_at
    with pytest.raises(StateConflict):
        meetings.meeting_start(meeting=meeting, actor=world.secretariat)
    gd.record_attendance(started, world.secretariat)
    assert Meeting.objects.get(pk=meeting.pk).attendance.count() == 9


def test_a_meeting_entered_after_the_fact_sends_no_invitations(world):
    start = timezone.now() - timedelta(days=40)
    meeting = meetings.meeting_create(body=world.body, actor=world.secretariat, kind="regular", title="补录的会议",
                                      starts_at=start, ends_at=start + timedelta(hours=2))
    with pytest.raises(StateConflict, match="over"):
        meetings.invitations_send(meeting=meeting, actor=world.secretariat)
    assert not Notification.objects.filter(key__startswith=f"meeting:{meeting.pk}:").exists()


def test_a_meeting_in_session_cannot_move_its_start_into_the_future(world):
    start = timezone.now() - timedelta(minutes=5)
    meeting = meetings.meeting_create(body=world.body, actor=world.secretariat, kind="regular", title="改期的会议",
                                      starts_at=start, ends_at=start + timedelta(hours=2))
    later = timezone.now() + timedelta(days=1)
    with pytest.raises(StateConflict, match="in session"):
        meetings.meeting_update(meeting=meeting, actor=world.secretariat, starts_at=later,
                                ends_at=later + timedelta(hours=2))
    assert Meeting.objects.get(pk=meeting.pk).starts_at == start


def test_a_cancelled_meeting_takes_no_attendance_and_no_vote(world):
    meeting = meetings.meeting_start(meeting=world["ahead"], actor=world.secretariat)
    motion = gd.open_motion(world.secretariat, meeting=meeting, opened=False)
    meetings.meeting_cancel(meeting=meeting, actor=world.secretariat)
    with pytest.raises(StateConflict, match="cancelled"):
        meetings.attendance_set(meeting=meeting, actor=world.secretariat,
                                   records=[{"seat": world.seats[0].pk, "mode": "in_person"}])
    with pytest.raises(StateConflict, match="cancelled"):
        votes.motion_open(motion=motion, actor=world.secretariat)


def test_a_held_meeting_ends_its_votes(world):
    motion = votes.motion_open(motion=world.motion("electronic"), actor=world.secretariat)
    with pytest.raises(StateConflict, match="still open"):
        meetings.meeting_mark_held(meeting=world["live"], actor=world.secretariat)
    votes.ballot_cast(motion=motion, actor=world.seats[1].user, choice="yes")
    votes.motion_close(motion=motion, actor=world.secretariat)
    draft = world.motion("electronic")
    hands = world.motion("show_of_hands")
    meetings.meeting_mark_held(meeting=world["live"], actor=world.secretariat)
    with pytest.raises(StateConflict, match="held"):
        votes.motion_open(motion=draft, actor=world.secretariat)
    with pytest.raises(StateConflict, match="held"):
        votes.motion_record(motion=hands, actor=world.secretariat, hands=_hands(world.seats, ["yes"] * 9))
    with pytest.raises(StateConflict, match="held"):
        gd.open_motion(world.secretariat, meeting=Meeting.objects.get(pk=world["live"].pk), opened=False)


# Votes taken in the room -------------------------------------------------------------------------


def test_a_show_of_hands_is_named_seat_by_seat_and_decided_like_an_electronic_vote(world):
    motion = world.motion("show_of_hands")
    assert motion.ballot == Motion.Ballot.NAMED  # the method decides the ballot
    choices = ["yes", "yes", "no", "yes", "abstain", "yes", "yes"]  # seats 8 and 9 (by proxy) did not vote
    motion = votes.motion_record(motion=motion, actor=world.secretariat, hands=_hands(world.seats, choices))
    assert (motion.state, motion.yes_count, motion.no_count, motion.abstain_count) == ("closed", 5, 1, 1)
    expected = decide(rule_of(motion), Tally(5, 1, 1, 9, 9), motion.quorum_fraction, sectors=motion.sector_tally)
    assert (motion.adopted, motion.present, motion.eligible) == (expected.adopted, 9, 9)
    assert motion.adopted and motion.resolution_number  # 5 of 9 present: more than half
    rows = {ballot.seat_id: ballot for ballot in Ballot.objects.filter(motion=motion)}
    assert {pk: row.choice for pk, row in rows.items()} == {s.pk: c for s, c in zip(world.seats, choices,
                                                                                  strict=False)}
    assert all(row.voting_method == "show_of_hands" and row.cast_by == world.secretariat for row in rows.values())
    assert sum(sum(counts.values()) for counts in motion.sector_tally.values()) == 7


def test_a_show_of_hands_records_the_proxy_seat_and_refuses_bad_rows_all_or_nothing(world):
    absent_by_proxy, conflicted = world.seats[-1], world.seats[2]
    motion = world.motion("show_of_hands")
    votes.conflict_declare(motion=motion, actor=conflicted.user, reason="本单位为议案相对方")
    bad = [
        [{"seat": world.seats[0].pk, "choice": "yes"}, {"seat": world.seats[0].pk, "choice": "no"}],
        [{"seat": conflicted.pk, "choice": "yes"}],
        [{"seat": world.seats[1].pk, "choice": "maybe"}],
        [{"seat": 2**31 - 1, "choice": "yes"}],
        [],
    ]
    for hands in bad:
        with pytest.raises(DomainError) as refused:
            votes.motion_record(motion=motion, actor=world.secretariat, hands=hands)
        assert "hands" in refused.value.errors
    assert Motion.objects.get(pk=motion.pk).state == "draft" and not motion.ballots.exists()
    motion = votes.motion_record(motion=motion, actor=world.secretariat,
                                 hands=[{"seat": absent_by_proxy.pk, "choice": "no"}])
    assert Ballot.objects.get(motion=motion).as_proxy is True
    assert (motion.eligible, motion.present) == (8, 8)  # the conflicted seat does not count


def test_a_paper_count_names_its_tellers_and_never_exceeds_the_ballots_entitled(world):
    motion = world.motion("paper")
    assert motion.ballot == Motion.Ballot.SECRET
    votes.conflict_declare(motion=motion, actor=world.seats[3].user, reason="关联交易")
    with pytest.raises(DomainError, match="above the ballots entitled") as refused:  # 8 present may vote
        votes.motion_record(motion=motion, actor=world.secretariat, counts={"yes": 7, "no": 2}, tellers="王五、赵六")
    assert "counts" in refused.value.errors
    with pytest.raises(DomainError) as refused:
        votes.motion_record(motion=motion, actor=world.secretariat, counts={"yes": 6, "no": 1}, tellers="  ")
    assert "tellers" in refused.value.errors
    for counts in ({"yes": -1}, {"yes": 0, "no": 0}, {"yes": "6"}):
        with pytest.raises(DomainError):
            votes.motion_record(motion=motion, actor=world.secretariat, counts=counts, tellers="王五")
    motion = votes.motion_record(motion=motion, actor=world.secretariat, counts={"yes": 6, "no": 1, "abstain": 1},
                                 tellers=" 王五、 赵六 ")
    assert (motion.yes_count, motion.no_count, motion.abstain_count, motion.present) == (6, 1, 1, 8)
    assert motion.tellers == "王五、 赵六" and motion.adopted and not motion.ballots.exists()


def test_a_paper_count_below_the_quorum_share_is_not_decided_and_erased(world):
    """The secret-count rule of an electronic secret ballot: 5 ballots of 9 entitled is under 2/3."""
    motion = votes.motion_record(motion=world.motion("paper"), actor=world.secretariat,
                                 counts={"yes": 5}, tellers="王五")
    assert (motion.decided, motion.adopted, motion.yes_count, motion.resolution_number) == (False, False, None, None)


def test_a_motion_is_voted_one_way_only(world):
    hands, paper, electronic = world.motion("show_of_hands"), world.motion("paper"), world.motion("electronic")
    for recorded in (hands, paper):
        with pytest.raises(StateConflict, match="record"):
            votes.motion_open(motion=recorded, actor=world.secretariat)
    with pytest.raises(StateConflict, match="electronic"):
        votes.motion_record(motion=electronic, actor=world.secretariat, hands=_hands(world.seats, ["yes"]))
    votes.motion_open(motion=electronic, actor=world.secretariat)
    with pytest.raises(StateConflict):
        votes.motion_record(motion=electronic, actor=world.secretariat, counts={"yes": 5}, tellers="王五")
    recorded = votes.motion_record(motion=hands, actor=world.secretariat, hands=_hands(world.seats, ["yes"] * 8))
    with pytest.raises(StateConflict):
        votes.ballot_cast(motion=recorded, actor=world.seats[7].user, choice="no")
    with pytest.raises(StateConflict, match="already been recorded"):
        votes.motion_record(motion=recorded, actor=world.secretariat, hands=_hands(world.seats, ["no"]))


def test_a_recorded_method_needs_a_meeting_and_its_own_ballot(world):
    with pytest.raises(DomainError) as refused:
        gd.open_motion(world.secretariat, body=world.body, opened=False, voting_method="paper")
    assert "voting_method" in refused.value.errors
    with pytest.raises(DomainError) as refused:
        world.motion("show_of_hands", ballot="secret")
    assert "ballot" in refused.value.errors
    with pytest.raises(DomainError) as refused:
        world.motion("paper", closes_at=timezone.now() + timedelta(hours=1))
    assert "closes_at" in refused.value.errors
    draft = world.motion("electronic")
    changed = votes.motion_update(motion=draft, actor=world.secretariat, voting_method="paper")
    assert (changed.voting_method, changed.ballot) == ("paper", "secret")


def test_only_the_secretariat_records_a_vote(world, cast):
    motion = world.motion("show_of_hands")
    for user in (cast["director"], cast["official"], cast["weifang_secretariat"]):
        with pytest.raises(NotAllowed):
            votes.motion_record(motion=motion, actor=user, hands=_hands(world.seats, ["yes"] * 9))
    assert not motion.ballots.exists()


def test_the_database_refuses_mixing_voting_methods(world):
    hands, electronic, paper = world.motion("show_of_hands"), world.motion("electronic"), world.motion("paper")
    seat, today = world.seats[0], timezone.localdate()

    def refused(statement):
        with pytest.raises(IntegrityError), transaction.atomic():
            statement()

    refused(lambda: Ballot.objects.create(motion=hands, seat=seat, choice="yes", cast_by=seat.user, cast_on=today,
                                          voting_method="electronic"))
    refused(lambda: Ballot.objects.create(motion=electronic, seat=seat, choice="yes", cast_by=seat.user,
                                          cast_on=today, voting_method="show_of_hands"))
    refused(lambda: Ballot.objects.create(motion=paper, seat=seat, choice="yes", cast_by=seat.user, cast_on=today,
                                          voting_method="paper"))
    refused(lambda: Ballot.objects.create(motion=hands, seat=seat, choice="", cast_by=seat.user, cast_on=today,
                                          voting_method="show_of_hands"))
    refused(lambda: Motion.objects.filter(pk=hands.pk).update(state="open"))
    refused(lambda: Motion.objects.filter(pk=paper.pk).update(ballot="named"))
    refused(lambda: Motion.objects.filter(pk=paper.pk).update(state="closed", adopted=False))  # no tellers
    refused(lambda: Motion.objects.filter(pk=paper.pk).update(state="closed", adopted=False, tellers="王五",
                                                               yes_count=9, present=8))
    votes.motion_open(motion=electronic, actor=world.secretariat)
    votes.ballot_cast(motion=electronic, actor=seat.user, choice="yes")
    refused(lambda: Motion.objects.filter(pk=electronic.pk).update(voting_method="show_of_hands", state="draft"))


# Who has not voted, reminded once -----------------------------------------------------------------


def test_the_secretariat_sees_who_has_not_voted_on_a_secret_ballot_and_reminds_them_once(world, cast):
    motion = votes.motion_open(motion=world.motion("electronic", ballot="secret"), actor=world.secretariat)
    for seat in world.seats[1:4]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="no")
    waiting = votes.seats_not_voted(motion)
    assert [row.seat for row in waiting] == [world.seats[0], *world.seats[4:]]
    by_proxy = next(row for row in waiting if row.seat == world.seats[-1])
    assert by_proxy.as_proxy and by_proxy.caster == world.seats[0].user  # the carrier casts for it
    assert not any(row.reminded for row in waiting)
    with pytest.raises(NotAllowed):
        votes.motion_remind(motion=motion, actor=cast["director"])
    assert votes.motion_remind(motion=motion, actor=world.secretariat) == 5  # director1 casts for two seats
    assert votes.motion_remind(motion=motion, actor=world.secretariat) == 0
    assert all(row.reminded for row in votes.seats_not_voted(motion))
    reminded = Notification.objects.filter(key__startswith=f"motion:{motion.pk}:remind:")
    assert sorted(reminded.values_list("user_id", flat=True)) == sorted(
        seat.user_id for seat in [world.seats[0], *world.seats[4:8]])


def test_ballot_check_casts_nothing(world):
    motion = votes.motion_open(motion=world.motion("electronic"), actor=world.secretariat)
    checked = votes.ballot_check(motion=motion, actor=world.seats[0].user, choice="yes", seat=world.seats[-1].pk)
    assert (checked.seat, checked.as_proxy) == (world.seats[-1], True)
    with pytest.raises(DomainError):
        votes.ballot_check(motion=motion, actor=world.seats[0].user, choice="maybe")
    with pytest.raises(NotAllowed):
        votes.ballot_check(motion=motion, actor=world.seats[1].user, choice="yes", seat=world.seats[-1].pk)
    assert not motion.ballots.exists() and Motion.objects.get(pk=motion.pk).yes_count == 0


# A meeting recorded after the fact ----------------------------------------------------------------


def test_last_years_meeting_is_entered_with_its_attendance_and_results_in_its_own_year(world):
    year = timezone.localdate().year - 1
    start = timezone.make_aware(datetime(year, 3, 15, 9, 30))
    meeting = meetings.meeting_create(body=world.body, actor=world.secretariat, kind="annual",
                                      title=f"{year}年度理事会第一次会议", starts_at=start,
                                      ends_at=start + timedelta(hours=3), location="淄博高新区管委会 301")
    assert meeting.in_session
    gd.record_attendance(meeting, world.secretariat, present=8)
    hands = gd.open_motion(world.secretariat, meeting=meeting, opened=False, voting_method="show_of_hands",
                           category="major", title="关于年度工作计划的决议")
    paper = gd.open_motion(world.secretariat, meeting=meeting, opened=False, voting_method="paper",
                           title="关于选举副理事长的决议")
    hands = votes.motion_record(motion=hands, actor=world.secretariat, hands=_hands(world.seats, ["yes"] * 8))
    paper = votes.motion_record(motion=paper, actor=world.secretariat, counts={"yes": 7, "abstain": 1},
                                tellers="王五、赵六")
    held = meetings.meeting_mark_held(meeting=meeting, actor=world.secretariat)
    assert (held.status, held.seats_present, held.seats_in_office) == ("held", 8, 9)
    numbered = Motion.objects.filter(alliance=world.alliance, resolution_year=year).count()
    assert (hands.resolution_number, paper.resolution_number) == (f"{year}-{numbered - 1:02d}",
                                                                   f"{year}-{numbered:02d}")
    assert hands.closed_at == paper.closed_at == meeting.ends_at  # dated at the meeting, not at entry
    assert {ballot.cast_on for ballot in hands.ballots.all()} == {start.date()}
    figures = council_business(world.alliance, after=start.date() - timedelta(days=1), until=start.date())
    assert (figures["meetings_held"], figures["meetings_quorate"], figures["resolutions_adopted"]) == (1, 1, 2)


def test_the_ballot_path_locks_only_the_motion(world):
    """A ballot takes one lock, a shared one on the motion's row (ballots of a motion run side by side;
    closing takes the exclusive one); the in-session check reads the meeting loaded with the motion: no
    further lock or query."""
    motion = votes.motion_open(motion=world.motion("electronic"), actor=world.secretariat)
    with CaptureQueriesContext(connection) as queries:
        votes.ballot_cast(motion=motion, actor=world.seats[1].user, choice="yes")
    sql = [query["sql"] for query in queries.captured_queries]
    locks = [query for query in sql if " FOR " in query]
    assert len(locks) == 1 and 'FROM "governance_motion"' in locks[0] and locks[0].endswith("FOR SHARE")
    assert not any("FOR UPDATE" in query or 'FROM "governance_meeting"' in query for query in sql)
