"""The home page: what each role has to do, gathered from every app (the wiring may know them all)."""

from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from alliance.selectors import alliances_for_user
from assessments.early_warnings.rules import describe, open_warnings
from assessments.models import Assessment, Cycle
from assessments.selectors import assessments_for_user
from cooperation.models import Response, TalentNeed, TechnologyNeed
from cooperation.selectors import (
    entries_for_user,
    pending_outcomes,
    responder_units,
    responses_for_user,
    suggestions_for_units,
    technology_needs_for_user,
    unpublished_counts,
)
from governance.models import Task
from governance.selectors import (
    open_votes_overseen_by,
    seats_for_user,
    tasks_for_user,
    upcoming_meetings_overseen_by,
)
from kernel.collation import pinyin
from kernel.scope import scope_of
from members.models import Membership
from members.selectors import memberships_for_user
from publicity.selectors import unread_announcements

UNREAD_ANNOUNCEMENTS_SHOWN = 10

DUE_ITEMS = 8


def _due_for_secretariat(user, alliance_ids) -> dict:
    """What the secretariat has to see to next, in its alliances: upcoming meetings, open votes with the
    ballots returned, tasks not yet accepted by their due date, and the open assessments' deadlines."""
    return {
        "due_meetings": list(upcoming_meetings_overseen_by(user).filter(body__alliance_id__in=alliance_ids)
                             .select_related("body__alliance")[:DUE_ITEMS]),
        "due_votes": list(open_votes_overseen_by(user).filter(alliance_id__in=alliance_ids)[:DUE_ITEMS]),
        "due_outcomes": list(pending_outcomes(alliance_ids)[:DUE_ITEMS]),
        "due_tasks": list(tasks_for_user(user).filter(alliance_id__in=alliance_ids)
                          .exclude(status=Task.Status.ACCEPTED).order_by("due_on", "id")[:DUE_ITEMS]),
        "due_assessments": list(assessments_for_user(user).filter(alliance_id__in=alliance_ids,
                                                                  cycle__status=Cycle.Status.OPEN)
                                .exclude(status=Assessment.Status.DECIDED)
                                .order_by("cycle__self_assessment_due", "id")[:DUE_ITEMS]),
        "due_warnings": [describe(warning) for warning in open_warnings().filter(alliance_id__in=alliance_ids)
                         .select_related("alliance").order_by("since", "id")[:DUE_ITEMS]],
        "today": timezone.localdate(),
    }


def home(request):
    scope = scope_of(request.user)
    context = {"scope": scope}
    if scope.is_superuser:
        context["city_alliances"] = alliances_for_user(request.user)[:50]
    elif scope.official_city_ids:
        context["city_alliances"] = alliances_for_user(request.user).filter(city_id__in=scope.official_city_ids)
        context["city_warning_count"] = open_warnings().filter(alliance__city_id__in=scope.official_city_ids).count()
    if scope.secretariat_alliance_ids:
        context["managed_alliances"] = alliances_for_user(request.user).filter(id__in=scope.secretariat_alliance_ids)
        context["pending_applications"] = memberships_for_user(request.user).filter(
            alliance_id__in=scope.secretariat_alliance_ids, status=Membership.Status.APPLIED
        )[:20]
        context["unpublished"] = unpublished_counts(scope.secretariat_alliance_ids)
        context.update(_due_for_secretariat(request.user, scope.secretariat_alliance_ids))
    if scope.contact_organization_ids:
        context["own_memberships"] = memberships_for_user(request.user).filter(
            organization_id__in=scope.contact_organization_ids
        ).order_by(pinyin("organization__name"), "-id")
        context.update(_cooperation(request.user, scope.contact_organization_ids))
    if scope.is_authenticated:
        context["unread_announcements"] = list(unread_announcements(request.user)[:UNREAD_ANNOUNCEMENTS_SHOWN])
    if scope.seat_ids:
        context["seats"] = seats_for_user(request.user).filter(id__in=scope.seat_ids).select_related("body__alliance")
    if not scope.is_authenticated:
        context["public_alliances"] = alliances_for_user(request.user)[:20]
    return render(request, "alliance/home.html", context)


def _cooperation(user, units) -> dict:
    """A contact's supply and demand: its unit's open needs, the responses waiting for its answer, and (for a
    school or institute) its own responses and the needs it is suggested for. A fixed number of queries."""
    live = ~Q(status=TechnologyNeed.Status.CLOSED)
    responders = list(responder_units(user).values_list("pk", flat=True))
    return {
        "own_technology_needs": technology_needs_for_user(user).filter(live, organization_id__in=units)
        .order_by("-id")[:10],
        "own_talent_needs": entries_for_user(user, TalentNeed).filter(
            organization_id__in=units, status=TalentNeed.Status.OPEN).order_by("-id")[:10],
        "responses_waiting": responses_for_user(user).filter(
            need__organization_id__in=units, status=Response.Status.PROPOSED).order_by("-id")[:10],
        "own_responses": responses_for_user(user).filter(organization_id__in=responders).order_by("-id")[:10]
        if responders else None,
        "suggested_needs": suggestions_for_units(user, responders) if responders else None,
    }
