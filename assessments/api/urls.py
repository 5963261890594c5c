from django.urls import path
from rest_framework.routers import SimpleRouter

from assessments.api.annual import AnnualPlanViewSet, AnnualReportViewSet
from assessments.api.views import (
    AllianceMetricsView,
    AllianceWarningsView,
    AssessmentViewSet,
    CycleViewSet,
    FrameworkViewSet,
    MetricListView,
    ReviewViewSet,
)

router = SimpleRouter()
router.register("frameworks", FrameworkViewSet, basename="api-framework")
router.register("cycles", CycleViewSet, basename="api-cycle")
router.register("assessments", AssessmentViewSet, basename="api-assessment")
router.register("reviews", ReviewViewSet, basename="api-review")
router.register("annual-plans", AnnualPlanViewSet, basename="api-annual-plan")
router.register("annual-reports", AnnualReportViewSet, basename="api-annual-report")
urlpatterns = [
    path("metrics/", MetricListView.as_view(), name="api-metric-list"),
    path("alliances/<int:pk>/metrics/", AllianceMetricsView.as_view(), name="api-alliance-metrics"),
    path("alliances/<int:alliance_id>/warnings/", AllianceWarningsView.as_view(), name="api-alliance-warnings"),
]
