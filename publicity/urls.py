from django.urls import path

from publicity import feeds, views

app_name = "publicity"

urlpatterns = [
    path("alliances/<int:pk>/news/", views.news_list, name="alliance-news"),
    path("alliances/<int:pk>/news/new/", views.news_create, name="news-create"),
    path("alliances/<int:pk>/news/feed/", feeds.AllianceNewsFeed(), name="alliance-feed"),
    path("news/<int:pk>/", views.news_detail, name="news"),
    path("news/<int:pk>/edit/", views.news_edit, name="news-edit"),
    path("news/<int:pk>/publish/", views.news_publish, name="news-publish"),
    path("news/<int:pk>/withdraw/", views.news_withdraw, name="news-withdraw"),
    path("news/<int:pk>/images/<str:name>", views.news_image, name="news-image"),
    path("cities/<int:pk>/news/", views.city_news, name="city-news"),
    path("cities/<int:pk>/news/feed/", feeds.CityNewsFeed(), name="city-feed"),
    path("alliances/<int:pk>/announcements/", views.announcement_list, name="alliance-announcements"),
    path("alliances/<int:pk>/announcements/new/", views.announcement_create, name="announcement-create"),
    path("announcements/", views.inbox, name="inbox"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement"),
    path("announcements/<int:pk>/edit/", views.announcement_edit, name="announcement-edit"),
    path("announcements/<int:pk>/send/", views.announcement_send, name="announcement-send"),
]
