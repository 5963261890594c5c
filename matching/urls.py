from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("alliances/<int:pk>/", views.alliance_page, name="alliance"),
    path("alliances/<int:pk>/matching.<slug:kind>", views.alliance_document, name="alliance-document"),
    path("cities/<int:pk>/", views.city_page, name="city"),
    path("cities/<int:pk>/matching.<slug:kind>", views.city_document, name="city-document"),
    path("cities/<int:pk>/figures/", views.figures_page, name="figures"),
    path("cities/<int:pk>/figures/import/", views.figures_import, name="figures-import"),
    path("cities/<int:pk>/mappings/", views.mappings_page, name="mappings"),
    path("cities/<int:pk>/mappings/<slug:scheme>/<str:category>/", views.mapping_edit, name="mapping-edit"),
    path("cities/<int:pk>/figures/template.xlsx", views.template_workbook, name="figures-template"),
]
