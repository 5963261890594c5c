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

from governance.minutes_pdf import _motion_row
from governance.models import Motion
from governance.rules import Rule, Tally, decide, secret_count_publishable
from governance.services import votes
from kernel.models import Notification
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
    page = client_for(cast["director"]).get(f"/governance/motions/{motion.pk}/",
                                            HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "too few ballots to publish a secret count" in page
    assert 'id="tally-yes"' not in page and 'id="base"' not in page and 'data-decided="no"' in page
    # the result mail says nothing of a count either
    notice = Notification.objects.get(key=f"motion:{motion.pk}:result:{council_seats[0].user_id}")
    assert "赞成" not in notice.body and "yes" not in notice.body and "未作出决定" in notice.body
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
    for seat, choice in zip(council_seats[:6], ["yes"] * 5 + ["no"], strict=True):
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


# 2. NUL characters and review comments -------------------------------------------------------------

@pytest.fixture
def assessment(cast, high_tech):
    from tests.test_assessments_api import open_cycle, published_framework

    return open_cycle(cast["official"], published_framework(cast["official"]), high_tech).assessments.get()


@pytest.fixture
def review(cast, high_tech):
    from tests.test_assessments_api import assessment_at, published_framework

    _assessment, review = assessment_at("reviewing", cast, published_framework(cast["official"]), high_tech)
    return review


def _no_raise(api):
    """A client that answers a 500 instead of raising it, and asks for English messages."""
    api.raise_request_exception = False
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return api


@pytest.mark.parametrize("payload", [
    {"self_scores": {"A1\u0000": "1"}},
    {"self_narratives": {"A1\u0000": "说明"}},
    {"self_narratives": {"A1": "说明\u0000"}},
])
def test_a_nul_character_in_a_self_assessment_answers_400_not_500(cast, api_for, assessment, payload):
    response = _no_raise(api_for(cast["secretariat"])).patch(f"/api/v1/assessments/{assessment.pk}/", payload,
                                                             format="json")
    assert response.status_code == 400, response.content[:300]
    assert "NUL" in response.json()["detail"]
    assessment.refresh_from_db()
    assert (assessment.self_scores, assessment.self_narratives) == ({}, {})


@pytest.mark.parametrize("payload", [
    {"scores": {"A1\u0000": "1"}, "declared_no_conflict": True},
    {"comments": {"A1\u0000": "好"}},
    {"comments": {"A1": "好\u0000"}},
])
def test_a_nul_character_in_a_review_answers_400_not_500(cast, api_for, review, payload):
    response = _no_raise(api_for(cast["expert1"])).patch(f"/api/v1/reviews/{review.pk}/", payload, format="json")
    assert response.status_code == 400, response.content[:300]
    assert "NUL" in response.json()["detail"]
    review.refresh_from_db()
    assert (review.scores, review.comments) == ({}, {})


@pytest.mark.parametrize("method,url,payload", [
    ("post", "/api/v1/alliances/{ht}/transition/", {"to_status": "rectifying", "reason": "整改\u0000"}),
    ("patch", "/api/v1/alliances/{ht}/", {"description": "x\u0000"}),
    ("patch", "/api/v1/alliances/{ht}/", {"description": "ok", "ignored\u0000": 1}),
    ("post", "/api/v1/alliances/{ht}/transition/", [{"deep": [[{"deeper": "\u0000"}]]}]),
    ("post", "/api/v1/frameworks/", {"name": "体系", "indicators": [{"code": "A\u0000", "name": "x"}]}),
])
def test_a_nul_character_anywhere_in_json_answers_400(cast, api_for, high_tech, method, url, payload):
    api = _no_raise(api_for(cast["official"]))
    response = getattr(api, method)(url.format(ht=high_tech.pk), payload, format="json")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert "NUL" in response.json()["detail"]  # refused by the parser, before any field is read
    high_tech.refresh_from_db()
    assert high_tech.status == "established" and "\x00" not in high_tech.description


def test_a_backslash_u0000_spelled_out_is_not_a_nul(cast, api_for, high_tech):
    response = api_for(cast["official"]).patch(f"/api/v1/alliances/{high_tech.pk}/",
                                               {"description": "C:\\u0000"}, format="json")
    assert response.status_code == 200, response.content[:300]
    high_tech.refresh_from_db()
    assert high_tech.description == "C:\\u0000"


def test_review_comments_are_keyed_by_the_frameworks_indicator_codes(cast, api_for, review):
    api = api_for(cast["expert1"])
    unknown = api.patch(f"/api/v1/reviews/{review.pk}/", {"comments": {"not-a-code": "x"}}, format="json")
    assert unknown.status_code == 400
    assert list(unknown.json()) == ["comments"] and "not-a-code" in unknown.json()["comments"][0]
    many = api.patch(f"/api/v1/reviews/{review.pk}/", {"comments": {f"k{n}": "x" for n in range(500)}},
                     format="json")
    assert many.status_code == 400 and list(many.json()) == ["comments"]
    known = api.patch(f"/api/v1/reviews/{review.pk}/", {"comments": {"A1": "规范", "A": "总体"}}, format="json")
    assert known.status_code == 200, known.json()
    assert known.json()["comments"] == {"A1": "规范", "A": "总体"}


def test_a_comment_or_narrative_longer_than_the_limit_is_refused_by_the_service(cast, review, assessment):
    from assessments import services
    from kernel.errors import DomainError

    long = "长" * (services.TEXT_MAX + 1)
    with pytest.raises(DomainError) as refused:
        services.review_save(review=review, actor=cast["expert1"], comments={"A1": long})
    assert refused.value.field == "comments"
    with pytest.raises(DomainError) as refused:
        services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], narratives={"ZZ": "x"})
    assert refused.value.field == "self_narratives"
    review.refresh_from_db()
    assert review.comments == {}


# 3. Permission before validation -----------------------------------------------------------------------

def test_a_contact_cannot_learn_that_a_hidden_alliance_name_exists(cast, api_for, other_alliance, high_tech):
    api = api_for(cast["contact"])
    assert api.get(f"/api/v1/alliances/{other_alliance.pk}/").status_code == 404  # hidden from them
    taken = api.post("/api/v1/alliances/", {"name": other_alliance.name, "city": other_alliance.city_id},
                     format="json")
    free = api.post("/api/v1/alliances/", {"name": "无人用过的名字", "city": other_alliance.city_id}, format="json")
    assert taken.status_code == free.status_code == 403
    assert taken.json() == free.json()
    renamed = api.patch(f"/api/v1/alliances/{high_tech.pk}/", {"name": other_alliance.name}, format="json")
    assert renamed.status_code == 403
    assert "exists" not in str(renamed.json())


def test_an_official_of_another_city_cannot_learn_it_either(cast, api_for, other_alliance):
    api = api_for(cast["official"])  # Zibo's official: may register alliances, in Zibo only
    taken = api.post("/api/v1/alliances/", {"name": other_alliance.name, "city": other_alliance.city_id},
                     format="json")
    free = api.post("/api/v1/alliances/", {"name": "无人用过的名字", "city": other_alliance.city_id}, format="json")
    assert taken.status_code == free.status_code == 403


def test_a_duplicate_name_is_still_refused_to_whoever_may_register(cast, api_for, high_tech):
    response = api_for(cast["official"]).post("/api/v1/alliances/", {"name": high_tech.name,
                                                                      "city": high_tech.city_id}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]


# 4. Superusers -----------------------------------------------------------------------------------------

def test_a_superuser_sees_draft_and_unpublished_motions(cast, high_tech, api_for, client_for):
    from members.models import User

    admin = User.objects.create_superuser("root-low", "root@test.invalid", "x")
    draft = gd.open_motion(cast["secretariat"], body=gd.council(high_tech), opened=False, title="草稿议案")
    from governance.selectors import motions_for_user, tasks_for_user

    assert motions_for_user(admin).filter(pk=draft.pk).exists()
    assert motions_for_user(admin).count() == Motion.objects.count()
    assert api_for(admin).get(f"/api/v1/motions/{draft.pk}/").status_code == 200
    assert client_for(admin).get(f"/governance/motions/{draft.pk}/").status_code == 200
    from governance.models import Task

    assert tasks_for_user(admin).count() == Task.objects.count()


def test_a_superuser_who_is_also_a_contact_still_sees_every_task_and_membership(cast, high_tech):
    from governance.models import Task
    from governance.selectors import tasks_for_user
    from governance.services import tasks
    from kernel.scope import forget_scope
    from members.models import Contact, Membership, Organization
    from members.selectors import memberships_for_user

    contact = cast["contact"]
    own = Organization.objects.get(contacts__user=contact)
    other = (Membership.objects.filter(alliance=high_tech, status="active").exclude(organization=own)
             .first().organization)
    theirs = tasks.task_create(alliance=high_tech, actor=cast["secretariat"], owner=other, title="别家的任务",
                               target_value="1", target_unit="项", weight="1",
                               due_on=timezone.localdate() + timedelta(days=30))
    contact.is_superuser = True
    contact.save()
    forget_scope(contact)
    assert Contact.objects.filter(user=contact).exists()
    assert tasks_for_user(contact).filter(pk=theirs.pk).exists()
    assert tasks_for_user(contact).count() == Task.objects.count()
    assert memberships_for_user(contact).count() == Membership.objects.count()


# 5. JSON errors under /api/ -------------------------------------------------------------------------------

@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/motions/1/nope/", "/api/v2/", "/api/",
                                  "/api/v1/nope"])
def test_an_unknown_api_path_answers_a_json_404(client, settings, debug, path):
    settings.DEBUG = debug
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_an_unknown_api_path_answers_json_to_any_method(cast, api_for, settings):
    settings.DEBUG = True
    api = api_for(cast["official"])
    for method in ("post", "patch", "delete", "put"):
        response = getattr(api, method)("/api/v1/nope/", {"a": 1}, format="json")
        assert response.status_code == 404 and response.json()["detail"], method


def test_a_known_api_path_without_its_slash_still_redirects(client):
    response = client.get("/api/v1/alliances?status=established")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/alliances/?status=established"


def test_pages_still_answer_their_own_404(client):
    response = client.get("/nope/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("fmt", ["multipart", None])
def test_too_many_form_fields_to_the_api_answer_a_json_400(cast, api_for, high_tech, settings, debug, fmt):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    api = _no_raise(api_for(cast["official"]))
    data = {"to_status": "rectifying", "reason": "整改", **{f"f{n}": "x" for n in range(50)}}
    url = f"/api/v1/alliances/{high_tech.pk}/transition/"
    if fmt:
        response = api.post(url, data, format=fmt)
    else:
        from urllib.parse import urlencode

        response = api.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert "fields" in response.json()["detail"]
    high_tech.refresh_from_db()
    assert high_tech.status == "established"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_an_oversized_body_to_the_api_answers_a_json_400(cast, api_for, high_tech, settings, debug, content_type):
    import json
    from urllib.parse import urlencode

    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    data = {"to_status": "rectifying", "reason": "x" * 1500}
    body = json.dumps(data) if content_type == "application/json" else urlencode(data)
    response = _no_raise(api_for(cast["official"])).post(f"/api/v1/alliances/{high_tech.pk}/transition/", body,
                                                         content_type=content_type)
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert "1000" in response.json()["detail"]
    high_tech.refresh_from_db()
    assert high_tech.status == "established"


def test_django_own_400_under_the_api_is_json(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/api/v1/alliances/", HTTP_HOST="evil.invalid")  # DisallowedHost, before any view
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json") and response.json()["detail"]
    page = client.get("/", HTTP_HOST="evil.invalid")
    assert page.status_code == 400 and not page["Content-Type"].startswith("application/json")
