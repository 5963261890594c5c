from django.urls import path

from assessments import views
from assessments.annual import views as annual_views
from assessments.early_warnings import views as warning_views

# Namespaced: the API's router names ("framework-list", ...) would otherwise collide with the pages'.
app_name = "assessments"

urlpatterns = [
    path("", views.assessment_home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("warnings/", warning_views.warning_list, name="warnings"),
    path("warnings/check/", warning_views.warning_check, name="warnings-check"),
    path("annual/", annual_views.annual_home, name="annual"),
    path("annual/<int:alliance_id>/<int:year>/plan/", annual_views.plan_detail, name="annual-plan"),
    path("annual/<int:alliance_id>/<int:year>/plan/submit/", annual_views.plan_submit, name="annual-plan-submit"),
    path("annual/<int:alliance_id>/<int:year>/report/", annual_views.report_detail, name="annual-report"),
    path("annual/<int:alliance_id>/<int:year>/report/submit/", annual_views.report_submit,
         name="annual-report-submit"),
    path("annual/<int:alliance_id>/<int:year>/report.pdf", annual_views.report_pdf, name="annual-report-pdf"),
    path("cycles/new/", views.cycle_open, name="cycle-open"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle-detail"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/self-assessment/", views.assessment_self, name="self"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence-download"),
    path("<int:pk>/return/", views.assessment_return, name="return"),
    path("<int:pk>/experts/", views.assessment_experts, name="experts"),
    path("<int:pk>/decide/", views.assessment_decide, name="decide"),
    path("<int:pk>/publish/", views.assessment_publish, name="publish"),
    path("<int:pk>/rectification/<int:item_pk>/done/", views.rectification_done, name="rectification-done"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("alliances/<int:alliance_id>/figures/", views.alliance_figures, name="alliance-figures"),
    path("frameworks/", views.framework_list, name="frameworks"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework"),
    path("frameworks/<int:pk>/export.json", views.framework_export, name="framework-export"),
    path("frameworks/<int:pk>/publish/", views.framework_publish, name="framework-publish"),
    path("frameworks/<int:pk>/new-version/", views.framework_new_version, name="framework-new-version"),
    path("frameworks/<int:pk>/replace/", views.framework_replace, name="framework-replace"),
    path("frameworks/<int:pk>/edit/", views.framework_edit, name="framework-edit"),
]
