"""REST API v1: each app's own routes (its `api/urls.py`: a router and extra paths), the schema and docs."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

APPS = ["alliance", "members", "governance", "cooperation", "publicity", "matching", "assessments"]

router = DefaultRouter()
extra = []
for app in APPS:
    module = import_module(f"{app}.api.urls")
    router.registry.extend(module.router.registry)
    extra += module.urlpatterns

urlpatterns = [
    *extra,
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (docs/?script), so the page runs
    # under the same script-src 'self' policy as every other page.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]
