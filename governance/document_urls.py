"""Calendar files and the minutes PDF; appended to governance/urls.py (the "governance" namespace)."""

from django.urls import path

from governance import document_views

urlpatterns = [
    path("meetings/<int:pk>/invite.ics", document_views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/minutes.pdf", document_views.minutes_document, name="minutes_pdf"),
    path("calendar/", document_views.calendar_page, name="calendar"),
    path("calendar/reset/", document_views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", document_views.calendar_feed, name="calendar_feed"),
]
