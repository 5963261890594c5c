from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kernel.models import Notification
from kernel.notify import retry_failed


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox as the operators see it: what waits, what failed and why; failed mail can be retried.

    Read-only: rows are written by kernel.notify (the services and the sender), never edited by hand.
    """

    list_display = ["id", "user", "subject", "mail_status", "mail_attempts", "next_attempt_at", "created_at",
                    "mailed_at"]
    list_filter = ["mail_status", "created_at"]
    list_select_related = ["user"]
    search_fields = ["key", "subject", "user__username", "user__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    actions = ["retry"]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry mailing the selected failed notifications"), permissions=["change"])
    def retry(self, request, queryset):
        count = retry_failed(notifications=queryset, actor=request.user)
        if count:
            self.message_user(request, ngettext(
                "%(count)d notification will be mailed again.",
                "%(count)d notifications will be mailed again.", count) % {"count": count}, messages.SUCCESS)
        else:
            self.message_user(request, _("None of the selected notifications had failed."), messages.WARNING)
