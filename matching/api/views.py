"""The matching over the API (COOPERATION.md). Sectors are a public catalogue; mappings and figures are read by
the city's officials and its alliances' secretariats and seats, written by the officials only (through the
services); the matching of an alliance is read by who reads its private details, a city's by its officials."""

import django_filters
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.models import City
from alliance.selectors import alliance_get_for_user
from cooperation.api.views import IdFilter
from kernel.api.filters import DjangoFilterBackend
from kernel.api.schema import ACTION_ERRORS, documented_errors
from kernel.errors import NotAllowed
from kernel.selectors import get_or_404
from matching import selectors, services
from matching.api.serializers import (
    AllianceMatchingSerializer,
    CityMatchingSerializer,
    IndustryFigureInputSerializer,
    IndustryFigureSerializer,
    IndustryFigureUpdateSerializer,
    MappingSetInputSerializer,
    MatchingQuerySerializer,
    SectorMappingSerializer,
    SectorSerializer,
)
from matching.compute import alliance_matching, city_matching
from matching.models import IndustryFigure, Sector, SectorMapping
from matching.permissions import can_read_alliance_matching, can_read_city_comparison


class SectorFilter(django_filters.FilterSet):
    city = IdFilter(method="filter_city")

    class Meta:
        model = Sector
        fields = ["city", "scheme"]

    def filter_city(self, queryset, name, value):
        return queryset.filter(city_id=value)


@extend_schema_view(retrieve=extend_schema(responses={200: SectorSerializer, **documented_errors(404)}))
class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    """The sectors: a city's key industrial chains (`chain`) and the sections A–T of GB/T 4754-2017
    (`gbt4754`, no city)."""

    serializer_class = SectorSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SectorFilter
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return selectors.sectors()


class MappingFilter(django_filters.FilterSet):
    city = IdFilter(field_name="city_id")
    sector = IdFilter(field_name="sector_id")

    class Meta:
        model = SectorMapping
        fields = ["city", "scheme", "major_category", "major_code", "sector"]


@extend_schema_view(
    retrieve=extend_schema(responses={200: SectorMappingSerializer, **documented_errors(404)}),
    set=extend_schema(request=MappingSetInputSerializer,
                      responses={200: SectorMappingSerializer(many=True), **ACTION_ERRORS}),
)
class SectorMappingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The shares of a major category (or a single major) in each sector, set by the city's official. A category
    with no rows here follows the default mapping."""

    serializer_class = SectorMappingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MappingFilter

    def get_queryset(self):
        return selectors.mappings_for_user(self.request.user).order_by("city_id", "scheme", "major_category",
                                                                       "major_code", "sector__code", "id")

    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def set(self, request):
        """Replace the mapping of one category (or major) in one scheme; the shares must add up to 1."""
        serializer = MappingSetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rows = services.mapping_set(city=data["city"], scheme=data["scheme"], major_category=data["major_category"],
                                    major_code=data["major_code"], actor=request.user,
                                    shares=[(item["sector"], item["share"]) for item in data["shares"]])
        return Response(SectorMappingSerializer(self.get_queryset().filter(pk__in=[r.pk for r in rows]),
                                                many=True).data)


class FigureFilter(django_filters.FilterSet):
    city = IdFilter(field_name="city_id")
    sector = IdFilter(field_name="sector_id")

    class Meta:
        model = IndustryFigure
        fields = ["city", "year", "sector"]


@extend_schema_view(
    retrieve=extend_schema(responses={200: IndustryFigureSerializer, **documented_errors(404)}),
    create=extend_schema(request=IndustryFigureInputSerializer,
                         responses={201: IndustryFigureSerializer, **ACTION_ERRORS}),
    partial_update=extend_schema(request=IndustryFigureUpdateSerializer,
                                 responses={200: IndustryFigureSerializer, **ACTION_ERRORS}),
    destroy=extend_schema(responses={204: None, **documented_errors(401, 403, 404)}),
)
class IndustryFigureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The city's value added (yuan) and jobs per sector and year, entered by its official."""

    serializer_class = IndustryFigureSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FigureFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.figures_for_user(self.request.user).order_by("city_id", "-year", "sector__code", "id")

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = IndustryFigureInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        figure = services.figure_create(actor=request.user, **serializer.validated_data)
        return Response(IndustryFigureSerializer(self.get_object_by(figure.pk)).data, status=status.HTTP_201_CREATED)

    def get_object_by(self, pk):
        return get_or_404(self.get_queryset(), pk)

    def partial_update(self, request, pk=None):
        figure = self.get_object()
        serializer = IndustryFigureUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.figure_update(figure=figure, actor=request.user, **serializer.validated_data)
        return Response(IndustryFigureSerializer(self.get_object_by(pk)).data)

    def destroy(self, request, pk=None):
        services.figure_delete(figure=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


QUERY_PARAMETERS = [
    OpenApiParameter("year", int, description="Default: the latest year with data."),
    OpenApiParameter("basis", str, enum=["graduates", "enrolment"]),
    OpenApiParameter("weight", str, enum=["value_added", "jobs"]),
]


def _query(request) -> dict:
    serializer = MatchingQuerySerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {**serializer.validated_data, "language": get_language()}


class AllianceMatchingView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=QUERY_PARAMETERS, responses={200: AllianceMatchingSerializer,
                                                           **documented_errors(400, 401, 403, 404)})
    def get(self, request, pk):
        """The alliance's majors against the city's key chains in a year, and the coupling over its years."""
        alliance = alliance_get_for_user(request.user, pk)
        if not can_read_alliance_matching(request.user, alliance):
            raise NotAllowed(_("Only the alliance's secretariat, its council and the city's officials read its "
                               "matching."))
        return Response(alliance_matching(alliance, **_query(request)))


class CityMatchingView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=QUERY_PARAMETERS, responses={200: CityMatchingSerializer,
                                                           **documented_errors(400, 401, 403, 404)})
    def get(self, request, pk):
        """The city's majors against the GB/T sections in a year, and its alliances compared."""
        city = get_or_404(City.objects.all(), pk)
        if not can_read_city_comparison(request.user, city.pk):
            raise NotAllowed(_("Only the city's officials read the comparison of its alliances."))
        return Response(city_matching(city, **_query(request)))
