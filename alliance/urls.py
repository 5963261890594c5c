from django.urls import path

from alliance import views

urlpatterns = [
    path("alliances/", views.alliance_list, name="alliance-list"),
    path("alliances/new/", views.alliance_create, name="alliance-create"),
    path("alliances/<int:pk>/", views.alliance_detail, name="alliance-detail"),
    path("alliances/<int:pk>/public/", views.alliance_public, name="alliance-public"),
    path("alliances/<int:pk>/history/", views.alliance_history, name="alliance-history"),
    path("alliances/<int:pk>/edit/", views.alliance_edit, name="alliance-edit"),
    path("alliances/<int:pk>/status/", views.alliance_transition, name="alliance-transition"),
    path("alliances/<int:pk>/documents/", views.alliance_document_upload, name="alliance-document-upload"),
    path("alliances/<int:pk>/documents/<int:document_pk>/", views.alliance_document_download,
         name="alliance-document-download"),
]
