from rest_framework.routers import SimpleRouter

from assessments.api.views import AssessmentViewSet, CycleViewSet, FrameworkViewSet, ReviewViewSet

router = SimpleRouter()
router.register("frameworks", FrameworkViewSet, basename="api-framework")
router.register("cycles", CycleViewSet, basename="api-cycle")
router.register("assessments", AssessmentViewSet, basename="api-assessment")
router.register("reviews", ReviewViewSet, basename="api-review")
urlpatterns = []
