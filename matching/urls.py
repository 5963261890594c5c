from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("alliances/<int:pk>/", views.alliance_page, name="alliance"),
    path("cities/<int:pk>/", views.city_page, name="city"),
    path("cities/<int:pk>/figures/", views.figures_page, name="figures"),
    path("cities/<int:pk>/figures/import/", views.figures_import, name="figures-import"),
    path("cities/<int:pk>/figures/template.xlsx", views.template_workbook, name="figures-template"),
]
