from django.urls import path

from members import views

urlpatterns = [
    path("alliances/<int:pk>/members/add/", views.member_add, name="member-add"),
    path("alliances/<int:pk>/members/import/", views.register_import, name="register-import"),
    path("register/", views.register, name="register"),
    path("register/export.xlsx", views.register_export, name="register-export"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path("organizations/<int:pk>/contacts/", views.contact_add, name="contact-add"),
    path("organizations/<int:pk>/contacts/<int:contact_pk>/remove/", views.contact_remove, name="contact-remove"),
    path("organizations/<int:pk>/identity/", views.identity_change_request, name="identity-change-request"),
    path("organizations/<int:pk>/identity/<int:change_pk>/<slug:decision>/", views.identity_change_decide,
         name="identity-change-decide"),
    path("memberships/apply/", views.membership_apply, name="membership-apply"),
    path("memberships/<int:pk>/accept/", views.membership_accept, name="membership-accept"),
    path("memberships/<int:pk>/", views.membership_detail, name="membership-detail"),
    path("memberships/<int:pk>/<slug:decision>/", views.membership_decide, name="membership-decide"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role-revoke"),
]
