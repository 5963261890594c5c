"""Figures of an alliance's supply–demand work and its cooperation projects, for its pages and its assessment
(framework B2, "talent supply–demand events": events held, responses accepted; A5, "the platform gathers
enterprise needs and matches supply and demand": needs posted and matched; B1–B10: projects by kind and their
confirmed outcomes, cooperation.selectors.project_figures)."""

import datetime
from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from cooperation.models import Response, SupplyDemandEvent, TalentNeed, TechnologyNeed
from cooperation.selectors import project_figures


def _figures(alliance, start: datetime.date, end: datetime.date) -> dict:
    """Figures of the days from `start` to `end`, both included."""
    events = SupplyDemandEvent.objects.filter(alliance=alliance, status=SupplyDemandEvent.Status.HELD,
                                              starts_at__date__gte=start, starts_at__date__lte=end)
    accepted = Response.objects.filter(need__alliance=alliance, status=Response.Status.ACCEPTED,
                                       decided_at__date__gte=start, decided_at__date__lte=end)
    technology = TechnologyNeed.objects.filter(alliance=alliance, merged_into__isnull=True,
                                               created_at__date__gte=start, created_at__date__lte=end)
    talent = TalentNeed.objects.filter(alliance=alliance, merged_into__isnull=True, created_at__date__gte=start,
                                       created_at__date__lte=end).aggregate(
        posted=Count("id"), headcount=Sum("headcount"), filled=Sum("filled"))
    return {
        "supply_demand_events_held": events.count(),
        "responses_accepted": accepted.count(),
        "responses_accepted_at_events": accepted.filter(event__isnull=False).count(),
        "technology_needs_posted": technology.count(),
        "technology_needs_matched": technology.filter(~Q(status__in=[TechnologyNeed.Status.OPEN,
                                                                     TechnologyNeed.Status.CLOSED])).count(),
        "talent_needs_posted": talent["posted"] or 0,
        "talent_headcount": talent["headcount"] or 0,
        "talent_filled": talent["filled"] or 0,
        **project_figures(alliance, start, end),
    }


def cooperation_figures(alliance, year: int) -> dict:
    """The figures of a calendar year."""
    return _figures(alliance, datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def cooperation_metrics(alliance, today=None) -> dict:
    """The figures of the year before `today`, as the assessment's computed figures are."""
    today = today or timezone.localdate()
    return _figures(alliance, today - timedelta(days=364), today)
