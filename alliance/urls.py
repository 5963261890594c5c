from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from alliance import views as alliance_views
from alliance.api.views import api_not_found
from members import views as member_views

urlpatterns = [
    path("", alliance_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", alliance_views.language_switch, name="set_language"),
    path("alliances/", alliance_views.alliance_list, name="alliance-list"),
    path("alliances/new/", alliance_views.alliance_create, name="alliance-create"),
    path("alliances/<int:pk>/", alliance_views.alliance_detail, name="alliance-detail"),
    path("alliances/<int:pk>/history/", alliance_views.alliance_history, name="alliance-history"),
    path("alliances/<int:pk>/edit/", alliance_views.alliance_edit, name="alliance-edit"),
    path("alliances/<int:pk>/status/", alliance_views.alliance_transition, name="alliance-transition"),
    path("alliances/<int:pk>/documents/", alliance_views.alliance_document_upload, name="alliance-document-upload"),
    path("alliances/<int:pk>/documents/<int:document_pk>/", alliance_views.alliance_document_download,
         name="alliance-document-download"),
    path("alliances/<int:pk>/members/add/", member_views.member_add, name="member-add"),
    path("alliances/<int:pk>/members/import/", member_views.register_import, name="register-import"),
    path("register/", member_views.register, name="register"),
    path("register/export.xlsx", member_views.register_export, name="register-export"),
    path("organizations/<int:pk>/", member_views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/edit/", member_views.organization_edit, name="organization-edit"),
    path("organizations/<int:pk>/contacts/", member_views.contact_add, name="contact-add"),
    path("organizations/<int:pk>/contacts/<int:contact_pk>/remove/", member_views.contact_remove,
         name="contact-remove"),
    path("memberships/apply/", member_views.membership_apply, name="membership-apply"),
    path("memberships/<int:pk>/", member_views.membership_detail, name="membership-detail"),
    path("memberships/<int:pk>/<slug:decision>/", member_views.membership_decide, name="membership-decide"),
    path("roles/", member_views.roles, name="roles"),
    path("roles/<int:pk>/revoke/", member_views.role_revoke, name="role-revoke"),
    path("governance/", include("governance.urls")),
    path("assessments/reports/", include("assessments.report_urls")),
    path("assessments/", include("assessments.urls")),
    path("notifications/", include("alliance.notification_urls")),
    path("api/v1/", include("alliance.api.urls")),
    # Any other path under /api/: the API's JSON 404 (DEBUG's HTML page never answers there).
    re_path(r"^api/", api_not_found, name="api-not-found"),
    path("admin/", admin.site.urls),
]

handler400 = "alliance.views.bad_request"
handler404 = "alliance.views.page_not_found"
handler500 = "alliance.views.server_error"
