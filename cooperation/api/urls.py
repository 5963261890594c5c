from rest_framework.routers import SimpleRouter

from cooperation.api.projects import ContributionViewSet, OutcomeViewSet, ProjectViewSet
from cooperation.api.views import (
    CoreProductViewSet,
    OfferViewSet,
    ResponseViewSet,
    TalentNeedViewSet,
    TechnologyNeedViewSet,
)

router = SimpleRouter()
router.register("products", CoreProductViewSet, basename="api-product")
router.register("technology-needs", TechnologyNeedViewSet, basename="api-technology-need")
router.register("talent-needs", TalentNeedViewSet, basename="api-talent-need")
router.register("offers", OfferViewSet, basename="api-offer")
router.register("responses", ResponseViewSet, basename="api-response")
router.register("projects", ProjectViewSet, basename="api-project")
router.register("outcomes", OutcomeViewSet, basename="api-outcome")
router.register("contributions", ContributionViewSet, basename="api-contribution")
urlpatterns = []
