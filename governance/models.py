from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Body(models.Model):
    """The council, the secretariat or a committee of an alliance."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council")
        SECRETARIAT = "secretariat", _("Secretariat")
        COMMITTEE = "committee", _("Committee")

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField(_("Type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("Name"), max_length=200)
    quorum_fraction = models.CharField(_("Quorum fraction"), max_length=15, default="2/3")

    class Meta:
        verbose_name = _("Body")
        verbose_name_plural = _("Body")
        constraints = [models.UniqueConstraint(fields=["alliance", "name"], name="body_unique_name")]

    def __str__(self):
        return self.name


class Seat(models.Model):
    """A seat held by a person on behalf of a member unit: one seat, one vote."""

    class Office(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        STANDING_DIRECTOR = "standing_director", _("Standing director")
        DIRECTOR = "director", _("Director")
        SECRETARY_GENERAL = "secretary_general", _("Secretary-general")
        MEMBER = "member", _("Member")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seats")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="seats")
    office = models.CharField(_("Office"), max_length=20, choices=Office.choices, default=Office.DIRECTOR)
    term_start = models.DateField(_("Term starts"))
    term_end = models.DateField(_("Term ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("Seat")
        verbose_name_plural = _("Seat")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "organization"], condition=Q(term_end__isnull=True), name="seat_one_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")), name="seat_term_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.body}: {self.user} ({self.organization})"
