from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"
    verbose_name = _("Member unit")

    def ready(self):
        from auditlog.registry import auditlog

        from alliance.extensions import (
            PUBLIC_SECTION_ORDER,
            register_history_source,
            register_panel,
            register_public_section,
        )
        from members import invitations, scope  # noqa: F401  (contribute to the request scope, invitation kinds)
        from members.models import (
            Contact,
            IdentityChange,
            Invitation,
            Membership,
            Organization,
            RoleGrant,
        )
        from members.panels import alliance_members, public_members
        from members.selectors import membership_history_filter

        auditlog.register(Organization)
        auditlog.register(Membership, mapping_fields={"decided_by": _("Decided by")})
        auditlog.register(RoleGrant, mapping_fields={"granted_by": _("Granted by"), "granted_at": _("Granted at")})
        auditlog.register(Contact)
        auditlog.register(IdentityChange, mapping_fields={"requested_by": _("Requested by"),
                                                           "decided_by": _("Decided by")})
        auditlog.register(Invitation, exclude_fields=["payload"])
        register_panel("members/_alliance_panel.html", alliance_members)
        register_public_section("members/_public_section.html", public_members,
                                order=PUBLIC_SECTION_ORDER["members"])
        register_history_source(membership_history_filter)
