"""The measures of COOPERATION.md against hand-worked cases, the degenerate ones included. Expected values are
worked from the formulas with floats here, independently of the module's decimal arithmetic."""

import math
from decimal import Decimal

import pytest

from matching import measures
from matching.defaults import default_chain_mapping, equal_shares
from matching.measures import couple, coupling, grade_of, six, structure, subsystem_index


def close(value, expected, places=6):
    assert value is not None
    assert abs(float(value) - expected) < 10 ** -places, (value, expected)


def test_shares_deviation_mean_and_similarity():
    result = structure(["a", "b", "c"], {"a": 50, "b": 30, "c": 20}, {"a": 40, "b": 40, "c": 20})
    rows = {row.key: row for row in result.sectors}
    assert six(rows["a"].supply_share) == "0.500000" and six(rows["a"].industry_share) == "0.400000"
    assert six(rows["a"].deviation) == "0.250000"
    assert six(rows["b"].deviation) == "-0.250000"
    assert six(rows["c"].deviation) == "0.000000"
    assert six(result.mean_abs_deviation) == "0.166667"
    # S = 0.36 / (sqrt(0.38) · sqrt(0.36)) = 0.6 / sqrt(0.38)
    close(result.similarity, 0.6 / math.sqrt(0.38))
    assert six(result.similarity) == "0.973329"


def test_identical_structures_have_similarity_one_and_no_deviation():
    result = structure(["a", "b"], {"a": 3, "b": 1}, {"a": Decimal("300.5") * 3, "b": Decimal("300.5")})
    assert six(result.similarity) == "1.000000"
    assert six(result.mean_abs_deviation) == "0.000000"


def test_a_sector_with_no_industry_reports_supply_without_industry():
    result = structure(["a", "b", "c"], {"a": 1, "b": 1}, {"a": 1})
    rows = {row.key: row for row in result.sectors}
    assert rows["b"].deviation is None and rows["b"].reason.code == "supply_without_industry"
    assert rows["c"].deviation is None and rows["c"].reason.code == "no_sector"
    # only a has a deviation: 0.5 / 1 - 1
    assert six(result.mean_abs_deviation) == "0.500000"
    close(result.similarity, 0.5 / math.sqrt(0.5))


def test_no_industry_or_no_supply_gives_a_reason_not_a_number():
    assert structure(["a"], {"a": 5}, {}).reason.code == "no_industry"
    empty = structure(["a", "b"], {}, {"a": 1, "b": 3})
    assert empty.reason.code == "no_supply" and empty.similarity is None and empty.mean_abs_deviation is None
    assert str(measures.Reason("no_industry").message)


def _entropy(column):
    low, high = min(column), max(column)
    normalised = [1.0] * len(column) if high == low else [(x - low) / (high - low) for x in column]
    total = sum(normalised)
    return normalised, -sum(p / total * math.log(p / total) for p in normalised if p) / math.log(len(column))


def test_entropy_weights_and_the_index_over_three_objects():
    working = subsystem_index(["x", "y"], [[1, 3], [2, 1], [3, 1]])
    _nx, ex = _entropy([1, 2, 3])
    _ny, ey = _entropy([3, 1, 1])
    assert ey == 0
    close(working.entropies[0], ex)  # 1/3 + (2/3)·ln 1.5 / ln 3
    close(working.entropies[0], 1 / 3 + 2 / 3 * math.log(1.5) / math.log(3))
    wx = (1 - ex) / ((1 - ex) + (1 - ey))
    close(working.weights[0], wx)
    close(working.weights[1], 1 - wx)
    assert [six(v) for v in working.normalised[1]] == ["0.500000", "0.000000"]
    close(working.index[0], 1 - wx)
    close(working.index[1], 0.5 * wx)
    close(working.index[2], wx)


def test_coupling_coordination_c_t_d_and_grade():
    result = coupling([2023, 2024, 2025], {"x": {2023: 1, 2024: 2, 2025: 3}, "y": {2023: 3, 2024: 1, 2025: 1}},
                      {"z": {2023: 2, 2024: 4, 2025: 6}})
    _nx, ex = _entropy([1, 2, 3])
    wx = (1 - ex) / (2 - ex)
    u1, u2 = wx, 1.0
    c = 2 * math.sqrt(u1 * u2) / (u1 + u2)
    t = 0.5 * u1 + 0.5 * u2
    d = math.sqrt(c * t)
    row = result.row_of(2025)
    close(row.u1, u1)
    close(row.u2, u2)
    close(row.c, c)
    close(row.t, t)
    close(row.d, d)
    assert (row.grade_code, row.grade) == (8, "中级协调")  # D ≈ 0.74
    first = result.row_of(2023)  # U2 = 0: C = 0, D = 0
    assert six(first.u2) == "0.000000" and six(first.c) == "0.000000" and first.grade == "极度失调"


def test_a_constant_indicator_weighs_nothing_and_all_constant_weigh_equally():
    working = subsystem_index(["x", "y"], [[1, 5], [3, 5]])
    assert six(working.entropies[1]) == "1.000000" and six(working.weights[1]) == "0.000000"
    assert six(working.weights[0]) == "1.000000"
    flat = subsystem_index(["x", "y"], [[2, 5], [2, 5]])
    assert [six(w) for w in flat.weights] == ["0.500000", "0.500000"]
    assert [six(u) for u in flat.index] == ["1.000000", "1.000000"]
    both = coupling(["a", "b"], {"x": {"a": 2, "b": 2}}, {"y": {"a": 7, "b": 7}})
    assert six(both.rows[0].d) == "1.000000" and both.rows[0].grade == "优质协调"


def test_two_objects_are_enough_one_is_not():
    two = coupling(["a", "b"], {"x": {"a": 1, "b": 3}}, {"y": {"a": 1, "b": 2}})
    assert six(two.row_of("b").d) == "1.000000" and six(two.row_of("a").d) == "0.000000"
    one = coupling(["a"], {"x": {"a": 1}}, {"y": {"a": 1}})
    assert one.reason.code == "too_few_objects" and one.rows == [] and one.row_of("a") is None
    assert coupling(["a", "b"], {}, {"y": {"a": 1}}).reason.code == "no_indicators"


def test_u1_plus_u2_zero_gives_c_zero_with_its_reason():
    row = couple(Decimal(0), Decimal(0))
    assert (six(row.c), six(row.t), six(row.d)) == ("0.000000", "0.000000", "0.000000")
    assert row.reason.code == "sum_zero" and row.grade_code == 1


def test_c_t_d_of_given_indices():
    row = couple(Decimal("0.36"), Decimal("0.64"))
    # C = 2·0.48 / 1 = 0.96, T = 0.5, D = sqrt(0.48)
    assert six(row.c) == "0.960000" and six(row.t) == "0.500000"
    close(row.d, math.sqrt(0.48))
    assert (row.grade_code, row.grade) == (7, "初级协调")
    weighted = couple(Decimal("0.36"), Decimal("0.64"), Decimal("0.4"), Decimal("0.6"))
    assert six(weighted.t) == "0.528000"


@pytest.mark.parametrize(("d", "code", "name"), [
    ("0", 1, "极度失调"), ("0.099999", 1, "极度失调"), ("0.1", 2, "严重失调"), ("0.45", 5, "濒临失调"),
    ("0.5", 6, "勉强协调"), ("0.899999", 9, "良好协调"), ("0.9", 10, "优质协调"), ("1", 10, "优质协调"),
])
def test_grades_by_tenths(d, code, name):
    assert grade_of(Decimal(d)) == (code, name)


def test_six_places_round_half_up():
    assert six(Decimal("0.0000005")) == "0.000001"
    assert six(Decimal("-0.2500004")) == "-0.250000"
    assert six(None) is None


def test_default_chain_shares_add_up_to_one():
    assert sum(equal_shares(3)) == 1 and equal_shares(3)[0] == Decimal("0.333333")
    mapping = default_chain_mapping("46", [(1, "高端装备"), (2, "新材料"), (3, "智能制造")])
    assert [sector for sector, _share in mapping] == [1, 3] and sum(share for _s, share in mapping) == 1
    assert default_chain_mapping("58", [(1, "高端装备")]) == []
