urlpatterns = []  # filled by the calendar/minutes-PDF work (issue 3)
