"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without I, O,
S, V, Z); the last one is a check character computed from the first 17.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    return code.strip().upper()


def validate_uscc(code: str) -> None:
    code = normalize(code)
    if len(code) != 18:
        raise ValidationError(
            _("The unified social credit code must have 18 characters, not %(length)d."), code="uscc_length", params={"length": len(code)}
        )
    bad = [char for char in code if char not in ALPHABET]
    if bad:
        raise ValidationError(
            _("The unified social credit code contains the character “%(char)s”, which is not allowed."), code="uscc_charset", params={"char": bad[0]}
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The unified social credit code's check character is wrong: the 18th character should be “%(expected)s”, not “%(actual)s”."),
            code="uscc_check",
            params={"expected": expected, "actual": code[17]},
        )


def make_uscc(first17: str) -> str:
    """Complete 17 characters into a valid code (used by the demo and tests)."""
    return first17 + check_character(first17)
