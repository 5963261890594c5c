"""The home page: what each role has to do, gathered from every app (the wiring may know them all)."""

from django.shortcuts import render

from alliance.selectors import alliances_for_user
from governance.selectors import seats_for_user
from kernel.collation import pinyin
from kernel.scope import scope_of
from members.models import Membership
from members.selectors import memberships_for_user


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
    if scope.contact_organization_ids:
        context["own_memberships"] = memberships_for_user(request.user).filter(
            organization_id__in=scope.contact_organization_ids
        ).order_by(pinyin("organization__name"), "-id")
    if scope.seat_ids:
        context["seats"] = seats_for_user(request.user).filter(id__in=scope.seat_ids).select_related("body__alliance")
    if not scope.is_authenticated:
        context["public_alliances"] = alliances_for_user(request.user)[:20]
    return render(request, "alliance/home.html", context)
