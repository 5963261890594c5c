from rest_framework.routers import SimpleRouter

from publicity.api.views import NewsViewSet

router = SimpleRouter()
router.register("news", NewsViewSet, basename="api-news")
urlpatterns = []
