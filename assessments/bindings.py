"""A framework leaf bound to a named metric, with the rule that turns the metric's value into the leaf's score.

In the framework file a leaf may carry
    "binding": {"metric": "meetings_held", "rule": "thresholds",
                "thresholds": [{"at_least": "1", "score": "6"}, {"at_least": "2", "score": "10"}]}
(the score of the highest threshold the value reaches, 0 below the first; the values and the scores increase)
or
    "binding": {"metric": "members_total", "rule": "linear", "full_at": "30"}
(the leaf's maximum score times value / full_at, at most the maximum). A veto leaf takes thresholds scoring 0 or 1.
A value that is not available (a rate of nothing) gives no score: the secretariat scores the leaf itself.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from assessments.metrics import metric
from assessments.metrics.registry import present
from kernel.errors import DomainError

THRESHOLDS = "thresholds"
LINEAR = "linear"
RULES = (THRESHOLDS, LINEAR)
THRESHOLDS_MAX = 20
TWO_PLACES = Decimal("0.01")


def _error(code: str, part: str, message: str) -> DomainError:
    return DomainError(_("Indicator %(code)s, %(part)s: %(message)s") % {"code": code, "part": part,
                                                                          "message": message})


def _number(value, code: str, part: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _error(code, part, _("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e15") or number != number.quantize(TWO_PLACES):
        raise _error(code, part, _("give a number with at most two decimals.")) from None
    return number


def validate_binding(raw, *, code: str, leaf: bool, max_score: Decimal, veto: bool) -> dict | None:
    """Check a node's binding; return it in its stored form (numbers as strings), or None when it has none."""
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict):
        raise _error(code, "binding", _("a binding is an object with a metric and a rule."))
    if not leaf:
        raise _error(code, "binding", _("only a scored indicator (a leaf) can be bound to a metric."))
    key = raw.get("metric")
    if not isinstance(key, str) or metric(key) is None:
        raise _error(code, "binding.metric", _("“%(metric)s” is not a known metric.") % {"metric": key})
    rule = raw.get("rule")
    if rule not in RULES:
        raise _error(code, "binding.rule", _("the rule is “thresholds” or “linear”."))
    if rule == LINEAR:
        if veto:
            raise _error(code, "binding.rule", _("a veto indicator is scored 0 or 1: use thresholds."))
        full_at = _number(raw.get("full_at"), code, "binding.full_at")
        if full_at <= 0:
            raise _error(code, "binding.full_at", _("the value that earns the maximum score must be above 0."))
        return {"metric": key, "rule": LINEAR, "full_at": present(full_at)}
    steps = raw.get("thresholds")
    if not isinstance(steps, list) or not steps or len(steps) > THRESHOLDS_MAX:
        raise _error(code, "binding.thresholds",
                     _("give from 1 to %(max)d thresholds, each {“at_least”, “score”}.") % {"max": THRESHOLDS_MAX})
    checked = []
    for position, step in enumerate(steps):
        part = f"binding.thresholds[{position}]"
        if not isinstance(step, dict):
            raise _error(code, part, _("a threshold is {“at_least”, “score”}."))
        at_least = _number(step.get("at_least"), code, f"{part}.at_least")
        score = _number(step.get("score"), code, f"{part}.score")
        if score < 0 or score > max_score:
            raise _error(code, f"{part}.score", _("the score must be between 0 and the maximum score %(max)s.")
                         % {"max": max_score})
        if veto and score not in (0, 1):
            raise _error(code, f"{part}.score", _("a veto indicator is scored 0 or 1."))
        if checked and (at_least <= Decimal(checked[-1]["at_least"]) or score <= Decimal(checked[-1]["score"])):
            raise _error(code, part, _("the thresholds must increase: each value and each score above the one "
                                       "before."))
        checked.append({"at_least": present(at_least), "score": present(score)})
    return {"metric": key, "rule": THRESHOLDS, "thresholds": checked}


def bound_score(binding: dict, value, max_score: Decimal) -> Decimal | None:
    """The score the rule gives the metric's value (None when the value is not available)."""
    if value is None:
        return None
    value = Decimal(str(value))
    if binding["rule"] == LINEAR:
        share = min(max(value / Decimal(binding["full_at"]), Decimal(0)), Decimal(1))
        return (Decimal(max_score) * share).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    score = Decimal(0)
    for step in binding["thresholds"]:
        if value >= Decimal(step["at_least"]):
            score = Decimal(step["score"])
    return score.quantize(TWO_PLACES)
