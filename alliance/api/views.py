from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alliance import services
from alliance.api.filters import CityFilterSet
from alliance.api.serializers import (
    AllianceInputSerializer,
    AllianceOutputSerializer,
    AllianceTransitionSerializer,
    StatusChangeSerializer,
)
from alliance.models import Alliance
from alliance.permissions import can_create_alliance, can_edit_alliance
from alliance.selectors import alliance_get_for_user, alliances_for_user
from kernel.errors import NotAllowed


class AllianceFilter(CityFilterSet):
    class Meta:
        model = Alliance
        fields = ["city", "city_name", "level", "status"]


class AllianceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Alliances: anyone reads the public ones; officials register and edit; the lifecycle moves by `transition`."""

    serializer_class = AllianceOutputSerializer
    filterset_class = AllianceFilter
    search_fields = ["name", "name_en"]
    ordering_fields = ["name", "id", "member_count"]
    ordering = ["name", "id"]
    pinyin_fields = {"name"}
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return alliances_for_user(self.request.user)

    def get_object(self):
        return alliance_get_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=AllianceInputSerializer, responses={201: AllianceOutputSerializer})
    def create(self, request, *args, **kwargs):
        # Permission first: validating first would tell anyone that a hidden alliance's name exists.
        if not can_create_alliance(request.user):
            raise NotAllowed(_("Only the city's officials can register an alliance."))
        serializer = AllianceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        alliance = services.alliance_create(actor=request.user, **data)
        return Response(self._output(alliance.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=AllianceInputSerializer, responses=AllianceOutputSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(request=AllianceInputSerializer, responses=AllianceOutputSerializer)
    def update(self, request, *args, **kwargs):
        alliance = self.get_object()
        if not can_edit_alliance(request.user, alliance):
            raise NotAllowed(_("You may not change this alliance."))
        serializer = AllianceInputSerializer(alliance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("city", None)
        services.alliance_update(alliance=alliance, actor=request.user, **data)
        return Response(self._output(alliance.pk))

    @extend_schema(request=AllianceTransitionSerializer, responses=AllianceOutputSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the alliance along its lifecycle (`to_status`, `reason`); 409 when not allowed from its state."""
        serializer = AllianceTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            alliance = alliance_get_for_user(request.user, pk, for_update=True)
            services.alliance_transition(alliance=alliance, actor=request.user, **serializer.validated_data)
        return Response(self._output(pk))

    @extend_schema(responses=StatusChangeSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="status-history", filter_backends=[])
    def status_history(self, request, pk=None):
        """The alliance's status changes, newest first, paginated like every list."""
        alliance = self.get_object()
        page = self.paginate_queryset(alliance.status_changes.select_related("actor"))
        return self.get_paginated_response(StatusChangeSerializer(page, many=True).data)

    def _output(self, pk):
        return AllianceOutputSerializer(alliance_get_for_user(self.request.user, pk)).data
