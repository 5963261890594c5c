from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = _("Matching of majors and industry")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import post_save

        from alliance.extensions import register_panel
        from alliance.models import IndustrialChain
        from matching.models import IndustryFigure, SectorMapping
        from matching.panels import alliance_matching
        from matching.services import chain_sector_sync

        auditlog.register(IndustryFigure)
        auditlog.register(SectorMapping)
        post_save.connect(chain_sector_sync, sender=IndustrialChain, dispatch_uid="matching-chain-sector")
        register_panel("matching/_alliance_panel.html", alliance_matching)
