from rest_framework.routers import SimpleRouter

from alliance.api.views import AllianceViewSet

# "api-" prefix: the pages already use "alliance-detail" ..., which the API's names must not shadow.
router = SimpleRouter()
router.register("alliances", AllianceViewSet, basename="api-alliance")
urlpatterns = []
