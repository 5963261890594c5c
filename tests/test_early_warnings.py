"""Early warnings (assessments/early_warnings/): each rule against records built for it, the warning's life
(opened, kept current, ended), thresholds as data, notices once per rule and year, and who sees them on the
pages and in the API — with query counts that do not grow with alliances or warnings."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import Alliance
from assessments.early_warnings.rules import RULES, evaluate, notice_key
from assessments.models import EarlyWarning, WarningRule
from assessments.tasks import check_early_warnings
from config.celery import app
from governance.models import Body, Meeting, Task
from kernel.models import Notification
from members.models import Membership, RoleGrant
from tests.factories import AllianceFactory, OrganizationFactory, UserFactory

TODAY = timezone.localdate()
ROLES = ["anonymous", "official", "secretariat", "director", "contact", "expert"]


def _alliance(city, secretary, *, months_since_council=None, members=3, **extra):
    """An established alliance of `city` with a council (held `months_since_council` months ago, if at all),
    `members` active member units of long standing, and `secretary` as its secretariat."""
    alliance = AllianceFactory(city=city, founded_on=TODAY - datetime.timedelta(days=900), **extra)
    body = Body.objects.create(alliance=alliance, kind=Body.Kind.COUNCIL, name="理事会")
    if months_since_council is not None:
        held = timezone.now() - datetime.timedelta(days=int(months_since_council * 30.44))
        Meeting.objects.create(body=body, kind=Meeting.Kind.REGULAR, title="理事会会议", starts_at=held,
                               ends_at=held + datetime.timedelta(hours=2), status=Meeting.Status.HELD,
                               created_by=secretary)
    for _ in range(members):
        Membership.objects.create(alliance=alliance, organization=OrganizationFactory(city=city),
                                  status=Membership.Status.ACTIVE,
                                  joined_on=TODAY - datetime.timedelta(days=800))
    RoleGrant.objects.create(user=secretary, role=RoleGrant.Role.SECRETARIAT, alliance=alliance)
    return alliance


@pytest.fixture
def quiet(cast, high_tech):
    """An alliance of the official's city whose council has not met for eight months and whose members did
    nothing this year, run by the demo secretariat."""
    return _alliance(high_tech.city, cast["secretariat"], months_since_council=8)


def _open(alliance):
    return {warning.rule: warning for warning in EarlyWarning.objects.filter(alliance=alliance, ended_on=None)}


# The rules --------------------------------------------------------------------------------------------------------


def test_each_rule_warns_at_its_threshold_and_not_below(cast, quiet, high_tech):
    recent = _alliance(high_tech.city, cast["secretariat"], months_since_council=2, members=0)
    owner = Membership.objects.filter(alliance=quiet).first().organization
    Task.objects.create(alliance=quiet, title="建设实训基地", owner=owner, target_value=1, target_unit="个",
                        due_on=TODAY - datetime.timedelta(days=1), created_by=cast["secretariat"])
    Task.objects.create(alliance=recent, title="按期完成", owner=owner, target_value=1, target_unit="个",
                        due_on=TODAY + datetime.timedelta(days=1), created_by=cast["secretariat"])
    evaluate(alliance_ids=[quiet.pk, recent.pk])
    warned = _open(quiet)
    assert Decimal("7.8") < warned["council_silent"].value < Decimal("8.2")
    assert warned["council_silent"].threshold == 6 and warned["council_silent"].since == TODAY
    # The task's owner took part (a task of the council), the two others did nothing: 2 of 3.
    assert warned["inactive_members"].value == Decimal("66.67")
    assert warned["overdue_tasks"].value == 1 and warned["overdue_tasks"].level == "notice"
    assert set(_open(recent)) <= {"lists_stale"}  # met two months ago, no member of a year's standing, no task late


def test_a_council_that_never_met_is_silent_since_the_founding(cast, high_tech):
    never = _alliance(high_tech.city, cast["secretariat"], members=0)
    evaluate(alliance_ids=[never.pk])
    assert _open(never)["council_silent"].value > 29


def test_alliances_that_do_not_run_are_not_watched(cast, high_tech):
    proposed = _alliance(high_tech.city, cast["secretariat"], members=2, status=Alliance.Status.PROPOSED)
    evaluate(alliance_ids=[proposed.pk])
    assert not EarlyWarning.objects.filter(alliance=proposed).exists()


# The warning's life ---------------------------------------------------------------------------------------------


def test_a_warning_keeps_its_start_and_ends_when_the_rule_is_no_longer_met(cast, quiet):
    evaluate(alliance_ids=[quiet.pk])
    first = _open(quiet)["council_silent"]
    later = TODAY + datetime.timedelta(days=10)
    counts = evaluate(alliance_ids=[quiet.pk], today=later)
    assert counts["opened"] == 0 and counts["updated"] >= 2
    again = EarlyWarning.objects.get(pk=first.pk)
    assert again.since == TODAY and again.checked_on == later and again.value > first.value
    held = timezone.now()
    Meeting.objects.create(body=Body.objects.get(alliance=quiet), kind=Meeting.Kind.REGULAR, title="补开会议",
                           starts_at=held, ends_at=held + datetime.timedelta(hours=2), status=Meeting.Status.HELD,
                           created_by=cast["secretariat"])
    evaluate(alliance_ids=[quiet.pk], today=later)
    assert EarlyWarning.objects.get(pk=first.pk).ended_on == later
    assert "council_silent" not in _open(quiet)


def test_thresholds_and_levels_are_data(cast, quiet):
    WarningRule.objects.filter(code="council_silent").update(threshold=9, level="serious")
    WarningRule.objects.filter(code="inactive_members").update(enabled=False)
    evaluate(alliance_ids=[quiet.pk])
    assert {"council_silent", "inactive_members"}.isdisjoint(_open(quiet))
    WarningRule.objects.filter(code="council_silent").update(threshold=Decimal("7.5"))
    evaluate(alliance_ids=[quiet.pk])
    assert _open(quiet)["council_silent"].level == "serious"
    assert _open(quiet)["council_silent"].threshold == Decimal("7.5")


def test_every_rule_has_its_row_with_the_defaults(db):
    rows = {row.code: row for row in WarningRule.objects.all()}
    assert set(rows) == set(RULES)
    assert all(rows[code].threshold == rule.default_threshold and rows[code].level == rule.default_level
               for code, rule in RULES.items())


def test_a_new_warning_is_told_once_a_year_to_the_secretariat_and_the_officials(cast, quiet):
    evaluate(alliance_ids=[quiet.pk])
    warning = _open(quiet)["council_silent"]
    for user in (cast["secretariat"], cast["official"]):
        notice = Notification.objects.get(key=notice_key(warning, user))
        assert quiet.name in notice.subject and notice.url == "/assessments/warnings/"
    assert not Notification.objects.filter(user=cast["contact"], key__startswith="warning:").exists()
    before = Notification.objects.filter(key__startswith=f"warning:{quiet.pk}:").count()
    # Checked again, ended and met again the same year: nobody is told twice.
    evaluate(alliance_ids=[quiet.pk])
    WarningRule.objects.filter(code="council_silent").update(threshold=100)
    evaluate(alliance_ids=[quiet.pk])
    WarningRule.objects.filter(code="council_silent").update(threshold=6)
    evaluate(alliance_ids=[quiet.pk])
    assert EarlyWarning.objects.filter(alliance=quiet, rule="council_silent").count() == 2
    assert Notification.objects.filter(key__startswith=f"warning:{quiet.pk}:").count() == before


def test_checking_more_alliances_costs_no_more_queries(cast, high_tech):
    def queries(alliance_ids):
        evaluate(alliance_ids=alliance_ids)  # opens and tells; the nightly re-check is what is counted
        with CaptureQueriesContext(connection) as captured:
            evaluate(alliance_ids=alliance_ids)
        return len(captured)

    few = [_alliance(high_tech.city, cast["secretariat"], months_since_council=8).pk for _ in range(2)]
    many = few + [_alliance(high_tech.city, cast["secretariat"], months_since_council=m).pk for m in (1, 7, 9, 12)]
    assert queries(few) == queries(many)


def test_the_beat_checks_every_night():
    assert app.conf.beat_schedule["early-warnings"]["task"] == check_early_warnings.name


# Pages ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_warnings_page(role, cast, quiet, client_for):
    evaluate(alliance_ids=[quiet.pk])
    response = client_for(cast[role]).get("/assessments/warnings/")
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in ("official", "secretariat"):
        page = response.content.decode()
        assert response.status_code == 200
        assert f'data-alliance="{quiet.pk}" data-rule="council_silent"' in page and "理事会长期未召开" in page
    else:
        assert response.status_code == 403


def test_a_secretariat_sees_only_its_own_alliances(cast, quiet, client_for, other_alliance):
    other = _alliance(other_alliance.city, UserFactory(), months_since_council=8)
    evaluate(alliance_ids=[quiet.pk, other.pk])
    page = client_for(cast["secretariat"]).get("/assessments/warnings/").content.decode()
    assert f'data-alliance="{quiet.pk}"' in page and f'data-alliance="{other.pk}"' not in page
    assert f'data-alliance="{other.pk}"' not in client_for(cast["official"]).get("/assessments/warnings/").content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_check_now(role, cast, quiet, client_for):
    response = client_for(cast[role]).post("/assessments/warnings/check/")
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in ("official", "secretariat"):
        assert response.status_code == 302 and response["Location"] == "/assessments/warnings/"
        assert "council_silent" in _open(quiet)
    else:
        assert response.status_code == 403
        assert not EarlyWarning.objects.filter(alliance=quiet).exists()


def test_checking_now_is_a_post(cast, client_for):
    assert client_for(cast["official"]).get("/assessments/warnings/check/").status_code == 405


def test_the_home_page_and_the_dashboard_show_the_warnings(cast, quiet, client_for):
    evaluate(alliance_ids=[quiet.pk])
    home = client_for(cast["secretariat"]).get("/").content.decode()
    assert 'id="due-warnings"' in home and 'data-rule="council_silent"' in home
    official_home = client_for(cast["official"]).get("/").content.decode()
    assert 'id="city-warnings"' in official_home
    dashboard = client_for(cast["official"]).get("/assessments/dashboard/").content.decode()
    row = dashboard.split(f'<tr data-alliance="{quiet.pk}">')[1].split("</tr>")[0]
    assert 'data-warnings="2"' in row and "badge warning" in row


def test_the_pages_cost_the_same_with_more_warnings(cast, high_tech, client_for):
    browser = client_for(cast["official"])

    def counted(url):
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(url).status_code == 200
        return len(captured)

    _alliance(high_tech.city, cast["secretariat"], months_since_council=8)
    evaluate()
    few = {url: counted(url) for url in ("/assessments/warnings/", "/assessments/dashboard/", "/")}
    for months in (7, 9, 10, 11):
        _alliance(high_tech.city, cast["secretariat"], months_since_council=months)
    evaluate()
    assert {url: counted(url) for url in few} == few


# API ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_an_alliances_warnings_in_the_api(role, cast, quiet, api_for):
    evaluate(alliance_ids=[quiet.pk])
    response = api_for(cast[role]).get(f"/api/v1/alliances/{quiet.pk}/warnings/")
    if role == "anonymous":
        assert response.status_code == 401
    elif role in ("official", "secretariat"):
        assert response.status_code == 200
        rows = {row["rule"]: row for row in response.json()["results"]}
        assert set(rows["council_silent"]) == {"alliance", "rule", "level", "value", "threshold", "since"}
        assert rows["council_silent"]["threshold"] == "6.00" and rows["council_silent"]["since"] == TODAY.isoformat()
    else:
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_the_api_answers_404_for_an_unknown_alliance(cast, api_for):
    assert api_for(cast["official"]).get("/api/v1/alliances/99999999/warnings/").status_code == 404


def test_the_api_costs_the_same_with_more_warnings(cast, quiet, api_for):
    api = api_for(cast["official"])

    def counted():
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/api/v1/alliances/{quiet.pk}/warnings/").status_code == 200
        return len(captured)

    WarningRule.objects.filter(code="council_silent").update(threshold=100)
    evaluate(alliance_ids=[quiet.pk])
    counted()  # the user's scope, cached after the first request
    one = counted()
    WarningRule.objects.filter(code="council_silent").update(threshold=6)
    evaluate(alliance_ids=[quiet.pk])
    assert len(_open(quiet)) == 2 and counted() == one

