"""The council's figures as the assessment reads them: a held meeting keeps the quorum it had, whatever
happens to the seats afterwards; assessments read governance through its figures, never its models."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from assessments.metrics import governance_metrics
from governance.models import Meeting
from governance.selectors import meeting_get_for_user, meeting_quorum
from governance.services import meetings, seats
from members.models import Organization
from tests import governance_data as gd
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(high_tech):
    return gd.council(high_tech)


@pytest.fixture
def secretariat(cast):
    return cast["secretariat"]


def _held_with(body, secretariat, present):
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat, hours_ahead=0.01), secretariat,
                                   present=present)
    return meetings.meeting_mark_held(meeting=meeting, actor=secretariat)


def _figures(alliance):
    return governance_metrics(alliance, today=timezone.localdate() + timedelta(days=1))


def _unseated_unit(alliance, body):
    return (Organization.objects.filter(memberships__alliance=alliance, memberships__status="active")
            .exclude(seats__body=body, seats__term_end__isnull=True).first())


def test_a_held_meetings_quorum_rate_does_not_change_when_seats_change_afterwards(high_tech, body, secretariat):
    body_seats = gd.seats(body)
    meeting = _held_with(body, secretariat, present=6)  # 6 of 9: exactly the 2/3 quorum
    assert _figures(high_tech)["quorum_rate"] == "100.0"
    seats.seat_create(body=body, actor=secretariat, user=UserFactory(), organization=_unseated_unit(high_tech, body))
    seats.seat_end(seat=body_seats[0], actor=secretariat)  # a seat that was present
    assert len(gd.seats(body)) == 9  # today's seats would give 5 of 9 present: no quorum
    figures = _figures(high_tech)
    assert (figures["meetings_held"], figures["quorum_rate"]) == (1, "100.0")
    quorum = meeting_quorum(meeting_get_for_user(secretariat, meeting.pk))
    assert (quorum["present"], quorum["entitled"], quorum["fraction"], quorum["met"]) == (6, 9, "2/3", True)


def test_a_held_meeting_keeps_its_quorum_over_the_api(high_tech, body, secretariat, cast, api_for):
    meeting = _held_with(body, secretariat, present=5)  # 5 of 9: short of the quorum
    for seat in gd.seats(body)[5:7]:  # two absent seats leave: 5 of 7 would meet it
        seats.seat_end(seat=seat, actor=secretariat)
    answer = api_for(cast["director"]).get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert (answer["present_count"], answer["entitled_count"], answer["quorum_met"]) == (5, 9, False)
    assert _figures(high_tech)["quorum_rate"] == "0.0"


def test_the_quorum_is_taken_from_the_seats_in_office_on_the_day_of_the_meeting(high_tech, body, secretariat):
    body_seats = gd.seats(body)
    late = body_seats[-1]
    late.term_start = timezone.localdate() + timedelta(days=3)  # took office after the meeting
    late.save(update_fields=["term_start"])
    meeting = _held_with(body, secretariat, present=6)
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.seats_in_office, meeting.seats_present, meeting.quorum_fraction) == (8, 6, "2/3")


def test_correcting_a_held_meetings_attendance_takes_its_quorum_again(high_tech, body, secretariat):
    meeting = _held_with(body, secretariat, present=5)
    absent = gd.seats(body)[5]
    meetings.attendance_set(meeting=meeting, actor=secretariat, records=[{"seat": absent.pk, "mode": "online"}])
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.seats_in_office, meeting.seats_present) == (9, 6)
    assert _figures(high_tech)["quorum_rate"] == "100.0"


def test_assessments_import_no_governance_model():
    for path in Path("assessments").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("governance"):
                assert node.module not in ("governance.models",), f"{path} imports {node.module}"
                assert node.module in ("governance.figures",), f"{path} reads governance past its figures"
