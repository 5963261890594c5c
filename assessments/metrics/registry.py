"""The registry of named metrics: figures computed from an alliance's records for a period, that a leaf of an
indicator framework can be bound to (assessments/bindings.py).

A metric has a stable key (kept in framework files and in frozen self-assessments: never rename one), a
translated label, a unit, a text saying how it is computed and from which records, and a function that computes
it for many alliances at once. That function receives a `Batch` (the alliances and the period) and answers
{alliance id: Figure}; the records several metrics share are read once per batch through `batch.source(...)`,
so a batch costs the same number of queries for one alliance or a hundred and fifty.

Register a metric with `register(...)`, or, for a count or a sum of rows grouped by alliance, with
`register_aggregate(...)`: one call each (see assessments/metrics/builtin.py).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F, QuerySet, Sum
from django.db.models import TextChoices as Choices
from django.utils.translation import gettext_lazy as _

# The most records a figure lists as its evidence (the counts always cover them all).
EVIDENCE_MAX = 50
KEY_MAX = 60


class Unit(Choices):
    COUNT = "count", _("number")
    PERCENT = "percent", _("per cent")
    YUAN = "yuan", _("yuan")
    PERSON_TIMES = "person_times", _("person-times")
    YES_NO = "yes_no", _("yes (1) or no (0)")
    INDEX = "index", _("index")


@dataclass(frozen=True)
class Figure:
    """A metric's value for one alliance and period, with its working: the counts it was computed from and the
    records it rests on ({"label", "url", "date"}). A value with nothing to measure (a rate of no meetings) is
    None, not zero."""

    value: Decimal | None
    counts: dict = field(default_factory=dict)
    evidence: tuple = ()


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    working: str  # how the value follows from the counts, with %(count)s placeholders
    source: str  # which records are counted
    compute: Callable[["Batch"], dict[int, Figure]]


class Batch:
    """One computation: the alliances, the period (both dates included), and each source read once."""

    def __init__(self, alliance_ids: Iterable[int], start: date, end: date):
        self.alliance_ids = list(dict.fromkeys(alliance_ids))
        self.start, self.end = start, end
        self._sources = {}

    def source(self, read: Callable[[list[int], date, date], dict]) -> dict:
        """read(alliance_ids, start, end), computed once per batch."""
        if read not in self._sources:
            self._sources[read] = read(self.alliance_ids, self.start, self.end)
        return self._sources[read]


_REGISTRY: dict[str, Metric] = {}


def register(key: str, *, label, unit: str, working, source, compute) -> Metric:
    """Add a metric; a key is registered once."""
    if key in _REGISTRY:
        raise ImproperlyConfigured(f"The metric {key} is registered twice.")
    if not key or len(key) > KEY_MAX or not key.replace("_", "").isalnum() or key != key.lower():
        raise ImproperlyConfigured(f"A metric key is lower-case letters, digits and underscores: {key!r}.")
    if unit not in Unit.values:
        raise ImproperlyConfigured(f"The metric {key} has an unknown unit {unit!r}.")
    metric = Metric(key=key, label=label, unit=unit, working=working, source=source, compute=compute)
    _REGISTRY[key] = metric
    return metric


def register_aggregate(key: str, *, label, unit: str = Unit.COUNT, source, queryset: Callable[[], QuerySet],
                       alliance: str, date_field: str | None = None, year_field: str | None = None,
                       total: str | None = None, evidence: Callable[[object], dict] | None = None,
                       working=None) -> Metric:
    """A metric that counts rows (or sums `total` over them) per alliance: `queryset()` gives the rows that
    count, `alliance` the lookup of their alliance's id (e.g. "project__alliance_id"), `date_field` a date or
    datetime that must fall within the period, or `year_field` a year within the period's years. With
    `evidence(row) -> {"label", "url"}` the rows are listed beside the figure (one more query: give `queryset`
    the select_related its evidence and its alliance lookup need)."""

    def rows(batch: Batch) -> QuerySet:
        rows = queryset().filter(**{f"{alliance}__in": batch.alliance_ids})
        if date_field:
            rows = rows.filter(**{f"{date_field}__gte": batch.start, f"{date_field}__lte": batch.end})
        if year_field:
            rows = rows.filter(**{f"{year_field}__gte": batch.start.year, f"{year_field}__lte": batch.end.year})
        return rows

    def compute(batch: Batch) -> dict[int, Figure]:
        aggregate = {"rows": Count("pk", distinct=True)}
        if total:
            aggregate["total"] = Sum(total)
        found = {row["owner"]: row for row in rows(batch).values(owner=F(alliance)).annotate(**aggregate).order_by()}
        listed = {}
        if evidence:
            for row in rows(batch).order_by("pk")[:EVIDENCE_MAX * len(batch.alliance_ids)]:
                owner = _lookup(row, alliance)
                if len(listed.setdefault(owner, [])) < EVIDENCE_MAX:
                    listed[owner].append(evidence(row))
        figures = {}
        for pk in batch.alliance_ids:
            row = found.get(pk, {})
            counts = {"rows": row.get("rows", 0)}
            if total:
                counts["total"] = row.get("total") or 0
            value = counts["total"] if total else counts["rows"]
            figures[pk] = Figure(value=Decimal(value), counts=counts, evidence=tuple(listed.get(pk, ())))
        return figures

    default_working = (_("the sum over %(rows)s records: %(total)s") if total
                       else _("%(rows)s records counted"))
    return register(key, label=label, unit=unit, working=working or default_working, source=source,
                    compute=compute)


def _lookup(row, lookup: str):
    value = row
    for part in lookup.split("__"):
        value = getattr(value, part)
    return value


def metric(key: str) -> Metric | None:
    return _REGISTRY.get(key)


def metrics() -> list[Metric]:
    """Every registered metric, in registration order."""
    return list(_REGISTRY.values())


def compute_figures(alliance_ids: Iterable[int], start: date, end: date,
                    keys: Iterable[str] | None = None) -> dict[int, dict[str, Figure]]:
    """{alliance id: {metric key: Figure}} for the period, every registered metric unless `keys` names some."""
    batch = Batch(alliance_ids, start, end)
    chosen = [_REGISTRY[key] for key in keys] if keys is not None else metrics()
    figures = {pk: {} for pk in batch.alliance_ids}
    for one in chosen:
        for pk, figure in one.compute(batch).items():
            figures[pk][one.key] = figure
    return figures


def percent(part, whole) -> Decimal | None:
    """part / whole in per cent with one decimal, None when there is nothing to measure."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def present(value) -> str | None:
    """A value as the API and the stored figures write it: a decimal string, or None."""
    if value is None:
        return None
    value = Decimal(value)
    return str(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def _json_safe(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return present(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def stored(key: str, figure: Figure) -> dict:
    """A figure as the self-assessment keeps it (JSON): what it was when computed, whatever changes later."""
    one = _REGISTRY[key]
    return {"value": present(figure.value), "unit": one.unit, "counts": _json_safe(figure.counts),
            "evidence": _json_safe(list(figure.evidence))}


def described(key: str, data: dict) -> dict:
    """A stored figure for a reader, in the reader's language: label, unit, value, how it was computed, the
    records it rests on. A metric no longer registered still shows its stored value and counts."""
    one = _REGISTRY.get(key)
    counts = data.get("counts") or {}
    text = ""
    if one is not None:
        try:
            text = str(one.working) % counts
        except (KeyError, TypeError, ValueError):
            text = ""
    unit = data.get("unit") or (one.unit if one else Unit.COUNT)
    return {
        "metric": key,
        "label": str(one.label) if one else key,
        "unit": unit,
        "unit_label": str(Unit(unit).label) if unit in Unit.values else unit,
        "value": data.get("value"),
        "working": {"text": text, "source": str(one.source) if one else "", "counts": counts},
        "evidence": list(data.get("evidence") or []),
    }
