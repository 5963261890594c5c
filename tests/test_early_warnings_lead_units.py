"""The early warning on the lead units (seed 000 §4.3): the share of the year's projects led by the lead school or
the lead enterprise, as the participation page counts it; its threshold is data and checking more alliances
costs no more queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import Alliance
from assessments.early_warnings.rules import evaluate, notice_key
from assessments.models import EarlyWarning, WarningRule
from cooperation.selectors import participation
from cooperation.services import projects
from kernel.models import Notification
from kernel.scope import forget_scope
from members.models import Membership
from tests.test_early_warnings import _alliance

pytestmark = pytest.mark.django_db

RULE = "lead_unit_concentration"
TODAY = timezone.localdate()


def _led(alliance, secretary, *, by_leads: int, by_others: int, ended_last_year: int = 0):
    """An alliance whose first member unit is its lead school, with `by_leads` projects of this year led by it,
    `by_others` by another member unit, and `ended_last_year` led by it that ended before this year."""
    forget_scope(secretary)  # made secretariat of the new alliance
    units = [membership.organization for membership in
             Membership.objects.filter(alliance=alliance).select_related("organization").order_by("id")]
    Alliance.objects.filter(pk=alliance.pk).update(lead_school=units[0])
    alliance.refresh_from_db()
    this_year = datetime.date(TODAY.year, 1, 1)
    last_year = datetime.date(TODAY.year - 1, 3, 1)
    plan = ([(units[0], this_year, None)] * by_leads + [(units[1], this_year, None)] * by_others
            + [(units[0], last_year, datetime.date(TODAY.year - 1, 12, 31))] * ended_last_year)
    for index, (lead, starts_on, ends_on) in enumerate(plan):
        projects.project_create(actor=secretary, alliance=alliance, kind="order_class", title=f"订单班 {index}",
                                lead=lead, starts_on=starts_on, ends_on=ends_on, status="running")
    return alliance


def _open(alliance):
    return {warning.rule: warning for warning in EarlyWarning.objects.filter(alliance=alliance, ended_on=None)}


def test_it_warns_when_the_lead_units_lead_most_of_the_year_s_projects(cast, high_tech):
    alliance = _led(_alliance(high_tech.city, cast["secretariat"]), cast["secretariat"], by_leads=3, by_others=1)
    evaluate(alliance_ids=[alliance.pk])
    warning = _open(alliance)[RULE]
    assert warning.value == Decimal("75.0") and warning.threshold == 70 and warning.level == "notice"
    assert warning.value == participation(alliance, TODAY.year)["lead_unit_project_share"]
    for user in (cast["secretariat"], cast["official"]):
        assert Notification.objects.filter(key=notice_key(warning, user)).exists()


def test_it_does_not_warn_below_the_threshold_or_without_projects(cast, high_tech):
    spread = _led(_alliance(high_tech.city, cast["secretariat"]), cast["secretariat"], by_leads=1, by_others=2,
                  ended_last_year=4)  # last year's projects do not count this year
    idle = _led(_alliance(high_tech.city, cast["secretariat"]), cast["secretariat"], by_leads=0, by_others=0)
    evaluate(alliance_ids=[spread.pk, idle.pk])
    assert RULE not in _open(spread) and RULE not in _open(idle)


def test_its_threshold_and_level_are_data(cast, high_tech):
    alliance = _led(_alliance(high_tech.city, cast["secretariat"]), cast["secretariat"], by_leads=1, by_others=1)
    evaluate(alliance_ids=[alliance.pk])
    assert RULE not in _open(alliance)  # 50 % < 70 %
    WarningRule.objects.filter(code=RULE).update(threshold=50, level="serious")
    evaluate(alliance_ids=[alliance.pk])
    assert _open(alliance)[RULE].level == "serious" and _open(alliance)[RULE].threshold == 50
    WarningRule.objects.filter(code=RULE).update(enabled=False)
    evaluate(alliance_ids=[alliance.pk])
    assert RULE not in _open(alliance)


def test_the_migration_seeds_its_row():
    row = WarningRule.objects.get(code=RULE)
    assert row.threshold == 70 and row.level == "notice" and row.enabled


def test_checking_more_alliances_costs_no_more_queries(cast, high_tech):
    def queries(alliance_ids):
        evaluate(alliance_ids=alliance_ids)
        with CaptureQueriesContext(connection) as captured:
            evaluate(alliance_ids=alliance_ids)
        return len(captured)

    def led_alliance(by_leads, by_others):
        return _led(_alliance(high_tech.city, cast["secretariat"]), cast["secretariat"], by_leads=by_leads,
                    by_others=by_others).pk

    few = [led_alliance(2, 0)]
    many = few + [led_alliance(3, 1), led_alliance(1, 3), led_alliance(4, 0)]
    assert queries(few) == queries(many)
    assert EarlyWarning.objects.filter(rule=RULE, alliance_id__in=many, ended_on=None).count() == 3
