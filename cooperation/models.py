"""The three lists an alliance keeps (core products, technology needs, talent needs), what its schools and
institutes offer, the responses to technology needs, supply–demand events, and the suggestions computed
from all of them (COOPERATION.md).

Every list entry belongs to a member unit and an alliance. Its unit's contacts and the alliance's
secretariat keep it; the secretariat publishes it (and, if its poster marked it public, the public then
reads it), closes it when it is stale, or merges it into the entry it duplicates.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Left
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cooperation.catalogue import category_of, validate_major_code

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
