from django.urls import path

from governance import document_urls, views

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
    path("votes/", views.needs_my_vote, name="needs_my_vote"),
    path("votes/<int:pk>/", views.vote, name="vote"),
    path("alliances/<int:alliance_id>/meetings/", views.planner, name="planner"),
    path("alliances/<int:alliance_id>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("alliances/<int:alliance_id>/motions/new/", views.motion_create, name="motion-create"),
    path("alliances/<int:alliance_id>/requests/", views.extraordinary_requests, name="requests"),
    path("alliances/<int:alliance_id>/seats/", views.seats, name="seats"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/held/", views.meeting_held, name="meeting-held"),
    path("meetings/<int:pk>/invitations/", views.meeting_invite, name="meeting-invite"),
    path("meetings/<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("meetings/<int:pk>/agenda/", views.agenda_add, name="agenda-add"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/quorum/", views.quorum, name="quorum"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/minutes/circulate/", views.minutes_circulate, name="minutes-circulate"),
    path("agenda/<int:pk>/", views.agenda_edit, name="agenda-edit"),
    path("agenda/<int:pk>/delete/", views.agenda_delete, name="agenda-delete"),
    path("agenda/<int:pk>/move/", views.agenda_move, name="agenda-move"),
    path("agenda/<int:pk>/papers/", views.paper_add, name="paper-add"),
    path("papers/<int:pk>/", views.paper_download, name="paper"),
    path("papers/<int:pk>/delete/", views.paper_delete, name="paper-delete"),
    path("motions/<int:pk>/", views.motion_detail, name="motion"),
    path("motions/<int:pk>/edit/", views.motion_edit, name="motion-edit"),
    path("motions/<int:pk>/open/", views.motion_open, name="motion-open"),
    path("motions/<int:pk>/close/", views.motion_close, name="motion-close"),
    path("motions/<int:pk>/publish/", views.motion_publish, name="motion-publish"),
    path("motions/<int:pk>/conflict/", views.conflict_declare, name="conflict"),
    path("motions/<int:pk>/tasks/new/", views.task_create, name="task-create"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/report/", views.task_report, name="task-report"),
    path("tasks/<int:pk>/accept/", views.task_accept, name="task-accept"),
    path("tasks/<int:pk>/return/", views.task_return, name="task-return"),
    path("tasks/<int:pk>/reports/<int:report_pk>/evidence/", views.task_evidence, name="task-evidence"),
    path("requests/<int:pk>/sign/", views.request_sign, name="request-sign"),
    path("seats/<int:pk>/end/", views.seat_end, name="seat-end"),
    path("resolutions/", views.resolutions, name="resolutions"),
]

urlpatterns += document_urls.urlpatterns
