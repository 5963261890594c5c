"""The council pages: every page and write against each role, flat query counts, and behaviour
(ballots, quorum, uploads, form validation)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from governance.models import (
    AgendaItem,
    Attendance,
    Ballot,
    ConflictDeclaration,
    ExtraordinaryRequest,
    Invitation,
    Meeting,
    Minutes,
    Motion,
    Paper,
    Seat,
    Task,
    TaskReport,
)
from governance.services import meetings, minutes, tasks, votes
from members.models import Organization
from tests.conftest import cast_users, keep_files, restore_files
from tests.governance_data import council, open_motion, planned_meeting, record_attendance, seats

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "official", "secretariat", "director", "contact", "expert", "outsider", "weifang_official",
         "weifang_secretariat"]
LOGIN = "login"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


def pdf(name="paper.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test paper", content_type="application/pdf")


@pytest.fixture(scope="module")
def built_world(module_transaction):
    """The high-tech council with a planned meeting (agenda, paper, invitations), a meeting in session with
    attendance and a draft motion, another with an open motion, a held meeting with an adopted and published
    resolution and draft minutes, tasks for the contact's unit and an extraordinary request; built once for the
    module (about 500 queries), each test sees it as built (see module_transaction)."""
    cast = cast_users()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    secretariat = cast["secretariat"]
    body = council(high_tech)
    body_seats = seats(body)
    meeting = planned_meeting(body, secretariat, agenda=["审议年度工作计划"])
    item = meeting.agenda_items.get()
    paper = meetings.paper_add(item=item, actor=secretariat, title="年度工作计划", file=pdf())
    meetings.invitations_send(meeting=meeting, actor=secretariat)

    ready = record_attendance(planned_meeting(body, secretariat, title="第四次理事会会议"), secretariat)
    draft = open_motion(secretariat, meeting=ready, title="关于章程修订的议案", opened=False)

    live = record_attendance(planned_meeting(body, secretariat, title="第五次理事会会议"), secretariat)
    motion = open_motion(secretariat, meeting=live)
    held = record_attendance(planned_meeting(body, secretariat, title="第二次理事会会议"), secretariat)
    adopted = open_motion(secretariat, meeting=held, title="关于共建实训基地的议案")
    for seat in body_seats:
        votes.ballot_cast(motion=adopted, actor=seat.user, choice="yes")
    adopted = votes.motion_close(motion=adopted, actor=secretariat)
    votes.motion_publish(motion=adopted, actor=secretariat)
    meetings.meeting_mark_held(meeting=held, actor=secretariat)
    minutes.minutes_save(meeting=held, actor=secretariat, text="会议纪要草稿。")

    contact_org = Organization.objects.get(contacts__user=cast["contact"])
    task_fields = {"target_value": "10", "target_unit": "人", "weight": "1",
                   "due_on": timezone.localdate() + datetime.timedelta(days=30)}
    task = tasks.task_create(alliance=high_tech, actor=secretariat, owner=contact_org, motion=adopted,
                             title="培养技能人才", **task_fields)
    submitted = tasks.task_create(alliance=high_tech, actor=secretariat, owner=contact_org, motion=adopted,
                                  title="共建实训室", **task_fields)
    tasks.task_report(task=submitted, actor=cast["contact"], achieved="10", evidence=pdf("evidence.pdf"), done=True)
    request = meetings.extraordinary_request(body=body, actor=body_seats[1].user, subject="研究重大投资事项",
                                             reason="涉及联合体重大投资。")
    return {
        "ht": high_tech.pk, "body": body.pk, "meeting": meeting.pk, "item": item.pk, "paper": paper.pk,
        "ready": ready.pk, "draft": draft.pk, "live": live.pk, "held": held.pk, "motion": motion.pk,
        "adopted": adopted.pk,
        "task": task.pk, "submitted": submitted.pk, "request": request.pk, "contact_org": contact_org.pk,
        "seat": body_seats[-1].pk, "seats": [seat.pk for seat in body_seats],
        "files": keep_files(paper.file, TaskReport.objects.get(task=submitted).evidence),
    }


@pytest.fixture(autouse=True)
def world(built_world, db):
    """The ids of the module's council business (autouse: every test of the module runs on the same rows)."""
    restore_files(built_world["files"])
    return {**built_world, "seats": list(built_world["seats"])}


def attendance_data(world):
    data = {f"mode_{pk}": "in_person" for pk in world["seats"]}
    data[f"mode_{world['seats'][-1]}"] = "absent"
    return data


def future(hours):
    return (timezone.localtime() + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


SIGNED_IN = _expect(200, anonymous=LOGIN)
ANYONE = _expect(200)
READERS = _expect(403, anonymous=LOGIN, official=200, secretariat=200, director=200)
INSIDE = _expect(404, anonymous=LOGIN, official=200, secretariat=200, director=200)
INSIDE_SECRETARIAT = _expect(404, anonymous=LOGIN, official=403, secretariat=200, director=403)
SECRETARIAT_ONLY = _expect(403, anonymous=LOGIN, secretariat=200)
SEAT_KEEPERS = _expect(403, anonymous=LOGIN, official=200, secretariat=200)


def _write(secretariat=302, **overrides):
    """A secretariat write on a meeting or motion of the council: hidden (404) outside it, 403 inside."""
    return _expect(404, anonymous=LOGIN, official=403, director=403, secretariat=secretariat, **overrides)


PAGES = [
    ("GET", "/governance/", None, SIGNED_IN),
    ("GET", "/governance/votes/", None, SIGNED_IN),
    ("GET", "/governance/tasks/", None, SIGNED_IN),
    ("GET", "/governance/resolutions/", None, ANYONE),
    ("GET", "/governance/alliances/{ht}/meetings/", None, READERS),
    ("GET", "/governance/alliances/{ht}/motions/new/", None, SECRETARIAT_ONLY),
    ("GET", "/governance/alliances/{ht}/motions/new/?item={item}", None, SECRETARIAT_ONLY),
    ("GET", "/governance/alliances/{ht}/motions/new/?minutes={held}", None, SECRETARIAT_ONLY),
    ("GET", "/governance/alliances/{ht}/requests/", None, READERS),
    ("GET", "/governance/alliances/{ht}/seats/", None, SEAT_KEEPERS),
    ("GET", "/governance/meetings/{meeting}/", None, INSIDE),
    ("GET", "/governance/meetings/{held}/", None, INSIDE),
    ("GET", "/governance/meetings/{meeting}/attendance/", None, INSIDE_SECRETARIAT),
    ("GET", "/governance/meetings/{ready}/quorum/", None, INSIDE),
    ("GET", "/governance/meetings/{held}/minutes/", None, INSIDE),
    ("GET", "/governance/papers/{paper}/", None, INSIDE),
    ("GET", "/governance/motions/{draft}/", None, _expect(404, official=200, secretariat=200, director=200)),
    ("GET", "/governance/motions/{motion}/", None, _expect(404, official=200, secretariat=200, director=200)),
    ("GET", "/governance/motions/{adopted}/", None, ANYONE),
    ("GET", "/governance/motions/{draft}/edit/", None, INSIDE_SECRETARIAT),
    ("GET", "/governance/motions/{adopted}/tasks/new/", None, SECRETARIAT_ONLY),
    ("GET", "/governance/tasks/{task}/", None, _expect(404, anonymous=LOGIN, official=200, secretariat=200,
                                                       director=200, contact=200)),
    ("POST", "/governance/alliances/{ht}/meetings/new/",
     {"body": "{body}", "kind": "regular", "title": "第五次理事会会议", "starts_at": future(24),
      "ends_at": future(26), "location": "301"}, _expect(403, anonymous=LOGIN, secretariat=302)),
    ("POST", "/governance/meetings/{meeting}/edit/",
     {"kind": "regular", "title": "第三次理事会会议（改期）", "starts_at": future(30), "ends_at": future(32)}, _write()),
    ("POST", "/governance/meetings/{meeting}/cancel/", {}, _write()),
    ("POST", "/governance/meetings/{ready}/held/", {}, _write()),
    ("POST", "/governance/meetings/{meeting}/invitations/", {}, _write()),
    ("POST", "/governance/meetings/{meeting}/rsvp/", {"response": "attending"},
     _expect(404, anonymous=LOGIN, official=403, secretariat=403, director=302)),
    ("POST", "/governance/meetings/{meeting}/agenda/", {"title": "其他事项"}, _write()),
    ("POST", "/governance/agenda/{item}/", {"item{item}-title": "审议年度工作计划（修订）"}, _write()),
    ("POST", "/governance/agenda/{item}/move/", {"direction": "down"}, _write()),
    ("POST", "/governance/agenda/{item}/delete/", {}, _write()),
    ("POST", "/governance/agenda/{item}/papers/", {"paper{item}-title": "附件", "paper{item}-file": pdf}, _write()),
    ("POST", "/governance/papers/{paper}/delete/", {}, _write()),
    ("POST", "/governance/meetings/{ready}/attendance/", attendance_data, _write()),
    ("POST", "/governance/meetings/{held}/minutes/", {"text": "会议纪要（修订）。"}, _write()),
    ("POST", "/governance/meetings/{held}/minutes/circulate/", {}, _write()),
    ("POST", "/governance/alliances/{ht}/motions/new/",
     {"body": "{body}", "meeting": "{ready}", "title": "关于新增成员的议案", "text": "正文", "category": "ordinary",
      "rule": "category", "quorum_fraction": "2/3", "ballot": "named"},
     _expect(403, anonymous=LOGIN, secretariat=302)),
    ("POST", "/governance/motions/{draft}/edit/",
     {"title": "关于章程修订的议案（修改稿）", "text": "正文", "category": "charter", "rule": "two_thirds_entitled",
      "quorum_fraction": "2/3", "ballot": "secret"}, _write()),
    ("POST", "/governance/motions/{draft}/open/", {}, _write()),
    ("POST", "/governance/motions/{draft}/delete/", {}, _write()),
    ("POST", "/governance/motions/{motion}/close/", {"confirmed": "1"}, _write()),
    ("POST", "/governance/motions/{adopted}/publish/", {"published": "1"},
     _expect(403, anonymous=LOGIN, secretariat=302)),
    ("POST", "/governance/motions/{motion}/conflict/", {"reason": "本单位为议案相对方"},
     _expect(404, anonymous=LOGIN, official=403, secretariat=403, director=302)),
    ("POST", "/governance/votes/{motion}/", {"choice": "yes", "confirmed": "1"},
     _expect(404, anonymous=LOGIN, official=403, secretariat=403, director=302)),
    ("POST", "/governance/motions/{adopted}/tasks/new/",
     {"title": "开发课程", "owner": "{contact_org}", "target_value": "3", "target_unit": "门", "weight": "1",
      "due_on": "2030-01-01"}, _expect(403, anonymous=LOGIN, secretariat=302)),
    ("POST", "/governance/tasks/{task}/report/", {"achieved": "3", "note": "已培养3人"},
     _expect(404, anonymous=LOGIN, official=403, secretariat=403, director=403, contact=302)),
    ("POST", "/governance/tasks/{submitted}/accept/", {},
     _expect(404, anonymous=LOGIN, official=403, secretariat=302, director=403, contact=403)),
    ("POST", "/governance/tasks/{submitted}/return/", {"reason": "证明材料不足"},
     _expect(404, anonymous=LOGIN, official=403, secretariat=302, director=403, contact=403)),
    ("POST", "/governance/alliances/{ht}/requests/", {"body": "{body}", "subject": "临时会议", "reason": "紧急事项"},
     _expect(403, anonymous=LOGIN, director=302)),
    ("POST", "/governance/requests/{request}/sign/", {},
     _expect(404, anonymous=LOGIN, official=403, secretariat=403, director=302)),
    ("POST", "/governance/alliances/{ht}/seats/",
     {"body": "{body}", "username": "contact", "organization": "{contact_org}", "office": "director"},
     _expect(403, anonymous=LOGIN, official=302, secretariat=302)),
    ("POST", "/governance/seats/{seat}/end/", {},
     _expect(404, anonymous=LOGIN, official=302, secretariat=302, director=403)),
]


def _payload(data, world):
    if callable(data):
        return data(world)
    return {key.format(**world): (value() if callable(value) else str(value).format(**world))
            for key, value in (data or {}).items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "expected"), PAGES, ids=[f"{m} {u}" for m, u, _d, _e in PAGES])
def test_page_permissions(cast, world, client_for, role, method, url, data, expected):
    browser = client_for(cast[role])
    path = url.format(**world)
    response = browser.get(path) if method == "GET" else browser.post(path, _payload(data, world))
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), response
    else:
        assert response.status_code == want, (role, path, response.status_code,
                                              response.content.decode()[:2000] if response.status_code >= 400 else "")


@pytest.mark.parametrize("role", ROLES)
def test_a_proxy_letter_is_for_those_who_keep_the_seats(cast, world, client_for, role):
    ids = world["seats"]
    meetings.attendance_set(meeting=Meeting.objects.get(pk=world["ready"]), actor=cast["secretariat"], records=[
        {"seat": ids[-1], "mode": "proxy", "proxy_seat": ids[0], "proxy_letter": pdf("委托书.pdf")}])
    response = client_for(cast[role]).get(f"/governance/meetings/{world['ready']}/attendance/{ids[-1]}/letter/")
    want = _expect(404, anonymous=LOGIN, official=200, secretariat=200, director=403)[role]
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == want
        if want == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_seat_without_a_letter_has_none_to_download(cast, world, client_for):
    url = f"/governance/meetings/{world['ready']}/attendance/{world['seats'][0]}/letter/"
    assert client_for(cast["secretariat"]).get(url).status_code == 404


def test_a_draft_motion_is_deleted_and_an_open_one_is_not(cast, world, client_for):
    browser = client_for(cast["secretariat"])
    assert browser.post(f"/governance/motions/{world['draft']}/delete/").status_code == 302
    assert not Motion.objects.filter(pk=world["draft"]).exists()
    response = browser.post(f"/governance/motions/{world['motion']}/delete/")
    assert response.status_code == 409 and Motion.objects.filter(pk=world["motion"]).exists()


def test_refused_writes_leave_no_trace(cast, world, client_for):
    for role in ("official", "director", "outsider"):
        browser = client_for(cast[role])
        browser.post(f"/governance/meetings/{world['meeting']}/cancel/")
        browser.post(f"/governance/motions/{world['motion']}/close/")
        browser.post(f"/governance/alliances/{world['ht']}/motions/new/", {"title": "x"})
    assert Meeting.objects.get(pk=world["meeting"]).status == "planned"
    assert Motion.objects.get(pk=world["motion"]).state == "open"
    assert not Motion.objects.filter(title="x").exists()


# Voting ------------------------------------------------------------------------------------------

def test_the_director_sees_the_open_motion_needing_a_vote(cast, world, client_for):
    response = client_for(cast["director"]).get("/governance/votes/")
    assert f'data-motion="{world["motion"]}"' in response.content.decode()
    assert f'data-motion="{world["adopted"]}"' not in response.content.decode()


def test_the_secretariat_home_shows_open_votes_with_ballots_returned_and_upcoming_meetings(cast, world, client_for):
    votes.ballot_cast(motion=Motion.objects.get(pk=world["motion"]), actor=cast["director"], choice="yes")
    page = client_for(cast["secretariat"]).get("/governance/").content.decode()
    votes_section = page[page.index('id="open-votes"'):]
    assert f'data-motion="{world["motion"]}"' in votes_section and "1 / 9" in votes_section
    assert 'id="overseen-meetings"' in page and 'id="needs-my-vote-link"' not in page
    outsider_page = client_for(cast["weifang_secretariat"]).get("/governance/").content.decode()
    assert f'data-motion="{world["motion"]}"' not in outsider_page


def test_a_confirmed_vote_records_a_ballot_and_swaps_the_row(cast, world, client_for):
    browser = client_for(cast["director"])
    response = browser.post(f"/governance/votes/{world['motion']}/", {"choice": "no", "seat": "", "confirmed": "1"}, **HTMX)
    assert response.status_code == 200
    assert 'data-voted="yes"' in response.content.decode()
    ballot = Ballot.objects.get(motion_id=world["motion"])
    assert (ballot.seat.user, ballot.choice) == (cast["director"], "no")
    assert Motion.objects.get(pk=world["motion"]).no_count == 1
    page = browser.get("/governance/votes/").content.decode()
    assert f'data-motion="{world["motion"]}"' not in page


def test_director_cannot_vote_twice(cast, world, client_for):
    browser = client_for(cast["director"])
    browser.post(f"/governance/votes/{world['motion']}/", {"choice": "yes", "confirmed": "1"}, **HTMX)
    response = browser.post(f"/governance/votes/{world['motion']}/", {"choice": "no", "confirmed": "1"}, **HTMX)
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()
    assert Ballot.objects.filter(motion_id=world["motion"]).count() == 1
    motion = Motion.objects.get(pk=world["motion"])
    assert (motion.yes_count, motion.no_count) == (1, 0)


def test_a_bad_choice_is_refused_without_a_ballot(cast, world, client_for):
    response = client_for(cast["director"]).post(f"/governance/votes/{world['motion']}/", {"choice": "maybe", "confirmed": "1"}, **HTMX)
    assert response.status_code == 400
    assert not Ballot.objects.filter(motion_id=world["motion"]).exists()


def test_a_vote_on_a_closed_motion_is_refused(cast, world, client_for):
    response = client_for(cast["director"]).post(f"/governance/votes/{world['adopted']}/",
                                                 {"choice": "no", "confirmed": "1"})
    assert response.status_code == 409
    assert Motion.objects.get(pk=world["adopted"]).no_count == 0


def test_a_party_of_the_motion_is_warned(cast, world, client_for, high_tech):
    director_unit = Seat.objects.get(user=cast["director"], term_end__isnull=True).organization
    motion = open_motion(cast["secretariat"], meeting=Meeting.objects.get(pk=world["ready"]), title="关于管委会项目的议案",
                         parties=[director_unit])
    page = client_for(cast["director"]).get("/governance/votes/").content.decode()
    assert "party-warning" in page and director_unit.name in page
    assert client_for(cast["director"]).get(f"/governance/motions/{motion.pk}/").content.decode().count(
        "party-warning") == 1


def test_a_declared_conflict_takes_the_motion_off_the_list(cast, world, client_for):
    browser = client_for(cast["director"])
    response = browser.post(f"/governance/motions/{world['motion']}/conflict/", {"reason": "关联方"})
    assert response.status_code == 302
    assert ConflictDeclaration.objects.filter(motion_id=world["motion"]).count() == 1
    assert f'data-motion="{world["motion"]}"' not in browser.get("/governance/votes/").content.decode()


def test_a_proxy_carrier_gets_a_ballot_box_per_seat(cast, world, client_for, high_tech):
    secretariat = cast["secretariat"]
    body_seats = seats(council(high_tech))
    absent = body_seats[-1]
    meeting = record_attendance(planned_meeting(council(high_tech), secretariat, title="代理表决会议"), secretariat,
                                modes={absent: {"mode": "proxy", "proxy_seat": body_seats[0].pk}})
    motion = open_motion(secretariat, meeting=meeting)
    browser = client_for(cast["director"])
    page = browser.get("/governance/votes/").content.decode()
    assert f'data-seat="{absent.pk}"' in page
    response = browser.post(f"/governance/votes/{motion.pk}/", {"choice": "yes", "seat": absent.pk, "confirmed": "1"},
                           **HTMX)
    assert response.status_code == 200
    assert Ballot.objects.get(motion=motion, seat=absent).as_proxy is True


def test_the_result_page_shows_tally_and_resolution_number(cast, world, client_for):
    adopted = Motion.objects.get(pk=world["adopted"])
    for role in ("anonymous", "director"):
        page = client_for(cast[role]).get(f"/governance/motions/{adopted.pk}/").content.decode()
        assert adopted.resolution_number in page
        assert 'id="tally-yes">9<' in page and 'id="eligible">9<' in page and 'data-adopted="yes"' in page
    assert 'id="ballots"' not in client_for(None).get(f"/governance/motions/{adopted.pk}/").content.decode()


def test_the_result_is_shown_by_sector_for_a_named_ballot(cast, world, client_for):
    page = client_for(cast["director"]).get(f"/governance/motions/{world['adopted']}/").content.decode()
    assert 'id="sector-tally"' in page


def test_a_secret_ballot_shows_who_voted_never_how(cast, world, client_for):
    motion = open_motion(cast["secretariat"], meeting=Meeting.objects.get(pk=world["ready"]), ballot="secret")
    client_for(cast["director"]).post(f"/governance/votes/{motion.pk}/", {"choice": "no", "confirmed": "1"}, **HTMX)
    page = client_for(cast["secretariat"]).get(f"/governance/motions/{motion.pk}/").content.decode()
    ballot = Ballot.objects.get(motion=motion)
    assert f'data-seat="{ballot.seat_id}"' in page
    row = page.split(f'data-seat="{ballot.seat_id}"')[1].split("</tr>")[0]
    assert "<td>" in row and str(Ballot.Choice.NO.label) not in row and "否" not in row


# Quorum and attendance --------------------------------------------------------------------------

def test_below_quorum_the_panel_says_so_and_the_vote_cannot_open(cast, world, client_for, high_tech):
    secretariat = cast["secretariat"]
    meeting = record_attendance(planned_meeting(council(high_tech), secretariat, title="人数不足的会议"), secretariat,
                                present=3)
    motion = open_motion(secretariat, meeting=meeting, opened=False)
    browser = client_for(secretariat)
    panel = browser.get(f"/governance/meetings/{meeting.pk}/quorum/").content.decode()
    assert 'data-met="no"' in panel and 'id="quorum-present">3<' in panel
    response = browser.post(f"/governance/motions/{motion.pk}/open/")
    assert response.status_code == 409
    assert "3" in response.content.decode() and 'class="messages"' in response.content.decode()
    assert Motion.objects.get(pk=motion.pk).state == "draft"


def test_the_attendance_sheet_records_modes_and_a_proxy_with_its_letter(cast, world, client_for):
    ids = world["seats"]
    data = {f"mode_{pk}": "in_person" for pk in ids}
    data.update({f"mode_{ids[-1]}": "proxy", f"proxy_{ids[-1]}": str(ids[0]), f"letter_{ids[-1]}": pdf("letter.pdf")})
    browser = client_for(cast["secretariat"])
    meetings.meeting_start(meeting=Meeting.objects.get(pk=world["meeting"]), actor=cast["secretariat"])
    response = browser.post(f"/governance/meetings/{world['meeting']}/attendance/", data, **HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "attendance-saved"
    row = Attendance.objects.get(meeting_id=world["meeting"], seat_id=ids[-1])
    assert (row.mode, row.proxy_seat_id, bool(row.proxy_letter)) == ("proxy", ids[0], True)
    assert 'data-met="yes"' in browser.get(f"/governance/meetings/{world['meeting']}/quorum/").content.decode()


def test_a_proxy_without_a_present_carrier_is_refused(cast, world, client_for):
    ids = world["seats"]
    data = {f"mode_{pk}": "absent" for pk in ids}
    data.update({f"mode_{ids[-1]}": "proxy", f"proxy_{ids[-1]}": str(ids[0])})
    meetings.meeting_start(meeting=Meeting.objects.get(pk=world["meeting"]), actor=cast["secretariat"])
    response = client_for(cast["secretariat"]).post(f"/governance/meetings/{world['meeting']}/attendance/", data)
    assert response.status_code == 400
    assert not Attendance.objects.filter(meeting_id=world["meeting"]).exists()


# Uploads and forms ------------------------------------------------------------------------------

def test_a_paper_of_the_wrong_type_is_refused(cast, world, client_for):
    item = world["item"]
    response = client_for(cast["secretariat"]).post(
        f"/governance/agenda/{item}/papers/",
        {f"paper{item}-title": "病毒", f"paper{item}-file": SimpleUploadedFile("run.exe", b"MZ", "application/x-msdownload")})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert Paper.objects.filter(agenda_item_id=item).count() == 1


def test_a_paper_too_large_is_refused(cast, world, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 10
    item = world["item"]
    response = client_for(cast["secretariat"]).post(
        f"/governance/agenda/{item}/papers/", {f"paper{item}-file": pdf("big.pdf")})
    assert response.status_code == 400
    assert Paper.objects.filter(agenda_item_id=item).count() == 1


def test_papers_download_for_the_council_only(cast, world, client_for):
    response = client_for(cast["director"]).get(f"/governance/papers/{world['paper']}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(cast["contact"]).get(f"/governance/papers/{world['paper']}/").status_code == 404


@pytest.mark.parametrize(("changes", "field"), [
    ({"quorum_fraction": "3/2"}, "quorum_fraction"),
    ({"title": ""}, "title"),
    ({"closes_at": "2026-02-30T10:00"}, "closes_at"),
    ({"rule": "custom", "threshold_fraction": "abc", "threshold_base": "cast"}, "threshold_fraction"),
])
def test_a_bad_motion_form_is_refused_with_a_message(cast, world, client_for, changes, field):
    data = {"body": world["body"], "meeting": world["ready"], "title": "议案", "text": "正文", "category": "ordinary",
            "rule": "category", "quorum_fraction": "2/3", "ballot": "named", **changes}
    before = Motion.objects.count()
    response = client_for(cast["secretariat"]).post(f"/governance/alliances/{world['ht']}/motions/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Motion.objects.count() == before


def test_a_motion_gets_its_category_preset_and_a_custom_rule(cast, world, client_for):
    browser = client_for(cast["secretariat"])
    data = {"body": world["body"], "meeting": world["ready"], "title": "章程修订", "text": "正文", "category": "charter",
            "rule": "category", "quorum_fraction": "2/3", "ballot": "named"}
    browser.post(f"/governance/alliances/{world['ht']}/motions/new/", data)
    motion = Motion.objects.get(title="章程修订")
    assert (motion.threshold_fraction, motion.threshold_base) == ("2/3", "entitled")
    data.update(rule="custom", threshold_fraction="4/6", threshold_base="cast", abstentions_count="on")
    assert browser.post(f"/governance/motions/{motion.pk}/edit/", data).status_code == 302
    motion.refresh_from_db()
    assert (motion.threshold_fraction, motion.threshold_base, motion.abstentions_count) == ("2/3", "cast", True)


def test_a_bad_meeting_date_and_a_missing_title_are_refused(cast, world, client_for):
    browser = client_for(cast["secretariat"])
    before = Meeting.objects.count()
    response = browser.post(f"/governance/alliances/{world['ht']}/meetings/new/",
                            {"body": world["body"], "kind": "regular", "title": "", "starts_at": "明天",
                             "ends_at": future(3)})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"title", "starts_at"}
    response = browser.post(f"/governance/alliances/{world['ht']}/meetings/new/",
                            {"body": world["body"], "kind": "regular", "title": "会议", "starts_at": future(5),
                             "ends_at": future(3)})
    assert response.status_code == 400 and response.context["form"].errors["ends_at"]
    assert Meeting.objects.count() == before


def test_a_meeting_that_already_took_place_is_entered_in_session(cast, world, client_for):
    response = client_for(cast["secretariat"]).post(
        f"/governance/alliances/{world['ht']}/meetings/new/",
        {"body": world["body"], "kind": "regular", "title": "去年的理事会会议", "starts_at": future(-24 * 300),
         "ends_at": future(-24 * 300 + 2)})
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="去年的理事会会议")
    assert meeting.status == "planned" and meeting.in_session


def test_agenda_items_move_and_the_cancelled_meeting_is_fixed(cast, world, client_for):
    browser = client_for(cast["secretariat"])
    browser.post(f"/governance/meetings/{world['meeting']}/agenda/", {"title": "其他事项"})
    second = AgendaItem.objects.get(meeting_id=world["meeting"], title="其他事项")
    browser.post(f"/governance/agenda/{second.pk}/move/", {"direction": "up"})
    assert list(AgendaItem.objects.filter(meeting_id=world["meeting"]).values_list("title", flat=True)) == [
        "其他事项", "审议年度工作计划"]
    browser.post(f"/governance/meetings/{world['meeting']}/cancel/")
    response = browser.post(f"/governance/meetings/{world['meeting']}/agenda/", {"title": "再加一项"})
    assert response.status_code == 409
    assert not AgendaItem.objects.filter(title="再加一项").exists()


def test_rsvp_is_recorded(cast, world, client_for):
    response = client_for(cast["director"]).post(f"/governance/meetings/{world['meeting']}/rsvp/",
                                                 {"response": "online"})
    assert response.status_code == 302
    assert Invitation.objects.get(meeting_id=world["meeting"], seat__user=cast["director"]).response == "online"


def test_approved_minutes_are_locked(cast, world, client_for, high_tech):
    secretariat = cast["secretariat"]
    record = Minutes.objects.get(meeting_id=world["held"])
    minutes.minutes_circulate(minutes=record, actor=secretariat)
    Minutes.objects.filter(pk=record.pk).update(status="approved")
    browser = client_for(secretariat)
    page = browser.get(f"/governance/meetings/{world['held']}/minutes/").content.decode()
    assert 'id="minutes-locked"' in page and 'id="minutes-form"' not in page
    response = browser.post(f"/governance/meetings/{world['held']}/minutes/", {"text": "改写"})
    assert response.status_code == 409
    assert Minutes.objects.get(pk=record.pk).text == "会议纪要草稿。"


def test_the_owner_reports_done_with_evidence_and_the_secretariat_returns_it(cast, world, client_for):
    contact = client_for(cast["contact"])
    response = contact.post(f"/governance/tasks/{world['task']}/report/", {"achieved": "10", "done": "on"})
    assert response.status_code == 400  # evidence is needed to report it done
    response = contact.post(f"/governance/tasks/{world['task']}/report/",
                            {"achieved": "10", "done": "on", "evidence": pdf("proof.pdf")})
    assert response.status_code == 302
    assert Task.objects.get(pk=world["task"]).status == "submitted"
    response = client_for(cast["secretariat"]).post(f"/governance/tasks/{world['task']}/return/", {"reason": ""})
    assert response.status_code == 400
    client_for(cast["secretariat"]).post(f"/governance/tasks/{world['task']}/return/", {"reason": "补充材料"})
    assert Task.objects.get(pk=world["task"]).status == "returned"


def test_enough_signatures_grant_the_request(cast, world, client_for, high_tech):
    for seat in seats(council(high_tech))[:3]:
        client_for(seat.user).post(f"/governance/requests/{world['request']}/sign/")
    assert ExtraordinaryRequest.objects.get(pk=world["request"]).status == "granted"
    response = client_for(cast["director"]).post(f"/governance/requests/{world['request']}/sign/")
    assert response.status_code == 409


# Query counts -------------------------------------------------------------------------------------

def _count(browser, path):
    with CaptureQueriesContext(connection) as context:
        response = browser.get(path)
    assert response.status_code == 200
    return len(context.captured_queries), context


def _add_meetings(body, user, n, *, offset):
    start = timezone.now() + datetime.timedelta(days=1)
    rows = Meeting.objects.bulk_create([
        Meeting(body=body, title=f"会议{offset + i}", starts_at=start + datetime.timedelta(hours=i),
                ends_at=start + datetime.timedelta(hours=i + 1), created_by=user) for i in range(n)])
    Invitation.objects.bulk_create([Invitation(meeting=m, seat=seat) for m in rows for seat in body.seats.all()])
    return rows


def _add_open_motions(body, user, n, *, offset):
    Motion.objects.bulk_create([
        Motion(alliance=body.alliance, body=body, title=f"议案{offset + i}", text="正文", created_by=user,
               quorum_fraction="2/3", threshold_fraction="1/2", threshold_base="present", threshold_strict=True,
               abstentions_count=True, state="open", closes_at=timezone.now() + datetime.timedelta(days=3))
        for i in range(n)])


def _add_resolutions(body, user, n, *, offset):
    Motion.objects.bulk_create([
        Motion(alliance=body.alliance, body=body, title=f"决议{offset + i}", text="正文", created_by=user,
               quorum_fraction="2/3", threshold_fraction="1/2", threshold_base="present", threshold_strict=True,
               abstentions_count=True, state="closed", adopted=True, quorum_met=True, published=True,
               eligible=9, present=9, yes_count=9, resolution_year=2001, resolution_seq=offset + i + 1,
               closed_at=timezone.now())
        for i in range(n)])


def _add_tasks(body, user, n, *, offset):
    owner = seats(body)[0].organization
    Task.objects.bulk_create([
        Task(alliance=body.alliance, title=f"任务{offset + i}", owner=owner, target_value=1, target_unit="项",
             due_on=timezone.localdate(), created_by=user) for i in range(n)])


def _add_requests(body, user, n, *, offset):
    seat = seats(body)[0]
    ExtraordinaryRequest.objects.bulk_create([
        ExtraordinaryRequest(body=body, subject=f"请求{offset + i}", reason="理由", requested_by=seat)
        for i in range(n)])


def _add_seats(body, user, n, *, offset):
    owner = seats(body)[0]
    Seat.objects.bulk_create([
        Seat(body=body, user=owner.user, organization=owner.organization, term_start=datetime.date(2020, 1, 1),
             term_end=datetime.date(2021, 1, 1)) for _ in range(n)])


def _add_agenda(body, user, n, *, offset):
    meeting = Meeting.objects.filter(body=body, title="计数会议").first() or Meeting.objects.create(
        body=body, title="计数会议", starts_at=timezone.now() + datetime.timedelta(days=9),
        ends_at=timezone.now() + datetime.timedelta(days=9, hours=1), created_by=user)
    AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, position=offset + i + 1, title=f"议题{offset + i}")
                                    for i in range(n)])
    return meeting


LISTS = [
    ("secretariat", "/governance/alliances/{ht}/meetings/", _add_meetings),
    ("director", "/governance/", _add_meetings),
    ("director", "/governance/votes/", _add_open_motions),
    ("anonymous", "/governance/resolutions/", _add_resolutions),
    ("secretariat", "/governance/tasks/", _add_tasks),
    ("director", "/governance/alliances/{ht}/requests/", _add_requests),
    ("official", "/governance/alliances/{ht}/seats/", _add_seats),
    ("secretariat", "/governance/meetings/{agenda_meeting}/", _add_agenda),
]


@pytest.mark.parametrize(("role", "url", "add"), LISTS, ids=[url for _r, url, _a in LISTS])
def test_query_count_is_flat(cast, high_tech, client_for, role, url, add):
    body = council(high_tech)
    creator = cast["secretariat"]
    made = add(body, creator, 10, offset=0)
    path = url.format(ht=high_tech.pk, agenda_meeting=getattr(made, "pk", 0))
    browser = client_for(cast[role])
    browser.get(path)
    small, _ = _count(browser, path)
    add(body, creator, 90, offset=10)
    large, context = _count(browser, path)
    assert large == small, "\n".join(query["sql"] for query in context.captured_queries)


def _assembly_pages(size, client_for):
    """An assembly of `size` seats, all present, with a named motion every seat has voted on; its pages."""
    from tests.governance_data import assembly

    _alliance, body, secretary = assembly(size)
    meeting = record_attendance(planned_meeting(body, secretary), secretary)
    motion = open_motion(secretary, meeting=meeting)
    for seat in seats(body):
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    browser = client_for(secretary)
    return browser, [f"/governance/meetings/{meeting.pk}/attendance/", f"/governance/motions/{motion.pk}/",
                     f"/governance/meetings/{meeting.pk}/", "/governance/"]


def test_the_attendance_sheet_the_ballots_and_the_secretariat_home_cost_the_same_for_10_or_100_seats(client_for):
    small_browser, small_pages = _assembly_pages(10, client_for)
    large_browser, large_pages = _assembly_pages(100, client_for)
    for small_path, large_path in zip(small_pages, large_pages, strict=True):
        small_browser.get(small_path)
        small, _ = _count(small_browser, small_path)
        large_browser.get(large_path)
        large, context = _count(large_browser, large_path)
        assert large == small, (large_path, "\n".join(query["sql"] for query in context.captured_queries))
