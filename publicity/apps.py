from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publicity"
    verbose_name = _("Publicity")

    def ready(self):
        from auditlog.registry import auditlog

        from alliance.extensions import (
            PUBLIC_SECTION_ORDER,
            register_history_source,
            register_panel,
            register_public_section,
        )
        from publicity.models import Announcement, NewsItem
        from publicity.panels import alliance_publicity, public_news, public_typical_cases
        from publicity.selectors import publicity_history_filter

        auditlog.register(NewsItem)
        auditlog.register(Announcement)
        register_panel("publicity/_alliance_panel.html", alliance_publicity)
        register_public_section("publicity/_public_news.html", public_news, order=PUBLIC_SECTION_ORDER["news"])
        register_public_section("publicity/_public_cases.html", public_typical_cases,
                                order=PUBLIC_SECTION_ORDER["typical_cases"])
        register_history_source(publicity_history_filter)
