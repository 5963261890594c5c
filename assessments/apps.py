from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from auditlog.registry import auditlog

        from alliance.extensions import PUBLIC_SECTION_ORDER, register_public_section
        from assessments.models import (
            AnnualPlan,
            AnnualReport,
            Assessment,
            Cycle,
            Evidence,
            Framework,
            PlanTarget,
            RectificationItem,
            Review,
        )
        from assessments.panels import public_results

        auditlog.register(Framework)
        auditlog.register(Cycle)
        auditlog.register(Assessment)
        auditlog.register(Review)
        auditlog.register(RectificationItem)
        auditlog.register(Evidence)
        auditlog.register(AnnualPlan, m2m_fields={"tasks", "projects"})
        auditlog.register(PlanTarget)
        auditlog.register(AnnualReport, exclude_fields=["data"])
        register_public_section("assessments/_public_section.html", public_results,
                                order=PUBLIC_SECTION_ORDER["assessments"])
