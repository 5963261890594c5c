from django.contrib import admin

from governance.models import Body, Seat


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "alliance", "kind", "quorum_fraction"]
    list_select_related = ["alliance"]
    list_filter = ["kind"]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["body", "user", "organization", "office", "term_start", "term_end"]
    list_select_related = ["body", "user", "organization"]
    raw_id_fields = ["user", "organization"]
