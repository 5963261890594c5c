from django.contrib import admin

from assessments.models import EarlyWarning, WarningRule


@admin.register(WarningRule)
class WarningRuleAdmin(admin.ModelAdmin):
    """The early-warning rules' thresholds and levels (the rules themselves: assessments/early_warnings/rules.py)."""

    list_display = ["code", "threshold", "level", "enabled"]
    list_editable = ["threshold", "level", "enabled"]


@admin.register(EarlyWarning)
class EarlyWarningAdmin(admin.ModelAdmin):
    list_display = ["alliance", "rule", "level", "value", "threshold", "since", "ended_on"]
    list_filter = ["rule", "level"]
    raw_id_fields = ["alliance"]
