"""Reads of sectors, mappings and industry figures, scoped to the user (matching/permissions.py)."""

from django.db.models import Q, QuerySet

from alliance.models import Alliance, City
from kernel.scope import scope_of
from matching.models import IndustryFigure, Scheme, Sector, SectorMapping


def readable_city_filter(user, field: str = "city_id") -> Q:
    """The cities whose figures and mappings this user reads: an official's own, and those of the alliances
    the user is the secretariat of or sits on the council of."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    visible = Q(pk__in=[])
    if scope.official_city_ids:
        visible |= Q(**{f"{field}__in": scope.official_city_ids})
    alliances = scope.secretariat_alliance_ids | scope.seat_alliance_ids
    if alliances:
        visible |= Q(**{f"{field}__in": Alliance.objects.filter(id__in=alliances).values("city_id")})
    return visible


def sectors(*, city_id: int | None = None, scheme: str | None = None) -> QuerySet[Sector]:
    """Sectors are a catalogue: the GB/T sections and the cities' chains, readable by anyone."""
    queryset = Sector.objects.all()
    if scheme:
        queryset = queryset.filter(scheme=scheme)
    if city_id is not None:
        queryset = queryset.filter(Q(city_id=city_id) | Q(city__isnull=True))
    return queryset.order_by("scheme", "code")


def sectors_of_city(city_id: int, scheme: str) -> list[Sector]:
    if scheme == Scheme.CHAIN:
        return list(Sector.objects.filter(city_id=city_id, scheme=scheme).order_by("code"))
    return list(Sector.objects.filter(city__isnull=True, scheme=scheme).order_by("code"))


def mappings_for_user(user) -> QuerySet[SectorMapping]:
    return SectorMapping.objects.filter(readable_city_filter(user)).select_related("sector")


def figures_for_user(user) -> QuerySet[IndustryFigure]:
    return IndustryFigure.objects.filter(readable_city_filter(user)).select_related("sector")


def cities_managed_by(user) -> QuerySet[City]:
    scope = scope_of(user)
    queryset = City.objects.all()
    return queryset if scope.is_superuser else queryset.filter(id__in=scope.official_city_ids)


def cities_readable_by(user) -> QuerySet[City]:
    return City.objects.filter(readable_city_filter(user, "id"))
