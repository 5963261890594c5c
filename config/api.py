from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from alliance.api.views import AllianceViewSet
from assessments.api.views import AssessmentViewSet, CycleViewSet, FrameworkViewSet, ReviewViewSet
from governance.api.views import BodyViewSet, MeetingViewSet, MotionViewSet, SeatViewSet, TaskViewSet
from members.api.views import MembershipViewSet, MeView, OrganizationViewSet, TokenView

# "api-" prefix: the page routes already use "alliance-detail", "organization-detail", ... (alliance/urls.py),
# and the later include would otherwise win every reverse() and {% url %} of those names.
router = DefaultRouter()
router.register("alliances", AllianceViewSet, basename="api-alliance")
router.register("organizations", OrganizationViewSet, basename="api-organization")
router.register("memberships", MembershipViewSet, basename="api-membership")
router.register("bodies", BodyViewSet, basename="api-body")
router.register("seats", SeatViewSet, basename="api-seat")
router.register("meetings", MeetingViewSet, basename="api-meeting")
router.register("motions", MotionViewSet, basename="api-motion")
router.register("tasks", TaskViewSet, basename="api-task")
router.register("frameworks", FrameworkViewSet, basename="api-framework")
router.register("cycles", CycleViewSet, basename="api-cycle")
router.register("assessments", AssessmentViewSet, basename="api-assessment")
router.register("reviews", ReviewViewSet, basename="api-review")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]
