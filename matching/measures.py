"""The measures of COOPERATION.md ("Measures computed from the records"), as pure functions over plain data:
no database, no request. Arithmetic in `decimal` at 40 significant digits; results are rounded half up to six
places only when they are reported (`six`).

Where the data cannot support a measure the answer carries a `Reason` (a stable code and a translatable
message) instead of a number: an industry with no figures, a sector with no industry, fewer than two compared
objects.
"""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext_lazy as _

PRECISION = 40
SIX_PLACES = Decimal("0.000001")
ZERO, ONE = Decimal(0), Decimal(1)

# The ten grades of D, by tenths: [0, 0.1) … [0.9, 1].
GRADES = ["极度失调", "严重失调", "中度失调", "轻度失调", "濒临失调", "勉强协调", "初级协调", "中级协调", "良好协调",
          "优质协调"]
GRADE_LABELS = [_("Extreme imbalance"), _("Serious imbalance"), _("Moderate imbalance"), _("Mild imbalance"),
                _("Verge of imbalance"), _("Barely coordinated"), _("Primary coordination"),
                _("Intermediate coordination"), _("Good coordination"), _("Quality coordination")]

REASONS = {
    "no_supply": _("No graduates (or enrolment) in majors mapped to these sectors in this year."),
    "no_industry": _("No industry figures of the city for this year."),
    "supply_without_industry": _("Supply without industry: the city records no industry in this sector."),
    "no_sector": _("Neither supply nor industry in this sector."),
    "too_few_objects": _("The coupling needs at least two compared objects (years with data, or alliances)."),
    "no_indicators": _("No indicator of this subsystem has data."),
    "object_missing": _("The asked year (or alliance) has no data to compare."),
    "sum_zero": _("U1 + U2 = 0: C is 0 by definition."),
}


@dataclass(frozen=True)
class Reason:
    code: str

    @property
    def message(self):
        return REASONS[self.code]


def six(value: Decimal | None) -> str | None:
    """A reported decimal: six places, rounded half up."""
    return None if value is None else str(value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP))


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def shares(amounts: dict) -> dict | None:
    """Each key's share of the total; None when the total is 0."""
    with localcontext(prec=PRECISION):
        total = sum((_decimal(value) for value in amounts.values()), ZERO)
        if total == 0:
            return None
        return {key: _decimal(value) / total for key, value in amounts.items()}


@dataclass
class SectorRow:
    key: object
    supply_share: Decimal
    industry_share: Decimal
    deviation: Decimal | None
    reason: Reason | None = None


@dataclass
class Structure:
    sectors: list[SectorRow] = field(default_factory=list)
    mean_abs_deviation: Decimal | None = None
    similarity: Decimal | None = None
    reason: Reason | None = None


def structure(sector_keys: list, supply: dict, industry: dict) -> Structure:
    """Per sector the supply share s_i and the industry share p_i, the structural deviation D_i = s_i / p_i - 1
    (undefined where p_i = 0), the mean of |D_i| over the sectors where it is defined, and the similarity
    S = Σ s_i·p_i / (sqrt(Σ s_i²)·sqrt(Σ p_i²)). `supply` and `industry` give amounts per sector key (graduates
    or enrolment; value added or jobs); keys missing count 0."""
    supply_shares = shares({key: supply.get(key, 0) for key in sector_keys})
    industry_shares = shares({key: industry.get(key, 0) for key in sector_keys})
    if industry_shares is None:
        return Structure(reason=Reason("no_industry"))
    if supply_shares is None:
        return Structure(sectors=[SectorRow(key, ZERO, industry_shares[key], None, Reason("no_supply"))
                                  for key in sector_keys], reason=Reason("no_supply"))
    result = Structure()
    with localcontext(prec=PRECISION):
        deviations = []
        for key in sector_keys:
            s, p = supply_shares[key], industry_shares[key]
            if p == 0:
                reason = Reason("supply_without_industry" if s > 0 else "no_sector")
                result.sectors.append(SectorRow(key, s, p, None, reason))
                continue
            deviation = s / p - 1
            deviations.append(abs(deviation))
            result.sectors.append(SectorRow(key, s, p, deviation))
        result.mean_abs_deviation = sum(deviations, ZERO) / len(deviations)
        dot = sum((row.supply_share * row.industry_share for row in result.sectors), ZERO)
        norm_s = sum((row.supply_share ** 2 for row in result.sectors), ZERO).sqrt()
        norm_p = sum((row.industry_share ** 2 for row in result.sectors), ZERO).sqrt()
        result.similarity = dot / (norm_s * norm_p)
    return result


@dataclass
class Subsystem:
    """The working of one subsystem's index over the compared objects."""

    indicators: list[str]
    normalised: list[list[Decimal]]  # [object][indicator]
    entropies: list[Decimal]
    weights: list[Decimal]
    index: list[Decimal]  # U per object


def normalise(column: list[Decimal]) -> list[Decimal]:
    """x'_ij = (x_ij - min_j) / (max_j - min_j), 1 where max = min."""
    low, high = min(column), max(column)
    if high == low:
        return [ONE for _value in column]
    return [(value - low) / (high - low) for value in column]


def entropy(column: list[Decimal]) -> Decimal:
    """e_j = -(1/ln m)·Σ_i p_ij·ln p_ij with p_ij = x'_ij / Σ_i x'_ij and 0·ln 0 = 0 (m ≥ 2)."""
    total = sum(column, ZERO)
    m = len(column)
    acc = ZERO
    for value in column:
        if value != 0:
            p = value / total
            acc += p * p.ln()
    return -acc / Decimal(m).ln()


def subsystem_index(indicators: list[str], rows: list[list]) -> Subsystem:
    """The entropy-weighted index U of every object (`rows[object][indicator]`, raw values; at least two
    objects): w_j = (1 - e_j) / Σ_k (1 - e_k), equal weights where every e_j = 1, U_i = Σ_j w_j·x'_ij."""
    with localcontext(prec=PRECISION):
        columns = [[_decimal(row[j]) for row in rows] for j in range(len(indicators))]
        normalised_columns = [normalise(column) for column in columns]
        entropies = [entropy(column) for column in normalised_columns]
        divergence = [ONE - e for e in entropies]
        total = sum(divergence, ZERO)
        if total == 0:
            weights = [ONE / len(indicators)] * len(indicators)
        else:
            weights = [d / total for d in divergence]
        normalised = [[normalised_columns[j][i] for j in range(len(indicators))] for i in range(len(rows))]
        index = [sum((w * x for w, x in zip(weights, values, strict=True)), ZERO) for values in normalised]
    return Subsystem(indicators, normalised, entropies, weights, index)


def grade_of(d: Decimal) -> tuple[int, str]:
    """(grade code 1–10, Chinese name) of D by tenths: [0, 0.1) is 1 极度失调 … [0.9, 1] is 10 优质协调."""
    tenth = min(int(math.floor(d * 10)), 9) if d > 0 else 0
    return tenth + 1, GRADES[tenth]


@dataclass
class CouplingRow:
    u1: Decimal
    u2: Decimal
    c: Decimal
    t: Decimal
    d: Decimal
    grade_code: int
    grade: str
    reason: Reason | None = None


def couple(u1: Decimal, u2: Decimal, a: Decimal = Decimal("0.5"), b: Decimal = Decimal("0.5")) -> CouplingRow:
    """C = 2·sqrt(U1·U2)/(U1+U2) (0 where U1+U2 = 0), T = a·U1 + b·U2, D = sqrt(C·T), and D's grade."""
    with localcontext(prec=PRECISION):
        total = u1 + u2
        reason = None
        if total == 0:
            c, reason = ZERO, Reason("sum_zero")
        else:
            c = 2 * (u1 * u2).sqrt() / total
        t = a * u1 + b * u2
        d = (c * t).sqrt()
    code, name = grade_of(d)
    return CouplingRow(u1, u2, c, t, d, code, name, reason)


@dataclass
class Coupling:
    objects: list
    education: Subsystem | None = None
    industry: Subsystem | None = None
    rows: list[CouplingRow] = field(default_factory=list)
    reason: Reason | None = None

    def row_of(self, key) -> CouplingRow | None:
        return self.rows[self.objects.index(key)] if key in self.objects and self.rows else None


def coupling(objects: list, education: dict[str, dict], industry: dict[str, dict],
             a: Decimal = Decimal("0.5"), b: Decimal = Decimal("0.5")) -> Coupling:
    """The coupling coordination of the education (U1) and industry (U2) subsystems over the compared
    `objects` (years, or alliances). `education` and `industry` map each indicator to {object: value}; an object
    without a value counts 0."""
    if len(objects) < 2:
        return Coupling(objects, reason=Reason("too_few_objects"))
    if not education or not industry:
        return Coupling(objects, reason=Reason("no_indicators"))

    def matrix(indicators: dict) -> tuple[list[str], list[list]]:
        names = list(indicators)
        return names, [[indicators[name].get(key, 0) for name in names] for key in objects]

    result = Coupling(objects, education=subsystem_index(*matrix(education)),
                      industry=subsystem_index(*matrix(industry)))
    result.rows = [couple(u1, u2, a, b) for u1, u2 in zip(result.education.index, result.industry.index,
                                                           strict=True)]
    return result
