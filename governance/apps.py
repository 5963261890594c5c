from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = _("Governance")

    def ready(self):
        from auditlog.registry import auditlog

        from alliance.extensions import (
            PUBLIC_SECTION_ORDER,
            register_panel,
            register_public_section,
            register_reference,
        )
        from governance import scope  # noqa: F401  (contributes to the request scope)
        from governance.invitations import SEAT_INVITATION
        from governance.models import (
            AgendaItem,
            Attendance,
            Meeting,
            Minutes,
            Motion,
            Paper,
            Seat,
            Task,
        )
        from governance.panels import alliance_council, public_resolutions
        from governance.selectors import resolution_labels
        from governance.services.seats import end_seats_of_departed_unit
        from members.invitations import register_invitation_kind
        from members.signals import membership_ended

        auditlog.register(Seat)
        auditlog.register(Meeting)
        auditlog.register(AgendaItem)
        auditlog.register(Paper)
        auditlog.register(Attendance)
        auditlog.register(Minutes)
        auditlog.register(Task)
        # Ballots are never audited, and the motion's tally counters are left out of its log, so
        # the log cannot line up a secret ballot with the counter it raised.
        auditlog.register(Motion, exclude_fields=["yes_count", "no_count", "abstain_count"])
        register_panel("governance/_alliance_panel.html", alliance_council)
        register_public_section("governance/_public_section.html", public_resolutions,
                                order=PUBLIC_SECTION_ORDER["resolutions"])
        membership_ended.connect(end_seats_of_departed_unit, dispatch_uid="governance.end_seats_of_departed_unit")
        register_invitation_kind("seat", SEAT_INVITATION)
        register_reference("resolution", resolution_labels)
