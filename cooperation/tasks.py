"""Suggestions off the request path: recomputed after a need or an offer changes (queued after commit by
the services) and for every city by the beat (config/celery.py). Each task takes ids, loads the rows and
replaces the suggestions it computes, so running it twice leaves the same rows."""

import logging

from celery import shared_task

from alliance.models import Alliance
from cooperation import suggestions
from cooperation.models import TalentNeed, TechnologyNeed

logger = logging.getLogger(__name__)

KINDS = {"technology": TechnologyNeed, "talent": TalentNeed}


def kind_of(need) -> str:
    return "technology" if isinstance(need, TechnologyNeed) else "talent"


@shared_task
def refresh_need_suggestions(kind: str, need_id: int) -> int:
    need = KINDS[kind].objects.filter(pk=need_id).first()
    return suggestions.refresh_need(need) if need is not None else 0


@shared_task
def refresh_city_suggestions(city_id: int) -> int:
    return suggestions.refresh_city(city_id)


@shared_task
def refresh_all_suggestions() -> int:
    """Every city with an alliance: catches up whatever a lost task or an unreachable broker left stale."""
    total = 0
    for city_id in Alliance.objects.order_by().values_list("city_id", flat=True).distinct():
        total += suggestions.refresh_city(city_id)
    return total
