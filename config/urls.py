"""The site's URLs: each app's own pages, the notifications, the API."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from config import views
from kernel import views as kernel_views
from kernel.api.views import api_not_found

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", kernel_views.language_switch, name="set_language"),
    path("", include("alliance.urls")),
    path("", include("members.urls")),
    path("governance/", include("governance.urls")),
    path("cooperation/", include("cooperation.urls")),
    path("assessments/reports/", include("assessments.reports.urls")),
    path("assessments/", include("assessments.urls")),
    path("", include("publicity.urls")),
    path("matching/", include("matching.urls")),
    path("notifications/", include("kernel.urls")),
    path("api/v1/", include("config.api")),
    # Any other path under /api/: the API's JSON 404 (DEBUG's HTML page never answers there).
    re_path(r"^api/", api_not_found, name="api-not-found"),
    # One login for the whole site, so that the admin's asks for the two-factor code too.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]

handler400 = "kernel.views.bad_request"
handler403 = "kernel.views.permission_denied"
handler404 = "kernel.views.page_not_found"
handler500 = "kernel.views.server_error"
