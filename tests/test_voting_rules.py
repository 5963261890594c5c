"""The voting rules as a table: fractions at and around each threshold, abstentions in and out
of the base, quorum just met and just missed. Pure arithmetic, no database."""

from fractions import Fraction

import pytest

from governance.fractions import normalise_fraction, parse_fraction
from governance.rules import (
    PRESETS,
    Rule,
    Tally,
    decide,
    preset_for_category,
    quorum_met,
    yes_needed,
)

MAJORITY_CAST = Rule("1/2", "cast", True, False)
MAJORITY_CAST_WITH_ABSTENTIONS = Rule("1/2", "cast", True, True)
AT_LEAST_HALF_CAST = Rule("1/2", "cast", False, False)
MORE_THAN_HALF_PRESENT = Rule("1/2", "present", True, True)
TWO_THIRDS_PRESENT = Rule("2/3", "present", False, True)
MORE_THAN_TWO_THIRDS_PRESENT = Rule("2/3", "present", True, True)
TWO_THIRDS_ENTITLED = Rule("2/3", "entitled", False, True)


# rule, yes, no, abstain, eligible, present, quorum, adopted
CASES = [
    # simple majority of votes cast: a tie fails, one more passes; abstentions left out of the base
    (MAJORITY_CAST, 5, 5, 0, 12, 12, "2/3", False),
    (MAJORITY_CAST, 6, 5, 0, 12, 12, "2/3", True),
    (MAJORITY_CAST, 4, 3, 5, 12, 12, "2/3", True),
    # ... and in the base, the same ballots fail (4/12 is not more than half)
    (MAJORITY_CAST_WITH_ABSTENTIONS, 4, 3, 5, 12, 12, "2/3", False),
    (MAJORITY_CAST_WITH_ABSTENTIONS, 7, 0, 5, 12, 12, "2/3", True),
    (MAJORITY_CAST_WITH_ABSTENTIONS, 6, 0, 6, 12, 12, "2/3", False),
    # "at least half" passes the tie that "more than half" fails
    (AT_LEAST_HALF_CAST, 5, 5, 0, 12, 12, "2/3", True),
    (AT_LEAST_HALF_CAST, 4, 5, 0, 12, 12, "2/3", False),
    # more than half of those present: silence counts against
    (MORE_THAN_HALF_PRESENT, 5, 0, 0, 12, 10, "2/3", False),
    (MORE_THAN_HALF_PRESENT, 6, 0, 0, 12, 10, "2/3", True),
    (MORE_THAN_HALF_PRESENT, 6, 4, 0, 12, 11, "2/3", True),
    (MORE_THAN_HALF_PRESENT, 5, 1, 5, 12, 11, "2/3", False),
    # two thirds of those present, inclusive: 6 of 9 exactly passes, 5 of 9 fails
    (TWO_THIRDS_PRESENT, 6, 3, 0, 9, 9, "2/3", True),
    (TWO_THIRDS_PRESENT, 5, 4, 0, 9, 9, "2/3", False),
    (TWO_THIRDS_PRESENT, 6, 0, 3, 9, 9, "2/3", True),
    # strict: exactly two thirds is not more than two thirds
    (MORE_THAN_TWO_THIRDS_PRESENT, 6, 3, 0, 9, 9, "2/3", False),
    (MORE_THAN_TWO_THIRDS_PRESENT, 7, 2, 0, 9, 9, "2/3", True),
    # a third that floats would round: 2/3 of 30 present is exactly 20
    (TWO_THIRDS_PRESENT, 20, 10, 0, 30, 30, "2/3", True),
    (TWO_THIRDS_PRESENT, 19, 11, 0, 30, 30, "2/3", False),
    (MORE_THAN_TWO_THIRDS_PRESENT, 20, 10, 0, 30, 30, "2/3", False),
    # two thirds of ALL directors: absent directors count against
    (TWO_THIRDS_ENTITLED, 6, 0, 0, 9, 7, "2/3", True),
    (TWO_THIRDS_ENTITLED, 5, 0, 0, 9, 6, "2/3", False),
    (TWO_THIRDS_ENTITLED, 14, 0, 0, 21, 14, "2/3", True),
    (TWO_THIRDS_ENTITLED, 13, 0, 0, 21, 20, "2/3", False),
    # quorum just met (6 of 9 = 2/3) and just missed (5 of 9): unanimous votes fail without it
    (MAJORITY_CAST, 6, 0, 0, 9, 6, "2/3", True),
    (MAJORITY_CAST, 5, 0, 0, 9, 5, "2/3", False),
    (MAJORITY_CAST, 10, 0, 0, 21, 11, "1/2", True),
    (MAJORITY_CAST, 10, 0, 0, 21, 10, "1/2", False),
    # an empty base adopts nothing
    (MAJORITY_CAST, 0, 0, 4, 9, 9, "2/3", False),
]


@pytest.mark.parametrize("rule,yes,no,abstain,eligible,present,quorum,adopted", CASES)
def test_rule_table(rule, yes, no, abstain, eligible, present, quorum, adopted):
    outcome = decide(rule, Tally(yes, no, abstain, eligible, present), quorum)
    assert outcome.adopted is adopted


def test_share_is_an_exact_fraction():
    outcome = decide(TWO_THIRDS_PRESENT, Tally(20, 10, 0, 30, 30), "2/3")
    assert outcome.share == Fraction(2, 3) and isinstance(outcome.share, Fraction)


@pytest.mark.parametrize("present,entitled,fraction,met", [
    (6, 9, "2/3", True), (5, 9, "2/3", False), (14, 21, "2/3", True), (13, 21, "2/3", False),
    (5, 10, "1/2", True), (4, 10, "1/2", False), (0, 0, "1/2", False), (1, 1, "1/1", True),
])
def test_quorum_at_and_around_the_fraction(present, entitled, fraction, met):
    assert quorum_met(present, entitled, fraction) is met


@pytest.mark.parametrize("rule,base,needed", [
    (TWO_THIRDS_PRESENT, 9, 6), (MORE_THAN_TWO_THIRDS_PRESENT, 9, 7), (MAJORITY_CAST, 10, 6),
    (AT_LEAST_HALF_CAST, 10, 5), (TWO_THIRDS_ENTITLED, 10, 7), (MORE_THAN_HALF_PRESENT, 7, 4),
])
def test_yes_needed_is_the_least_that_adopts(rule, base, needed):
    assert yes_needed(rule, base) == needed
    assert decide(rule, Tally(needed, base - needed, 0, base, base), "0/1").adopted
    assert not decide(rule, Tally(needed - 1, base - needed + 1, 0, base, base), "0/1").adopted


@pytest.mark.parametrize("text", ["3/2", "1/0", "half", "", "0.5", "-1/2", "1/2/3", "99999/100000"])
def test_bad_fractions_are_refused(text):
    with pytest.raises(ValueError):
        parse_fraction(text)


def test_fractions_are_normalised():
    assert normalise_fraction(" 4 / 6 ") == "2/3"


def test_each_category_has_its_charter_preset():
    assert preset_for_category("ordinary").key == "majority_present"
    assert preset_for_category("major").rule == PRESETS["two_thirds_entitled"].rule
    assert preset_for_category("charter").rule.threshold_base == "entitled"


@pytest.mark.parametrize("tally,agree", [
    ({"government": {"yes": 1, "no": 0, "abstain": 0}, "schools": {"yes": 2, "no": 1, "abstain": 3}}, True),
    ({"government": {"yes": 1, "no": 1, "abstain": 0}, "schools": {"yes": 5, "no": 0, "abstain": 0}}, False),
    ({"enterprises": {"yes": 0, "no": 0, "abstain": 2}, "schools": {"yes": 1, "no": 0, "abstain": 0}}, True),
    ({}, True),
])
def test_a_majority_within_each_sector_that_voted(tally, agree):
    from governance.rules import sectors_agree

    assert sectors_agree(tally) is agree


def test_the_sector_majority_is_part_of_the_decision():
    rule = Rule("1/2", "present", True, True, sector_majority=True)
    tally = Tally(yes=8, no=1, abstain=0, eligible=9, present=9)
    split = {"government": {"yes": 0, "no": 1, "abstain": 0}, "schools": {"yes": 8, "no": 0, "abstain": 0}}
    agreed = {"government": {"yes": 1, "no": 0, "abstain": 0}, "schools": {"yes": 7, "no": 1, "abstain": 0}}
    assert decide(rule, tally, "2/3", sectors=split).adopted is False
    assert decide(rule, tally, "2/3", sectors=agreed).adopted is True
    assert decide(Rule("1/2", "present", True, True), tally, "2/3", sectors=split).adopted is True
