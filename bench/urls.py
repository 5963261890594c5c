"""All of the application's URLs, plus the floor: the cheapest page Django can serve with one query."""

from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from members.models import Organization


def floor(request):
    """Exactly one query: 50 organisations in name order, as JSON (what a list endpoint minimally does)."""
    rows = list(Organization.objects.order_by("name", "id").values("id", "name", "uscc", "type", "city_id")[:50])
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *app_urlpatterns]
