from django.contrib import admin

from alliance.models import (
    Alliance,
    AllianceDocument,
    AllianceStatusChange,
    City,
    IndustrialChain,
    Park,
)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "province"]


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ["name", "city"]
    list_select_related = ["city"]


@admin.register(IndustrialChain)
class IndustrialChainAdmin(admin.ModelAdmin):
    list_display = ["name", "city"]
    list_select_related = ["city"]


class StatusChangeInline(admin.TabularInline):
    model = AllianceStatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "reason", "changed_at"]
    can_delete = False


@admin.register(Alliance)
class AllianceAdmin(admin.ModelAdmin):
    """Status is read-only here: it moves only through the lifecycle service, which records why."""

    list_display = ["name", "city", "level", "status"]
    list_select_related = ["city"]
    list_filter = ["level", "status", "city"]
    search_fields = ["name", "name_en"]
    readonly_fields = ["status"]
    raw_id_fields = ["lead_park_admin", "lead_school", "lead_enterprise"]
    inlines = [StatusChangeInline]


@admin.register(AllianceDocument)
class AllianceDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "alliance", "kind", "version", "approved_on"]
    list_select_related = ["alliance"]
