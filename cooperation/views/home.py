"""The cooperation overview: the four lists, and for each alliance of the user its events and files."""

from django.shortcuts import render
from django.utils import timezone

from alliance.models import Alliance, City
from cooperation.kinds import KINDS
from cooperation.permissions import can_post_anything, member_alliance_ids
from kernel.scope import scope_of


def home(request):
    scope = scope_of(request.user)
    own = Alliance.objects.none()
    cities = City.objects.none()
    if scope.is_authenticated:
        ids = (scope.secretariat_alliance_ids | scope.seat_alliance_ids | member_alliance_ids(request.user))
        own = Alliance.objects.filter(id__in=ids) | Alliance.objects.filter(city_id__in=scope.official_city_ids)
        cities = City.objects.filter(id__in=scope.official_city_ids).order_by("name")
        if scope.is_superuser:
            own = Alliance.objects.all()
    alliances = [{"alliance": alliance,
                  "curates": scope.is_superuser or alliance.id in scope.secretariat_alliance_ids,
                  "reads_all": (scope.is_superuser or alliance.id in scope.secretariat_alliance_ids
                                or alliance.city_id in scope.official_city_ids)}
                 for alliance in own.distinct().order_by("name")[:50]]
    return render(request, "cooperation/home.html", {
        "kinds": KINDS.values(), "alliances": alliances, "can_post": can_post_anything(request.user),
        "year": timezone.localdate().year, "cities": cities,
    })
