"""Aggregation of expert scores, in exact arithmetic (shared/API.md, "Assessment score").

For each weighted leaf i: the mean of the experts' scores (the highest and the lowest
dropped when five or more scored), divided by its maximum score; the total is
100 * sum(w_i * mean_i / max_i) / sum(w_i), rounded half up to two decimals.
Veto leaves carry no weight and are scored 1 (passed) or 0 (failed); the assessment
fails when more than half of the experts scored any veto leaf 0, whatever the total.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

TWO_PLACES = Decimal("0.01")
TRIM_FROM = 5


@dataclass(frozen=True)
class Leaf:
    code: str
    weight: Decimal
    max_score: Decimal
    veto: bool = False


@dataclass
class Result:
    final_score: Decimal
    veto_failed: bool
    failed_veto_codes: list[str] = field(default_factory=list)
    working: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Thresholds:
    excellent: Decimal = Decimal(90)
    qualified: Decimal = Decimal(75)
    rectify: Decimal = Decimal(60)


def _round_half_up(fraction: Fraction) -> Decimal:
    """An exact fraction rounded half up to two decimal places (no binary floating point anywhere)."""
    hundredths = fraction * 100
    whole, remainder = divmod(hundredths.numerator, hundredths.denominator)
    if Fraction(remainder, hundredths.denominator) >= Fraction(1, 2):
        whole += 1
    return (Decimal(whole) / 100).quantize(TWO_PLACES)


def trimmed_scores(scores: list[Decimal]) -> list[Decimal]:
    """Drop one highest and one lowest score when five or more experts scored."""
    ordered = sorted(scores)
    return ordered[1:-1] if len(ordered) >= TRIM_FROM else ordered


def mean(scores: list[Decimal]) -> Fraction:
    return sum((Fraction(score) for score in scores), Fraction(0)) / len(scores)


def aggregate(leaves: list[Leaf], reviews: list[dict[str, Decimal]]) -> Result:
    """Combine the submitted reviews ({leaf code: score}) into the final score, showing the working."""
    if not reviews:
        raise ValueError("no reviews to aggregate")
    weighted_sum, weight_total = Fraction(0), Fraction(0)
    failed_veto, working = [], []
    for leaf in leaves:
        scores = [review[leaf.code] for review in reviews if leaf.code in review]
        if leaf.veto:
            zeros = sum(1 for score in scores if score == 0)
            failed = 2 * zeros > len(reviews)
            if failed:
                failed_veto.append(leaf.code)
            working.append({"code": leaf.code, "veto": True, "scores": [str(s) for s in scores],
                            "failed_by": zeros, "failed": failed})
            continue
        if not scores or leaf.weight == 0:
            continue
        used = trimmed_scores(scores)
        leaf_mean = mean(used)
        contribution = Fraction(leaf.weight) * leaf_mean / Fraction(leaf.max_score)
        weighted_sum += contribution
        weight_total += Fraction(leaf.weight)
        working.append({
            "code": leaf.code, "veto": False, "scores": [str(s) for s in scores], "used": [str(s) for s in used],
            "mean": str(_round_half_up(leaf_mean)), "max_score": str(leaf.max_score), "weight": str(leaf.weight),
            "contribution": str(_round_half_up(contribution)),
        })
    final = _round_half_up(100 * weighted_sum / weight_total) if weight_total else Decimal("0.00")
    return Result(final_score=final, veto_failed=bool(failed_veto), failed_veto_codes=failed_veto, working=working)


def grade_for(score: Decimal, veto_failed: bool, thresholds: Thresholds = Thresholds()) -> str:
    if veto_failed:
        return "unqualified"
    if score >= thresholds.excellent:
        return "excellent"
    if score >= thresholds.qualified:
        return "qualified"
    if score >= thresholds.rectify:
        return "rectify"
    return "unqualified"
