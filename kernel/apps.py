from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    """The pieces every app uses and none owns: domain errors, the request scope, the notification
    outbox, API plumbing, PDF and Excel helpers. It imports no domain app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "kernel"
    verbose_name = _("Platform")

    def ready(self):
        from kernel import versions

        versions.connect()
