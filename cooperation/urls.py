from django.urls import path

from cooperation.views import documents, entries, events, home, projects

app_name = "cooperation"

urlpatterns = [
    path("", home.home, name="home"),
    path("responses/<int:pk>/<slug:decision>/", entries.response_decide, name="response-decide"),
    path("technology-needs/<int:pk>/respond/", entries.respond, name="respond"),
    path("alliances/<int:alliance_id>/lists.xlsx", documents.annual_workbook, name="annual-xlsx"),
    path("alliances/<int:alliance_id>/lists.pdf", documents.annual_pdf, name="annual-pdf"),
    path("alliances/<int:alliance_id>/events/", events.events, name="events"),
    path("alliances/<int:alliance_id>/events/new/", events.event_create, name="event-create"),
    path("alliances/<int:alliance_id>/outcomes/import/", projects.outcome_import, name="outcome-import"),
    path("alliances/<int:alliance_id>/participation/", projects.participation, name="participation"),
    path("alliances/<int:alliance_id>/outcomes.xlsx", projects.outcome_export, name="outcome-export"),
    path("alliances/<int:alliance_id>/<slug:kind>/export.xlsx", documents.list_export, name="export"),
    path("alliances/<int:alliance_id>/<slug:kind>/import/", documents.list_import, name="import"),
    path("cities/<int:city_id>/participation/", projects.city_participation, name="city-participation"),
    path("projects/", projects.project_list, name="projects"),
    path("projects/new/", projects.project_create, name="project-create"),
    path("projects/<int:pk>/", projects.project_detail, name="project"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project-edit"),
    path("projects/<int:pk>/contributions/", projects.contribution_add, name="contribution-add"),
    path("projects/<int:pk>/outcomes/", projects.outcome_add, name="outcome-add"),
    path("outcomes/<int:pk>/<slug:verb>/", projects.outcome_action, name="outcome-action"),
    path("contributions/<int:pk>/delete/", projects.contribution_delete, name="contribution-delete"),
    path("evidence/<int:pk>/", projects.evidence_download, name="evidence"),
    path("events/<int:pk>/", events.event_detail, name="event"),
    path("events/<int:pk>/edit/", events.event_edit, name="event-edit"),
    path("events/<int:pk>/<slug:verb>/", events.event_action, name="event-action"),
    path("<slug:kind>/", entries.entry_list, name="list"),
    path("<slug:kind>/new/", entries.entry_create, name="create"),
    path("<slug:kind>/<int:pk>/", entries.entry_detail, name="detail"),
    path("<slug:kind>/<int:pk>/edit/", entries.entry_edit, name="edit"),
    path("<slug:kind>/<int:pk>/<slug:verb>/", entries.entry_action, name="action"),
]
