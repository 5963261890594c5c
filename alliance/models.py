from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.names import BilingualName
from kernel.validators import validate_upload_size


class City(BilingualName, models.Model):
    name = models.CharField(_("Name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    province = models.CharField(_("Province"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("City")
        verbose_name_plural = _("City")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Park(BilingualName, models.Model):
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="parks", verbose_name=_("City"))
    name = models.CharField(_("Name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Industrial park")
        verbose_name_plural = _("Industrial park")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="park_unique_name_per_city")]

    def __str__(self):
        return self.name


class IndustrialChain(BilingualName, models.Model):
    """A key industrial chain named by the city (Zibo names 20)."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="chains", verbose_name=_("City"))
    name = models.CharField(_("Name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Key industrial chain")
        verbose_name_plural = _("Key industrial chain")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="chain_unique_name_per_city")]

    def __str__(self):
        return self.name


STATUS_VALUES = ("proposed", "under_review", "established", "rectifying", "revoked", "withdrawn")
LEVEL_VALUES = ("municipal", "provincial", "national")


class Alliance(BilingualName, models.Model):
    class Level(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal")
        PROVINCIAL = "provincial", _("Provincial")
        NATIONAL = "national", _("National")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        UNDER_REVIEW = "under_review", _("Under review")
        ESTABLISHED = "established", _("Established")
        RECTIFYING = "rectifying", _("Rectifying")
        REVOKED = "revoked", _("Revoked")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Allowed lifecycle transitions; anything else is refused by the service.
    TRANSITIONS = {
        Status.PROPOSED: {Status.UNDER_REVIEW, Status.WITHDRAWN},
        Status.UNDER_REVIEW: {Status.ESTABLISHED, Status.PROPOSED, Status.WITHDRAWN},
        Status.ESTABLISHED: {Status.RECTIFYING, Status.REVOKED, Status.WITHDRAWN},
        Status.RECTIFYING: {Status.ESTABLISHED, Status.REVOKED, Status.WITHDRAWN},
        Status.REVOKED: set(),
        Status.WITHDRAWN: set(),
    }
    PUBLIC_STATUSES = (Status.ESTABLISHED, Status.RECTIFYING, Status.REVOKED)
    CLOSED_STATUSES = (Status.REVOKED, Status.WITHDRAWN)  # no new members

    name = models.CharField(_("Name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="alliances", verbose_name=_("City"))
    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, null=True, blank=True, related_name="alliances", verbose_name=_("Base park")
    )
    chains = models.ManyToManyField(IndustrialChain, blank=True, related_name="alliances", verbose_name=_("Key industrial chains served"))
    level = models.CharField(_("Level"), max_length=20, choices=Level.choices, default=Level.MUNICIPAL)
    level_batch = models.CharField(_("Batch"), max_length=100, blank=True)
    level_notice = models.CharField(_("Notice"), max_length=300, blank=True)
    entity_form = models.CharField(_("Entity form"), max_length=200, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    lead_park_admin = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("Lead park administration"),
    )
    lead_school = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("Lead school"),
    )
    lead_enterprise = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("Lead enterprise"),
    )
    founded_on = models.DateField(_("Founded on"), null=True, blank=True)
    description = models.TextField(_("Description"), blank=True)
    is_demo = models.BooleanField(_("Demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Alliance")
        verbose_name_plural = _("Alliance")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=list(STATUS_VALUES)), name="alliance_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(level__in=list(LEVEL_VALUES)), name="alliance_level_valid"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.park_id and self.city_id and self.park.city_id != self.city_id:
            raise ValidationError({"park": _("The park must be in the alliance's city.")})

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    def allowed_transitions(self) -> list[str]:
        return sorted(self.TRANSITIONS[self.Status(self.status)])


class AllianceStatusChange(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("From status"), max_length=20, choices=Alliance.Status.choices, blank=True)
    to_status = models.CharField(_("To status"), max_length=20, choices=Alliance.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(_("Reason"))
    changed_at = models.DateTimeField(_("Time"), auto_now_add=True)

    class Meta:
        verbose_name = _("Status change")
        verbose_name_plural = _("Status change")
        ordering = ["-changed_at", "-id"]


class AllianceDocument(models.Model):
    class Kind(models.TextChoices):
        CHARTER = "charter", _("Charter")
        DEVELOPMENT_PLAN = "development_plan", _("Development plan")
        CONSTRUCTION_SCHEME = "construction_scheme", _("Construction scheme")
        WORK_PLAN = "work_plan", _("Annual work plan")
        OTHER = "other", _("Other")

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("Type"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("Title"), max_length=200)
    version = models.PositiveIntegerField(_("Version"), default=1)
    approved_on = models.DateField(_("Approved on"), null=True, blank=True)
    file = models.FileField(
        _("File"),
        upload_to="alliance-documents/%Y/",
        validators=[FileExtensionValidator(settings.DOCUMENT_EXTENSIONS), validate_upload_size],
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("File")
        verbose_name_plural = _("File")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "kind", "version"], name="document_unique_version"),
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"
