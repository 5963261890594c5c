"""Cooperation projects over the API (COOPERATION.md `projects/`): partners, contributions and outcomes nested in
each project, written through the services (cooperation/services/projects.py). `outcomes/` and `contributions/`
are the nested records by their own ids: an outcome is changed, confirmed (the secretariat), given evidence
(multipart) or deleted there; a contribution is deleted there. Reads go through the selectors: 404 for what the
caller may not see; unconfirmed outcomes only for the secretariat, the city's officials and the project's units."""

import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from cooperation import selectors
from cooperation.api.serializers import (
    ContributionInputSerializer,
    ContributionSerializer,
    EvidenceInputSerializer,
    OutcomeInputSerializer,
    OutcomeSerializer,
    OutcomeUpdateInputSerializer,
    ProjectInputSerializer,
    ProjectSerializer,
)
from cooperation.api.views import FILTER_BACKENDS, IdFilter
from cooperation.models import MAX_YEAR, MIN_YEAR, Contribution, Outcome, Project, ProjectPartner
from cooperation.services import projects as services
from kernel.api.schema import ACTION_ERRORS, documented_errors
from kernel.selectors import get_or_404


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=MIN_YEAR, max_value=MAX_YEAR, **kwargs)


class ProjectFilter(django_filters.FilterSet):
    alliance = IdFilter(field_name="alliance_id")
    organization = IdFilter(method="filter_organization", help_text="The lead or a partner.")
    year = YearFilter(method="filter_year", help_text="Running at some time of the year.")

    class Meta:
        model = Project
        fields = ["alliance", "kind", "status", "organization", "year"]

    def filter_organization(self, queryset, name, value):
        return queryset.filter(Q(lead_id=value) | Q(pk__in=ProjectPartner.objects.filter(
            organization_id=value).values("project_id")))

    def filter_year(self, queryset, name, value):
        return queryset.filter(Q(ends_on__isnull=True) | Q(ends_on__year__gte=value), starts_on__year__lte=value)


@extend_schema_view(
    retrieve=extend_schema(responses={200: ProjectSerializer, **documented_errors(404)}),
    create=extend_schema(request=ProjectInputSerializer, responses={201: ProjectSerializer, **ACTION_ERRORS}),
    partial_update=extend_schema(request=ProjectInputSerializer, responses={200: ProjectSerializer, **ACTION_ERRORS}),
    contributions=extend_schema(request=ContributionInputSerializer,
                                responses={201: ContributionSerializer, **ACTION_ERRORS}),
    outcomes=extend_schema(request=OutcomeInputSerializer, responses={201: OutcomeSerializer, **ACTION_ERRORS}),
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Cooperation projects (合作项目) of the alliances: recorded by the secretariat or the lead unit's contacts,
    with their partners, contributions and yearly outcomes."""

    serializer_class = ProjectSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = FILTER_BACKENDS
    filterset_class = ProjectFilter
    search_fields = ["title", "description", "lead__name"]
    ordering_fields = ["id", "starts_on", "created_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.with_project_details(selectors.projects_for_user(self.request.user), self.request.user)

    def get_object(self):
        return selectors.project_get_for_user(self.request.user, self.kwargs["pk"])

    def _output(self, pk, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(selectors.project_get_for_user(self.request.user, pk)).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        """Record a project, with its partners and, if given, its first contributions and outcomes: all or
        nothing."""
        serializer = ProjectInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        project = services.project_create(actor=request.user, **serializer.validated_data)
        return self._output(project.pk, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        """Change the project (the secretariat or the lead unit's contacts); `partners`, when given, replaces
        them. The status moves planned → running → completed, or to terminated (409 otherwise)."""
        project = self.get_object()
        serializer = ProjectInputSerializer(data=request.data, partial=True, updating=True,
                                            context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.project_update(project=project, actor=request.user, **serializer.validated_data)
        return self._output(pk)

    @action(detail=True, methods=["post"])
    def contributions(self, request, pk=None):
        """A unit of the project records what it puts in (its contacts, or the secretariat for it)."""
        project = self.get_object()
        serializer = ContributionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contribution = services.contribution_add(project=project, actor=request.user, **serializer.validated_data)
        return Response(ContributionSerializer(contribution).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def outcomes(self, request, pk=None):
        """An outcome of a year of the project (its units' contacts or the secretariat); it counts once the
        secretariat confirms it. The year must be within the project's dates; one per year and metric (409)."""
        project = self.get_object()
        serializer = OutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.outcome_record(project=project, actor=request.user, **serializer.validated_data)
        return Response(OutcomeSerializer(selectors.outcome_get_for_user(request.user, outcome.pk)).data,
                        status=status.HTTP_201_CREATED)


class OutcomeFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    alliance = IdFilter(field_name="project__alliance_id")
    year = YearFilter(field_name="year")
    confirmed = django_filters.BooleanFilter(field_name="confirmed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Outcome
        fields = ["project", "alliance", "year", "metric", "confirmed"]


@extend_schema_view(
    retrieve=extend_schema(responses={200: OutcomeSerializer, **documented_errors(404)}),
    partial_update=extend_schema(request=OutcomeUpdateInputSerializer,
                                 responses={200: OutcomeSerializer, **ACTION_ERRORS}),
    destroy=extend_schema(responses={204: None, **ACTION_ERRORS}),
    confirm=extend_schema(request=None, responses={200: OutcomeSerializer, **ACTION_ERRORS}),
    evidence=extend_schema(request={"multipart/form-data": EvidenceInputSerializer},
                           responses={201: OutcomeSerializer, **ACTION_ERRORS}),
)
class OutcomeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The projects' outcomes (POST projects/<id>/outcomes/ records one). Unconfirmed ones are changed or deleted
    by the project's units and the secretariat; a confirmed one no longer changes (409)."""

    serializer_class = OutcomeSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = FILTER_BACKENDS
    filterset_class = OutcomeFilter
    ordering_fields = ["id", "year"]
    ordering = ["-id"]

    def get_queryset(self):
        user = self.request.user
        return (Outcome.objects.filter(selectors.visible_outcome_filter(user),
                                       project__in=selectors.projects_for_user(user))
                .prefetch_related("evidence"))

    def get_object(self):
        return selectors.outcome_get_for_user(self.request.user, self.kwargs["pk"])

    def _output(self, pk, status_code=status.HTTP_200_OK):
        return Response(OutcomeSerializer(get_or_404(self.get_queryset(), pk)).data, status=status_code)

    def partial_update(self, request, pk=None):
        outcome = self.get_object()
        serializer = OutcomeUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.outcome_update(outcome=outcome, actor=request.user, **serializer.validated_data)
        return self._output(pk)

    def destroy(self, request, pk=None):
        services.outcome_delete(outcome=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The secretariat confirms the outcome: it counts in the alliance's figures and no longer changes."""
        services.outcome_confirm(outcome=self.get_object(), actor=request.user)
        return self._output(pk)

    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request, pk=None):
        """Attach an evidence file (multipart/form-data: `file`, `title`) to an unconfirmed outcome."""
        outcome = self.get_object()
        serializer = EvidenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.evidence_add(outcome=outcome, actor=request.user, title=serializer.validated_data.get("title", ""),
                              file=serializer.validated_data["file"])
        return self._output(pk, status.HTTP_201_CREATED)


class ContributionFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    alliance = IdFilter(field_name="project__alliance_id")
    organization = IdFilter(field_name="organization_id")
    year = YearFilter(field_name="year")

    class Meta:
        model = Contribution
        fields = ["project", "alliance", "organization", "kind", "year"]


@extend_schema_view(
    retrieve=extend_schema(responses={200: ContributionSerializer, **documented_errors(404)}),
    destroy=extend_schema(responses={204: None, **ACTION_ERRORS}),
)
class ContributionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                          viewsets.GenericViewSet):
    """What the projects' units put in (POST projects/<id>/contributions/ records one), read by the alliance's people
    (the public does not); the unit's contacts or the secretariat delete one."""

    serializer_class = ContributionSerializer
    filter_backends = FILTER_BACKENDS
    filterset_class = ContributionFilter
    ordering_fields = ["id", "year"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.contributions_for_user(self.request.user)

    def get_object(self):
        return selectors.contribution_get_for_user(self.request.user, self.kwargs["pk"])

    def destroy(self, request, pk=None):
        services.contribution_delete(contribution=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
