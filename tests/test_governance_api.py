"""The governance API: every endpoint and action against every role, the votes' refusals (409/403,
nothing recorded), attendance all or nothing, secret ballots without choices, results and
resolution numbers, and flat query counts on every list."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import Attendance, Ballot, Body, Meeting, Motion, Seat, Task
from governance.services import meetings, tasks, votes
from members.models import Organization
from tests import governance_data as gd
from tests.factories import OrganizationFactory, UserFactory
from tests.test_permissions_pages import ROLES

pytestmark = pytest.mark.django_db


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


def _iso(moment):
    return moment.isoformat()


def _evidence():
    return SimpleUploadedFile("evidence.pdf", b"%PDF-1.4\n% evidence\n", content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


class World:
    """The council business a test needs, made through the services on first use (by name)."""

    def __init__(self, cast, alliance):
        self.cast, self.alliance = cast, alliance
        self.secretariat = cast["secretariat"]
        self.body = gd.council(alliance)
        self.seats = gd.seats(self.body)
        self.contact_org = Organization.objects.get(contacts__user=cast["contact"])
        self._made = {}

    def __getitem__(self, name):
        if name not in self._made:
            self._made[name] = getattr(self, f"make_{name}")()
        return self._made[name]

    def ids(self):
        return _Ids(self)

    # Meetings
    def make_meeting(self):
        """Planned, invitations sent, everyone present."""
        meeting = gd.planned_meeting(self.body, self.secretariat)
        meetings.invitations_send(meeting=meeting, actor=self.secretariat)
        return gd.record_attendance(meeting, self.secretariat)

    def make_bare_meeting(self):
        return gd.planned_meeting(self.body, self.secretariat, title="临时理事会会议")

    def make_started_meeting(self):
        """Started early by the secretariat, no attendance yet."""
        return gd.start(gd.planned_meeting(self.body, self.secretariat, title="提前开始的会议"), self.secretariat)

    # Motions
    def make_draft(self):
        return gd.open_motion(self.secretariat, meeting=self["meeting"], title="草案", opened=False)

    def make_open(self):
        return gd.open_motion(self.secretariat, meeting=self["meeting"], title="表决中")

    def make_voted(self):
        motion = gd.open_motion(self.secretariat, meeting=self["meeting"], title="已有投票")
        votes.ballot_cast(motion=motion, actor=self.seats[1].user, choice="yes")
        return motion

    def make_closed(self):
        """Adopted (five of nine present vote yes), not published."""
        motion = gd.open_motion(self.secretariat, meeting=self["meeting"], title="已表决")
        for seat in self.seats[:5]:
            votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
        return votes.motion_close(motion=motion, actor=self.secretariat)

    def make_hands(self):
        """A show of hands at the meeting, not recorded yet."""
        return gd.open_motion(self.secretariat, meeting=self["meeting"], title="举手表决", opened=False,
                              voting_method="show_of_hands")

    def make_published(self):
        motion = self["closed"]
        return votes.motion_publish(motion=motion, actor=self.secretariat)

    # Tasks
    def make_task(self):
        return tasks.task_create(alliance=self.alliance, actor=self.secretariat, owner=self.contact_org,
                                 title="建设实训基地", target_value="10", target_unit="个",
                                 due_on=timezone.localdate() + timedelta(days=90))

    def make_submitted_task(self):
        task = self["task"]
        tasks.task_report(task=task, actor=self.cast["contact"], achieved="10", evidence=_evidence(), done=True)
        return task

    # Seats
    def make_seat(self):
        return self.seats[-1]

    def make_new_user(self):
        return UserFactory()


class _Ids(dict):
    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, name):
        fixed = {"body": self.world.body.pk, "ht": self.world.alliance.pk, "contact_org": self.world.contact_org.pk,
                 "seat0": self.world.seats[0].pk}
        return fixed[name] if name in fixed else self.world[name].pk


@pytest.fixture
def world(cast, high_tech):
    return World(cast, high_tech)


def _in_days(days):
    return _iso(timezone.now() + timedelta(days=days))


ANYONE = _expect(200)
READERS = _expect(404, official=200, secretariat=200, director=200)
SECRETARIAT_ONLY = _expect(404, anonymous=401, official=403, secretariat=200, director=403)
DIRECTOR_ONLY = _expect(404, anonymous=401, official=403, secretariat=403, director=200)

ENDPOINTS = [
    # Bodies and seats
    ("get", "/api/v1/bodies/", None, ANYONE),
    ("get", "/api/v1/bodies/{body}/", None, ANYONE),
    ("get", "/api/v1/seats/", None, ANYONE),
    ("get", "/api/v1/seats/{seat}/", None, READERS),
    ("post", "/api/v1/seats/", {"body": "{body}", "user": "{new_user}", "organization": "{contact_org}"},
     _expect(403, anonymous=401, official=201, secretariat=201)),
    ("post", "/api/v1/seats/{seat}/end/", {}, _expect(404, anonymous=401, official=200, secretariat=200,
                                                      director=403)),
    # Meetings and attendance
    ("get", "/api/v1/meetings/", None, ANYONE),
    ("get", "/api/v1/meetings/{meeting}/", None, READERS),
    ("post", "/api/v1/meetings/", {"body": "{body}", "kind": "regular", "title": "第四次理事会会议",
                                   "starts_at": "{in_2_days}", "ends_at": "{in_3_days}"},
     _expect(403, anonymous=401, secretariat=201)),
    ("patch", "/api/v1/meetings/{meeting}/", {"location": "淄博高新区管委会 502"}, SECRETARIAT_ONLY),
    ("post", "/api/v1/meetings/{bare_meeting}/cancel/", {}, SECRETARIAT_ONLY),
    ("post", "/api/v1/meetings/{meeting}/held/", {}, SECRETARIAT_ONLY),
    ("post", "/api/v1/meetings/{bare_meeting}/start/", {}, SECRETARIAT_ONLY),
    ("post", "/api/v1/meetings/{bare_meeting}/invite/", {}, SECRETARIAT_ONLY),
    ("post", "/api/v1/meetings/{meeting}/rsvp/", {"response": "attending"}, DIRECTOR_ONLY),
    ("get", "/api/v1/meetings/{meeting}/attendance/", None, READERS),
    ("post", "/api/v1/meetings/{started_meeting}/attendance/", [{"seat": "{seat0}", "mode": "in_person"}],
     SECRETARIAT_ONLY),
    # Motions, votes, ballots
    ("get", "/api/v1/motions/", None, ANYONE),
    ("get", "/api/v1/motions/{draft}/", None, READERS),
    ("get", "/api/v1/motions/{published}/", None, ANYONE),
    ("post", "/api/v1/motions/", {"body": "{body}", "title": "书面表决议案", "text": "正文", "closes_at": "{in_2_days}"},
     _expect(403, anonymous=401, secretariat=201)),
    ("patch", "/api/v1/motions/{draft}/", {"title": "修改后的议案"}, SECRETARIAT_ONLY),
    ("post", "/api/v1/motions/{draft}/open/", {}, SECRETARIAT_ONLY),
    ("post", "/api/v1/motions/{open}/close/", {}, SECRETARIAT_ONLY),
    ("post", "/api/v1/motions/{hands}/record/", {"hands": [{"seat": "{seat0}", "choice": "yes"}]}, SECRETARIAT_ONLY),
    ("get", "/api/v1/motions/{open}/not-voted/", None, _expect(404, official=403, secretariat=200, director=403)),
    ("post", "/api/v1/motions/{open}/remind/", {}, SECRETARIAT_ONLY),
    ("post", "/api/v1/motions/{open}/vote/", {"choice": "yes"},
     _expect(404, anonymous=401, official=403, secretariat=403, director=201)),
    # A ballot's refusals (bad input, a closed vote) tell an outsider nothing: 404 as for a motion they cannot see.
    ("post", "/api/v1/motions/{open}/vote/", {"choice": "maybe"},
     _expect(404, anonymous=401, official=400, secretariat=400, director=400)),
    ("post", "/api/v1/motions/{closed}/vote/", {"choice": "yes"},
     _expect(404, anonymous=401, official=409, secretariat=409, director=409)),
    ("post", "/api/v1/motions/{published}/vote/", {"choice": "yes"}, _expect(409, anonymous=401)),
    ("post", "/api/v1/motions/{open}/conflict/", {"reason": "本单位为合同相对方"},
     _expect(404, anonymous=401, official=403, secretariat=403, director=201)),
    ("post", "/api/v1/motions/{closed}/publish/", {}, SECRETARIAT_ONLY),
    ("get", "/api/v1/motions/{voted}/ballots/", None, READERS),
    ("get", "/api/v1/motions/{published}/ballots/", None, _expect(403, anonymous=401, official=200, secretariat=200,
                                                                  director=200)),
    # Tasks
    ("get", "/api/v1/tasks/", None, ANYONE),
    ("get", "/api/v1/tasks/{task}/", None, _expect(404, official=200, secretariat=200, director=200, contact=200)),
    ("post", "/api/v1/tasks/", {"alliance": "{ht}", "owner": "{contact_org}", "title": "开发课程", "target_value": "3",
                                "target_unit": "门", "due_on": "2030-06-30"}, _expect(403, anonymous=401,
                                                                                     secretariat=201)),
    ("post", "/api/v1/tasks/{task}/report/", {"achieved": "4", "note": "已完成四个"},
     _expect(404, anonymous=401, official=403, secretariat=403, director=403, contact=201)),
    ("post", "/api/v1/tasks/{submitted_task}/accept/", {},
     _expect(404, anonymous=401, official=403, secretariat=200, director=403, contact=403)),
    ("post", "/api/v1/tasks/{submitted_task}/return/", {"reason": "证明材料不全"},
     _expect(404, anonymous=401, official=403, secretariat=200, director=403, contact=403)),
]


def _fill(data, ids):
    if isinstance(data, list):
        return [_fill(item, ids) for item in data]
    if isinstance(data, dict):
        return {key: _fill(value, ids) for key, value in data.items()}
    if isinstance(data, str) and data.startswith("{") and data.endswith("}"):
        value = str(data).format_map(ids)
        return int(value) if value.isdigit() else value
    return data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "expected"), ENDPOINTS,
                         ids=[f"{m.upper()} {u}" for m, u, _d, _e in ENDPOINTS])
def test_endpoint_permissions(cast, world, api_for, role, method, url, data, expected):
    ids = world.ids()
    ids.update({"in_2_days": _in_days(2), "in_3_days": _in_days(3)})
    path = url.format_map(ids)
    payload = _fill(data, ids) if data is not None else None
    response = getattr(api_for(cast[role]), method)(path, payload, format="json")
    assert response.status_code == expected[role], (role, response.status_code, getattr(response, "data", None))


# Votes ---------------------------------------------------------------------------


def test_director_cannot_vote_twice(cast, world, api_for):
    motion = world["open"]
    director = api_for(cast["director"])
    first = director.post(f"/api/v1/motions/{motion.pk}/vote/", {"choice": "yes"}, format="json")
    assert first.status_code == 201, first.data
    assert first.json() == {"seat": world.seats[0].pk, "organization_name": world.seats[0].organization.name,
                            "choice": "yes", "as_proxy": False, "cast_on": timezone.localdate().isoformat()}
    second = director.post(f"/api/v1/motions/{motion.pk}/vote/", {"choice": "no"}, format="json")
    assert second.status_code == 409
    assert "detail" in second.json()
    motion.refresh_from_db()
    assert (motion.yes_count, motion.no_count, Ballot.objects.filter(motion=motion).count()) == (1, 0, 1)


def test_director_cannot_vote_on_a_closed_motion(cast, world, api_for):
    motion = world["open"]
    assert api_for(cast["secretariat"]).post(f"/api/v1/motions/{motion.pk}/close/").status_code == 200
    response = api_for(cast["director"]).post(f"/api/v1/motions/{motion.pk}/vote/", {"choice": "yes"}, format="json")
    assert response.status_code == 409
    assert not Ballot.objects.filter(motion=motion).exists()


def test_director_cannot_vote_for_a_seat_they_do_not_hold(cast, world, api_for):
    motion = world["open"]
    response = api_for(cast["director"]).post(f"/api/v1/motions/{motion.pk}/vote/",
                                              {"choice": "no", "seat": world.seats[1].pk}, format="json")
    assert response.status_code == 403
    assert not Ballot.objects.filter(motion=motion).exists()


def test_a_proxy_votes_for_the_absent_seat_it_carries(cast, world, api_for):
    absent, carrier = world.seats[1], world.seats[0]
    meeting = gd.record_attendance(world["bare_meeting"], world.secretariat,
                                   modes={absent: {"mode": "proxy", "proxy_seat": carrier.pk}})
    motion = gd.open_motion(world.secretariat, meeting=meeting)
    response = api_for(cast["director"]).post(f"/api/v1/motions/{motion.pk}/vote/",
                                              {"choice": "no", "seat": absent.pk}, format="json")
    assert response.status_code == 201, response.data
    assert response.json()["as_proxy"] is True
    assert Ballot.objects.get(motion=motion).seat == absent


def test_a_motion_cannot_open_below_quorum(cast, world, api_for):
    meeting = gd.record_attendance(world["bare_meeting"], world.secretariat, present=5)  # 5/9 < 2/3
    motion = gd.open_motion(world.secretariat, meeting=meeting, opened=False)
    response = api_for(cast["secretariat"]).post(f"/api/v1/motions/{motion.pk}/open/")
    assert response.status_code == 409
    assert "5" in response.json()["detail"]
    motion.refresh_from_db()
    assert motion.state == Motion.State.DRAFT


def test_an_open_motion_cannot_be_patched(cast, world, api_for):
    motion = world["open"]
    response = api_for(cast["secretariat"]).patch(f"/api/v1/motions/{motion.pk}/",
                                                  {"threshold_fraction": "1/3"}, format="json")
    assert response.status_code == 409
    motion.refresh_from_db()
    assert motion.threshold_fraction == "1/2"


def test_a_draft_is_patched_with_a_preset_and_fractions_as_strings(cast, world, api_for):
    motion = world["draft"]
    response = api_for(cast["secretariat"]).patch(
        f"/api/v1/motions/{motion.pk}/", {"preset": "two_thirds_entitled", "quorum_fraction": "4/6"}, format="json")
    assert response.status_code == 200, response.data
    body = response.json()
    assert (body["preset"], body["threshold_fraction"], body["threshold_base"], body["quorum_fraction"]) == (
        "two_thirds_entitled", "2/3", "entitled", "2/3")
    bad = api_for(cast["secretariat"]).patch(f"/api/v1/motions/{motion.pk}/", {"threshold_fraction": "3/2"},
                                             format="json")
    assert bad.status_code == 400
    assert "threshold_fraction" in bad.json()


def test_closing_records_the_result_and_numbers_the_resolution(cast, world, api_for):
    motion = world["open"]
    assert api_for(cast["secretariat"]).get(f"/api/v1/motions/{motion.pk}/").json()["result"] is None
    for seat, choice in zip(world.seats, ["yes"] * 5 + ["no", "abstain"], strict=False):
        assert api_for(seat.user).post(f"/api/v1/motions/{motion.pk}/vote/", {"choice": choice},
                                       format="json").status_code == 201
    response = api_for(cast["secretariat"]).post(f"/api/v1/motions/{motion.pk}/close/")
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["state"] == "closed"
    assert body["result"] == {"yes": 5, "no": 1, "abstain": 1, "eligible": 9, "present": 9, "quorum_met": True,
                              "adopted": True, "decided": True}
    assert re.fullmatch(r"\d{4}-\d{2}", body["resolution_number"])
    assert body["resolution_number"].startswith(str(timezone.localdate().year))


def test_a_rejected_motion_has_no_resolution_number(cast, world, api_for):
    motion = world["open"]
    votes.ballot_cast(motion=motion, actor=world.seats[0].user, choice="no")
    body = api_for(cast["secretariat"]).post(f"/api/v1/motions/{motion.pk}/close/").json()
    assert body["result"]["adopted"] is False
    assert body["resolution_number"] is None


def test_secret_ballots_never_expose_a_choice(cast, world, api_for):
    motion = gd.open_motion(world.secretariat, meeting=world["meeting"], ballot="secret")
    vote = api_for(cast["director"]).post(f"/api/v1/motions/{motion.pk}/vote/", {"choice": "no"}, format="json")
    assert vote.status_code == 201
    assert "choice" not in vote.json()
    for seat in world.seats[1:3]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    ballots = api_for(cast["secretariat"]).get(f"/api/v1/motions/{motion.pk}/ballots/").json()
    assert ballots["count"] == 3
    assert all("choice" not in row for row in ballots["results"])
    assert {row["seat"] for row in ballots["results"]} == {seat.pk for seat in world.seats[:3]}
    assert "no" not in str(ballots) and "yes" not in str(ballots)


def test_named_ballots_show_each_seats_choice(cast, world, api_for):
    motion = world["voted"]
    rows = api_for(cast["director"]).get(f"/api/v1/motions/{motion.pk}/ballots/").json()["results"]
    assert [(row["seat"], row["choice"]) for row in rows] == [(world.seats[1].pk, "yes")]


def test_a_conflict_keeps_the_seat_from_voting(cast, world, api_for):
    motion = world["open"]
    director = api_for(cast["director"])
    declared = director.post(f"/api/v1/motions/{motion.pk}/conflict/", {"reason": "关联交易"}, format="json")
    assert declared.status_code == 201
    assert declared.json()["seat"] == world.seats[0].pk
    assert director.post(f"/api/v1/motions/{motion.pk}/vote/", {"choice": "yes"}, format="json").status_code == 409


def test_anonymous_and_outsiders_see_only_published_resolutions(cast, world, api_for):
    published, draft, open_motion = world["published"], world["draft"], world["open"]
    for role in ("anonymous", "outsider", "contact"):
        ids = {row["id"] for row in api_for(cast[role]).get("/api/v1/motions/?page_size=200").json()["results"]}
        assert published.pk in ids
        assert not ids & {draft.pk, open_motion.pk}
    secretariat_ids = {row["id"] for row in api_for(cast["secretariat"]).get(
        f"/api/v1/motions/?meeting={world['meeting'].pk}").json()["results"]}
    assert secretariat_ids == {published.pk, draft.pk, open_motion.pk}


def test_motions_filter_by_state(cast, world, api_for):
    draft, open_motion = world["draft"], world["open"]
    rows = api_for(cast["official"]).get(f"/api/v1/motions/?state=open&meeting={world['meeting'].pk}").json()
    assert [row["id"] for row in rows["results"]] == [open_motion.pk]
    assert draft.pk not in {row["id"] for row in rows["results"]}


def test_a_written_consent_motion_needs_a_deadline(cast, world, api_for):
    response = api_for(cast["secretariat"]).post("/api/v1/motions/", {"body": world.body.pk, "title": "书面表决",
                                                                      "text": "正文"}, format="json")
    assert response.status_code == 400
    assert "closes_at" in response.json()


def test_a_motion_is_created_with_its_categorys_rule(cast, world, api_for):
    response = api_for(cast["secretariat"]).post("/api/v1/motions/", {
        "body": world.body.pk, "meeting": world["meeting"].pk, "title": "章程修改", "text": "正文",
        "category": "charter", "parties": [world.contact_org.pk]}, format="json")
    assert response.status_code == 201, response.data
    body = response.json()
    assert (body["state"], body["preset"], body["threshold_fraction"], body["threshold_base"]) == (
        "draft", "two_thirds_entitled", "2/3", "entitled")
    assert body["parties"] == [world.contact_org.pk]
    assert body["result"] is None and body["resolution_number"] is None


def test_a_sector_majority_is_asked_for_a_named_ballot_and_refused_for_a_secret_one(cast, world, api_for):
    api = api_for(cast["secretariat"])
    fields = {"body": world.body.pk, "meeting": world["meeting"].pk, "title": "产业学院章程", "text": "正文",
              "sector_majority": True}
    named = api.post("/api/v1/motions/", fields, format="json")
    assert named.status_code == 201 and named.json()["sector_majority"] is True
    secret = api.post("/api/v1/motions/", {**fields, "ballot": "secret"}, format="json")
    assert secret.status_code == 400 and "sector_majority" in secret.json()


def test_a_motion_on_an_agenda_item_is_put_to_that_items_meeting(cast, world, api_for):
    item = meetings.agenda_item_add(meeting=world["meeting"], actor=world.secretariat, title="审议年度预算")
    response = api_for(cast["secretariat"]).post("/api/v1/motions/", {
        "body": world.body.pk, "agenda_item": item.pk, "title": "年度预算", "text": "正文"}, format="json")
    assert response.status_code == 201, response.data
    assert (response.json()["meeting"], response.json()["agenda_item"]) == (world["meeting"].pk, item.pk)


def test_a_motion_on_an_agenda_item_of_another_meeting_is_refused(cast, world, api_for):
    item = meetings.agenda_item_add(meeting=world["bare_meeting"], actor=world.secretariat, title="审议年度预算")
    api = api_for(cast["secretariat"])
    response = api.post("/api/v1/motions/", {"body": world.body.pk, "meeting": world["meeting"].pk,
                                             "agenda_item": item.pk, "title": "年度预算", "text": "正文"},
                        format="json")
    assert response.status_code == 400 and "agenda_item" in response.json()
    draft = world["draft"]
    response = api.patch(f"/api/v1/motions/{draft.pk}/", {"agenda_item": item.pk}, format="json")
    assert response.status_code == 400 and "agenda_item" in response.json()
    assert Motion.objects.get(pk=draft.pk).agenda_item is None


def test_a_draft_by_written_consent_given_an_agenda_item_moves_to_its_meeting(cast, world, api_for):
    item = meetings.agenda_item_add(meeting=world["meeting"], actor=world.secretariat, title="审议年度预算")
    draft = gd.open_motion(world.secretariat, body=world.body, title="书面表决草案", opened=False)
    response = api_for(cast["secretariat"]).patch(f"/api/v1/motions/{draft.pk}/", {"agenda_item": item.pk},
                                                  format="json")
    assert response.status_code == 200, response.data
    assert (response.json()["meeting"], response.json()["agenda_item"]) == (world["meeting"].pk, item.pk)


def test_an_agenda_item_the_caller_cannot_see_is_unknown(cast, world, api_for, other_alliance):
    item = meetings.agenda_item_add(meeting=world["meeting"], actor=world.secretariat, title="审议年度预算")
    response = api_for(cast["weifang_secretariat"]).post("/api/v1/motions/", {
        "body": world.body.pk, "agenda_item": item.pk, "title": "年度预算", "text": "正文"}, format="json")
    assert response.status_code == 400 and "agenda_item" in response.json()


# Meetings and attendance ------------------------------------------------------------


def test_meeting_shows_its_quorum(cast, world, api_for):
    meeting = gd.record_attendance(world["bare_meeting"], world.secretariat, present=5)
    body = api_for(cast["director"]).get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert (body["present_count"], body["entitled_count"], body["quorum_met"], body["quorum_fraction"]) == (
        5, 9, False, "2/3")
    assert api_for(cast["director"]).get(f"/api/v1/meetings/{world['meeting'].pk}/").json()["quorum_met"] is True


def test_attendance_with_a_proxy_carried_by_an_absent_seat_saves_nothing(cast, world, api_for):
    meeting = world["started_meeting"]
    first, second = world.seats[0], world.seats[1]
    records = [{"seat": first.pk, "mode": "proxy", "proxy_seat": second.pk}, {"seat": second.pk, "mode": "absent"}]
    records += [{"seat": seat.pk, "mode": "in_person"} for seat in world.seats[2:]]
    response = api_for(cast["secretariat"]).post(f"/api/v1/meetings/{meeting.pk}/attendance/", records,
                                                 format="json")
    assert response.status_code == 400
    assert response.json()["records"]
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_attendance_post_answers_the_sheet_and_the_quorum(cast, world, api_for):
    meeting = world["started_meeting"]
    absent, carrier = world.seats[1], world.seats[0]
    records = [{"seat": seat.pk, "mode": "in_person"} for seat in world.seats if seat != absent]
    records.append({"seat": absent.pk, "mode": "proxy", "proxy_seat": carrier.pk})
    response = api_for(cast["secretariat"]).post(f"/api/v1/meetings/{meeting.pk}/attendance/", records,
                                                 format="json")
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["quorum"] == {"present": 9, "entitled": 9, "fraction": "2/3", "recorded": True, "met": True}
    assert len(body["records"]) == 9
    assert {row["seat"]: row["proxy_seat"] for row in body["records"]}[absent.pk] == carrier.pk
    listed = api_for(cast["official"]).get(f"/api/v1/meetings/{meeting.pk}/attendance/").json()
    assert listed == body


@pytest.mark.parametrize("payload", [
    {"seat": 1, "mode": "in_person"}, [], [{"seat": "x", "mode": "in_person"}], [{"seat": 1, "mode": "asleep"}],
    [{"seat": 2**40, "mode": "absent"}],
])
def test_attendance_refuses_bad_records(cast, world, api_for, payload):
    meeting = world["started_meeting"]
    response = api_for(cast["secretariat"]).post(f"/api/v1/meetings/{meeting.pk}/attendance/", payload,
                                                 format="json")
    assert response.status_code == 400
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_meetings_filter_by_start_and_status(cast, world, api_for):
    soon, later = world["meeting"], gd.planned_meeting(world.body, world.secretariat, hours_ahead=24 * 30)
    api = api_for(cast["secretariat"])
    after = (timezone.now() + timedelta(days=10)).isoformat()
    ids = {row["id"] for row in api.get("/api/v1/meetings/", {"starts_at_after": after}).json()["results"]}
    assert later.pk in ids and soon.pk not in ids
    ids = {row["id"] for row in api.get("/api/v1/meetings/", {"starts_at_before": after}).json()["results"]}
    assert soon.pk in ids and later.pk not in ids
    meetings.meeting_cancel(meeting=later, actor=world.secretariat)
    ids = {row["id"] for row in api.get("/api/v1/meetings/?status=cancelled").json()["results"]}
    assert later.pk in ids and soon.pk not in ids
    assert api.get("/api/v1/meetings/?starts_at_after=yesterday").status_code == 400


def test_a_meeting_that_already_took_place_is_entered_in_session(cast, world, api_for):
    response = api_for(cast["secretariat"]).post("/api/v1/meetings/", {
        "body": world.body.pk, "title": "补录会议", "starts_at": _in_days(-2), "ends_at": _in_days(-1)}, format="json")
    assert response.status_code == 201, response.data
    assert (response.json()["status"], response.json()["in_session"]) == ("planned", True)


def test_a_director_answers_an_invitation(cast, world, api_for):
    meeting = world["meeting"]
    response = api_for(cast["director"]).post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"response": "online"},
                                              format="json")
    assert response.status_code == 200
    assert response.json()["response"] == "online"
    assert api_for(cast["director"]).post(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"response": "pending"},
                                          format="json").status_code == 400


# Seats and tasks --------------------------------------------------------------------


def test_a_seat_is_created_with_an_alternate_and_ended(cast, world, api_for):
    holder, alternate = UserFactory(), UserFactory()
    api = api_for(cast["official"])
    response = api.post("/api/v1/seats/", {"body": world.body.pk, "user": holder.pk, "alternate": alternate.pk,
                                           "organization": world.contact_org.pk, "office": "member"}, format="json")
    assert response.status_code == 201, response.data
    seat = response.json()
    assert (seat["alternate"], seat["office"], seat["term_end"]) == (alternate.pk, "member", None)
    again = api.post("/api/v1/seats/", {"body": world.body.pk, "user": UserFactory().pk,
                                        "organization": world.contact_org.pk}, format="json")
    assert again.status_code == 409
    ended = api.post(f"/api/v1/seats/{seat['id']}/end/", {}, format="json")
    assert ended.json()["term_end"] == timezone.localdate().isoformat()
    assert api.post(f"/api/v1/seats/{seat['id']}/end/", {}, format="json").status_code == 409


def test_a_seat_needs_an_active_member_unit(cast, world, api_for):
    response = api_for(cast["secretariat"]).post("/api/v1/seats/", {
        "body": world.body.pk, "user": UserFactory().pk, "organization": OrganizationFactory().pk}, format="json")
    assert response.status_code == 400
    assert "organization" in response.json()


def test_the_owner_reports_with_evidence_and_the_secretariat_accepts(cast, world, api_for):
    task = world["task"]
    contact = api_for(cast["contact"])
    without = contact.post(f"/api/v1/tasks/{task.pk}/report/", {"achieved": "10", "done": True}, format="json")
    assert without.status_code == 400
    assert "evidence" in without.json()
    report = contact.post(f"/api/v1/tasks/{task.pk}/report/",
                          {"achieved": "10", "note": "全部完成", "done": "true", "evidence": _evidence()},
                          format="multipart")
    assert report.status_code == 201, report.data
    assert (report.json()["status"], report.json()["progress"], report.json()["progress_percent"]) == (
        "submitted", "10.00", 100)
    again = contact.post(f"/api/v1/tasks/{task.pk}/report/", {"achieved": "11"}, format="json")
    assert again.status_code == 409
    accepted = api_for(cast["secretariat"]).post(f"/api/v1/tasks/{task.pk}/accept/")
    assert accepted.json()["status"] == "accepted"


def test_a_returned_task_carries_the_reason(cast, world, api_for):
    task = world["submitted_task"]
    api = api_for(cast["secretariat"])
    assert api.post(f"/api/v1/tasks/{task.pk}/return/", {}, format="json").status_code == 400
    response = api.post(f"/api/v1/tasks/{task.pk}/return/", {"reason": "缺少验收报告"}, format="json")
    assert (response.json()["status"], response.json()["return_reason"]) == ("returned", "缺少验收报告")


def test_tasks_follow_only_adopted_resolutions(cast, world, api_for):
    payload = {"alliance": world.alliance.pk, "owner": world.contact_org.pk, "title": "任务", "target_value": "1",
               "target_unit": "项", "due_on": "2030-01-01"}
    api = api_for(cast["secretariat"])
    assert api.post("/api/v1/tasks/", {**payload, "motion": world["draft"].pk}, format="json").status_code == 409
    created = api.post("/api/v1/tasks/", {**payload, "motion": world["closed"].pk}, format="json")
    assert created.status_code == 201
    assert created.json()["motion"] == world["closed"].pk
    listed = api_for(cast["contact"]).get(f"/api/v1/tasks/?owner={world.contact_org.pk}&status=open").json()
    assert created.json()["id"] in {row["id"] for row in listed["results"]}


# Query counts ----------------------------------------------------------------------


class Rows:
    """Bulk rows on a committee of the high-tech alliance, n more each time."""

    def __init__(self, alliance, secretariat, contact_org):
        self.alliance, self.secretariat, self.contact_org = alliance, secretariat, contact_org
        self.body = Body.objects.create(alliance=alliance, kind=Body.Kind.COMMITTEE, name="计数委员会")
        start = timezone.now() + timedelta(days=5)
        self.meeting = Meeting.objects.create(body=self.body, title="计数会议", starts_at=start,
                                              ends_at=start + timedelta(hours=1), created_by=secretariat)
        self.motion = Motion.objects.create(alliance=alliance, body=self.body, meeting=self.meeting, title="计数议案",
                                            text="正文", quorum_fraction="2/3", threshold_fraction="1/2",
                                            threshold_base="cast", threshold_strict=True, abstentions_count=False,
                                            state=Motion.State.OPEN, created_by=secretariat)
        self.seq = 0

    def add(self, n):
        organizations = OrganizationFactory.create_batch(n)
        seats = Seat.objects.bulk_create([
            Seat(body=self.body, user=UserFactory(), organization=o, term_start=timezone.localdate(),
                 alternate=UserFactory()) for o in organizations])
        Attendance.objects.bulk_create([Attendance(meeting=self.meeting, seat=s, mode="in_person",
                                                   recorded_by=self.secretariat) for s in seats])
        Ballot.objects.bulk_create([Ballot(motion=self.motion, seat=s, choice="yes", cast_by=s.user,
                                           cast_on=timezone.localdate()) for s in seats])
        start = timezone.now() + timedelta(days=20)
        new_meetings = Meeting.objects.bulk_create([
            Meeting(body=self.body, title=f"会议{i}", starts_at=start, ends_at=start + timedelta(hours=1),
                    created_by=self.secretariat) for i in range(n)])
        Attendance.objects.bulk_create([Attendance(meeting=m, seat=seats[0], mode="online",
                                                   recorded_by=self.secretariat) for m in new_meetings])
        motions = []
        for meeting in new_meetings:
            self.seq += 1
            motions.append(Motion(
                alliance=self.alliance, body=self.body, meeting=meeting, title="决议", text="正文",
                quorum_fraction="2/3", threshold_fraction="1/2", threshold_base="cast", threshold_strict=True,
                abstentions_count=False, state=Motion.State.CLOSED, created_by=self.secretariat, yes_count=1,
                eligible=n, present=n, quorum_met=True, adopted=True, resolution_year=1999,
                resolution_seq=self.seq, published=True))
        for motion in Motion.objects.bulk_create(motions):
            motion.parties.add(self.contact_org)
        Task.objects.bulk_create([
            Task(alliance=self.alliance, owner=self.contact_org, title=f"任务{i}", target_value=5, target_unit="项",
                 due_on=timezone.localdate(), created_by=self.secretariat) for i in range(n)])


LISTS = [
    "/api/v1/meetings/?page_size=200",
    "/api/v1/motions/?page_size=200",
    "/api/v1/tasks/?page_size=200",
    "/api/v1/seats/?page_size=200",
    "/api/v1/bodies/?page_size=200",
    "/api/v1/meetings/{meeting}/attendance/",
    "/api/v1/motions/{motion}/ballots/?page_size=200",
]


def _count(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(context.captured_queries), context


@pytest.mark.parametrize("who", ["official", "secretariat", "contact", "anonymous"])
@pytest.mark.parametrize("url", LISTS)
def test_query_count_is_flat(cast, world, api_for, url, who):
    if "{" in url and who in ("contact", "anonymous"):
        pytest.skip("a meeting's attendance and a motion's ballots are council business")
    rows = Rows(world.alliance, world.secretariat, world.contact_org)
    path = url.format(meeting=rows.meeting.pk, motion=rows.motion.pk)
    client = api_for(cast[who])
    rows.add(10)
    client.get(path)
    small, _ = _count(client, path)
    rows.add(90)
    large, context = _count(client, path)
    assert large == small, "\n".join(q["sql"] for q in context.captured_queries)


def test_the_counted_rows_really_appear(cast, world, api_for):
    rows = Rows(world.alliance, world.secretariat, world.contact_org)
    rows.add(10)
    official = api_for(cast["official"])
    assert official.get(f"/api/v1/meetings/?body={rows.body.pk}").json()["count"] == 11
    assert official.get(f"/api/v1/motions/?body={rows.body.pk}").json()["count"] == 11
    assert official.get(f"/api/v1/seats/?body={rows.body.pk}").json()["count"] == 10
    assert len(official.get(f"/api/v1/meetings/{rows.meeting.pk}/attendance/").json()["records"]) == 10
    assert official.get(f"/api/v1/motions/{rows.motion.pk}/ballots/").json()["count"] == 10
    assert api_for(None).get(f"/api/v1/motions/?body={rows.body.pk}").json()["count"] == 10
    assert api_for(cast["contact"]).get(f"/api/v1/tasks/?owner={world.contact_org.pk}").json()["count"] == 10


# The meeting room: in session, votes taken in the room, who has not voted ----------------------------------


def test_a_meeting_started_early_is_in_session_over_the_api(cast, world, api_for):
    meeting = world["bare_meeting"]
    api = api_for(cast["secretariat"])
    assert api.get(f"/api/v1/meetings/{meeting.pk}/").json()["in_session"] is False
    response = api.post(f"/api/v1/meetings/{meeting.pk}/start/")
    assert response.status_code == 200
    assert response.json()["in_session"] is True and response.json()["started_at"]
    assert response.json()["status"] == "planned"  # the contract's three values
    assert api.post(f"/api/v1/meetings/{meeting.pk}/start/").status_code == 409


def test_attendance_before_the_meeting_starts_is_a_conflict(cast, world, api_for):
    meeting = world["bare_meeting"]
    response = api_for(cast["secretariat"]).post(f"/api/v1/meetings/{meeting.pk}/attendance/",
                                                 [{"seat": world.seats[0].pk, "mode": "in_person"}], format="json")
    assert response.status_code == 409 and not Attendance.objects.filter(meeting=meeting).exists()


def test_a_show_of_hands_is_recorded_over_the_api(cast, world, api_for):
    api = api_for(cast["secretariat"])
    created = api.post("/api/v1/motions/", {"body": world.body.pk, "meeting": world["meeting"].pk, "title": "举手",
                                            "text": "正文", "voting_method": "show_of_hands"}, format="json")
    assert created.status_code == 201, created.data
    assert (created.json()["voting_method"], created.json()["ballot"]) == ("show_of_hands", "named")
    pk = created.json()["id"]
    assert api.post(f"/api/v1/motions/{pk}/open/").status_code == 409
    hands = [{"seat": seat.pk, "choice": "yes" if index < 6 else "no"} for index, seat in enumerate(world.seats)]
    response = api.post(f"/api/v1/motions/{pk}/record/", {"hands": hands}, format="json")
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["state"] == "closed" and body["result"]["yes"] == 6 and body["resolution_number"]
    ballots = api.get(f"/api/v1/motions/{pk}/ballots/").json()["results"]
    assert len(ballots) == 9 and {row["choice"] for row in ballots} == {"yes", "no"}
    vote = api_for(cast["director"]).post(f"/api/v1/motions/{pk}/vote/", {"choice": "yes"}, format="json")
    assert vote.status_code == 409


@pytest.mark.parametrize(("payload", "field"), [
    ({"counts": {"yes": 9, "no": 1}, "tellers": "王五"}, "counts"),
    ({"counts": {"yes": 5, "no": 1}}, "tellers"),
    ({"counts": {"yes": -1}, "tellers": "王五"}, "counts"),
    ({"hands": [{"seat": 1, "choice": "yes"}]}, "counts"),
])
def test_a_paper_count_is_refused_with_the_reason_and_nothing_recorded(cast, world, api_for, payload, field):
    motion = gd.open_motion(world.secretariat, meeting=world["meeting"], opened=False, voting_method="paper")
    response = api_for(cast["secretariat"]).post(f"/api/v1/motions/{motion.pk}/record/", payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Motion.objects.get(pk=motion.pk).state == "draft"


def test_an_electronic_motion_is_not_recorded(cast, world, api_for):
    response = api_for(cast["secretariat"]).post(f"/api/v1/motions/{world['draft'].pk}/record/",
                                                 {"counts": {"yes": 5}, "tellers": "王五"}, format="json")
    assert response.status_code == 409


def test_the_secretariat_lists_who_has_not_voted_and_reminds_them_once(cast, world, api_for):
    motion = world["voted"]  # seat 2 has voted
    api = api_for(cast["secretariat"])
    rows = api.get(f"/api/v1/motions/{motion.pk}/not-voted/").json()
    assert len(rows) == 8 and world.seats[1].pk not in {row["seat"] for row in rows}
    assert set(rows[0]) == {"seat", "organization_name", "caster", "as_proxy", "reminded"}
    assert api.post(f"/api/v1/motions/{motion.pk}/remind/").json() == {"reminded": 8}
    assert api.post(f"/api/v1/motions/{motion.pk}/remind/").json() == {"reminded": 0}
    assert all(row["reminded"] for row in api.get(f"/api/v1/motions/{motion.pk}/not-voted/").json())
