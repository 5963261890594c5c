"""The figures of a self-assessment's bound indicators, and the scores they give.

The assessed period is the twelve months up to the self-assessment's due date: records made while the
self-assessment is open still count. The figures are computed when the cycle opens (for all its alliances in one
batch), again each time the secretariat saves or submits, and kept as they were at submission: later changes to
the records do not alter a submitted self-assessment's figures.

Stored on the assessment (Assessment.figures):
    {"start", "end", "computed_at",
     "values": {metric key: registry.stored(...)},
     "scores": {leaf code: {"metric": key, "score": "7" or null}}}
"""

from datetime import date, timedelta

from django.utils import timezone

from assessments import frameworks
from assessments.bindings import bound_score
from assessments.metrics import compute_figures, described, stored
from assessments.metrics.registry import present
from assessments.models import Cycle, Framework


def assessment_period(cycle: Cycle) -> tuple[date, date]:
    end = cycle.self_assessment_due
    year = timedelta(days=364)
    return (end - year if end > date.min + year else date.min), end


def figures_for(framework: Framework, cycle: Cycle, alliance_ids) -> dict[int, dict]:
    """{alliance id: its figures for the cycle}, every alliance in the same few queries."""
    bound = frameworks.bindings(framework)
    start, end = assessment_period(cycle)
    ids = list(alliance_ids)
    keys = sorted({binding["metric"] for binding, _max in bound.values()})
    computed = compute_figures(ids, start, end, keys=keys)
    now = timezone.now().isoformat()
    return {pk: {
        "start": start.isoformat(), "end": end.isoformat(), "computed_at": now,
        "values": {key: stored(key, figure) for key, figure in computed[pk].items()},
        "scores": {code: {"metric": binding["metric"],
                          "score": present(bound_score(binding, computed[pk][binding["metric"]].value, max_score))}
                   for code, (binding, max_score) in bound.items()},
    } for pk in ids}


def computed_scores(figures: dict) -> dict[str, str | None]:
    """{bound leaf code: the score its figure gives, or None when the figure is not available}."""
    return {code: bound["score"] for code, bound in (figures.get("scores") or {}).items()}


def figure_rows(figures: dict) -> dict[str, dict]:
    """{bound leaf code: its figure described in the reader's language, with the score it gives}."""
    values = figures.get("values") or {}
    return {code: {**described(bound["metric"], values.get(bound["metric"], {})), "score": bound["score"]}
            for code, bound in (figures.get("scores") or {}).items()}
