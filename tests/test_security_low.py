"""Low-severity findings of the security review, each with its regression test.

1. A secret vote closed with too few ballots publishes no count (one ballot's count is its voter's choice).
2. NUL characters in JSON (keys or values) answer 400, and review comments are keyed by indicator codes.
3. Permission before validation: no hint that a hidden alliance's name exists.
4. A superuser sees every motion (`Q() | public` filtered to public only).
5. Unknown API paths and Django's own 400s answer JSON under /api/.
"""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from alliance.models import Notification
from governance.minutes_pdf import _motion_row
from governance.models import Motion
from governance.rules import Rule, Tally, decide, secret_count_publishable
from governance.services import votes
from tests import governance_data as gd

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


# 1. Secret counts ------------------------------------------------------------------------------------

MAJORITY_CAST = Rule("1/2", "cast", True, False)


@pytest.mark.parametrize("yes,no,abstain,eligible,present,quorum,publishable", [
    (1, 0, 0, 9, 9, "2/3", False),   # one ballot at a full meeting: its count is its voter's choice
    (3, 2, 0, 9, 9, "2/3", False),   # quorum present, but 5 ballots of 9 are below 2/3
    (4, 2, 0, 9, 9, "2/3", True),    # 6 of 9 ballots meet 2/3
    (4, 2, 0, 9, 5, "2/3", False),   # the meeting itself below its quorum
    (1, 0, 0, 1, 1, "1/2", False),   # a body of one: never a secret count
    (1, 1, 0, 2, 2, "1/2", True),    # two ballots of two
    (0, 0, 0, 9, 9, "2/3", False),   # nobody voted
])
def test_a_secret_count_is_published_only_from_the_quorums_number_of_ballots_and_at_least_two(
        yes, no, abstain, eligible, present, quorum, publishable):
    tally = Tally(yes, no, abstain, eligible, present)
    assert secret_count_publishable(tally, quorum) is publishable
    outcome = decide(MAJORITY_CAST, tally, quorum, secret=True)
    assert outcome.decided is publishable
    if not publishable:
        assert outcome.adopted is False and outcome.share is None
    # a named vote is always decided
    assert decide(MAJORITY_CAST, tally, quorum).decided is True


@pytest.fixture
def secretariat(cast):
    return cast["secretariat"]


@pytest.fixture
def council_seats(high_tech):
    return gd.seats(gd.council(high_tech))


def test_closing_a_secret_vote_on_one_ballot_publishes_no_count(cast, high_tech, secretariat, council_seats,
                                                                api_for, client_for):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat, ballot="secret")
    votes.ballot_cast(motion=motion, actor=council_seats[0].user, choice="yes")
    response = api_for(secretariat).post(f"/api/v1/motions/{motion.pk}/close/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "closed"
    assert body["result"]["yes"] is None and body["result"]["no"] is None and body["result"]["abstain"] is None
    assert body["result"]["decided"] is False and body["result"]["adopted"] is False
    assert body["resolution_number"] is None
    motion.refresh_from_db()
    # erased, not merely hidden
    assert (motion.yes_count, motion.no_count, motion.abstain_count) == (None, None, None)
    assert motion.resolution_seq is None and motion.adopted is False
    page = client_for(cast["director"]).get(f"/governance/motions/{motion.pk}/").content.decode()
    assert "too few ballots to publish a secret count" in page
    assert 'id="tally-yes"' not in page and 'id="base"' not in page and 'data-decided="no"' in page
    # the result mail says nothing of a count either
    notice = Notification.objects.get(key=f"motion:{motion.pk}:result:{council_seats[0].user_id}")
    assert "1 yes" not in notice.body and "1 赞成" not in notice.body
    row = _motion_row(motion)
    assert row["decided"] is False


def test_a_secret_vote_below_the_quorums_number_of_ballots_is_not_decided_even_at_a_quorate_meeting(
        high_tech, secretariat, council_seats):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat, ballot="secret")
    assert motion.quorum_fraction == "2/3" and len(council_seats) == 9
    for seat in council_seats[:5]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    motion = votes.motion_close(motion=motion, actor=secretariat)
    assert motion.quorum_met is True  # the meeting had its quorum present
    assert motion.decided is False and motion.adopted is False and motion.yes_count is None


def test_a_secret_vote_with_the_quorums_number_of_ballots_publishes_its_count(
        high_tech, secretariat, council_seats, api_for):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat, ballot="secret")
    for seat, choice in zip(council_seats[:6], ["yes"] * 5 + ["no"]):
        votes.ballot_cast(motion=motion, actor=seat.user, choice=choice)
    body = api_for(secretariat).post(f"/api/v1/motions/{motion.pk}/close/").json()
    assert body["result"] == {"yes": 5, "no": 1, "abstain": 0, "eligible": 9, "present": 9, "quorum_met": True,
                              "adopted": True, "decided": True}
    assert body["resolution_number"]


def test_a_secret_written_consent_publishes_its_count_only_when_the_ballots_returned_meet_the_quorum(
        high_tech, secretariat, council_seats):
    body = gd.council(high_tech)
    few = gd.open_motion(secretariat, body=body, ballot="secret", closes_at=timezone.now() + timedelta(days=2))
    many = gd.open_motion(secretariat, body=body, ballot="secret", title="另一议案",
                          closes_at=timezone.now() + timedelta(days=2))
    for seat in council_seats[:2]:
        votes.ballot_cast(motion=few, actor=seat.user, choice="no")
    for seat in council_seats[:6]:
        votes.ballot_cast(motion=many, actor=seat.user, choice="yes")
    few = votes.motion_close(motion=few, actor=secretariat)
    many = votes.motion_close(motion=many, actor=secretariat)
    assert (few.decided, few.yes_count, few.no_count, few.present) == (False, None, None, 2)
    assert (many.decided, many.yes_count, many.present) == (True, 6, 6)


def test_a_named_vote_on_one_ballot_still_publishes_its_count(high_tech, secretariat, council_seats):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat)
    votes.ballot_cast(motion=motion, actor=council_seats[0].user, choice="yes")
    motion = votes.motion_close(motion=motion, actor=secretariat)
    assert (motion.decided, motion.yes_count, motion.no_count) == (True, 1, 0)


def test_the_database_keeps_a_count_withheld_only_on_a_closed_secret_vote(high_tech, secretariat):
    from django.db import IntegrityError, transaction

    motion = gd.open_motion(secretariat, body=gd.council(high_tech))
    with pytest.raises(IntegrityError), transaction.atomic():
        Motion.objects.filter(pk=motion.pk).update(yes_count=None, no_count=None, abstain_count=None)
