"""Every change to the council's audited records reaches the audit log with the actor who made it, the
writes that touch several rows included (agenda positions, the attendance sheet, minutes approved by a
vote); the motion's tally counters never do."""

import pytest
from auditlog.models import LogEntry

from governance.models import AgendaItem, Attendance, Minutes
from governance.services import meetings, votes
from governance.services import minutes as minutes_services
from tests import governance_data as gd

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(high_tech):
    return gd.council(high_tech)


@pytest.fixture
def seats(body):
    return gd.seats(body)


@pytest.fixture
def secretariat(cast):
    return cast["secretariat"]


def _entries(instance, action=LogEntry.Action.UPDATE):
    return list(LogEntry.objects.get_for_object(instance).filter(action=action).order_by("pk"))


def _last_change(instance, field):
    """(old, new) of the field in the instance's latest update entry that changed it, and its actor."""
    for entry in reversed(_entries(instance)):
        if field in entry.changes_dict:
            return tuple(entry.changes_dict[field]), entry.actor
    return None, None


def test_minutes_approved_by_a_vote_are_logged_under_whoever_closed_it(body, secretariat, seats):
    held = gd.record_attendance(gd.planned_meeting(body, secretariat, hours_ahead=0.01), secretariat)
    meetings.meeting_mark_held(meeting=held, actor=secretariat)
    minutes = minutes_services.minutes_save(meeting=held, actor=secretariat, text="会议纪要正文")
    minutes = minutes_services.minutes_circulate(minutes=minutes, actor=secretariat)
    motion = gd.open_motion(secretariat, body=body, approves_minutes=minutes)
    for seat in seats:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    votes.motion_close(motion=motion, actor=secretariat)
    change, actor = _last_change(Minutes.objects.get(pk=minutes.pk), "status")
    assert change == ("circulated", "approved") and actor == secretariat


def test_removing_an_agenda_item_logs_the_items_moved_up_and_the_motion_it_leaves(body, secretariat):
    meeting = gd.planned_meeting(body, secretariat, agenda=["一", "二", "三"])
    first, second, third = meeting.agenda_items.order_by("position")
    draft = gd.open_motion(secretariat, meeting=meeting, opened=False, agenda_item=first)
    meetings.agenda_item_delete(item=first, actor=secretariat)
    assert list(meeting.agenda_items.order_by("position").values_list("title", "position")) == [("二", 1), ("三", 2)]
    assert _last_change(second, "position") == (("2", "1"), secretariat)
    assert _last_change(third, "position") == (("3", "2"), secretariat)
    draft.refresh_from_db()
    assert draft.agenda_item is None
    change, actor = _last_change(draft, "agenda_item")
    assert change[1] == "None" and actor == secretariat


def test_moving_an_agenda_item_logs_both_positions(body, secretariat):
    meeting = gd.planned_meeting(body, secretariat, agenda=["一", "二"])
    first, second = meeting.agenda_items.order_by("position")
    meetings.agenda_move(item=second, actor=secretariat, up=True)
    assert list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True)) == ["二", "一"]
    assert _last_change(first, "position") == (("1", "2"), secretariat)
    assert _last_change(second, "position") == (("2", "1"), secretariat)


def test_moving_a_proxy_logs_each_row_against_what_it_was(body, secretariat, seats):
    absent_a, absent_b, carrier_a, carrier_b = seats[5], seats[6], seats[0], seats[1]
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat, modes={
        absent_a: {"mode": "proxy", "proxy_seat": carrier_a.pk},
        absent_b: {"mode": "proxy", "proxy_seat": carrier_b.pk}})
    # The two proxies swap carriers, and one seat present in person turns out to have been online.
    meetings.attendance_set(meeting=meeting, actor=secretariat, records=[
        {"seat": absent_a.pk, "mode": "proxy", "proxy_seat": carrier_b.pk},
        {"seat": absent_b.pk, "mode": "proxy", "proxy_seat": carrier_a.pk},
        {"seat": seats[2].pk, "mode": "online"}])
    row_a, row_b, online = (Attendance.objects.get(meeting=meeting, seat=seat) for seat in (absent_a, absent_b,
                                                                                             seats[2]))
    assert (row_a.proxy_seat_id, row_b.proxy_seat_id) == (carrier_b.pk, carrier_a.pk)
    update_a = _entries(row_a)[-1]
    assert update_a.actor == secretariat
    assert update_a.changes_dict["proxy_seat"] == [str(carrier_a.pk), str(carrier_b.pk)]
    assert "mode" not in update_a.changes_dict  # it never was absent: the collision guard is not a change
    assert _last_change(online, "mode") == (("in_person", "online"), secretariat)
    assert all(entry.actor == secretariat for row in (row_a, row_b, online) for entry in _entries(row))


def test_sending_invitations_is_logged_under_the_secretariat(body, secretariat):
    meeting = gd.planned_meeting(body, secretariat)
    meetings.invitations_send(meeting=meeting, actor=secretariat)
    meeting.refresh_from_db()
    change, actor = _last_change(meeting, "invitations_sent_at")
    assert change[0] == "None" and actor == secretariat


def test_closing_a_vote_logs_the_result_but_never_the_tally_counters(high_tech, secretariat, seats):
    _meeting, motion = gd.meeting_with_open_motion(high_tech, secretariat)
    for seat in seats[:5]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    votes.motion_close(motion=motion, actor=secretariat)
    entries = LogEntry.objects.get_for_object(motion)
    assert any("adopted" in entry.changes_dict and entry.actor == secretariat for entry in entries)
    assert not any({"yes_count", "no_count", "abstain_count"} & set(entry.changes_dict) for entry in entries)
