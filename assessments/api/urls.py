from django.urls import path
from rest_framework.routers import SimpleRouter

from assessments.api.views import (
    AllianceWarningsView,
    AssessmentViewSet,
    CycleViewSet,
    FrameworkViewSet,
    ReviewViewSet,
)

router = SimpleRouter()
router.register("frameworks", FrameworkViewSet, basename="api-framework")
router.register("cycles", CycleViewSet, basename="api-cycle")
router.register("assessments", AssessmentViewSet, basename="api-assessment")
router.register("reviews", ReviewViewSet, basename="api-review")
urlpatterns = [
    path("alliances/<int:alliance_id>/warnings/", AllianceWarningsView.as_view(), name="api-alliance-warnings"),
]
