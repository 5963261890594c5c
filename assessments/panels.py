"""The assessments' section of an alliance's public page (registered with alliance/extensions.py)."""

from assessments.selectors import published_results

PUBLIC_RESULTS = 5


def public_results(alliance) -> dict:
    """The alliance's latest published assessment results."""
    return {"alliance": alliance, "results": list(published_results(alliance)[:PUBLIC_RESULTS])}
