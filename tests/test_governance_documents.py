"""A meeting's .ics file, the personal calendar feed and the minutes PDF: what each role gets."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar
from pypdf import PdfReader

from governance.models import Body, CalendarFeed, Minutes, Seat
from governance.services import meetings, minutes, votes
from tests.governance_data import (
    council,
    open_motion,
    planned_meeting,
    record_attendance,
    seats,
    start,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "official", "secretariat", "director", "contact", "expert", "outsider", "weifang_official",
         "weifang_secretariat"]
LOGIN = "login"
# Those who may read the high-tech alliance's council business: its secretariat, its seats, its city's officials.
COUNCIL_READERS = {role: 404 for role in ROLES} | {"anonymous": LOGIN, "official": 200, "secretariat": 200,
                                                   "director": 200}


def check(response, want):
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), response
    else:
        assert response.status_code == want, response.status_code


def events(content: bytes) -> dict:
    """{summary: event} of an iCalendar file."""
    return {str(event["SUMMARY"]): event for event in Calendar.from_ical(content).walk("VEVENT")}


def chinese(message: str) -> str:
    """A label as the document shows it (the catalogue's Chinese once it is translated), without white space."""
    with translation.override("zh-hans"):
        return "".join(gettext(message).split())


def pdf_text(content: bytes) -> str:
    """The text of a PDF without white space (a table cell may wrap anywhere)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(text.split())


@pytest.fixture
def meeting(cast, high_tech):
    return planned_meeting(council(high_tech), cast["secretariat"], title="第三次理事会会议")


def held_meeting_with_minutes(secretariat, body, *, title, items, attendance=None, text="会议由理事长主持。"):
    """A held meeting whose agenda items each carry a motion, adopted by every present seat, and its minutes."""
    meeting = start(planned_meeting(body, secretariat, title=title, agenda=items), secretariat)
    if attendance is None:
        record_attendance(meeting, secretariat)
    else:
        meetings.attendance_set(meeting=meeting, actor=secretariat, records=attendance)
    for item in meeting.agenda_items.order_by("position"):
        motion = open_motion(secretariat, meeting=meeting, title=f"关于{item.title}的议案", agenda_item=item)
        for seat, caster, _proxy in votes.castable(motion):
            votes.ballot_cast(motion=motion, actor=caster, choice="yes", seat=seat)
        votes.motion_close(motion=motion, actor=secretariat)
    meetings.meeting_mark_held(meeting=meeting, actor=secretariat)
    minutes.minutes_save(meeting=meeting, actor=secretariat, text=text)
    return meeting


# A meeting's .ics ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_meeting_ics_permissions(cast, client_for, meeting, role):
    response = client_for(cast[role]).get(reverse("governance:meeting_ics", args=[meeting.pk]))
    check(response, COUNCIL_READERS[role])
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/calendar")
        assert "第三次理事会会议" in events(response.content)


def test_it_describes_the_meeting_and_links_back_to_it(cast, client_for, meeting, settings):
    settings.SITE_URL = "https://alliance.example.cn"
    response = client_for(cast["director"]).get(reverse("governance:meeting_ics", args=[meeting.pk]))
    event = events(response.content)["第三次理事会会议"]
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == meeting.ends_at.replace(microsecond=0)
    assert str(event["LOCATION"]) == "淄博高新区管委会 301"
    assert str(event["URL"]) == f"https://alliance.example.cn/governance/meetings/{meeting.pk}/"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_moved_meeting_has_a_higher_sequence_even_when_moved_earlier(cast, client_for, meeting):
    browser = client_for(cast["director"])
    url = reverse("governance:meeting_ics", args=[meeting.pk])
    first = events(browser.get(url).content)["第三次理事会会议"]
    meetings.meeting_update(meeting=meeting, actor=cast["secretariat"], starts_at=meeting.starts_at - timedelta(hours=1))
    moved = events(browser.get(url).content)["第三次理事会会议"]
    assert moved.decoded("DTSTART") == (meeting.starts_at - timedelta(hours=1)).replace(microsecond=0)
    assert moved["SEQUENCE"] > first["SEQUENCE"]
    assert str(moved["UID"]) == str(first["UID"])


def test_a_missing_meeting_is_not_found(cast, client_for):
    assert client_for(cast["secretariat"]).get(reverse("governance:meeting_ics", args=[999999])).status_code == 404


# The personal calendar feed ------------------------------------------------------------------


@pytest.fixture
def feed_meetings(cast, high_tech, other_alliance):
    secretariat = cast["secretariat"]
    body = council(high_tech)
    planned = planned_meeting(body, secretariat, title="高新区理事会会议")
    cancelled = planned_meeting(body, secretariat, title="已取消的理事会会议", hours_ahead=48)
    meetings.meeting_cancel(meeting=cancelled, actor=secretariat)
    weifang_council = Body.objects.create(alliance=other_alliance, kind=Body.Kind.COUNCIL, name="理事会")
    weifang = planned_meeting(weifang_council, cast["weifang_secretariat"], title="潍坊理事会会议")
    return {"planned": planned, "cancelled": cancelled, "weifang": weifang}


FEED_CONTENT = {
    "official": set(), "contact": set(), "expert": set(), "outsider": set(), "weifang_official": set(),
    "secretariat": {"高新区理事会会议", "已取消的理事会会议"},
    "director": {"高新区理事会会议", "已取消的理事会会议"},
    "weifang_secretariat": {"潍坊理事会会议"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_user_gets_their_own_feed_without_logging_in(cast, client_for, feed_meetings, role):
    browser = client_for(cast[role])
    check(browser.get(reverse("governance:calendar")), LOGIN if role == "anonymous" else 200)
    reset = browser.post(reverse("governance:calendar_reset"))
    if role == "anonymous":
        check(reset, LOGIN)
        assert not CalendarFeed.objects.exists()
        return
    assert reset.status_code == 302 and reset["Location"] == reverse("governance:calendar")
    feed = CalendarFeed.objects.get(user=cast[role])
    page = browser.get(reverse("governance:calendar")).content.decode()
    assert f"/governance/calendar/{feed.token}.ics" in page

    response = Client().get(reverse("governance:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    found = events(response.content)
    assert set(found) == FEED_CONTENT[role]
    if "已取消的理事会会议" in found:
        assert str(found["已取消的理事会会议"]["STATUS"]) == "CANCELLED"
        assert str(found["高新区理事会会议"]["STATUS"]) == "CONFIRMED"


def test_an_alternate_gets_the_bodys_meetings(cast, client_for, feed_meetings):
    Seat.objects.filter(pk=seats(feed_meetings["planned"].body)[3].pk).update(alternate=cast["outsider"])
    client_for(cast["outsider"]).post(reverse("governance:calendar_reset"))
    token = CalendarFeed.objects.get(user=cast["outsider"]).token
    assert set(events(Client().get(reverse("governance:calendar_feed", args=[token])).content)) == {
        "高新区理事会会议", "已取消的理事会会议"}


def test_a_director_whose_seat_ended_no_longer_gets_the_meetings(cast, client_for, feed_meetings):
    Seat.objects.filter(user=cast["director"]).update(term_end=timezone.localdate())
    client_for(cast["director"]).post(reverse("governance:calendar_reset"))
    token = CalendarFeed.objects.get(user=cast["director"]).token
    assert events(Client().get(reverse("governance:calendar_feed", args=[token])).content) == {}


def test_an_unknown_token_is_not_found(db):
    assert Client().get(reverse("governance:calendar_feed", args=["not-a-token"])).status_code == 404


def test_replacing_the_address_cuts_off_the_old_one(cast, client_for, feed_meetings):
    browser = client_for(cast["director"])
    browser.post(reverse("governance:calendar_reset"))
    old = CalendarFeed.objects.get(user=cast["director"]).token
    browser.post(reverse("governance:calendar_reset"))
    new = CalendarFeed.objects.get(user=cast["director"]).token
    assert new != old and len(new) >= 40
    assert Client().get(reverse("governance:calendar_feed", args=[old])).status_code == 404
    assert Client().get(reverse("governance:calendar_feed", args=[new])).status_code == 200


def test_the_reset_is_a_post(cast, client_for):
    assert client_for(cast["director"]).get(reverse("governance:calendar_reset")).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_a_deactivated_users_feed_is_not_found(cast, client_for, feed_meetings):
    client_for(cast["director"]).post(reverse("governance:calendar_reset"))
    token = CalendarFeed.objects.get(user=cast["director"]).token
    type(cast["director"]).objects.filter(pk=cast["director"].pk).update(is_active=False)
    assert Client().get(reverse("governance:calendar_feed", args=[token])).status_code == 404


# The minutes PDF ---------------------------------------------------------------------------


@pytest.fixture
def held(cast, high_tech):
    return held_meeting_with_minutes(cast["secretariat"], council(high_tech), title="第二次理事会会议",
                                     items=["审议年度工作计划", "审议财务预算"],
                                     text="会议由理事长主持，审议并通过了年度工作计划和财务预算。")


@pytest.mark.parametrize("role", ROLES)
def test_minutes_pdf_permissions(cast, client_for, held, role):
    response = client_for(cast[role]).get(reverse("governance:minutes_pdf", args=[held.pk]))
    check(response, COUNCIL_READERS[role])
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_the_minutes_pdf_holds_the_meeting_in_chinese(cast, client_for, held):
    response = client_for(cast["director"]).get(reverse("governance:minutes_pdf", args=[held.pk]))
    text = pdf_text(response.content)
    year = timezone.localdate().year
    day = timezone.localdate(held.starts_at)
    for expected in ("第二次理事会会议", "理事会", "淄博高新区管委会301", f"{day.year}年{day.month}月{day.day}日",
                     "审议年度工作计划", "审议财务预算", "会议由理事长主持，审议并通过了年度工作计划和财务预算。",
                     "关于审议财务预算的议案", f"{year}-01", f"{year}-02", chinese("DRAFT – not approved"),
                     chinese("Adopted"), chinese("Agenda")):
        assert expected in text, expected


def test_the_minutes_pdf_follows_the_readers_language(cast, client_for, held, high_tech):
    response = client_for(cast["director"]).get(reverse("governance:minutes_pdf", args=[held.pk]),
                                                 headers={"accept-language": "en"})
    text = pdf_text(response.content)
    day = timezone.localdate(held.starts_at)
    assert "Agenda" in text and "".join(high_tech.name_en.split()) in text
    with translation.override("en"):
        assert "".join(formats.date_format(day, "DATE_FORMAT").split()) in text  # e.g. Dec. 1, 2026
    assert chinese("Agenda") not in text


def test_approved_minutes_are_not_marked_as_draft(cast, client_for, held, high_tech):
    secretariat = cast["secretariat"]
    record = minutes.minutes_circulate(minutes=Minutes.objects.get(meeting=held), actor=secretariat)
    later = record_attendance(planned_meeting(council(high_tech), secretariat, title="第三次理事会会议", hours_ahead=30),
                              secretariat)
    approval = open_motion(secretariat, meeting=later, title="关于批准会议纪要的议案", approves_minutes=record)
    for seat, caster, _proxy in votes.castable(approval):
        votes.ballot_cast(motion=approval, actor=caster, choice="yes", seat=seat)
    votes.motion_close(motion=approval, actor=secretariat)

    text = pdf_text(client_for(cast["director"]).get(reverse("governance:minutes_pdf", args=[held.pk])).content)
    assert chinese("DRAFT – not approved") not in text
    assert chinese("Approved") in text


def test_proxies_are_listed(cast, client_for, high_tech):
    body = council(high_tech)
    body_seats = seats(body)
    absent, carrier = body_seats[-1], body_seats[0]
    attendance = [{"seat": seat.pk, "mode": "in_person"} for seat in body_seats[:-1]]
    attendance.append({"seat": absent.pk, "mode": "proxy", "proxy_seat": carrier.pk})
    meeting = held_meeting_with_minutes(cast["secretariat"], body, title="委托表决的会议", items=["审议章程修改"],
                                        attendance=attendance)
    text = pdf_text(client_for(cast["director"]).get(reverse("governance:minutes_pdf", args=[meeting.pk])).content)
    assert "".join(absent.organization.name.split()) in text and "".join(carrier.organization.name.split()) in text


def test_a_meeting_without_minutes_has_no_pdf(cast, client_for, meeting):
    assert client_for(cast["secretariat"]).get(reverse("governance:minutes_pdf", args=[meeting.pk])).status_code == 404


def test_the_minutes_pdf_query_count_does_not_grow_with_agenda_or_attendance(cast, client_for, high_tech):
    body = council(high_tech)
    six_present = [{"seat": seat.pk, "mode": "in_person"} for seat in seats(body)[:6]]
    small = held_meeting_with_minutes(cast["secretariat"], body, title="小会", items=["一项议程"], attendance=six_present)
    large = held_meeting_with_minutes(cast["secretariat"], body, title="大会",
                                      items=[f"议程{n}" for n in range(1, 7)])
    browser = client_for(cast["director"])
    counts = []
    for meeting in (small, large):
        url = reverse("governance:minutes_pdf", args=[meeting.pk])
        browser.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts


def test_a_paper_file_is_removed_only_once_its_deletion_is_committed(cast, high_tech,
                                                                      django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from governance.services import meetings
    from tests.governance_data import council, planned_meeting

    meeting = planned_meeting(council(high_tech), cast["secretariat"], agenda=["审议工作计划"])
    item = meeting.agenda_items.get()
    paper = meetings.paper_add(item=item, actor=cast["secretariat"], title="工作计划",
                               file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf"))
    storage, name, pk = paper.file.storage, paper.file.name, paper.pk

    with pytest.raises(RuntimeError), transaction.atomic():
        meetings.paper_delete(paper=paper, actor=cast["secretariat"])
        raise RuntimeError("rolled back")
    kept = type(paper).objects.get(pk=pk)
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        meetings.paper_delete(paper=kept, actor=cast["secretariat"])
    assert not storage.exists(name)
