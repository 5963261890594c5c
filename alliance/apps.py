from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alliance"
    verbose_name = _("Alliance")

    def ready(self):
        from auditlog.registry import auditlog

        from alliance.models import Alliance, AllianceDocument

        auditlog.register(Alliance, m2m_fields={"chains"})
        auditlog.register(AllianceDocument, mapping_fields={"uploaded_by": _("Uploaded by"),
                                                            "uploaded_at": _("Uploaded at")})
