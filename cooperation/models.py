"""The three lists an alliance keeps (core products, technology needs, talent needs), what its schools and
institutes offer, the responses to technology needs, supply–demand events, and the suggestions computed
from all of them (COOPERATION.md).

Every list entry belongs to a member unit and an alliance. Its unit's contacts and the alliance's
secretariat keep it; the secretariat publishes it (and, if its poster marked it public, the public then
reads it), closes it when it is stale, or merges it into the entry it duplicates.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cooperation.catalogue import category_of, validate_major_code
from kernel.validators import validate_upload_size

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_AMOUNT = 10**15  # yuan: far beyond any budget or salary, within a bigint

# Spelled out for the database check constraints (a Meta class cannot see its model's enums).
VISIBILITIES = ("alliance", "public")
PRODUCT_STATUSES = ("draft", "published", "closed")
TECHNOLOGY_FORMS = ("joint_rd", "contract", "consulting", "transfer", "other")
TECHNOLOGY_STATUSES = ("open", "matched", "contracted", "solved", "closed")
TALENT_STATUSES = ("open", "filled", "closed")
EDUCATION_LEVELS = ("secondary_vocational", "higher_vocational", "vocational_bachelor", "bachelor", "postgraduate",
                    "any")
OFFER_KINDS = ("major", "training", "expert_service", "facility")
OFFER_STATUSES = ("open", "closed")
RESPONSE_STATUSES = ("proposed", "accepted", "declined")
EVENT_STATUSES = ("planned", "held", "cancelled")


def _year_field():
    return models.PositiveSmallIntegerField(
        _("Year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)])


def _amount_field(label):
    return models.PositiveBigIntegerField(label, null=True, blank=True, validators=[MaxValueValidator(MAX_AMOUNT)])


def public_index(name: str, live: Q) -> models.Index:
    """What anyone reads (published, marked public, not merged, live): counted at every request of the public
    lists, by an index-only scan of this partial index rather than a scan of the table."""
    return models.Index(fields=["alliance"], name=name, condition=Q(
        visibility="public", published_at__isnull=False, merged_into__isnull=True) & live)


class Visibility(models.TextChoices):
    ALLIANCE = "alliance", _("Alliance members")
    PUBLIC = "public", _("Public")


class Entry(models.Model):
    """What every list entry has: its alliance and unit, who may read it, and its curation."""

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("Alliance"))
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("Member unit"))
    visibility = models.CharField(_("Visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.ALLIANCE)
    year = _year_field()
    published_at = models.DateTimeField(_("Published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("Duplicate of"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("Posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)

    # The status that a closed (or merged) entry takes.
    CLOSED = "closed"

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def _check_chain(self, errors: dict) -> None:
        chain = getattr(self, "chain", None)
        if chain is not None and self.alliance_id and chain.city_id != self.alliance.city_id:
            errors["chain"] = _("Choose one of the key industrial chains of the alliance's city.")


class CoreProduct(Entry):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", pgettext_lazy("list entry", "Closed")

    name = models.CharField(_("Product"), max_length=200)
    chain = models.ForeignKey("alliance.IndustrialChain", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("Industrial chain"))
    description = models.TextField(_("Description"), blank=True)
    key_technologies = models.TextField(_("Key technologies"), blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        verbose_name = _("Core product")
        verbose_name_plural = _("Core products")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PRODUCT_STATUSES), name="product_status_valid"),
            models.CheckConstraint(condition=Q(visibility__in=VISIBILITIES), name="product_visibility_valid"),
            models.CheckConstraint(condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="product_year_range"),
        ]
        indexes = [models.Index(fields=["alliance", "status"], name="product_alliance_status"),
                   models.Index(fields=["organization", "status"], name="product_org_status"),
                   public_index("product_public", Q(status="published"))]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        self._check_chain(errors)
        if errors:
            raise ValidationError(errors)


class TechnologyNeed(Entry):
    class Form(models.TextChoices):
        JOINT_RD = "joint_rd", _("Joint R&D")
        CONTRACT = "contract", _("Contract research")
        CONSULTING = "consulting", _("Consulting")
        TRANSFER = "transfer", _("Technology transfer")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("technology need", "Open")
        MATCHED = "matched", _("Matched")
        CONTRACTED = "contracted", _("Contracted")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", pgettext_lazy("list entry", "Closed")

    title = models.CharField(_("Title"), max_length=200)
    description = models.TextField(_("Description"))
    chain = models.ForeignKey("alliance.IndustrialChain", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("Industrial chain"))
    form = models.CharField(_("Form of cooperation"), max_length=20, choices=Form.choices, default=Form.JOINT_RD)
    budget_min = _amount_field(_("Budget from (yuan)"))
    budget_max = _amount_field(_("Budget up to (yuan)"))
    wanted_by = models.DateField(_("Wanted by"), null=True, blank=True)
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("Technology need")
        verbose_name_plural = _("Technology needs")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TECHNOLOGY_STATUSES), name="technology_need_status_valid"),
            models.CheckConstraint(condition=Q(form__in=TECHNOLOGY_FORMS), name="technology_need_form_valid"),
            models.CheckConstraint(condition=Q(visibility__in=VISIBILITIES), name="technology_need_visibility_valid"),
            models.CheckConstraint(condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                                   name="technology_need_year_range"),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True) | Q(budget_max__isnull=True) | Q(budget_min__lte=models.F(
                    "budget_max")), name="technology_need_budget_ordered"),
        ]
        indexes = [models.Index(fields=["alliance", "status"], name="tech_need_alliance_status"),
                   models.Index(fields=["organization", "status"], name="tech_need_org_status"),
                   public_index("tech_need_public", ~Q(status="closed"))]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        self._check_chain(errors)
        if self.budget_min is not None and self.budget_max is not None and self.budget_min > self.budget_max:
            errors["budget_max"] = _("The budget's upper end is below its lower end.")
        if errors:
            raise ValidationError(errors)


class TalentNeed(Entry):
    class EducationLevel(models.TextChoices):
        SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational")
        HIGHER_VOCATIONAL = "higher_vocational", _("Higher vocational (junior college)")
        VOCATIONAL_BACHELOR = "vocational_bachelor", _("Vocational bachelor")
        BACHELOR = "bachelor", _("Bachelor")
        POSTGRADUATE = "postgraduate", _("Postgraduate")
        ANY = "any", _("Any")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("talent need", "Open")
        FILLED = "filled", pgettext_lazy("talent need", "Filled")
        CLOSED = "closed", pgettext_lazy("list entry", "Closed")

    position = models.CharField(pgettext_lazy("job", "Position"), max_length=200)
    major_code = models.CharField(_("Major code"), max_length=6, validators=[validate_major_code],
                                  help_text=_("Six digits of the 2021 vocational education major catalogue; the "
                                              "first two name the major category (41–59)."))
    major_category = models.CharField(_("Major category"), max_length=2, blank=True, editable=False)
    chain = models.ForeignKey("alliance.IndustrialChain", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("Industrial chain"))
    education_level = models.CharField(_("Education level"), max_length=24, choices=EducationLevel.choices,
                                       default=EducationLevel.HIGHER_VOCATIONAL)
    headcount = models.PositiveIntegerField(
        _("Headcount"), validators=[MinValueValidator(1, _("The headcount is at least 1.")),
                                    MaxValueValidator(100_000)])
    filled = models.PositiveIntegerField(_("Filled"), default=0, validators=[MaxValueValidator(100_000)])
    salary_min = _amount_field(_("Monthly salary from (yuan)"))
    salary_max = _amount_field(_("Monthly salary up to (yuan)"))
    location = models.CharField(_("Place of work"), max_length=200, blank=True)
    description = models.TextField(_("Requirements"), blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("Talent need")
        verbose_name_plural = _("Talent needs")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TALENT_STATUSES), name="talent_need_status_valid"),
            models.CheckConstraint(condition=Q(visibility__in=VISIBILITIES), name="talent_need_visibility_valid"),
            models.CheckConstraint(condition=Q(education_level__in=EDUCATION_LEVELS),
                                   name="talent_need_education_level_valid"),
            models.CheckConstraint(condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="talent_need_year_range"),
            models.CheckConstraint(condition=Q(headcount__gte=1) & Q(filled__lte=models.F("headcount")),
                                   name="talent_need_filled_within_headcount"),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True) | Q(salary_max__isnull=True) | Q(salary_min__lte=models.F(
                    "salary_max")), name="talent_need_salary_ordered"),
            models.CheckConstraint(condition=Q(major_category=Left("major_code", 2)),
                                   name="talent_need_category_of_code"),
        ]
        indexes = [models.Index(fields=["alliance", "status"], name="talent_need_alliance_status"),
                   models.Index(fields=["organization", "status"], name="talent_need_org_status"),
                   models.Index(fields=["major_category", "year"], name="talent_need_category_year"),
                   public_index("talent_need_public", ~Q(status="closed"))]

    def __str__(self):
        return self.position

    def save(self, *args, **kwargs):
        self.major_category = category_of(self.major_code)
        super().save(*args, **kwargs)

    def clean(self):
        self.major_category = category_of(self.major_code)
        errors = {}
        self._check_chain(errors)
        if self.headcount is not None and self.filled is not None and self.filled > self.headcount:
            errors["filled"] = ValidationError(
                _("Filled (%(filled)d) cannot be more than the headcount (%(headcount)d)."),
                params={"filled": self.filled, "headcount": self.headcount})
        if self.salary_min is not None and self.salary_max is not None and self.salary_min > self.salary_max:
            errors["salary_max"] = _("The salary's upper end is below its lower end.")
        if errors:
            raise ValidationError(errors)

    @property
    def open_positions(self) -> int:
        return max(self.headcount - self.filled, 0)


class Offer(Entry):
    class Kind(models.TextChoices):
        MAJOR = "major", _("Major")
        TRAINING = "training", _("Training programme")
        EXPERT_SERVICE = "expert_service", _("Expert service")
        FACILITY = "facility", _("Facility")

    class Audience(models.TextChoices):
        EMPLOYEES = "employees", _("Employees")
        UNEMPLOYED = "unemployed", _("The unemployed")
        SHARED_EMPLOYEES = "shared_employees", _("Small firms' shared employees")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("offer", "Open")
        CLOSED = "closed", pgettext_lazy("list entry", "Closed")

    kind = models.CharField(_("Kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("Title"), max_length=200)
    description = models.TextField(_("Description"), blank=True)
    chain = models.ForeignKey("alliance.IndustrialChain", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("Industrial chain"))
    major_code = models.CharField(_("Major code"), max_length=6, blank=True, validators=[validate_major_code],
                                  help_text=_("Six digits of the 2021 vocational education major catalogue; the "
                                              "first two name the major category (41–59)."))
    major_category = models.CharField(_("Major category"), max_length=2, blank=True, editable=False)
    enrolment = models.PositiveIntegerField(_("Enrolment"), null=True, blank=True,
                                            validators=[MaxValueValidator(1_000_000)])
    graduates = models.PositiveIntegerField(_("Graduates"), null=True, blank=True,
                                            validators=[MaxValueValidator(1_000_000)])
    audience = models.CharField(_("For"), max_length=20, choices=Audience.choices, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("Offer")
        verbose_name_plural = _("Offers")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OFFER_KINDS), name="offer_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=OFFER_STATUSES), name="offer_status_valid"),
            models.CheckConstraint(condition=Q(visibility__in=VISIBILITIES), name="offer_visibility_valid"),
            models.CheckConstraint(condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="offer_year_range"),
            models.CheckConstraint(
                condition=~Q(kind="major") | (~Q(major_code="") & Q(enrolment__isnull=False)
                                              & Q(graduates__isnull=False)),
                name="offer_major_has_code_and_counts"),
            models.CheckConstraint(condition=Q(major_category=Left("major_code", 2)),
                                   name="offer_category_of_code"),
        ]
        indexes = [models.Index(fields=["alliance", "kind"], name="offer_alliance_kind"),
                   models.Index(fields=["organization", "status"], name="offer_org_status"),
                   models.Index(fields=["major_category", "year"], name="offer_category_year"),
                   public_index("offer_public", ~Q(status="closed"))]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.major_category = category_of(self.major_code)
        super().save(*args, **kwargs)

    def clean(self):
        self.major_category = category_of(self.major_code)
        errors = {}
        self._check_chain(errors)
        if self.kind == self.Kind.MAJOR:
            if not self.major_code:
                errors["major_code"] = _("A major needs its code.")
            if self.enrolment is None:
                errors["enrolment"] = _("Give the major's enrolment of the year.")
            if self.graduates is None:
                errors["graduates"] = _("Give the major's graduates of the year.")
        if self.audience and self.kind != self.Kind.TRAINING:
            errors["audience"] = _("Only a training programme has an audience.")
        if errors:
            raise ValidationError(errors)


class SupplyDemandEvent(models.Model):
    """A supply–demand event (供需对接会): planned like a meeting; records the needs discussed and the
    responses that came of it."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("Alliance"))
    title = models.CharField(_("Title"), max_length=200)
    starts_at = models.DateTimeField(_("Starts at"))
    ends_at = models.DateTimeField(_("Ends at"))
    location = models.CharField(_("Place"), max_length=200, blank=True)
    description = models.TextField(_("Description"), blank=True)
    summary = models.TextField(_("Record of the event"), blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    technology_needs = models.ManyToManyField(TechnologyNeed, blank=True, related_name="events",
                                              verbose_name=_("Technology needs discussed"))
    talent_needs = models.ManyToManyField(TalentNeed, blank=True, related_name="events",
                                          verbose_name=_("Talent needs discussed"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Supply–demand event")
        verbose_name_plural = _("Supply–demand events")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EVENT_STATUSES), name="event_status_valid"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The event must end after it starts.")})


class Response(models.Model):
    """A school's or institute's answer to a technology need; the need's enterprise accepts or declines it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("response", "Proposed")
        ACCEPTED = "accepted", pgettext_lazy("response", "Accepted")
        DECLINED = "declined", pgettext_lazy("response", "Declined")

    need = models.ForeignKey(TechnologyNeed, on_delete=models.CASCADE, related_name="responses",
                             verbose_name=_("Technology need"))
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("Responding unit"))
    note = models.TextField(_("Note"))
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    event = models.ForeignKey(SupplyDemandEvent, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="responses", verbose_name=_("Came of the event"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("Responded at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("Decided at"), null=True, blank=True)
    decision_note = models.TextField(_("Decision note"), blank=True)

    class Meta:
        verbose_name = _("Response")
        verbose_name_plural = _("Responses")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RESPONSE_STATUSES), name="response_status_valid"),
            # One live response per unit and need: a declined unit may answer again.
            models.UniqueConstraint(fields=["need", "organization"], condition=Q(status__in=["proposed", "accepted"]),
                                    name="response_one_live_per_unit"),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="response_org_status")]

    def __str__(self):
        return f"{self.organization} → {self.need}"


class Suggestion(models.Model):
    """A unit likely to help with a need, ranked, with the reason (computed off the request path by
    cooperation.tasks; see cooperation/suggestions.py)."""

    technology_need = models.ForeignKey(TechnologyNeed, on_delete=models.CASCADE, null=True, blank=True,
                                        related_name="suggestions")
    talent_need = models.ForeignKey(TalentNeed, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="suggestions")
    organization = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("Suggested unit"))
    rank = models.PositiveSmallIntegerField(_("Rank"))
    score = models.FloatField(_("Score"))
    # What the reason says, as data ({"code": ..., values}), rendered in the reader's language.
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField(_("Computed at"))

    class Meta:
        verbose_name = _("Suggestion")
        verbose_name_plural = _("Suggestions")
        ordering = ["rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(technology_need__isnull=False, talent_need__isnull=True)
                | Q(technology_need__isnull=True, talent_need__isnull=False),
                name="suggestion_for_one_need"),
            models.UniqueConstraint(fields=["technology_need", "organization"], name="suggestion_unique_technology"),
            models.UniqueConstraint(fields=["talent_need", "organization"], name="suggestion_unique_talent"),
        ]
        indexes = [models.Index(fields=["technology_need", "rank"], name="suggestion_tech_rank"),
                   models.Index(fields=["talent_need", "rank"], name="suggestion_talent_rank"),
                   models.Index(fields=["organization"], name="suggestion_organization")]


# Cooperation projects ------------------------------------------------------------------------------------------

PROJECT_KINDS = ("industrial_college", "training_base", "practice_centre", "rd_platform", "tech_service",
                 "order_class", "apprenticeship", "staff_exchange", "training_programme", "other")
PROJECT_STATUSES = ("planned", "running", "completed", "terminated")
PARTNER_ROLES = ("partner", "co_lead", "funder", "host")
CONTRIBUTION_KINDS = ("funds", "equipment", "land", "staff", "technology")
OUTCOME_METRICS = ("students_enrolled", "trainees", "graduates_placed_local", "interns", "teachers_in_enterprise",
                   "engineers_teaching", "patents", "standards", "contract_value", "problems_solved")


class Project(models.Model):
    """A cooperation project (合作项目) of an alliance: its lead unit and partner units (active members), its
    dates and status, and what it came from — a technology or talent need of the lists, or a resolution of the
    council.

    The resolution is kept as the id of a governance motion (an adopted one, with its resolution number), not as
    a foreign key: cooperation and governance sit side by side and neither imports the other. The id is checked,
    and its label read, through the reference hook of alliance/extensions.py that governance registers.
    """

    class Kind(models.TextChoices):
        INDUSTRIAL_COLLEGE = "industrial_college", _("Industrial college")
        TRAINING_BASE = "training_base", _("Shared training base")
        PRACTICE_CENTRE = "practice_centre", _("Regional practice centre")
        RD_PLATFORM = "rd_platform", _("R&D or common-technology platform")
        TECH_SERVICE = "tech_service", _("Technical service contract")
        ORDER_CLASS = "order_class", _("Order class")
        APPRENTICESHIP = "apprenticeship", _("Modern apprenticeship")
        STAFF_EXCHANGE = "staff_exchange", _("Staff exchange")
        TRAINING_PROGRAMME = "training_programme", _("Training programme")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("project", "Planned")
        RUNNING = "running", pgettext_lazy("project", "Running")
        COMPLETED = "completed", pgettext_lazy("project", "Completed")
        TERMINATED = "terminated", pgettext_lazy("project", "Terminated")

    # planned → running → completed, or terminated from either of the first two.
    TRANSITIONS = {
        Status.PLANNED: (Status.RUNNING, Status.TERMINATED),
        Status.RUNNING: (Status.COMPLETED, Status.TERMINATED),
        Status.COMPLETED: (),
        Status.TERMINATED: (),
    }
    ENDED = (Status.COMPLETED, Status.TERMINATED)

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("Alliance"))
    kind = models.CharField(_("Kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("Title"), max_length=200)
    description = models.TextField(_("Description"), blank=True)
    lead = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("Lead unit"))
    starts_on = models.DateField(_("Starts on"))
    ends_on = models.DateField(_("Ends on"), null=True, blank=True)
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    need = models.ForeignKey(TechnologyNeed, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects",
                             verbose_name=_("Technology need it came from"))
    talent_need = models.ForeignKey(TalentNeed, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="projects", verbose_name=_("Talent need it came from"))
    resolution = models.PositiveBigIntegerField(_("Resolution it came from"), null=True, blank=True,
                                                help_text=_("An adopted resolution of the alliance's council."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Cooperation project")
        verbose_name_plural = _("Cooperation projects")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PROJECT_KINDS), name="project_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=PROJECT_STATUSES), name="project_status_valid"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="project_ends_after_start"),
        ]
        indexes = [models.Index(fields=["alliance", "status"], name="project_alliance_status"),
                   models.Index(fields=["alliance", "kind"], name="project_alliance_kind"),
                   models.Index(fields=["lead"], name="project_lead")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The project cannot end before it starts.")})

    @property
    def first_year(self) -> int:
        return self.starts_on.year

    def last_year(self, today=None) -> int:
        """The last year outcomes may be reported for: the end's, or this year's while it has no end."""
        if self.ends_on:
            return self.ends_on.year
        return max((today or timezone.localdate()).year, self.starts_on.year)

    @property
    def is_ended(self) -> bool:
        return self.status in self.ENDED


class ProjectPartner(models.Model):
    class Role(models.TextChoices):
        PARTNER = "partner", _("Partner")
        CO_LEAD = "co_lead", _("Co-lead")
        FUNDER = "funder", _("Funder")
        HOST = "host", _("Host")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("Partner unit"))
    role = models.CharField(_("Role"), max_length=10, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        verbose_name = _("Project partner")
        verbose_name_plural = _("Project partners")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=PARTNER_ROLES), name="project_partner_role_valid"),
            models.UniqueConstraint(fields=["project", "organization"], name="project_partner_once"),
        ]
        indexes = [models.Index(fields=["organization"], name="project_partner_org")]

    def __str__(self):
        return f"{self.organization} · {self.project}"


class Contribution(models.Model):
    """What a unit of the project (its lead or a partner) puts in during a year: funds in yuan, equipment,
    land, staff, technology (seed 000 §4.3)."""

    class Kind(models.TextChoices):
        FUNDS = "funds", _("Funds")
        EQUIPMENT = "equipment", _("Equipment")
        LAND = "land", _("Land or premises")
        STAFF = "staff", _("Staff")
        TECHNOLOGY = "technology", _("Technology")

    # The unit an amount of each kind is given in, unless the recorder names another.
    DEFAULT_UNITS = {"funds": "yuan", "equipment": "yuan", "land": "m2", "staff": "persons", "technology": "items"}

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contributions")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("Contributing unit"))
    kind = models.CharField(_("Kind"), max_length=12, choices=Kind.choices)
    year = _year_field()
    amount = models.DecimalField(_("Amount"), max_digits=17, decimal_places=2,
                                 validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT)])
    unit = models.CharField(_("Unit of the amount"), max_length=20,
                            help_text=_("yuan for funds and equipment, m2 for land, persons for staff, items for "
                                        "technology, unless you name another."))
    description = models.TextField(_("Description"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Contribution")
        verbose_name_plural = _("Contributions")
        ordering = ["year", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CONTRIBUTION_KINDS), name="contribution_kind_valid"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contribution_amount_non_negative"),
            models.CheckConstraint(condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="contribution_year_range"),
        ]
        indexes = [models.Index(fields=["organization", "year"], name="contribution_org_year")]

    def __str__(self):
        return f"{self.organization} · {self.get_kind_display()} {self.amount} {self.unit}"


class Outcome(models.Model):
    """One figure of a project's year from the fixed vocabulary. It counts in the alliance's figures once the
    secretariat has confirmed it; a confirmed outcome no longer changes."""

    class Metric(models.TextChoices):
        STUDENTS_ENROLLED = "students_enrolled", _("Students enrolled")
        TRAINEES = "trainees", _("Trainees (person-times)")
        GRADUATES_PLACED_LOCAL = "graduates_placed_local", _("Graduates placed in the city")
        INTERNS = "interns", _("Interns")
        TEACHERS_IN_ENTERPRISE = "teachers_in_enterprise", _("Teachers in enterprise practice")
        ENGINEERS_TEACHING = "engineers_teaching", _("Engineers teaching")
        PATENTS = "patents", _("Patents")
        STANDARDS = "standards", _("Standards")
        CONTRACT_VALUE = "contract_value", _("Contract value (yuan)")
        PROBLEMS_SOLVED = "problems_solved", _("Technical problems solved")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outcomes")
    year = _year_field()
    metric = models.CharField(_("Outcome"), max_length=24, choices=Metric.choices)
    value = models.PositiveBigIntegerField(_("Value"), validators=[MaxValueValidator(MAX_AMOUNT)])
    note = models.TextField(_("Note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(_("Confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Outcome")
        verbose_name_plural = _("Outcomes")
        ordering = ["year", "metric", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(metric__in=OUTCOME_METRICS), name="outcome_metric_valid"),
            models.CheckConstraint(condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="outcome_year_range"),
            models.UniqueConstraint(fields=["project", "year", "metric"], name="outcome_once_per_year"),
        ]
        indexes = [models.Index(fields=["year", "metric"], name="outcome_year_metric",
                                condition=Q(confirmed_at__isnull=False))]

    def __str__(self):
        return f"{self.project} · {self.year} · {self.get_metric_display()}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


def outcome_evidence_upload_to(instance, filename):
    return f"project-evidence/{instance.outcome.project_id}/{filename}"


class OutcomeEvidence(models.Model):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("Title"), max_length=200)
    file = models.FileField(
        _("File"), upload_to=outcome_evidence_upload_to, max_length=200,
        validators=[FileExtensionValidator(settings.DOCUMENT_EXTENSIONS), validate_upload_size],
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Evidence")
        verbose_name_plural = _("Evidence")
        ordering = ["id"]

    def __str__(self):
        return self.title

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
