"""The meeting room's pages: starting a meeting, the attendance sheet (one line per seat, all present), a ballot
confirmed before it is cast with neutral choices, closing with seats not voted, the reminder, and recording a
show of hands or a paper count."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Attendance, Ballot, Meeting, Motion
from governance.services import meetings, votes
from kernel.models import Notification
from tests import governance_data as gd
from tests.test_governance_meeting_room import World

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(cast, high_tech):
    return World(cast, high_tech)


@pytest.fixture
def secretariat_page(client_for, cast):
    return client_for(cast["secretariat"])


# A meeting's life --------------------------------------------------------------------------------


def test_a_meeting_ahead_offers_to_start_it_and_its_sheet_waits(world, secretariat_page):
    meeting = world["ahead"]
    page = secretariat_page.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert 'id="start-meeting"' in page and 'id="mark-held"' not in page
    sheet = secretariat_page.get(f"/governance/meetings/{meeting.pk}/attendance/").content.decode()
    assert 'id="sheet-not-started"' in sheet and 'id="attendance-form"' not in sheet
    data = {f"mode_{seat.pk}": "in_person" for seat in world.seats}
    response = secretariat_page.post(f"/governance/meetings/{meeting.pk}/attendance/", data)
    assert response.status_code == 409 and not Attendance.objects.filter(meeting=meeting).exists()
    response = secretariat_page.post(f"/governance/meetings/{meeting.pk}/start/")
    assert response.status_code == 302 and Meeting.objects.get(pk=meeting.pk).in_session
    page = secretariat_page.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert 'data-in-session="yes"' in page and 'id="mark-held"' in page


def test_the_start_is_the_secretariats(world, client_for, cast):
    meeting = world["ahead"]
    assert client_for(cast["director"]).post(f"/governance/meetings/{meeting.pk}/start/").status_code == 403
    assert client_for(cast["outsider"]).post(f"/governance/meetings/{meeting.pk}/start/").status_code == 404
    assert not Meeting.objects.get(pk=meeting.pk).in_session


# The attendance sheet ----------------------------------------------------------------------------


def test_the_sheet_has_one_line_per_seat_with_the_modes_as_buttons_and_the_quorum_above(world, secretariat_page):
    page = secretariat_page.get(f"/governance/meetings/{world['live'].pk}/attendance/").content.decode()
    assert page.count('class="seat-line"') == 9
    assert page.index('id="quorum"') < page.index('id="attendance-form"')
    line = page.split(f'data-seat="{world.seats[-1].pk}"')[1].split("</li>")[0]
    assert line.count('type="radio"') == 4 and 'value="proxy" checked' in line
    assert 'class="proxy-fields"' in line and world.seats[-1].organization.name in line
    assert 'id="all-present"' in page


def test_all_present_records_every_seat_in_person(world, secretariat_page):
    meeting = world["live"]
    response = secretariat_page.post(f"/governance/meetings/{meeting.pk}/attendance/",
                                     {"all_present": "1"}, **HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "attendance-saved"
    modes = set(Attendance.objects.filter(meeting=meeting).values_list("mode", flat=True))
    assert modes == {"in_person"} and Attendance.objects.filter(meeting=meeting).count() == 9


# The ballot --------------------------------------------------------------------------------------


def _open(world, **fields):
    return votes.motion_open(motion=world.motion("electronic", **fields), actor=world.secretariat)


def test_the_three_choices_look_alike(world, client_for, cast):
    motion = _open(world)
    page = client_for(cast["director"]).get("/governance/votes/").content.decode()
    box = re.search(rf'<form class="ballot"[^>]*data-motion="{motion.pk}"[^>]*>(.*?)</form>', page, re.S).group(1)
    buttons = re.findall(r"<button[^>]*>", box)
    assert len(buttons) == 3 and {re.search(r'class="([^"]*)"', b).group(1) for b in buttons} == {"choice"}


def test_a_ballot_is_confirmed_before_it_is_cast(world, client_for, cast):
    motion = _open(world)
    browser = client_for(cast["director"])
    url = f"/governance/votes/{motion.pk}/"
    chosen = browser.post(url, {"choice": "no", "seat": ""}, **HTMX)
    assert chosen.status_code == 200 and 'data-step="confirm"' in chosen.content.decode()
    assert 'data-choice="no"' in chosen.content.decode() and not Ballot.objects.filter(motion=motion).exists()
    back = browser.post(url, {"choice": "no", "seat": "", "confirmed": "1", "back": "1"}, **HTMX)
    assert 'data-step="choose"' in back.content.decode() and not Ballot.objects.filter(motion=motion).exists()
    cast_now = browser.post(url, {"choice": "no", "seat": "", "confirmed": "1"}, **HTMX)
    assert 'data-voted="yes"' in cast_now.content.decode()
    assert Ballot.objects.get(motion=motion).choice == "no"


def test_without_htmx_the_confirmation_is_a_page(world, client_for, cast):
    motion = _open(world)
    browser = client_for(cast["director"])
    page = browser.post(f"/governance/votes/{motion.pk}/", {"choice": "yes", "next": "/governance/votes/"})
    assert page.status_code == 200 and 'id="confirm-vote"' in page.content.decode()
    assert 'name="next" value="/governance/votes/"' in page.content.decode()
    back = browser.post(f"/governance/votes/{motion.pk}/", {"choice": "yes", "back": "1", "next": "/governance/votes/"})
    assert back.status_code == 302 and back["Location"] == "/governance/votes/"
    assert not Ballot.objects.filter(motion=motion).exists()


def test_the_confirmation_step_already_refuses_who_cannot_vote(world, client_for, cast):
    motion = _open(world)
    response = client_for(cast["official"]).post(f"/governance/votes/{motion.pk}/", {"choice": "yes"}, **HTMX)
    assert response.status_code == 403 and 'role="alert"' in response.content.decode()


# The secretariat on an open vote ------------------------------------------------------------------


def test_the_secretariat_sees_who_has_not_voted_and_reminds_them_once(world, secretariat_page, client_for, cast):
    motion = _open(world, ballot="secret")
    votes.ballot_cast(motion=motion, actor=world.seats[1].user, choice="no")
    page = secretariat_page.get(f"/governance/motions/{motion.pk}/").content.decode()
    listed = page.split('id="not-voted"')[1].split("</table>")[0]
    assert listed.count("data-seat=") == 8 and f'data-seat="{world.seats[1].pk}"' not in listed
    rows = listed.split("<tbody>")[1]
    assert not re.search(r">\s*(No|反对)\s*<", rows) and 'id="remind"' in page
    assert 'id="not-voted"' not in client_for(cast["director"]).get(f"/governance/motions/{motion.pk}/").content.decode()
    response = secretariat_page.post(f"/governance/motions/{motion.pk}/remind/")
    assert response.status_code == 302
    page = secretariat_page.get(f"/governance/motions/{motion.pk}/").content.decode()
    assert 'id="remind"' not in page and 'id="reminded-all"' in page
    secretariat_page.post(f"/governance/motions/{motion.pk}/remind/")
    assert Notification.objects.filter(user=cast["director"], key__startswith=f"motion:{motion.pk}:remind:").count() == 1


def test_closing_asks_for_confirmation_while_seats_present_have_not_voted(world, secretariat_page):
    motion = _open(world)
    votes.ballot_cast(motion=motion, actor=world.seats[1].user, choice="yes")
    asked = secretariat_page.post(f"/governance/motions/{motion.pk}/close/")
    assert asked.status_code == 200 and 'id="confirm-close"' in asked.content.decode()
    assert asked.content.decode().count("data-seat=") == 8
    assert Motion.objects.get(pk=motion.pk).state == "open"
    assert secretariat_page.post(f"/governance/motions/{motion.pk}/close/", {"confirmed": "1"}).status_code == 302
    assert Motion.objects.get(pk=motion.pk).state == "closed"


def test_closing_when_every_seat_has_voted_needs_no_confirmation(world, secretariat_page):
    motion = _open(world)
    for seat, caster, _as_proxy in votes.castable(motion):
        votes.ballot_cast(motion=motion, actor=caster, choice="yes", seat=seat)
    assert secretariat_page.post(f"/governance/motions/{motion.pk}/close/").status_code == 302
    assert Motion.objects.get(pk=motion.pk).adopted


# Recording a vote taken in the room --------------------------------------------------------------


def test_a_show_of_hands_is_recorded_seat_by_seat_on_the_page(world, secretariat_page):
    motion = world.motion("show_of_hands")
    page = secretariat_page.get(f"/governance/motions/{motion.pk}/").content.decode()
    assert 'id="record-form"' in page and 'id="open-vote"' not in page
    assert page.split('id="record-form"')[1].count('class="seat-line"') == 9
    data = {f"hand_{seat.pk}": "yes" for seat in world.seats[:8]}
    missing = secretariat_page.post(f"/governance/motions/{motion.pk}/record/", data)
    assert missing.status_code == 400 and Motion.objects.get(pk=motion.pk).state == "draft"
    data[f"hand_{world.seats[8].pk}"] = ""  # the proxy did not raise a hand
    response = secretariat_page.post(f"/governance/motions/{motion.pk}/record/", data)
    assert response.status_code == 302
    motion = Motion.objects.get(pk=motion.pk)
    assert (motion.state, motion.yes_count, motion.adopted, motion.ballots.count()) == ("closed", 8, True, 8)
    page = secretariat_page.get(f"/governance/motions/{motion.pk}/").content.decode()
    assert 'data-method="show_of_hands"' in page and motion.resolution_number in page


def test_a_paper_count_above_the_ballots_entitled_is_refused_on_the_page(world, secretariat_page):
    motion = world.motion("paper")
    url = f"/governance/motions/{motion.pk}/record/"
    response = secretariat_page.post(url, {"yes": "8", "no": "2", "abstain": "0", "tellers": "王五、赵六"})
    assert response.status_code == 400 and response.context["record_form"].non_field_errors()
    assert Motion.objects.get(pk=motion.pk).state == "draft"
    response = secretariat_page.post(url, {"yes": "7", "no": "1", "abstain": "1", "tellers": ""})
    assert response.status_code == 400 and response.context["record_form"].errors["tellers"]
    assert secretariat_page.post(url, {"yes": "7", "no": "1", "abstain": "1", "tellers": "王五、赵六"}).status_code == 302
    page = secretariat_page.get(f"/governance/motions/{motion.pk}/").content.decode()
    assert 'id="tellers"' in page and "王五、赵六" in page and 'id="paper-ballots"' in page


def test_recording_waits_for_the_session(world, secretariat_page):
    meeting = world["ahead"]
    motion = gd.open_motion(world.secretariat, meeting=meeting, opened=False, voting_method="paper")
    page = secretariat_page.get(f"/governance/motions/{motion.pk}/").content.decode()
    assert 'id="record-not-in-session"' in page and 'id="record-form"' not in page
    response = secretariat_page.post(f"/governance/motions/{motion.pk}/record/",
                                     {"yes": "1", "no": "0", "abstain": "0", "tellers": "王五"})
    assert response.status_code == 409


def test_a_past_meeting_is_entered_from_the_planner_and_held_after_its_votes(world, secretariat_page, high_tech):
    start = timezone.localtime() - timedelta(days=200)
    response = secretariat_page.post(f"/governance/alliances/{high_tech.pk}/meetings/new/", {
        "body": world.body.pk, "kind": "annual", "title": "补录的年度会议", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})
    meeting = Meeting.objects.get(title="补录的年度会议")
    assert response.status_code == 302 and meeting.in_session
    secretariat_page.post(f"/governance/meetings/{meeting.pk}/attendance/", {"all_present": "1"})
    motion = gd.open_motion(world.secretariat, meeting=meeting, opened=False, voting_method="show_of_hands")
    secretariat_page.post(f"/governance/motions/{motion.pk}/record/",
                          {f"hand_{seat.pk}": "yes" for seat in world.seats})
    assert secretariat_page.post(f"/governance/meetings/{meeting.pk}/held/").status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == "held"
    assert Motion.objects.get(pk=motion.pk).resolution_year == timezone.localdate(meeting.starts_at).year


def test_a_held_meeting_refuses_a_new_start(world, secretariat_page):
    meeting = world["live"]
    meetings.meeting_mark_held(meeting=meeting, actor=world.secretariat)
    assert secretariat_page.post(f"/governance/meetings/{meeting.pk}/start/").status_code == 409
