"""The three lists, offers and responses over the API (COOPERATION.md).

Reads go through the selectors, so each user sees what the pages show them (404 for what they may not
see; anonymous callers only what is published and public); every write and action calls a service, whose
DomainError the exception handler maps to 400 (bad input, the field named), 403 (not allowed) or 409 (the
state does not allow it).
"""

import django_filters
from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.response import Response

from cooperation import selectors
from cooperation.api.serializers import (
    CoreProductInputSerializer,
    CoreProductSerializer,
    MergeInputSerializer,
    OfferInputSerializer,
    OfferSerializer,
    RespondInputSerializer,
    ResponseDecisionInputSerializer,
    ResponseSerializer,
    SuggestionSerializer,
    TalentNeedInputSerializer,
    TalentNeedSerializer,
    TechnologyNeedInputSerializer,
    TechnologyNeedSerializer,
)
from cooperation.models import CoreProduct, Offer, TalentNeed, TechnologyNeed
from cooperation.models import Response as NeedResponse
from cooperation.permissions import can_see_suggestions
from cooperation.services import entries, responses
from kernel.api.filters import DjangoFilterBackend
from kernel.api.lists import OneQueryListMixin
from kernel.api.schema import ACTION_ERRORS, documented_errors
from kernel.selectors import get_or_404


def _entry_schema(output, input_serializer, *, extra=None):
    """The documented request and answer of each operation of an entry viewset."""
    return extend_schema_view(
        retrieve=extend_schema(responses={200: output, **documented_errors(404)}),
        create=extend_schema(request=input_serializer, responses={201: output, **ACTION_ERRORS}),
        partial_update=extend_schema(request=input_serializer, responses={200: output, **ACTION_ERRORS}),
        publish=extend_schema(request=None, responses={200: output, **ACTION_ERRORS}),
        close=extend_schema(request=None, responses={200: output, **ACTION_ERRORS}),
        merge=extend_schema(request=MergeInputSerializer, responses={200: output, **ACTION_ERRORS}),
        **(extra or {}),
    )


FILTER_BACKENDS = [DjangoFilterBackend, SearchFilter, OrderingFilter]


# How the one-query lists read each output field (cooperation/api/lists.py).
LOOKUPS = {"alliance": "alliance_id", "alliance_name": "alliance__name", "organization": "organization_id",
           "organization_name": "organization__name", "merged_into": "merged_into_id", "chain": "chain_id",
           "chain_name": "chain__name", "need": "need_id", "need_title": "need__title", "event": "event_id"}


def one_query_fields(serializer_class) -> dict[str, str]:
    return {name: LOOKUPS.get(name, name) for name in serializer_class.Meta.fields}


class EntryViewSet(OneQueryListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """What the four lists share: post (a unit's contacts or the secretariat), change (PATCH), and the
    secretariat's curation: `publish`, `close` (also the unit's contacts), `merge` into the entry it
    duplicates."""

    model = None
    input_serializer_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = FILTER_BACKENDS
    ordering_fields = ["id", "year", "created_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.entries_for_user(self.request.user, self.model)

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def _output(self, pk, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(get_or_404(self.get_queryset(), pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.input_serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        entry = entries.entry_create(model=self.model, actor=request.user, **serializer.validated_data)
        return self._output(entry.pk, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        """Change the entry (its unit's contacts or the alliance's secretariat); a closed one stays as it is."""
        entry = self.get_object()
        serializer = self.input_serializer_class(data=request.data, partial=True, updating=True,
                                                 context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        entries.entry_update(entry=entry, actor=request.user, **serializer.validated_data)
        return self._output(pk)

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """The secretariat publishes the entry: into the alliance's lists, and to the public if marked public."""
        entries.entry_publish(entry=self.get_object(), actor=request.user)
        return self._output(pk)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a stale entry (its unit's contacts or the secretariat)."""
        entries.entry_close(entry=self.get_object(), actor=request.user)
        return self._output(pk)

    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """The secretariat closes this entry as a duplicate of `into` (the same unit's, same list and alliance)."""
        entry = self.get_object()
        serializer = MergeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = selectors.entries_for_user(request.user, self.model).filter(pk=serializer.validated_data["into"]).first()
        if into is None:
            return Response({"into": [_("There is no such entry in this list.")]}, status=status.HTTP_400_BAD_REQUEST)
        entries.entry_merge(entry=entry, into=into, actor=request.user)
        return self._output(pk)

    def _suggestions(self, request):
        need = self.get_object()
        if not can_see_suggestions(request.user, need):
            self.permission_denied(request)
        return Response(SuggestionSerializer(selectors.suggestions_of(need), many=True).data)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id, compared as it is: no query to check that the row exists (so a filter costs the list nothing),
    and a number beyond PostgreSQL's bigint is refused (400), not sent."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=2**63 - 1, **kwargs)


class EntryFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="alliance_id")
    organization = IdFilter(field_name="organization_id")
    chain = IdFilter(field_name="chain_id")


class ProductFilter(EntryFilter):
    class Meta:
        model = CoreProduct
        fields = ["alliance", "organization", "chain", "year", "status", "visibility"]


@_entry_schema(CoreProductSerializer, CoreProductInputSerializer)
class CoreProductViewSet(EntryViewSet):
    """Core products of the alliances' enterprises (核心产品清单)."""

    model = CoreProduct
    serializer_class = CoreProductSerializer
    list_fields = one_query_fields(CoreProductSerializer)
    input_serializer_class = CoreProductInputSerializer
    filterset_class = ProductFilter
    search_fields = ["name", "description", "key_technologies", "organization__name"]


class TechnologyNeedFilter(EntryFilter):
    class Meta:
        model = TechnologyNeed
        fields = ["alliance", "organization", "chain", "status", "year", "form", "visibility"]


SUGGESTIONS_SCHEMA = extend_schema(request=None, responses={200: SuggestionSerializer(many=True),
                                                            **documented_errors(401, 403, 404)})


@_entry_schema(TechnologyNeedSerializer, TechnologyNeedInputSerializer, extra={
    "respond": extend_schema(request=RespondInputSerializer, responses={201: ResponseSerializer, **ACTION_ERRORS}),
    "solve": extend_schema(request=None, responses={200: TechnologyNeedSerializer, **ACTION_ERRORS}),
    "suggestions": SUGGESTIONS_SCHEMA,
})
class TechnologyNeedViewSet(EntryViewSet):
    """Technology needs of the alliances' enterprises (技术需求清单): open → matched (a response accepted) →
    contracted → solved, or closed."""

    model = TechnologyNeed
    serializer_class = TechnologyNeedSerializer
    list_fields = one_query_fields(TechnologyNeedSerializer)
    input_serializer_class = TechnologyNeedInputSerializer
    filterset_class = TechnologyNeedFilter
    search_fields = ["title", "description", "organization__name"]

    def get_queryset(self):
        return selectors.technology_needs_for_user(self.request.user)

    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """A school or research institute responds with a note; the need's enterprise is told."""
        need = self.get_object()
        serializer = RespondInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = responses.need_respond(need=need, actor=request.user, **serializer.validated_data)
        return Response(ResponseSerializer(selectors.response_get_for_user(request.user, response.pk)).data,
                        status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def solve(self, request, pk=None):
        """Mark a matched or contracted need solved."""
        entries.need_solve(need=self.get_object(), actor=request.user)
        return self._output(pk)

    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def suggestions(self, request, pk=None):
        """The units most likely to help, best first, with the reason (for the need's unit, the secretariat and
        the city's officials)."""
        return self._suggestions(request)


class TalentNeedFilter(EntryFilter):
    class Meta:
        model = TalentNeed
        fields = ["alliance", "organization", "major_code", "major_category", "chain", "year", "status",
                  "education_level", "visibility"]


@_entry_schema(TalentNeedSerializer, TalentNeedInputSerializer, extra={"suggestions": SUGGESTIONS_SCHEMA})
class TalentNeedViewSet(EntryViewSet):
    """Talent needs of the alliances' enterprises (人才需求清单): open → filled (every position filled), or
    closed."""

    model = TalentNeed
    serializer_class = TalentNeedSerializer
    list_fields = one_query_fields(TalentNeedSerializer)
    input_serializer_class = TalentNeedInputSerializer
    filterset_class = TalentNeedFilter
    search_fields = ["position", "description", "location", "organization__name"]

    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def suggestions(self, request, pk=None):
        """The schools whose graduates in the need's major category (in the need's year) could fill it, with
        the counts."""
        return self._suggestions(request)


class OfferFilter(EntryFilter):
    class Meta:
        model = Offer
        fields = ["alliance", "organization", "kind", "year", "status", "major_code", "major_category", "chain",
                  "visibility"]


@_entry_schema(OfferSerializer, OfferInputSerializer)
class OfferViewSet(EntryViewSet):
    """What the alliances' schools and institutes offer: majors (with enrolment and graduates of the year),
    training programmes, expert services, facilities."""

    model = Offer
    serializer_class = OfferSerializer
    list_fields = one_query_fields(OfferSerializer)
    input_serializer_class = OfferInputSerializer
    filterset_class = OfferFilter
    search_fields = ["title", "description", "organization__name"]


class ResponseFilter(django_filters.FilterSet):
    need = IdFilter(field_name="need_id")
    organization = IdFilter(field_name="organization_id")

    class Meta:
        model = NeedResponse
        fields = ["need", "organization", "status"]


@extend_schema_view(
    retrieve=extend_schema(responses={200: ResponseSerializer, **documented_errors(404)}),
    accept=extend_schema(request=ResponseDecisionInputSerializer, responses={200: ResponseSerializer, **ACTION_ERRORS}),
    decline=extend_schema(request=ResponseDecisionInputSerializer, responses={200: ResponseSerializer, **ACTION_ERRORS}),
)
class ResponseViewSet(OneQueryListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Responses to technology needs (POST technology-needs/<id>/respond/ makes one), seen by their two sides,
    the need's secretariat and the city's officials. The need's enterprise accepts or declines."""

    serializer_class = ResponseSerializer
    list_fields = one_query_fields(ResponseSerializer)
    filter_backends = FILTER_BACKENDS
    filterset_class = ResponseFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.responses_for_user(self.request.user)

    def get_object(self):
        return selectors.response_get_for_user(self.request.user, self.kwargs["pk"])

    def _decide(self, request, pk, service):
        response = self.get_object()
        serializer = ResponseDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(response=response, actor=request.user, note=serializer.validated_data["note"])
        return Response(ResponseSerializer(self.get_object()).data)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The need's enterprise accepts: the need is matched; the responding unit is told."""
        return self._decide(request, pk, responses.response_accept)

    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The need's enterprise declines; the responding unit is told."""
        return self._decide(request, pk, responses.response_decline)

