"""Report pages; included under /assessments/reports/."""

from django.urls import path

from assessments.reports import views as report_views

urlpatterns = [
    path("request/<slug:kind>/<int:pk>/", report_views.report_request, name="report-request"),
    path("<int:pk>/", report_views.report_status, name="report-status"),
    path("<int:pk>/retry/", report_views.report_retry, name="report-retry"),
    path("<int:pk>/download/", report_views.report_download, name="report-download"),
]
