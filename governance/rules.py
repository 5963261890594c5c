"""Voting rules as data, and the arithmetic that applies them (exact fractions, no floats).

A rule is what the motion stores: quorum fraction, threshold fraction, threshold base
(votes cast, seats present, all seats entitled), strict ("more than") or inclusive ("at
least"), whether abstentions count in the base, and whether a majority within each sector is
needed as well. `decide` applies all of it and gives the one outcome that everything after the
vote (adoption, resolution number, minutes approval, notices) follows. Presets carry the names of the usual
charter clauses; a motion's category picks its preset, which the secretariat may change
before the vote opens.
"""

from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from governance.fractions import parse_fraction


@dataclass(frozen=True)
class Rule:
    threshold_fraction: str
    threshold_base: str
    threshold_strict: bool
    abstentions_count: bool
    quorum_fraction: str | None = None  # None: the body's own quorum
    sector_majority: bool = False  # also more yes than no within each sector that voted (named ballots)


@dataclass(frozen=True)
class Preset:
    key: str
    label: object
    rule: Rule


PRESETS = {
    preset.key: preset
    for preset in [
        Preset("majority_cast", _("Simple majority of votes cast"), Rule("1/2", "cast", True, False)),
        Preset("majority_present", _("More than half of those present"), Rule("1/2", "present", True, True)),
        Preset("two_thirds_present", _("Two thirds of those present"), Rule("2/3", "present", False, True)),
        Preset("two_thirds_entitled", _("Two thirds of all directors"), Rule("2/3", "entitled", False, True)),
    ]
}

CATEGORY_PRESETS = {"ordinary": "majority_present", "major": "two_thirds_entitled", "charter": "two_thirds_entitled"}


def preset_for_category(category: str) -> Preset:
    return PRESETS[CATEGORY_PRESETS.get(category, "majority_present")]


def matching_preset(motion) -> Preset | None:
    """The preset whose rule the motion follows, if any (to name it on pages)."""
    for preset in PRESETS.values():
        rule = preset.rule
        if (parse_fraction(motion.threshold_fraction) == parse_fraction(rule.threshold_fraction)
                and motion.threshold_base == rule.threshold_base
                and motion.threshold_strict == rule.threshold_strict
                and (motion.abstentions_count == rule.abstentions_count or rule.threshold_base != "cast")):
            return preset
    return None


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    eligible: int  # seats entitled to vote on this motion (declared conflicts left out)
    present: int  # seats present (in person, online or by proxy); for written consent, ballots returned


@dataclass(frozen=True)
class Outcome:
    quorum_met: bool
    base: int
    share: Fraction | None  # yes / base, None when the base is empty (or the count is withheld)
    adopted: bool
    decided: bool = True  # False: a secret vote with too few ballots, closed without publishing its count


def quorum_met(present: int, entitled: int, quorum_fraction: str) -> bool:
    """present / entitled >= quorum; a body without seats has no quorum."""
    if entitled <= 0:
        return False
    return Fraction(present, entitled) >= parse_fraction(quorum_fraction)


def base_of(rule: Rule, tally: Tally) -> int:
    if rule.threshold_base == "present":
        return tally.present
    if rule.threshold_base == "entitled":
        return tally.eligible
    return tally.yes + tally.no + (tally.abstain if rule.abstentions_count else 0)


# A secret count is never published from fewer ballots than this, whatever the quorum: one ballot's
# count is that voter's choice.
MIN_SECRET_BALLOTS = 2


def secret_count_publishable(tally: Tally, quorum_fraction: str) -> bool:
    """Whether a secret vote's count may be published: at least MIN_SECRET_BALLOTS ballots, and the ballots
    cast themselves meet the quorum (cast / eligible >= the quorum fraction) besides the seats present.

    Presence alone is not enough: at a meeting that has its quorum a single director may be the only one
    to vote, and a closed vote's count would then be that director's choice, beside a ballot list that
    names them. Requiring the quorum's number of ballots means the count always mixes at least as many
    voters as the rule itself asks to be there. By written consent the seats "present" are the ballots
    returned, so the two conditions are one.
    """
    cast = tally.yes + tally.no + tally.abstain
    return (cast >= MIN_SECRET_BALLOTS and quorum_met(cast, tally.eligible, quorum_fraction)
            and quorum_met(tally.present, tally.eligible, quorum_fraction))


def sectors_agree(sector_tally: dict) -> bool:
    """Every sector that cast a yes or no vote gave more yes than no (abstentions left aside)."""
    return all(counts["yes"] > counts["no"] for counts in sector_tally.values() if counts["yes"] + counts["no"])


def decide(rule: Rule, tally: Tally, quorum_fraction: str, *, secret: bool = False,
           sectors: dict | None = None) -> Outcome:
    """Whether the motion is adopted: quorum met, then yes / base against the threshold, then, when the rule
    asks for it, a majority within each sector that voted (`sectors`: the named ballots counted by sector).
    A secret vote whose count may not be published (`secret_count_publishable`) is not decided: not adopted,
    no share."""
    has_quorum = quorum_met(tally.present, tally.eligible, quorum_fraction)
    if secret and not secret_count_publishable(tally, quorum_fraction):
        return Outcome(has_quorum, base_of(rule, tally), None, False, decided=False)
    base = base_of(rule, tally)
    if base <= 0:
        return Outcome(has_quorum, base, None, False)
    share = Fraction(tally.yes, base)
    threshold = parse_fraction(rule.threshold_fraction)
    passes = share > threshold if rule.threshold_strict else share >= threshold
    if rule.sector_majority and not sectors_agree(sectors or {}):
        passes = False
    return Outcome(has_quorum, base, share, has_quorum and passes)


def rule_of(motion) -> Rule:
    return Rule(motion.threshold_fraction, motion.threshold_base, motion.threshold_strict,
                motion.abstentions_count, motion.quorum_fraction, motion.sector_majority)


def working(motion) -> dict | None:
    """How a closed motion's result was reached, shown beside it: the base the threshold applied to, the
    yes votes that would have carried it on that base, and the ballots cast. None while it is not closed."""
    if motion.state != "closed":
        return None
    if motion.yes_count is None:  # a secret vote closed without publishing its count
        return {"decided": False, "base": None, "yes_needed": None, "cast": None}
    rule = rule_of(motion)
    tally = Tally(motion.yes_count, motion.no_count, motion.abstain_count, motion.eligible or 0, motion.present or 0)
    outcome = decide(rule, tally, motion.quorum_fraction)
    return {"decided": True, "base": outcome.base,
            "yes_needed": yes_needed(rule, outcome.base) if outcome.base else None,
            "cast": motion.yes_count + motion.no_count + motion.abstain_count}


def yes_needed(rule: Rule, base: int) -> int:
    """The least number of yes votes that adopts the motion on this base (shown beside the tally)."""
    threshold = parse_fraction(rule.threshold_fraction)
    needed = threshold * base
    if rule.threshold_strict:
        return int(needed) + 1
    return -(-needed.numerator // needed.denominator)
