from django.urls import path
from rest_framework.routers import SimpleRouter

from members.api.views import (
    LogoutAllView,
    LogoutView,
    MembershipViewSet,
    MeView,
    OrganizationViewSet,
    TokenView,
)

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="api-organization")
router.register("memberships", MembershipViewSet, basename="api-membership")
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/logoutall/", LogoutAllView.as_view(), name="api-logoutall"),
    path("me/", MeView.as_view(), name="api-me"),
]
