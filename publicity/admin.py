from django.contrib import admin

from publicity.models import Announcement, AnnouncementReceipt, NewsItem


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "alliance", "kind", "status", "published_at"]
    list_select_related = ["alliance"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    raw_id_fields = ["alliance", "created_by"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "alliance", "status", "important", "sent_at"]
    list_select_related = ["alliance"]
    list_filter = ["status", "important"]
    search_fields = ["title"]
    raw_id_fields = ["alliance", "created_by", "sent_by"]


@admin.register(AnnouncementReceipt)
class AnnouncementReceiptAdmin(admin.ModelAdmin):
    list_display = ["announcement", "user", "organization", "delivered_at", "read_at", "reminded_at"]
    list_select_related = ["announcement", "user", "organization"]
    raw_id_fields = ["announcement", "user", "organization"]
