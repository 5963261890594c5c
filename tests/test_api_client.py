"""A client generated from the served schema with openapi-python-client, used as a portal team would.

The client is generated once for the module from /api/v1/schema/ as a live server serves it; every one of
its modules must import, and a portal's journey runs through it against the live server: list alliances
with filters, page through organisations, read a motion and its ballots, vote, read an assessment (which
an official's cycle, a secretariat's self-assessment and an expert's review, all through the client, lead to:
the nested bodies `thresholds`, `indicators`, `self_scores` and review `scores` included).

The journey's live server is transactional: the database is flushed afterwards, so the test loads the cast
itself.
"""

import datetime
import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from governance.demo import load_demo_council
from governance.models import Motion
from members.api.views import LoginThrottle
from tests.conftest import PASSWORD, load_cast
from tests.shared import small_framework

PACKAGE = "alliance_portal_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
FULL_SCORES = {"A1": "8", "B1": "9", "B2": "4", "C1": "1"}


@pytest.fixture(scope="module")
def generated_client(django_db_setup, django_db_blocker, tmp_path_factory):
    """The generated package, imported from a temporary directory (generated once per module) from the schema
    /api/v1/schema/ serves (asked for in Chinese: it is the same in every language)."""
    with django_db_blocker.unblock():
        schema = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json",
                              HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert schema.status_code == 200, schema.content[:500]
    root = tmp_path_factory.mktemp("generated")
    (root / "schema.json").write_bytes(schema.content)
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(root / "schema.json"), "--output-path", str(root / PACKAGE),
         "--meta", "none", "--fail-on-warning"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_every_module_of_the_generated_client_imports(generated_client):
    failures, count = [], 0
    for module in pkgutil.walk_packages(generated_client.__path__, f"{PACKAGE}."):
        count += 1
        try:
            importlib.import_module(module.name)
        except Exception as error:  # noqa: BLE001 - every failure is listed, whatever its kind
            failures.append(f"{module.name}: {error!r}")
    assert count > 100
    assert not failures, "\n".join(failures)


def test_the_generated_client_names_no_class_after_a_translation(generated_client):
    models = importlib.import_module(f"{PACKAGE}.models")
    names = [name for name in dir(models) if not name.startswith("_")]
    assert all(name.isascii() for name in names), [name for name in names if not name.isascii()]
    # Shared error components, not one class per operation and status.
    assert not [name for name in names if "Response4" in name]
    assert {"Error", "ValidationError"} <= set(names)


class Portal:
    """The generated client's operations by their module name, e.g. portal.call("alliances_list", ...)."""

    def __init__(self, package, base_url: str):
        self.package, self.base_url = package, base_url
        self.anonymous = package.Client(base_url=base_url, raise_on_unexpected_status=True)

    def operation(self, name: str):
        group = name.split("_", 1)[0]
        return importlib.import_module(f"{PACKAGE}.api.{group}.{name}")

    def model(self, name: str):
        return getattr(importlib.import_module(f"{PACKAGE}.models"), name)

    def signed_in(self, username: str):
        body = self.model("TokenRequest")(username=username, password=PASSWORD)
        token = self.operation("auth_token_create").sync(client=self.anonymous, body=body)
        assert isinstance(token, self.model("TokenResponse")), token
        return self.package.AuthenticatedClient(base_url=self.base_url, token=token.token, prefix="Token",
                                                raise_on_unexpected_status=True)

    def call(self, name: str, client, expect: int = 200, **kwargs):
        response = self.operation(name).sync_detailed(client=client, **kwargs)
        assert response.status_code == expect, (name, response.status_code, response.content[:500])
        return response.parsed


def test_a_portal_journey_through_the_generated_client(generated_client, live_server, transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    # Four sign-ins below: start from a clean login throttle (10/min per address, counted in Redis).
    LoginThrottle.cache.delete(LoginThrottle.cache_format % {"scope": LoginThrottle.scope, "ident": "127.0.0.1"})
    load_cast()
    load_demo_council()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    portal = Portal(generated_client, live_server.url)
    anonymous = portal.anonymous

    # Alliances, filtered by the city's id or its name, level and status.
    level, status = portal.model("AlliancesListLevel"), portal.model("AlliancesListStatus")
    by_name = portal.call("alliances_list", anonymous, city_name="淄博市", level=level.PROVINCIAL,
                          status=status.ESTABLISHED, ordering="-member_count,name")
    assert by_name.count == 3
    assert {alliance.city for alliance in by_name.results} == {high_tech.city_id}
    by_id = portal.call("alliances_list", anonymous, city=high_tech.city_id, level=level.PROVINCIAL)
    assert {a.id for a in by_id.results} >= {a.id for a in by_name.results}
    alliance = portal.call("alliances_retrieve", anonymous, id=high_tech.pk)
    assert alliance.lead_school == high_tech.lead_school_id and alliance.lead_school_name == "淄博职业学院"
    refused = portal.call("alliances_list", anonymous, expect=400, page_size=0)
    assert isinstance(refused, portal.model("ValidationError")) and refused.codes["page_size"] == ["invalid"]
    history = portal.call("alliances_status_history_list", anonymous, id=high_tech.pk)
    assert history.count == len(history.results)

    # Organisations, page by page.
    seen, page = [], 1
    while True:
        organizations = portal.call("organizations_list", anonymous, alliance=high_tech.pk, page=page, page_size=40)
        seen += [organization.id for organization in organizations.results]
        if organizations.next_ is None:
            break
        page += 1
    assert page == 3 and len(seen) == len(set(seen)) == organizations.count == 91

    # A motion and its ballots; a vote; a second vote is a conflict with its code.
    director = portal.signed_in("director1")
    adopted = Motion.objects.get(alliance=high_tech, state="closed")
    motion = portal.call("motions_retrieve", director, id=adopted.pk)
    assert motion.state == portal.model("StateEnum").CLOSED and motion.result.adopted
    assert motion.resolution_number and motion.meeting is not None
    ballots = portal.call("motions_ballots_list", director, id=adopted.pk)
    assert ballots.count == 9 and {ballot.choice for ballot in ballots.results} <= {"yes", "abstain"}
    state = portal.model("MotionsListState")
    open_motions = portal.call("motions_list", director, state=state.OPEN)
    pending = next(m for m in open_motions.results if m.meeting is None)  # the minutes, by written consent
    vote = portal.model("VoteInputRequest")(choice=portal.model("ChoiceEnum").YES)
    ballot = portal.call("motions_vote_create", director, expect=201, id=pending.id, body=vote)
    assert ballot.choice == "yes"
    again = portal.call("motions_vote_create", director, expect=409, id=pending.id, body=vote)
    assert isinstance(again, portal.model("Error")) and again.code == "state_conflict" and again.detail

    # An official imports and publishes a framework and opens a cycle (nested indicators and thresholds).
    official = portal.signed_in("official")
    framework = portal.call("frameworks_create", official, expect=201,
                            body=portal.model("FrameworkInputRequest").from_dict(small_framework("门户测试指标体系")))
    framework = portal.call("frameworks_publish_create", official, id=framework.id)
    today = timezone.localdate()
    cycle = portal.call("cycles_create", official, expect=201, body=portal.model("CycleInputRequest").from_dict({
        "framework": framework.id, "city": high_tech.city_id, "title": "门户测试考核", "opens_on": today.isoformat(),
        "self_assessment_due": (today + datetime.timedelta(days=30)).isoformat(),
        "review_due": (today + datetime.timedelta(days=60)).isoformat(), "alliances": [high_tech.pk],
        "thresholds": {"excellent": "92.00", "qualified": "75.00", "rectify": "60.00"},
    }))
    assert cycle.city == high_tech.city_id and cycle.city_name == "淄博市" and cycle.thresholds.excellent == "92.00"
    assessment = portal.call("assessments_list", official, cycle=cycle.id).results[0]
    assert assessment.grade is None and assessment.status == portal.model("AssessmentOutputStatusEnum").DRAFT

    # The secretariat scores and submits; the official assigns an expert, who scores (nested scores).
    secretariat = portal.signed_in("secretariat")
    scores = portal.model("PatchedSelfAssessmentInputRequest").from_dict({"self_scores": FULL_SCORES})
    saved = portal.call("assessments_partial_update", secretariat, id=assessment.id, body=scores)
    assert saved.self_scores.to_dict() == {code: f"{score}.00" for code, score in FULL_SCORES.items()}
    portal.call("assessments_submit_create", secretariat, id=assessment.id)
    expert = portal.signed_in("expert1")
    experts = portal.model("ExpertsInputRequest")(experts=[portal.call("me_retrieve", expert).id])
    reviews = portal.call("assessments_assign_experts_create", official, expect=201, id=assessment.id, body=experts)
    review = portal.call("reviews_partial_update", expert, id=reviews[0].id,
                         body=portal.model("PatchedReviewInputRequest").from_dict(
                             {"declared_no_conflict": True, "scores": FULL_SCORES}))
    assert review.scores.to_dict()["B2"] == "4.00"
    portal.call("reviews_submit_create", expert, id=review.id)

    # The assessment as the official reads it, and nothing of it for the public until published.
    read = portal.call("assessments_retrieve", official, id=assessment.id)
    assert read.alliance == high_tech.pk and read.alliance_name == HIGH_TECH and read.cycle == cycle.id
    assert read.self_scores.to_dict()["A1"] == "8.00" and read.final_score is None
    hidden = portal.call("assessments_retrieve", anonymous, expect=404, id=assessment.id)
    assert hidden.code == "not_found"
