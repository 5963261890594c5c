"""Figures computed from an alliance's records: the registry of named metrics (registry.py, with the metrics
of builtin.py registered on import) and the older summary beside a self-assessment (computed.py)."""

from assessments.metrics import builtin  # noqa: F401  (registers the built-in metrics)
from assessments.metrics.computed import alliance_metrics, governance_metrics
from assessments.metrics.registry import (
    Batch,
    Figure,
    Metric,
    Unit,
    compute_figures,
    described,
    metric,
    metrics,
    register,
    register_aggregate,
    stored,
)

__all__ = ["Batch", "Figure", "Metric", "Unit", "alliance_metrics", "compute_figures", "described",
           "governance_metrics", "metric", "metrics", "register", "register_aggregate", "stored"]
