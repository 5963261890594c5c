from rest_framework.routers import SimpleRouter

from governance.api.views import (
    BodyViewSet,
    MeetingViewSet,
    MotionViewSet,
    SeatViewSet,
    TaskViewSet,
)

router = SimpleRouter()
router.register("bodies", BodyViewSet, basename="api-body")
router.register("seats", SeatViewSet, basename="api-seat")
router.register("meetings", MeetingViewSet, basename="api-meeting")
router.register("motions", MotionViewSet, basename="api-motion")
router.register("tasks", TaskViewSet, basename="api-task")
urlpatterns = []
