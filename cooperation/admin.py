from django.contrib import admin

from cooperation.models import (
    CoreProduct,
    Offer,
    Outcome,
    Project,
    ProjectPartner,
    Response,
    SupplyDemandEvent,
    TalentNeed,
    TechnologyNeed,
)

ENTRY_RAW_IDS = ["alliance", "organization", "published_by", "merged_into", "created_by"]


@admin.register(CoreProduct)
class CoreProductAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "alliance", "year", "status"]
    list_filter = ["status"]
    raw_id_fields = ENTRY_RAW_IDS


@admin.register(TechnologyNeed)
class TechnologyNeedAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "alliance", "year", "status", "visibility"]
    list_filter = ["status", "visibility", "form"]
    raw_id_fields = ENTRY_RAW_IDS


@admin.register(TalentNeed)
class TalentNeedAdmin(admin.ModelAdmin):
    list_display = ["position", "organization", "alliance", "major_code", "headcount", "filled", "year", "status"]
    list_filter = ["status", "education_level"]
    raw_id_fields = ENTRY_RAW_IDS


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "organization", "alliance", "major_code", "graduates", "year", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ENTRY_RAW_IDS


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["need", "organization", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["need", "organization", "event", "created_by", "decided_by"]


@admin.register(SupplyDemandEvent)
class SupplyDemandEventAdmin(admin.ModelAdmin):
    list_display = ["title", "alliance", "starts_at", "status"]
    list_filter = ["status"]
    raw_id_fields = ["alliance", "created_by"]
    filter_horizontal = ["technology_needs", "talent_needs"]


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    raw_id_fields = ["organization"]
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "alliance", "lead", "starts_on", "ends_on", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["alliance", "lead", "need", "talent_need", "created_by"]
    inlines = [ProjectPartnerInline]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["project", "year", "metric", "value", "confirmed_at"]
    list_filter = ["metric", "year"]
    raw_id_fields = ["project", "recorded_by", "confirmed_by"]
