from django.urls import path
from rest_framework.routers import SimpleRouter

from matching.api.views import (
    AllianceMatchingView,
    CityMatchingView,
    IndustryFigureViewSet,
    SectorMappingViewSet,
    SectorViewSet,
)

router = SimpleRouter()
router.register("sectors", SectorViewSet, basename="api-sector")
router.register("sector-mappings", SectorMappingViewSet, basename="api-sector-mapping")
router.register("industry-figures", IndustryFigureViewSet, basename="api-industry-figure")
urlpatterns = [
    path("alliances/<int:pk>/matching/", AllianceMatchingView.as_view(), name="api-alliance-matching"),
    path("cities/<int:pk>/matching/", CityMatchingView.as_view(), name="api-city-matching"),
]
