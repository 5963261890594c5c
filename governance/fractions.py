"""Fractions in voting rules are exact strings "n/d"; they are read into Fraction, never float."""

import re
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FRACTION_PATTERN = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,4})\s*$")


def parse_fraction(text: str) -> Fraction:
    """ "2/3" → Fraction(2, 3); a share between 0 and 1 with a non-zero denominator, else ValueError."""
    match = FRACTION_PATTERN.match(str(text or ""))
    if not match:
        raise ValueError(text)
    numerator, denominator = int(match[1]), int(match[2])
    if denominator == 0 or numerator > denominator:
        raise ValueError(text)
    return Fraction(numerator, denominator)


def validate_fraction(text: str) -> None:
    try:
        parse_fraction(text)
    except ValueError:
        raise ValidationError(
            _("Give a share as n/d between 0 and 1, for example 1/2 or 2/3."), code="invalid_fraction"
        ) from None


def normalise_fraction(text: str) -> str:
    """ "4/6" → "2/3"; "1/1" → "1/1"."""
    value = parse_fraction(text)
    return f"{value.numerator}/{value.denominator}"
