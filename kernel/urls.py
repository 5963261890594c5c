from django.urls import path

from kernel import views as notification_views

urlpatterns = [
    path("", notification_views.notification_list, name="notification-list"),
    path("<int:pk>/read/", notification_views.notification_read, name="notification-read"),
    path("read-all/", notification_views.notification_read_all, name="notification-read-all"),
]
