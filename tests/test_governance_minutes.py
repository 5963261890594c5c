"""Whether minutes may be written is decided once (governance.permissions): the page shows the form exactly
when the service would take it, and says why not otherwise."""

import pytest
from django.utils import translation

from governance.models import Minutes
from governance.permissions import can_edit_minutes
from governance.services import meetings, votes
from governance.services import minutes as minutes_services
from tests import governance_data as gd

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def body(high_tech):
    return gd.council(high_tech)


@pytest.fixture
def secretariat(cast):
    return cast["secretariat"]


def _page(client_for, user, meeting):
    return client_for(user).get(f"/governance/meetings/{meeting.pk}/minutes/",
                                HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_secretariat_writes_the_minutes_of_a_held_meeting_only(body, secretariat, cast, client_for):
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat, hours_ahead=0.01), secretariat)
    assert not can_edit_minutes(secretariat, meeting, None)
    page = _page(client_for, secretariat, meeting)
    assert 'id="minutes-form"' not in page and "Minutes are kept for a meeting that has been held." in page
    meeting = meetings.meeting_mark_held(meeting=meeting, actor=secretariat)
    assert can_edit_minutes(secretariat, meeting, None)
    assert not can_edit_minutes(cast["director"], meeting, None)
    assert 'id="minutes-form"' in _page(client_for, secretariat, meeting)
    assert 'id="minutes-form"' not in _page(client_for, cast["director"], meeting)


def test_minutes_being_voted_on_show_no_form_and_say_why(body, secretariat, client_for):
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat, hours_ahead=0.01), secretariat)
    meeting = meetings.meeting_mark_held(meeting=meeting, actor=secretariat)
    minutes = minutes_services.minutes_save(meeting=meeting, actor=secretariat, text="会议纪要正文")
    minutes = minutes_services.minutes_circulate(minutes=minutes, actor=secretariat)
    assert can_edit_minutes(secretariat, meeting, minutes)  # circulated: a change sends them back to draft
    motion = gd.open_motion(secretariat, body=body, approves_minutes=minutes)
    assert not can_edit_minutes(secretariat, meeting, minutes)
    page = _page(client_for, secretariat, meeting)
    assert 'id="minutes-form"' not in page and "being voted on" in page
    response = client_for(secretariat).post(f"/governance/meetings/{meeting.pk}/minutes/", {"text": "改写"})
    assert response.status_code == 409
    for seat in gd.seats(body):
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    votes.motion_close(motion=motion, actor=secretariat)
    minutes = Minutes.objects.get(pk=minutes.pk)
    assert not can_edit_minutes(secretariat, meeting, minutes)
    page = _page(client_for, secretariat, meeting)
    assert 'id="minutes-locked"' in page and 'id="minutes-form"' not in page
