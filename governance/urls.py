from django.urls import path

from governance import document_urls, views

app_name = "governance"

urlpatterns = [
    path("votes/", views.needs_my_vote, name="needs_my_vote"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("motions/<int:pk>/", views.motion_detail, name="motion"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("alliances/<int:alliance_id>/requests/", views.extraordinary_requests, name="requests"),
]

urlpatterns += document_urls.urlpatterns
