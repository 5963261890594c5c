"""The home page: what each role has to do, gathered from every app (the wiring may know them all)."""

from django.shortcuts import render
from django.utils import timezone

from alliance.selectors import alliances_for_user
from assessments.models import Assessment, Cycle
from assessments.selectors import assessments_for_user
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

DUE_ITEMS = 8


def _due_for_secretariat(user, alliance_ids) -> dict:
    """What the secretariat has to see to next, in its alliances: upcoming meetings, open votes with the
    ballots returned, tasks not yet accepted by their due date, and the open assessments' deadlines."""
    return {
        "due_meetings": list(upcoming_meetings_overseen_by(user).filter(body__alliance_id__in=alliance_ids)
                             .select_related("body__alliance")[:DUE_ITEMS]),
        "due_votes": list(open_votes_overseen_by(user).filter(alliance_id__in=alliance_ids)[:DUE_ITEMS]),
        "due_tasks": list(tasks_for_user(user).filter(alliance_id__in=alliance_ids)
                          .exclude(status=Task.Status.ACCEPTED).order_by("due_on", "id")[:DUE_ITEMS]),
        "due_assessments": list(assessments_for_user(user).filter(alliance_id__in=alliance_ids,
                                                                  cycle__status=Cycle.Status.OPEN)
                                .exclude(status=Assessment.Status.DECIDED)
                                .order_by("cycle__self_assessment_due", "id")[:DUE_ITEMS]),
        "today": timezone.localdate(),
    }


def home(request):
    scope = scope_of(request.user)
    context = {"scope": scope}
    if scope.is_superuser:
        context["city_alliances"] = alliances_for_user(request.user)[:50]
    elif scope.official_city_ids:
        context["city_alliances"] = alliances_for_user(request.user).filter(city_id__in=scope.official_city_ids)
    if scope.secretariat_alliance_ids:
        context["managed_alliances"] = alliances_for_user(request.user).filter(id__in=scope.secretariat_alliance_ids)
        context["pending_applications"] = memberships_for_user(request.user).filter(
            alliance_id__in=scope.secretariat_alliance_ids, status=Membership.Status.APPLIED
        )[:20]
        context.update(_due_for_secretariat(request.user, scope.secretariat_alliance_ids))
    if scope.contact_organization_ids:
        context["own_memberships"] = memberships_for_user(request.user).filter(
            organization_id__in=scope.contact_organization_ids
        ).order_by(pinyin("organization__name"), "-id")
    if scope.seat_ids:
        context["seats"] = seats_for_user(request.user).filter(id__in=scope.seat_ids).select_related("body__alliance")
    if not scope.is_authenticated:
        context["public_alliances"] = alliances_for_user(request.user)[:20]
    return render(request, "alliance/home.html", context)
