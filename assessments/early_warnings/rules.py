"""Early warnings: the risks an alliance runs, found from its records (risk prediction, seed 000 §4.1).

Each rule computes one number per alliance — for every alliance at once, in a fixed number of queries — and
warns when the number reaches its threshold. Thresholds and levels are data (`WarningRule`, one row per rule,
edited in the admin); a rule without a row uses its default. `evaluate` runs nightly from the beat and on
demand: it opens a warning the first day a rule is met (`since`), keeps its value current while it is, and
ends it the day it no longer is. A new warning is notified once per rule and year to the alliance's
secretariat and its city's officials, through the outbox.

The annual work plan gives two rules: behind schedule during the year, and below the pass rate
(ANNUAL_PLAN_PASS_RATE) two years running — the 2023 notice removes such an alliance from the list.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance
from assessments.annual.plans import executions, expected_rate, pass_rate, year_rates
from assessments.models import AnnualPlan, EarlyWarning, RectificationItem, WarningRule
from cooperation.kinds import KINDS
from cooperation.models import Response
from cooperation.selectors import participation_by_alliance
from governance.figures import (
    council_participants,
    last_council_meeting_by_alliance,
    overdue_tasks_by_alliance,
)
from kernel.notify import existing_keys, notify
from kernel.scope import scope_of
from members.models import Membership
from members.selectors import officials_by_city, secretaries_by_alliance

# Alliances that run (the others have nothing to warn about).
WATCHED_STATUSES = (Alliance.Status.ESTABLISHED, Alliance.Status.RECTIFYING, Alliance.Status.UNDER_REVIEW)
INACTIVE_WINDOW_DAYS = 365
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    code: str
    label: object  # a lazy translation
    unit: object
    explanation: object  # what the number is, and when it warns
    default_threshold: Decimal
    default_level: str
    values: Callable  # (alliance ids, today) -> {alliance id: Decimal}; an alliance left out has nothing to say


def _months_between(earlier: datetime.date, later: datetime.date) -> Decimal:
    return (Decimal((later - earlier).days) / Decimal("30.44")).quantize(CENT, ROUND_HALF_UP)


def _council_silence(alliance_ids, today) -> dict:
    """Months since the council last met (a held meeting of the council), or since the alliance was founded
    (or registered) when it never has."""
    last = last_council_meeting_by_alliance(alliance_ids)
    values = {}
    for pk, founded_on, created_at in Alliance.objects.filter(id__in=alliance_ids).values_list(
            "id", "founded_on", "created_at"):
        start = timezone.localdate(last[pk]) if pk in last else (founded_on or timezone.localdate(created_at))
        values[pk] = _months_between(start, today) if start < today else Decimal(0)
    return values


def _participants(alliance_ids, since) -> dict[int, set]:
    """{alliance id: the units that took part since `since`}: present at a meeting, a list entry posted or
    kept, a response to a technology need, a task of the council."""
    taking_part = defaultdict(set)
    for alliance_id, organization_id in council_participants(alliance_ids, since):
        taking_part[alliance_id].add(organization_id)
    sources = [
        Response.objects.filter(need__alliance_id__in=alliance_ids, created_at__date__gte=since)
        .values_list("need__alliance_id", "organization_id"),
    ]
    sources += [kind.model.objects.filter(alliance_id__in=alliance_ids, updated_at__date__gte=since)
                .values_list("alliance_id", "organization_id") for kind in KINDS.values()]
    for source in sources:
        for alliance_id, organization_id in source.distinct():
            taking_part[alliance_id].add(organization_id)
    return taking_part


def _inactive_share(alliance_ids, today) -> dict:
    """Per cent of the active member units (members for a year at least) that took no part in the last year."""
    since = today - datetime.timedelta(days=INACTIVE_WINDOW_DAYS)
    members = defaultdict(set)
    for alliance_id, organization_id in Membership.objects.filter(
            alliance_id__in=alliance_ids, status=Membership.Status.ACTIVE).filter(
            Q(joined_on__isnull=True) | Q(joined_on__lte=since)).values_list("alliance_id", "organization_id"):
        members[alliance_id].add(organization_id)
    taking_part = _participants(alliance_ids, since)
    return {pk: (Decimal(100) * len(units - taking_part[pk]) / len(units)).quantize(CENT, ROUND_HALF_UP)
            for pk, units in members.items()}


def _overdue_tasks(alliance_ids, today) -> dict:
    """Tasks of the council past their due date and not yet accepted."""
    return {pk: Decimal(count) for pk, count in overdue_tasks_by_alliance(alliance_ids, today).items()}


def _overdue_rectifications(alliance_ids, today) -> dict:
    """Rectification items of an assessment past their due date and not done."""
    return {pk: Decimal(count) for pk, count in RectificationItem.objects.filter(
        assessment__alliance_id__in=alliance_ids, due_on__lt=today, done_at__isnull=True)
        .values_list("assessment__alliance_id").annotate(count=Count("id"))}


def _list_silence(alliance_ids, today) -> dict:
    """Months since any of the three lists or the offers was last posted or kept (since the alliance was
    registered when they never were)."""
    latest = {}
    for kind in KINDS.values():
        for pk, updated_at in (kind.model.objects.filter(alliance_id__in=alliance_ids)
                               .values_list("alliance_id").annotate(last=Max("updated_at"))):
            latest[pk] = max(latest.get(pk, updated_at), updated_at)
    values = {}
    for pk, created_at in Alliance.objects.filter(id__in=alliance_ids).values_list("id", "created_at"):
        start = timezone.localdate(latest.get(pk, created_at))
        values[pk] = _months_between(start, today) if start < today else Decimal(0)
    return values


def _plan_behind(alliance_ids, today) -> dict:
    """Percentage points by which the year's submitted work plan is behind an even pace through the year (where it
    should be by today, less its execution rate); from February, once the plan is due."""
    if today.month == 1:
        return {}
    plans = AnnualPlan.objects.filter(alliance_id__in=alliance_ids, year=today.year,
                                      status=AnnualPlan.Status.SUBMITTED)
    expected = expected_rate(today.year, today)
    by_id = {plan.pk: plan for plan in plans}
    return {by_id[pk].alliance_id: max(Decimal(0), expected - execution.rate)
            for pk, execution in executions(by_id.values(), today).items() if execution.rate is not None}


def _plan_failed(alliance_ids, today) -> dict:
    """Years running, up to last year, that the alliance's submitted work plan ended below the pass rate (a year
    without a submitted plan ends the run: it is not counted either way)."""
    years = [today.year - 1, today.year - 2, today.year - 3]
    rates = year_rates(alliance_ids, years, today)
    mark = pass_rate()
    values = {}
    for pk in alliance_ids:
        running = 0
        for year in years:
            rate = rates.get((pk, year))
            if (pk, year) not in rates or (rate is not None and rate >= mark):
                break
            running += 1
        if running:
            values[pk] = Decimal(running)
    return values


def _lead_unit_concentration(alliance_ids, today) -> dict:
    """Per cent of this year's projects (running at some time of it) led by the lead school or the lead enterprise,
    as the participation page counts it (seed 000 §4.3: an alliance should not rest on its lead units). An
    alliance without projects this year has nothing to say."""
    alliances = Alliance.objects.filter(id__in=alliance_ids).only("id", "lead_school_id", "lead_enterprise_id")
    return {pk: figures["lead_unit_project_share"]
            for pk, figures in participation_by_alliance(alliances, today.year).items()
            if figures["lead_unit_project_share"] is not None}


RULES = {rule.code: rule for rule in [
    Rule("council_silent", _("No council meeting"), _("months"),
         _("Months since the council last met; it should meet at least every six months."),
         Decimal(6), WarningRule.Level.WARNING, _council_silence),
    Rule("inactive_members", _("Inactive member units"), _("%"),
         _("Share of the member units (of a year's standing) with no part in any meeting, list entry, response or "
           "task in the last twelve months."),
         Decimal(30), WarningRule.Level.WARNING, _inactive_share),
    Rule("overdue_tasks", _("Overdue tasks"), _("tasks"),
         _("Tasks of the council past their due date and not yet accepted."),
         Decimal(1), WarningRule.Level.NOTICE, _overdue_tasks),
    Rule("overdue_rectifications", _("Overdue rectifications"), _("items"),
         _("Rectification items of an assessment past their due date and not done."),
         Decimal(1), WarningRule.Level.SERIOUS, _overdue_rectifications),
    Rule("lists_stale", _("Lists not kept up"), _("months"),
         _("Months since the alliance's lists (products, needs, offers) were last posted or updated; they should "
           "be kept every year."),
         Decimal(12), WarningRule.Level.NOTICE, _list_silence),
    Rule("plan_behind", _("Work plan behind schedule"), _("percentage points"),
         _("How far the year's work plan is behind an even pace through the year: where it should be by today less "
           "its execution rate."),
         Decimal(25), WarningRule.Level.WARNING, _plan_behind),
    Rule("plan_failed", _("Work plan failed"), _("years running"),
         _("Years running that the alliance's work plan ended below the pass rate; two years running removes an "
           "alliance from the list."),
         Decimal(2), WarningRule.Level.SERIOUS, _plan_failed),
    Rule("lead_unit_concentration", _("Projects concentrated on the lead units"), _("%"),
         _("Share of this year's cooperation projects led by the lead school or the lead enterprise; the other member "
           "units should lead projects too."),
         Decimal(70), WarningRule.Level.NOTICE, _lead_unit_concentration),
]}


@dataclass(frozen=True)
class Setting:
    threshold: Decimal
    level: str
    enabled: bool


def settings_of_rules() -> dict[str, Setting]:
    """Each rule's threshold, level and whether it is on: its row, or its defaults."""
    rows = {row.code: row for row in WarningRule.objects.all()}
    return {code: (Setting(rows[code].threshold, rows[code].level, rows[code].enabled) if code in rows
                   else Setting(rule.default_threshold, rule.default_level, True))
            for code, rule in RULES.items()}


def watched_alliances():
    return Alliance.objects.filter(status__in=WATCHED_STATUSES)


def evaluate(*, today: datetime.date | None = None, alliance_ids=None) -> dict[str, int]:
    """Check every rule for the alliances (all that run, by default) and bring their warnings up to date:
    open, update, end. Returns how many warnings were opened, updated and ended."""
    today = today or timezone.localdate()
    alliances = watched_alliances()
    if alliance_ids is not None:
        alliances = alliances.filter(id__in=alliance_ids)
    ids = list(alliances.values_list("id", flat=True))
    rules = settings_of_rules()
    met = {}
    for code, rule in RULES.items():
        setting = rules[code]
        if not setting.enabled:
            continue
        for alliance_id, value in rule.values(ids, today).items():
            if value >= setting.threshold:
                met[(alliance_id, code)] = (value, setting)
    counts = {"opened": 0, "updated": 0, "ended": 0}
    opened = []
    with transaction.atomic():
        current = {(warning.alliance_id, warning.rule): warning for warning in
                   EarlyWarning.objects.select_for_update().filter(alliance_id__in=ids, ended_on__isnull=True)}
        for key, warning in current.items():
            if key in met:
                value, setting = met[key]
                warning.value, warning.threshold, warning.level, warning.checked_on = (
                    value, setting.threshold, setting.level, today)
                counts["updated"] += 1
            else:
                warning.ended_on = warning.checked_on = today
                counts["ended"] += 1
        EarlyWarning.objects.bulk_update(current.values(), ["value", "threshold", "level", "checked_on", "ended_on"])
        for (alliance_id, code), (value, setting) in met.items():
            if (alliance_id, code) not in current:
                opened.append(EarlyWarning(alliance_id=alliance_id, rule=code, level=setting.level, value=value,
                                           threshold=setting.threshold, since=today, checked_on=today))
        EarlyWarning.objects.bulk_create(opened, ignore_conflicts=True)  # a check running at the same time
        counts["opened"] = len(opened)
        _notify(opened)
    return counts


def notice_key(warning: EarlyWarning, user) -> str:
    """Once per alliance, rule and year for each recipient."""
    return f"warning:{warning.alliance_id}:{warning.rule}:{warning.since.year}:{user.pk}"


def _notify(warnings: list[EarlyWarning]) -> None:
    if not warnings:
        return
    alliances = {alliance.pk: alliance for alliance in
                 Alliance.objects.filter(id__in={warning.alliance_id for warning in warnings}).only("id", "name",
                                                                                                   "city_id")}
    secretaries = secretaries_by_alliance(alliances)
    officials = officials_by_city({alliance.city_id for alliance in alliances.values()})
    recipients = [(warning, user) for warning in warnings
                  for user in {user.pk: user for user in secretaries.get(warning.alliance_id, [])
                               + officials[alliances[warning.alliance_id].city_id]}.values()]
    sent = existing_keys(notice_key(warning, user) for warning, user in recipients)
    url = reverse("assessments:warnings")
    for warning, user in recipients:
        if notice_key(warning, user) in sent:
            continue
        rule = RULES[warning.rule]
        notify(user=user, key=notice_key(warning, user),
               subject=format_lazy(_("Early warning for {alliance}: {rule}"),
                                   alliance=alliances[warning.alliance_id].name, rule=rule.label),
               body=format_lazy(_("{alliance}: {rule} — {value} {unit} (threshold {threshold}).\n\n{explanation}"),
                                alliance=alliances[warning.alliance_id].name, rule=rule.label, value=warning.value,
                                unit=rule.unit, threshold=warning.threshold, explanation=rule.explanation),
               url=url)


def open_warnings():
    return EarlyWarning.objects.filter(ended_on__isnull=True)


def describe(warning: EarlyWarning) -> EarlyWarning:
    """The warning with its rule's words attached (for pages)."""
    rule = RULES.get(warning.rule)
    warning.rule_label = rule.label if rule else warning.rule
    warning.unit = rule.unit if rule else ""
    warning.explanation = rule.explanation if rule else ""
    return warning


def warnings_for_user(user):
    """The open warnings of the alliances whose warnings the user sees (assessments.permissions.oversees_alliance)."""
    scope = scope_of(user)
    warnings = open_warnings().select_related("alliance")
    if scope.is_superuser:
        return warnings
    return warnings.filter(Q(alliance_id__in=scope.secretariat_alliance_ids)
                           | Q(alliance__city_id__in=scope.official_city_ids))
