"""Issue 14, ballots: the ballots of one motion are cast side by side (a shared lock on the motion, nothing
written to its row), closing waits for those in progress and counts every one; a secret choice is a row of
its own (no voter, no time, a random key), gone once counted; a ballot is a few statements, whatever the
body's size."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from governance.models import Ballot, Motion, SecretChoice
from governance.services import votes
from kernel.errors import StateConflict
from tests import governance_data as gd
from tests.conftest import PASSWORD, load_cast

pytestmark = pytest.mark.django_db

WAIT = 30  # seconds a thread is given before the test says it is stuck (never reached when all is well)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def _open_assembly(size: int, **fields):
    _alliance, body, secretariat = gd.assembly(size)
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat)
    return secretariat, gd.open_motion(secretariat, meeting=meeting, **fields), [s.user for s in gd.seats(body)]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waits_on_a_lock(pid: int) -> bool:
    """Whether that backend comes to wait on a lock: PostgreSQL is asked until it does (a condition polled,
    within WAIT seconds, not a pause the test relies on)."""
    with connection.cursor() as cursor:
        for _ in range(WAIT * 100):
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted), pg_sleep(0.01)",
                           [pid])
            if cursor.fetchone()[0]:
                return True
    return False


class InThread(threading.Thread):
    """Runs `work` in its own connection; keeps its result or its exception."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.result, self.error, self.pid = work, None, None, None
        self.connected = threading.Event()

    def run(self):
        try:
            self.pid = _backend_pid()
            self.connected.set()
            self.result = self.work()
        except BaseException as error:  # noqa: BLE001 — handed to the test
            self.error = error
        finally:
            self.connected.set()
            connection.close()


@pytest.mark.django_db(transaction=True)
def test_ballots_run_side_by_side_and_closing_waits_for_the_one_in_progress():
    load_cast()
    secretariat, motion, directors = _open_assembly(6)
    cast, release = threading.Event(), threading.Event()

    def held_ballot():  # a ballot whose transaction stays open until released
        with transaction.atomic():
            votes.ballot_cast(motion=Motion(pk=motion.pk), actor=directors[0], choice="yes")
            cast.set()
            assert release.wait(WAIT)

    first = InThread(held_ballot)
    first.start()
    assert cast.wait(WAIT)
    # Another seat's ballot on the same motion completes while the first is still in its transaction.
    second = InThread(lambda: votes.ballot_cast(motion=Motion(pk=motion.pk), actor=directors[1], choice="no"))
    second.start()
    second.join(WAIT)
    assert not second.is_alive() and second.error is None and first.is_alive()
    # Closing waits for the ballot in progress, then counts it.
    closing = InThread(lambda: votes.motion_close(motion=Motion(pk=motion.pk), actor=secretariat))
    closing.start()
    assert closing.connected.wait(WAIT)
    assert _waits_on_a_lock(closing.pid) and closing.is_alive()
    release.set()
    first.join(WAIT)
    closing.join(WAIT)
    assert first.error is None and closing.error is None, (first.error, closing.error)
    closed = Motion.objects.get(pk=motion.pk)
    assert (closed.state, closed.yes_count, closed.no_count, closed.abstain_count) == ("closed", 1, 1, 0)
    with pytest.raises(StateConflict):
        votes.ballot_cast(motion=Motion(pk=motion.pk), actor=directors[2], choice="yes")
    assert Ballot.objects.filter(motion_id=motion.pk).count() == 2


def test_a_secret_choice_is_a_row_of_its_own_naming_no_voter_and_gone_once_counted():
    secretariat, motion, directors = _open_assembly(8, ballot="secret")
    choices = ["yes", "no", "yes", "abstain", "yes", "no"]
    for director, choice in zip(directors, choices, strict=False):
        votes.ballot_cast(motion=motion, actor=director, choice=choice)
    rows = list(SecretChoice.objects.filter(motion=motion))
    assert sorted(row.choice for row in rows) == sorted(choices)
    assert all(isinstance(row.pk, uuid.UUID) and row.pk.version == 4 for row in rows)  # random: no order
    fields = {field.name for field in SecretChoice._meta.concrete_fields}
    assert fields == {"id", "motion", "choice"}  # no seat, no voter, no time
    assert not any(isinstance(field, (models.DateField, models.DateTimeField, models.TimeField))
                   for field in SecretChoice._meta.concrete_fields)
    assert set(Ballot.objects.filter(motion=motion).values_list("choice", flat=True)) == {""}
    assert Motion.objects.filter(pk=motion.pk).values_list("yes_count", flat=True).get() == 0  # nothing written
    assert Motion.objects.get(pk=motion.pk).counts_so_far() == {"yes": 3, "no": 2, "abstain": 1}
    closed = votes.motion_close(motion=motion, actor=secretariat)
    assert (closed.yes_count, closed.no_count, closed.abstain_count) == (3, 2, 1)
    assert not SecretChoice.objects.filter(motion=motion).exists()
    stored = Motion.objects.get(pk=motion.pk)
    assert (stored.yes_count, stored.no_count, stored.abstain_count) == (3, 2, 1)


def test_a_withheld_secret_count_leaves_no_choice_behind():
    secretariat, motion, directors = _open_assembly(4, ballot="secret")
    votes.ballot_cast(motion=motion, actor=directors[0], choice="no")
    closed = votes.motion_close(motion=motion, actor=secretariat)
    assert closed.yes_count is None and not SecretChoice.objects.filter(motion=motion).exists()


def test_a_refused_ballot_leaves_nothing_behind():
    secretariat, motion, directors = _open_assembly(4, ballot="secret")
    votes.ballot_cast(motion=motion, actor=directors[0], choice="yes")
    with pytest.raises(StateConflict, match="already voted"):
        votes.ballot_cast(motion=motion, actor=directors[0], choice="no")
    assert SecretChoice.objects.filter(motion=motion).count() == 1 == Ballot.objects.filter(motion=motion).count()


def _ballot_statements(size: int, ballot: str) -> list[str]:
    _secretariat, motion, directors = _open_assembly(size, ballot=ballot)
    votes.ballot_cast(motion=motion, actor=directors[0], choice="yes")
    motion = Motion.objects.select_related("alliance", "body", "meeting").get(pk=motion.pk)  # as the views load it
    with CaptureQueriesContext(connection) as queries:
        votes.ballot_cast(motion=motion, actor=directors[-1], choice="no")
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("ballot", ["named", "secret"])
def test_a_ballot_is_a_few_statements_whatever_the_size_of_the_body(ballot):
    """The shared lock, the seat with its conflict, attendance and the quorum in one query, the insert (and the
    secret choice): no COUNT(*) of its own, no write to the motion's row, no savepoint."""
    small, large = _ballot_statements(10, ballot), _ballot_statements(120, ballot)
    # The test's transaction makes ballot_cast's own atomic block a savepoint (over HTTP it is BEGIN/COMMIT).
    assert [query.split(" ")[0] for query in large if "SAVEPOINT" in query] == ["SAVEPOINT", "RELEASE"]
    small, large = ([query for query in queries if "SAVEPOINT" not in query] for queries in (small, large))
    assert len(small) == len(large) == (4 if ballot == "secret" else 3), "\n".join(large)
    assert not any(query.startswith("UPDATE") for query in large)


def _vote_over_http(size: int) -> tuple[int, list[str]]:
    """A ballot as a portal casts it: a knox token in the header, the API's vote action."""
    _secretariat, motion, directors = _open_assembly(size)
    _instance, token = AuthToken.objects.create(directors[-1])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as queries:
        response = api.post(f"/api/v1/motions/{motion.pk}/vote/", {"choice": "yes"}, format="json")
    assert response.status_code == 201, response.content
    return response.status_code, [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]


def test_a_ballot_over_the_api_costs_the_same_statements_whatever_the_size_of_the_body():
    """The token with its user (one query: no list of the user's other tokens), the motion with its meeting (by
    id: the seat check is stricter than the caller's scope, which is not read), then the ballot's statements."""
    (_status, small), (_status, large) = _vote_over_http(10), _vote_over_http(120)
    assert len(small) == len(large) <= 6, "\n".join(large)
    assert not any("members_rolegrant" in query or "members_contact" in query for query in large)
    assert sum('FROM "knox_authtoken"' in query for query in large) == 1
    assert sum('"governance_motion"' in query and "FOR SHARE" not in query for query in large) == 1


def test_a_token_checks_its_own_expiry_and_a_new_token_clears_the_expired_ones(cast):
    user = cast["secretariat"]
    expired, _old = AuthToken.objects.create(user, expiry=timedelta(seconds=-1))
    other, _valid = AuthToken.objects.create(user)
    _instance, token = AuthToken.objects.create(user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {_old}")
    assert api.get("/api/v1/me/").status_code == 401  # an expired token is refused and deleted, as knox does
    assert not AuthToken.objects.filter(pk=expired.pk).exists()
    expired, _old = AuthToken.objects.create(user, expiry=timedelta(seconds=-1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 200
    assert AuthToken.objects.filter(pk=expired.pk).exists()  # a request no longer lists the user's tokens
    response = APIClient().post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD},
                                format="json")
    assert response.status_code == 200
    assert not AuthToken.objects.filter(pk=expired.pk).exists() and AuthToken.objects.filter(pk=other.pk).exists()
