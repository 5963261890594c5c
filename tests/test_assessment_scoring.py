"""Aggregation cases: weights, the trimmed mean, the veto rule and thresholds at their boundaries."""

from decimal import Decimal as D

import pytest

from assessments.scoring import Leaf, Thresholds, aggregate, grade_for, trimmed_scores

LEAVES = [Leaf("A1", D(60), D(10)), Leaf("A2", D(40), D(5)), Leaf("V1", D(0), D(1), veto=True)]


def review(a1, a2, v1=1):
    return {"A1": D(a1), "A2": D(a2), "V1": D(v1)}


@pytest.mark.parametrize(
    ("reviews", "expected"),
    [
        ([review(10, 5)], "100.00"),
        ([review(0, 0)], "0.00"),
        ([review(5, 5)], "70.00"),  # 60*0.5 + 40*1
        ([review(7, 2), review(8, 3)], "65.00"),  # A1 mean 7.5 -> 45; A2 mean 2.5 -> 20
    ],
    ids=["full", "zero", "weights", "mean-of-two"],
)
def test_weighted_total(reviews, expected):
    assert aggregate(LEAVES, reviews).final_score == D(expected)


def test_rounding_is_half_up_on_exact_fractions():
    result = aggregate([Leaf("A1", D(1), D(8))], [{"A1": D("0.01")}])  # 100 * 0.01 / 8 = 0.125 exactly
    assert result.final_score == D("0.13")
    leaves = [Leaf("A1", D(1), D(3)), Leaf("A2", D(2), D(3))]
    result = aggregate(leaves, [{"A1": D(1), "A2": D(1)}])  # 100 * (1/3 + 2/3) / 3 = 33.333...
    assert result.final_score == D("33.33")


def test_no_binary_floating_point_error():
    leaves = [Leaf(f"L{i}", D("0.1"), D(1)) for i in range(10)]
    reviews = [{f"L{i}": D("0.7") for i in range(10)}]
    assert aggregate(leaves, reviews).final_score == D("70.00")


@pytest.mark.parametrize(
    ("scores", "used"),
    [
        ([1, 9, 5, 5], [1, 5, 5, 9]),  # four experts: nothing dropped
        ([1, 9, 5, 5, 6], [5, 5, 6]),  # five: highest and lowest dropped
        ([9, 9, 1, 1, 5, 5], [1, 5, 5, 9]),  # six: one of each dropped, ties kept
    ],
)
def test_trimmed_mean_drops_the_extremes_from_five_experts(scores, used):
    assert trimmed_scores([D(s) for s in scores]) == [D(s) for s in used]


def test_the_trimmed_mean_changes_the_total():
    reviews = [review(s, 5) for s in (0, 10, 6, 6, 6)]
    assert aggregate(LEAVES, reviews).final_score == D("76.00")  # 60*0.6 + 40
    assert aggregate(LEAVES, reviews[:4]).final_score == D("73.00")  # four: 60 * (22/4) / 10 + 40


@pytest.mark.parametrize(
    ("veto_scores", "failed"),
    [([1, 1, 1], False), ([0, 1, 1], False), ([0, 0, 1], True), ([0, 1], False), ([0, 0], True), ([0], True)],
)
def test_veto_fails_when_more_than_half_the_experts_score_it_zero(veto_scores, failed):
    reviews = [review(10, 5, v) for v in veto_scores]
    result = aggregate(LEAVES, reviews)
    assert result.veto_failed is failed
    assert result.final_score == D("100.00")  # the veto carries no weight
    assert grade_for(result.final_score, result.veto_failed) == ("unqualified" if failed else "excellent")


@pytest.mark.parametrize(
    ("score", "grade"),
    [("100", "excellent"), ("90.00", "excellent"), ("89.99", "qualified"), ("75.00", "qualified"),
     ("74.99", "rectify"), ("60.00", "rectify"), ("59.99", "unqualified"), ("0", "unqualified")],
)
def test_default_thresholds_at_their_boundaries(score, grade):
    assert grade_for(D(score), False) == grade


def test_a_cycle_may_set_its_own_thresholds():
    strict = Thresholds(D(95), D(80), D(70))
    assert grade_for(D("94.99"), False, strict) == "qualified"
    assert grade_for(D("69.99"), False, strict) == "unqualified"


def test_the_working_is_shown():
    result = aggregate(LEAVES, [review(7, 2), review(8, 3)])
    a1 = next(row for row in result.working if row["code"] == "A1")
    assert a1["mean"] == "7.50" and a1["contribution"] == "45.00" and a1["used"] == ["7", "8"]
