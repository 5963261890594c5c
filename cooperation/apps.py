from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cooperation"
    verbose_name = _("Cooperation")

    def ready(self):
        from auditlog.registry import auditlog

        from alliance.extensions import (
            PUBLIC_SECTION_ORDER,
            register_panel,
            register_public_section,
            register_referrer,
        )
        from cooperation.models import (
            Contribution,
            CoreProduct,
            Offer,
            Outcome,
            OutcomeEvidence,
            Project,
            ProjectPartner,
            Response,
            SupplyDemandEvent,
            TalentNeed,
            TechnologyNeed,
        )
        from cooperation.panels import alliance_lists, projects_of_resolution, public_projects

        for model in (CoreProduct, TechnologyNeed, TalentNeed, Offer, Response, SupplyDemandEvent, Project,
                      ProjectPartner, Contribution, Outcome, OutcomeEvidence):
            auditlog.register(model)
        register_panel("cooperation/_alliance_panel.html", alliance_lists)
        register_public_section("cooperation/_public_projects.html", public_projects,
                                order=PUBLIC_SECTION_ORDER["projects"])
        register_referrer("resolution", projects_of_resolution)
