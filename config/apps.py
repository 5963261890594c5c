from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The wiring: settings, root URLs, the API router, the Celery app, the demo loader."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "config"
    verbose_name = "Configuration"
