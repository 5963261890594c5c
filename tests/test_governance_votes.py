"""Votes through the services on PostgreSQL: opening, casting, proxies, alternates, conflicts,
closing with the result and the resolution number; concurrent ballots; secret ballots unlinkable."""

import threading
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection, models
from django.utils import timezone, translation

from governance.models import Ballot, Motion
from governance.services import meetings, votes
from governance.services import minutes as minutes_services
from kernel.errors import DomainError, NotAllowed, StateConflict
from members import services as member_services
from members.models import Membership
from tests import governance_data as gd
from tests.conftest import load_cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are matched by their English text, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def body(high_tech):
    return gd.council(high_tech)


@pytest.fixture
def seats(body):
    return gd.seats(body)


@pytest.fixture
def secretariat(cast):
    return cast["secretariat"]


def test_a_new_motion_takes_the_preset_of_its_category_and_the_bodys_quorum(body, secretariat):
    ordinary = gd.open_motion(secretariat, body=body, opened=False)
    major = gd.open_motion(secretariat, body=body, opened=False, category="major")
    assert (ordinary.threshold_fraction, ordinary.threshold_base, ordinary.threshold_strict) == ("1/2", "present", True)
    assert (major.threshold_fraction, major.threshold_base, major.threshold_strict) == ("2/3", "entitled", False)
    assert ordinary.quorum_fraction == body.quorum_fraction == "2/3"


def test_the_secretariat_changes_the_rule_before_opening_but_never_after(body, secretariat):
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat)
    motion = gd.open_motion(secretariat, meeting=meeting, opened=False)
    motion = votes.motion_update(motion=motion, actor=secretariat, preset="two_thirds_present", threshold_fraction="3/4")
    assert (motion.threshold_fraction, motion.threshold_base) == ("3/4", "present")
    votes.motion_open(motion=motion, actor=secretariat)
    with pytest.raises(StateConflict):
        votes.motion_update(motion=motion, actor=secretariat, threshold_fraction="1/2")
    motion.refresh_from_db()
    assert motion.threshold_fraction == "3/4"


def test_a_fraction_above_one_is_refused(body, secretariat):
    with pytest.raises(DomainError) as refused:
        gd.open_motion(secretariat, body=body, opened=False, threshold_fraction="3/2")
    assert "threshold_fraction" in refused.value.errors
    assert not Motion.objects.filter(body=body).exists()


def test_only_the_secretariat_opens_and_closes(body, secretariat, cast, seats):
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat)
    motion = gd.open_motion(secretariat, meeting=meeting, opened=False)
    for user in (cast["director"], cast["official"], cast["weifang_secretariat"]):
        with pytest.raises(NotAllowed):
            votes.motion_open(motion=motion, actor=user)
    votes.motion_open(motion=motion, actor=secretariat)
    with pytest.raises(NotAllowed):
        votes.motion_close(motion=motion, actor=cast["director"])


def test_a_meeting_below_quorum_cannot_open_a_vote(body, secretariat, seats):
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat, present=5)  # 5 of 9 < 2/3
    motion = gd.open_motion(secretariat, meeting=meeting, opened=False)
    with pytest.raises(StateConflict, match="quorum"):
        votes.motion_open(motion=motion, actor=secretariat)
    gd.record_attendance(meeting, secretariat, present=6)  # 6 of 9 = 2/3: just met
    assert votes.motion_open(motion=motion, actor=secretariat).state == "open"


def test_a_meeting_without_attendance_cannot_open_a_vote(body, secretariat):
    motion = gd.open_motion(secretariat, meeting=gd.planned_meeting(body, secretariat), opened=False)
    with pytest.raises(StateConflict):
        votes.motion_open(motion=motion, actor=secretariat)


def test_a_director_votes_once_and_a_second_ballot_is_refused(high_tech, secretariat, seats):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat)
    votes.ballot_cast(motion=motion, actor=seats[0].user, choice="yes")
    with pytest.raises(StateConflict):
        votes.ballot_cast(motion=motion, actor=seats[0].user, choice="no")
    motion.refresh_from_db()
    assert (motion.yes_count, motion.no_count, motion.ballots.count()) == (1, 0, 1)


def test_nobody_votes_for_a_seat_they_do_not_hold(high_tech, secretariat, seats, cast):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat)
    with pytest.raises(NotAllowed):
        votes.ballot_cast(motion=motion, actor=seats[0].user, choice="yes", seat=seats[1])
    for outsider in (cast["secretariat"], cast["official"], cast["contact"]):
        with pytest.raises(NotAllowed):
            votes.ballot_cast(motion=motion, actor=outsider, choice="yes")
    assert not motion.ballots.exists()


def test_a_closed_motion_takes_no_ballot(high_tech, secretariat, seats):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat)
    votes.motion_close(motion=motion, actor=secretariat)
    with pytest.raises(StateConflict):
        votes.ballot_cast(motion=motion, actor=seats[0].user, choice="yes")
    assert not motion.ballots.exists()


def test_an_absent_seat_does_not_vote_but_its_proxy_does(body, secretariat, seats):
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat, modes={
        seats[7]: {"mode": "proxy", "proxy_seat": seats[0].pk}, seats[8]: {"mode": "absent"}})
    motion = gd.open_motion(secretariat, meeting=meeting)
    with pytest.raises(StateConflict, match="present"):
        votes.ballot_cast(motion=motion, actor=seats[8].user, choice="yes")
    with pytest.raises(StateConflict, match="proxy"):
        votes.ballot_cast(motion=motion, actor=seats[7].user, choice="yes")
    ballot = votes.ballot_cast(motion=motion, actor=seats[0].user, choice="no", seat=seats[7].pk)
    assert ballot.as_proxy and ballot.seat == seats[7] and ballot.cast_by == seats[0].user
    votes.ballot_cast(motion=motion, actor=seats[0].user, choice="yes")
    motion = votes.motion_close(motion=motion, actor=secretariat)
    assert (motion.yes_count, motion.no_count, motion.present, motion.eligible) == (1, 1, 8, 9)


def test_a_proxy_must_be_carried_by_a_present_seat_and_only_one(body, secretariat, seats):
    meeting = gd.planned_meeting(body, secretariat)
    with pytest.raises(DomainError):
        gd.record_attendance(meeting, secretariat, modes={
            seats[7]: {"mode": "proxy", "proxy_seat": seats[8].pk}, seats[8]: {"mode": "absent"}})
    with pytest.raises(DomainError):
        gd.record_attendance(meeting, secretariat, modes={
            seats[7]: {"mode": "proxy", "proxy_seat": seats[0].pk},
            seats[8]: {"mode": "proxy", "proxy_seat": seats[0].pk}})
    assert not meeting.attendance.exists()


def test_an_alternate_who_attended_votes_for_the_seat(body, secretariat, seats, cast):
    seat = seats[2]
    seat.alternate = cast["contact"]
    seat.save()
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat,
                                   modes={seat: {"mode": "in_person", "by_alternate": True}})
    motion = gd.open_motion(secretariat, meeting=meeting)
    with pytest.raises(StateConflict, match="alternate"):
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes", seat=seat)
    ballot = votes.ballot_cast(motion=motion, actor=cast["contact"], choice="yes")
    assert ballot.seat == seat and ballot.cast_by == cast["contact"]


def test_a_declared_conflict_keeps_the_seat_from_voting_and_out_of_the_count(high_tech, body, secretariat, seats):
    party = seats[3].organization
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat)
    motion = gd.open_motion(secretariat, meeting=meeting, parties=[party], category="major")
    assert votes.party_warning(motion, seats[3].user) == [party]
    assert votes.party_warning(motion, seats[0].user) == []
    votes.conflict_declare(motion=motion, actor=seats[3].user, reason="本单位为合同相对方")
    with pytest.raises(StateConflict, match="conflict"):
        votes.ballot_cast(motion=motion, actor=seats[3].user, choice="yes")
    for seat in seats[:6]:
        if seat != seats[3]:
            votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    motion = votes.motion_close(motion=motion, actor=secretariat)
    # two thirds of all directors, the conflicted one left out: 5 of 8 is short of 2/3
    assert (motion.eligible, motion.present, motion.yes_count, motion.adopted) == (8, 8, 5, False)
    assert motion.resolution_number is None


def test_closing_numbers_adopted_resolutions_per_alliance_and_year(high_tech, secretariat, seats):
    numbers = []
    for _ in range(3):
        _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat)
        for seat in seats[:5]:
            votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
        numbers.append(votes.motion_close(motion=motion, actor=secretariat).resolution_number)
    year = timezone.localdate().year
    assert numbers == [f"{year}-01", f"{year}-02", f"{year}-03"]


def test_a_closed_result_never_changes(high_tech, secretariat, seats):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat)
    votes.ballot_cast(motion=motion, actor=seats[0].user, choice="yes")
    closed = votes.motion_close(motion=motion, actor=secretariat)
    with pytest.raises(StateConflict):
        votes.motion_close(motion=closed, actor=secretariat)
    with pytest.raises(StateConflict):
        votes.motion_open(motion=closed, actor=secretariat)
    closed.refresh_from_db()
    assert closed.result["yes"] == 1 and closed.adopted is False


def test_written_consent_runs_to_its_deadline_with_its_own_quorum_of_ballots(body, secretariat, seats):
    motion = gd.open_motion(secretariat, body=body)
    for seat in seats[:5]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    Motion.objects.filter(pk=motion.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(StateConflict):
        votes.ballot_cast(motion=motion, actor=seats[5].user, choice="yes")
    assert votes.close_due_motions() == 1
    motion.refresh_from_db()
    # 5 ballots of 9 seats is short of the 2/3 quorum of ballots returned
    assert (motion.state, motion.present, motion.quorum_met, motion.adopted) == ("closed", 5, False, False)
    assert votes.close_due_motions() == 0


def test_written_consent_needs_a_deadline(body, secretariat):
    with pytest.raises(DomainError):
        votes.motion_create(body=body, actor=secretariat, title="书面表决", text="...")


def test_minutes_approved_by_an_adopted_motion_are_locked(high_tech, body, secretariat, seats):
    held = gd.record_attendance(gd.planned_meeting(body, secretariat, hours_ahead=0.01), secretariat)
    meetings.meeting_mark_held(meeting=held, actor=secretariat)
    minutes = minutes_services.minutes_save(meeting=held, actor=secretariat, text="会议纪要正文")
    with pytest.raises(StateConflict):
        votes.motion_create(body=body, actor=secretariat, title="批准纪要", text="...", approves_minutes=minutes,
                            closes_at=timezone.now() + timedelta(days=1))
    minutes = minutes_services.minutes_circulate(minutes=minutes, actor=secretariat)
    motion = gd.open_motion(secretariat, body=body, approves_minutes=minutes)
    for seat in seats[:7]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    with pytest.raises(StateConflict):
        minutes_services.minutes_save(meeting=held, actor=secretariat, text="改动")
    votes.motion_close(motion=motion, actor=secretariat)
    minutes.refresh_from_db()
    assert minutes.status == "approved" and minutes.approved_at is not None
    with pytest.raises(StateConflict, match="locked"):
        minutes_services.minutes_save(meeting=held, actor=secretariat, text="改动")


def test_an_extraordinary_meeting_request_is_granted_at_the_charters_share(body, seats, secretariat):
    from kernel.models import Notification

    request = meetings.extraordinary_request(body=body, actor=seats[0].user, subject="调整理事会组成", reason="……")
    meetings.extraordinary_sign(request=request, actor=seats[1].user)
    request.refresh_from_db()
    assert request.status == "open"  # 2 of 9 is short of 1/3
    with pytest.raises(StateConflict):
        meetings.extraordinary_sign(request=request, actor=seats[1].user)
    meetings.extraordinary_sign(request=request, actor=seats[2].user)
    request.refresh_from_db()
    assert request.status == "granted"
    assert Notification.objects.filter(user=secretariat, key__startswith=f"extraordinary:{request.pk}:").exists()


def test_a_seat_ends_when_its_membership_ends(high_tech, seats, secretariat):
    membership = Membership.objects.get(alliance=high_tech, organization=seats[4].organization)
    member_services.membership_expel(membership=membership, actor=secretariat, reason="长期不履行义务")
    seats[4].refresh_from_db()
    assert seats[4].term_end == timezone.localdate()
    assert len(gd.seats(gd.council(high_tech))) == 8


# Secret ballots -----------------------------------------------------------------

def _string_columns(model):
    return [f.attname for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))]


def test_a_secret_ballot_links_no_voter_to_a_choice(high_tech, secretariat, seats):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat, ballot="secret")
    choices = ["yes", "no", "abstain", "yes", "no", "yes"]
    for seat, choice in zip(seats, choices, strict=False):
        votes.ballot_cast(motion=motion, actor=seat.user, choice=choice)
    motion = votes.motion_close(motion=motion, actor=secretariat)
    assert (motion.yes_count, motion.no_count, motion.abstain_count) == (3, 2, 1)
    # Who voted is recorded, the choice nowhere beside it.
    assert set(Ballot.objects.filter(motion=motion).values_list("choice", flat=True)) == {""}
    assert not any(isinstance(f, models.DateTimeField) for f in Ballot._meta.concrete_fields)
    # No row anywhere (audit log and notifications included) that names a voter carries a choice.
    voter_ids = {str(seat.user_id) for seat in seats[:6]} | {str(seat.pk) for seat in seats[:6]}
    for model in apps.get_models():
        columns = _string_columns(model)
        if not columns or model._meta.db_table.startswith(("django_", "auth_")):
            continue
        for row in model.objects.values(*columns):
            text = " ".join(str(value) for value in row.values()).lower()
            if '"yes_count"' in text or '"no_count"' in text or '"abstain_count"' in text:
                pytest.fail(f"{model.__name__} records the tally as it moves: {text[:200]}")
    log_changes = LogEntry.objects.get_for_object(motion).values_list("changes", flat=True)
    counters = {"yes_count", "no_count", "abstain_count"}
    assert all(not counters & set(change or {}) for change in log_changes)
    assert voter_ids  # the voters exist; nothing above tied them to a choice


# Concurrency ----------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_hundred_concurrent_ballots_count_exactly_a_hundred_with_duplicates_refused():
    load_cast()
    alliance, body, secretariat = gd.assembly(100)
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat)
    motion = gd.open_motion(secretariat, meeting=meeting)
    directors = [seat.user for seat in gd.seats(body)]
    start = threading.Barrier(20)
    outcomes, lock = [], threading.Lock()

    def vote(batch):
        try:
            start.wait()
            for user in batch:
                for _attempt in range(2):  # each director presses the button twice
                    try:
                        votes.ballot_cast(motion=Motion(pk=motion.pk), actor=user, choice="yes")
                        result = "counted"
                    except StateConflict:
                        result = "refused"
                    with lock:
                        outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(directors[n::20],)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    motion.refresh_from_db()
    assert outcomes.count("counted") == 100 and outcomes.count("refused") == 100
    assert motion.yes_count == 100 == Ballot.objects.filter(motion=motion).count()


def test_meetings_resolutions_and_tasks_feed_the_assessment_figures(high_tech, body, secretariat, seats, cast):
    from assessments.metrics import governance_metrics
    from governance.models import Meeting, Task
    from governance.services import tasks

    before = governance_metrics(high_tech)
    meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat)
    for seat in seats[:5]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    votes.motion_close(motion=motion, actor=secretariat)
    Meeting.objects.filter(pk=meeting.pk).update(status="held", starts_at=timezone.now() - timedelta(days=2),
                                                 ends_at=timezone.now() - timedelta(days=2, hours=-2))
    owner = cast["contact"].contacts.get().organization
    done = tasks.task_create(alliance=high_tech, actor=secretariat, owner=owner, motion=motion, title="培训",
                             target_value=100, target_unit="人次", weight=3, due_on=timezone.localdate())
    tasks.task_create(alliance=high_tech, actor=secretariat, owner=owner, motion=motion, title="课程",
                      target_value=5, target_unit="门", weight=1, due_on=timezone.localdate() - timedelta(days=1))
    from django.core.files.uploadedfile import SimpleUploadedFile

    tasks.task_report(task=done, actor=cast["contact"], achieved=120, done=True,
                      evidence=SimpleUploadedFile("名单.pdf", b"%PDF-1.4", content_type="application/pdf"))
    tasks.task_accept(task=Task.objects.get(pk=done.pk), actor=secretariat)
    after = governance_metrics(high_tech)
    assert after["meetings_held"] == before["meetings_held"] + 1
    assert after["resolutions_adopted"] == before["resolutions_adopted"] + 1
    assert after["quorum_rate"] == "100.0"
    assert after["tasks_done_on_time"] == "75.0"  # weight 3 of 4 accepted by its due date


def test_the_demo_council_loads_once_and_leaves_director1_a_vote(cast):
    from governance.demo import load_demo_council
    from governance.selectors import motions_needing_vote, published_resolutions

    assert load_demo_council() is True
    counts = (Motion.objects.count(), Ballot.objects.count())
    assert load_demo_council() is False
    assert (Motion.objects.count(), Ballot.objects.count()) == counts
    assert motions_needing_vote(cast["director"]).count() == 1
    resolution = published_resolutions().get()
    assert resolution.resolution_number == f"{timezone.localdate(resolution.meeting.starts_at).year}-01"


def test_named_ballots_are_reported_by_sector_and_secret_ones_never(high_tech, secretariat, seats):
    _meeting, named = gd.meeting_with_open_motion(high_tech, secretariat)
    for seat in seats[:6]:
        votes.ballot_cast(motion=named, actor=seat.user, choice="yes" if seat != seats[1] else "no")
    named = votes.motion_close(motion=named, actor=secretariat)
    totals = {choice: sum(sector[choice] for sector in named.sector_tally.values()) for choice in ("yes", "no")}
    assert totals == {"yes": 5, "no": 1}
    assert named.sector_tally[votes.sector_of(seats[1].organization.type)]["no"] == 1
    _meeting, secret = gd.meeting_with_open_motion(high_tech, secretariat, ballot="secret")
    votes.ballot_cast(motion=secret, actor=seats[0].user, choice="yes")
    assert votes.motion_close(motion=secret, actor=secretariat).sector_tally is None


def test_needs_my_vote_lists_a_motion_until_every_seat_the_user_casts_for_has_voted(body, secretariat, seats, cast):
    from governance.selectors import motions_needing_vote

    seat = seats[2]
    seat.alternate = cast["contact"]
    seat.save()
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat, modes={
        seats[7]: {"mode": "proxy", "proxy_seat": seats[0].pk}, seats[8]: {"mode": "absent"},
        seat: {"mode": "in_person", "by_alternate": True}})
    motion = gd.open_motion(secretariat, meeting=meeting)
    consent = gd.open_motion(secretariat, body=body, title="书面表决议案")

    def waiting(user):
        return set(motions_needing_vote(user).values_list("pk", flat=True))

    assert waiting(seats[0].user) == {motion.pk, consent.pk}
    assert waiting(seats[8].user) == {consent.pk}  # absent: only the vote by written consent
    assert waiting(seat.user) == {consent.pk}  # the alternate attended and casts at the meeting
    assert waiting(cast["contact"]) == {motion.pk}
    votes.ballot_cast(motion=motion, actor=seats[0].user, choice="yes")
    assert motion.pk in waiting(seats[0].user)  # the proxy it carries has not voted yet
    votes.ballot_cast(motion=motion, actor=seats[0].user, choice="yes", seat=seats[7].pk)
    assert waiting(seats[0].user) == {consent.pk}
    votes.conflict_declare(motion=consent, actor=seats[0].user, reason="利益相关")
    assert waiting(seats[0].user) == set()


def test_a_sector_majority_rule_fails_a_motion_one_sector_voted_down(high_tech, secretariat, seats):
    by_sector = {}
    for seat in seats:
        by_sector.setdefault(votes.sector_of(seat.organization.type), []).append(seat)
    lone_sector, lone_seats = min(by_sector.items(), key=lambda item: len(item[1]))
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat, sector_majority=True)
    for seat in seats:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="no" if seat in lone_seats else "yes")
    motion = votes.motion_close(motion=motion, actor=secretariat)
    assert motion.yes_count > motion.present / 2  # the overall rule alone would adopt it
    assert motion.sector_tally[lone_sector]["no"] == len(lone_seats)
    assert motion.adopted is False and motion.resolution_number is None


def test_a_sector_majority_needs_a_named_ballot(body, secretariat):
    with pytest.raises(DomainError, match="named ballot"):
        gd.open_motion(secretariat, body=body, opened=False, ballot="secret", sector_majority=True)


def _circulated_minutes(body, secretariat):
    held = gd.record_attendance(gd.planned_meeting(body, secretariat, hours_ahead=0.01), secretariat)
    meetings.meeting_mark_held(meeting=held, actor=secretariat)
    minutes = minutes_services.minutes_save(meeting=held, actor=secretariat, text="会议纪要正文")
    return minutes_services.minutes_circulate(minutes=minutes, actor=secretariat)


def _smallest_sector(seats):
    by_sector = {}
    for seat in seats:
        by_sector.setdefault(votes.sector_of(seat.organization.type), []).append(seat)
    return min(by_sector.values(), key=len)


def test_minutes_put_to_a_vote_that_fails_the_sector_majority_stay_circulated(body, secretariat, seats):
    minutes = _circulated_minutes(body, secretariat)
    motion = gd.open_motion(secretariat, body=body, approves_minutes=minutes, sector_majority=True)
    outvoted = _smallest_sector(seats)
    for seat in seats:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="no" if seat in outvoted else "yes")
    motion = votes.motion_close(motion=motion, actor=secretariat)
    assert motion.adopted is False and motion.resolution_number is None
    minutes.refresh_from_db()
    assert minutes.status == "circulated" and minutes.approved_at is None
    minutes_services.minutes_save(meeting=minutes.meeting, actor=secretariat, text="修订后的纪要")  # not locked


def test_minutes_put_to_a_vote_that_passes_the_sector_majority_are_approved(body, secretariat, seats):
    minutes = _circulated_minutes(body, secretariat)
    motion = gd.open_motion(secretariat, body=body, approves_minutes=minutes, sector_majority=True)
    for seat in seats:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    motion = votes.motion_close(motion=motion, actor=secretariat)
    assert motion.adopted is True and motion.resolution_number is not None
    minutes.refresh_from_db()
    assert minutes.status == "approved" and minutes.approved_at is not None
    with pytest.raises(StateConflict, match="locked"):
        minutes_services.minutes_save(meeting=minutes.meeting, actor=secretariat, text="改动")
