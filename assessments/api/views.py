"""Frameworks, cycles, assessments and expert reviews over the API (shared/API.md).

Reads go through the selectors, so each user sees what the pages show them; every write
and action calls a service, whose DomainError the exception handler maps to 400/403/409.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from alliance.api.filters import CityFilterSet
from alliance.models import Alliance
from alliance.selectors import alliance_get_for_user, visible_alliance_filter
from assessments import services
from assessments.api.serializers import (
    AllianceMetricsSerializer,
    AssessmentOutputSerializer,
    CycleInputSerializer,
    CycleOutputSerializer,
    DecisionInputSerializer,
    EarlyWarningSerializer,
    ExpertsInputSerializer,
    FrameworkInputSerializer,
    FrameworkOutputSerializer,
    FrameworkTreeInputSerializer,
    MetricDefinitionSerializer,
    PeriodQuerySerializer,
    ReturnInputSerializer,
    ReviewInputSerializer,
    ReviewOutputSerializer,
    SelfAssessmentInputSerializer,
)
from assessments.early_warnings.rules import open_warnings
from assessments.metrics import compute_figures, described, metrics, stored
from assessments.models import Cycle, Framework, Indicator
from assessments.permissions import can_read_figures, oversees_alliance
from assessments.scoring import Thresholds
from assessments.selectors import (
    assessment_get_for_user,
    assessments_for_user,
    cycles_for_user,
    frameworks_for_user,
    review_get_for_user,
    reviews_for_user,
)
from kernel.api.schema import NOT_FOUND, documented_errors
from kernel.errors import DomainError, NotAllowed
from kernel.selectors import get_or_404

# Frameworks -----------------------------------------------------------------


class FrameworkFilter(CityFilterSet):
    class Meta:
        model = Framework
        fields = ["status", "name", "city", "city_name"]


def _as_indicators_error(exc: DomainError) -> DomainError:
    """Tree errors name the indicator in their message but no field: file them under `indicators`."""
    if type(exc) is DomainError and not exc.field:
        return DomainError(exc.message, field="indicators")
    return exc


@extend_schema_view(
    list=extend_schema(summary="Indicator frameworks: published ones to anyone, drafts to officials"),
    retrieve=extend_schema(responses={200: FrameworkOutputSerializer, 404: NOT_FOUND}),
)
class FrameworkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Versioned indicator trees. Officials import a tree as a draft, replace a draft's tree, publish it;
    a published version never changes (409): `new_version` makes a draft copy to edit."""

    serializer_class = FrameworkOutputSerializer
    filterset_class = FrameworkFilter
    search_fields = ["name", "name_en"]
    ordering_fields = ["name", "version", "id"]
    ordering = ["name", "-version"]

    def get_queryset(self):
        indicators = Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
        return frameworks_for_user(self.request.user).select_related("city").prefetch_related(indicators)

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def _output(self, pk, status_code=status.HTTP_200_OK):
        return Response(FrameworkOutputSerializer(get_or_404(self.get_queryset(), pk)).data, status=status_code)

    @extend_schema(request=FrameworkInputSerializer,
                   responses={201: FrameworkOutputSerializer, **documented_errors(400, 401, 403)})
    def create(self, request, *args, **kwargs):
        """Import a framework as a JSON tree; it is stored as a draft, one version above its name's latest."""
        serializer = FrameworkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            framework = services.framework_import(actor=request.user, data=serializer.validated_data)
        except DomainError as exc:
            raise _as_indicators_error(exc) from exc
        return self._output(framework.pk, status.HTTP_201_CREATED)

    @extend_schema(request=FrameworkTreeInputSerializer,
                   responses={200: FrameworkOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    def update(self, request, *args, **kwargs):
        """Replace a draft's indicator tree (PUT and PATCH alike; name and version stay)."""
        framework = self.get_object()
        serializer = FrameworkTreeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.framework_replace_tree(framework=framework, actor=request.user,
                                            data={"name": framework.name, **serializer.validated_data})
        except DomainError as exc:
            raise _as_indicators_error(exc) from exc
        return self._output(framework.pk)

    @extend_schema(request=FrameworkTreeInputSerializer,
                   responses={200: FrameworkOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    def partial_update(self, request, *args, **kwargs):
        """Replace a draft's indicator tree, as PUT does."""
        return self.update(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: FrameworkOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft: from then on it never changes and cycles can use it."""
        services.framework_publish(framework=self.get_object(), actor=request.user)
        return self._output(pk)

    @extend_schema(request=None, responses={201: FrameworkOutputSerializer, **documented_errors(401, 403, 404)})
    @action(detail=True, methods=["post"], url_path="new_version")
    def new_version(self, request, pk=None):
        """A draft copy of this framework, one version up, to edit."""
        draft = services.framework_new_version(framework=self.get_object(), actor=request.user)
        return self._output(draft.pk, status.HTTP_201_CREATED)


# Cycles ---------------------------------------------------------------------


class CycleFilter(CityFilterSet):
    class Meta:
        model = Cycle
        fields = ["city", "city_name", "status", "framework"]


class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """Assessment cycles. The city's official opens one for a set of alliances (one assessment each)."""

    serializer_class = CycleOutputSerializer
    filterset_class = CycleFilter
    search_fields = ["title"]
    ordering_fields = ["opens_on", "id"]
    ordering = ["-opens_on", "-id"]

    def get_queryset(self):
        return cycles_for_user(self.request.user)

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(responses={200: CycleOutputSerializer, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=CycleInputSerializer, responses={201: CycleOutputSerializer, **documented_errors(400, 401, 403, 409)})
    def create(self, request, *args, **kwargs):
        """Open a cycle with a published framework; 409 for a draft framework."""
        serializer = CycleInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        thresholds = data.pop("thresholds", None)
        cycle = services.cycle_open(
            actor=request.user, **data,
            thresholds=Thresholds(excellent=thresholds["excellent_from"], qualified=thresholds["qualified_from"],
                                  rectify=thresholds["rectify_from"]) if thresholds else None,
        )
        return Response(CycleOutputSerializer(get_or_404(self.get_queryset(), cycle.pk)).data,
                        status=status.HTTP_201_CREATED)


# Assessments ----------------------------------------------------------------


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One alliance's assessment in a cycle: self-assessment, expert review, decision, publication.
    The public sees published results only."""

    serializer_class = AssessmentOutputSerializer
    filterset_fields = ["cycle", "alliance", "grade", "status"]
    search_fields = ["alliance__name"]
    ordering_fields = ["id", "final_score", "alliance__name"]
    ordering = ["cycle_id", "alliance__name", "id"]

    def get_queryset(self):
        return assessments_for_user(self.request.user).prefetch_related("rectification_items")

    def get_object(self):
        return assessment_get_for_user(self.request.user, self.kwargs["pk"])

    def _output(self, pk):
        assessment = get_or_404(self.get_queryset(), pk)
        return Response(AssessmentOutputSerializer(assessment).data)

    @extend_schema(responses={200: AssessmentOutputSerializer, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=SelfAssessmentInputSerializer,
                   responses={200: AssessmentOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    def partial_update(self, request, pk=None):
        """The secretariat saves self-assessment scores and narratives while the assessment is a draft."""
        assessment = self.get_object()
        serializer = SelfAssessmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.self_assessment_save(assessment=assessment, actor=request.user,
                                      scores=data.get("self_scores"), narratives=data.get("self_narratives"),
                                      reasons=data.get("score_reasons"))
        return self._output(pk)

    @extend_schema(request=None, responses={200: AssessmentOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the self-assessment (every indicator scored); it is then locked."""
        services.self_assessment_submit(assessment=self.get_object(), actor=request.user)
        return self._output(pk)

    @extend_schema(request=ReturnInputSerializer,
                   responses={200: AssessmentOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """The official sends a submitted self-assessment back to the secretariat, once, with a reason."""
        assessment = self.get_object()
        serializer = ReturnInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.self_assessment_return(assessment=assessment, actor=request.user, **serializer.validated_data)
        return self._output(pk)

    @extend_schema(request=ExpertsInputSerializer,
                   responses={201: ReviewOutputSerializer(many=True), **documented_errors(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="assign_experts", pagination_class=None, filter_backends=[])
    def assign_experts(self, request, pk=None):
        """Assign expert reviewers; answers the reviews created (an expert already assigned gets no second)."""
        assessment = self.get_object()
        serializer = ExpertsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.experts_assign(assessment=assessment, actor=request.user, **serializer.validated_data)
        reviews = reviews_for_user(request.user).filter(pk__in=[review.pk for review in created])
        return Response(ReviewOutputSerializer(reviews, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionInputSerializer,
                   responses={200: AssessmentOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Decide the grade from the submitted reviews; `rectify_by` is required when it is rectify."""
        assessment = self.get_object()
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.assessment_decide(assessment=assessment, actor=request.user, **serializer.validated_data)
        return self._output(pk)

    @extend_schema(request=None, responses={200: AssessmentOutputSerializer, **documented_errors(401, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a decided result: from then on the public sees it."""
        services.assessment_publish(assessment=self.get_object(), actor=request.user)
        return self._output(pk)


# Metrics ----------------------------------------------------------------------


class MetricListView(GenericAPIView):
    """The named metrics a framework leaf can be bound to (public: the criteria are no secret)."""

    permission_classes = [permissions.AllowAny]
    pagination_class = None
    filter_backends = []
    serializer_class = MetricDefinitionSerializer

    @extend_schema(responses={200: MetricDefinitionSerializer(many=True)})
    def get(self, request):
        return Response(MetricDefinitionSerializer(metrics(), many=True).data)


class AllianceMetricsView(GenericAPIView):
    """The metric values of one alliance for a period (both dates included), each with its working and its
    evidence: to the alliance's secretariat, its city's officials and the experts reviewing it."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    filter_backends = []
    serializer_class = AllianceMetricsSerializer

    @extend_schema(parameters=[PeriodQuerySerializer],
                   responses={200: AllianceMetricsSerializer, **documented_errors(400, 401, 403, 404)})
    def get(self, request, pk):
        alliance = get_or_404(Alliance.objects.filter(visible_alliance_filter(request.user)), pk)
        if not can_read_figures(request.user, alliance):
            raise NotAllowed(_("Only the alliance's secretariat, the city's officials and its reviewers read its "
                               "figures."))
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end, keys = (query.validated_data["start"], query.validated_data["end"],
                            query.validated_data.get("metrics"))
        figures = compute_figures([alliance.pk], start, end, keys=keys)[alliance.pk]
        return Response(AllianceMetricsSerializer({
            "alliance": alliance.pk, "start": start, "end": end,
            "metrics": [described(key, stored(key, figure)) for key, figure in figures.items()],
        }).data)


# Reviews --------------------------------------------------------------------


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Expert reviews: the expert sees and scores their own, the city's officials read them; never public."""

    serializer_class = ReviewOutputSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["assessment", "expert", "status"]
    ordering_fields = ["id", "assigned_at"]
    ordering = ["assessment_id", "id"]

    def get_queryset(self):
        return reviews_for_user(self.request.user)

    def get_object(self):
        return review_get_for_user(self.request.user, self.kwargs["pk"])

    def _output(self, pk):
        return Response(ReviewOutputSerializer(review_get_for_user(self.request.user, pk)).data)

    @extend_schema(responses={200: ReviewOutputSerializer, 404: NOT_FOUND})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=ReviewInputSerializer,
                   responses={200: ReviewOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    def partial_update(self, request, pk=None):
        """The assigned expert saves scores, comments and the no-conflict declaration until submitting."""
        review = self.get_object()
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.review_save(review=review, actor=request.user, **serializer.validated_data)
        return self._output(pk)

    @extend_schema(request=None, responses={200: ReviewOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the review: no conflict declared and every indicator scored; it is then locked."""
        services.review_submit(review=self.get_object(), actor=request.user)
        return self._output(pk)


@extend_schema(responses={200: EarlyWarningSerializer(many=True), **documented_errors(401, 403, 404)})
class AllianceWarningsView(generics.ListAPIView):
    """The alliance's open early warnings, for its secretariat and its city's officials; checked every night."""

    serializer_class = EarlyWarningSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        alliance = alliance_get_for_user(self.request.user, self.kwargs["alliance_id"])
        if not oversees_alliance(self.request.user, alliance):
            raise NotAllowed(_("Early warnings are for the secretariats and the city's officials."))
        return open_warnings().filter(alliance=alliance).order_by("rule", "id")
