from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kernel.names import BilingualName
from kernel.validators import validate_upload_size


class Framework(BilingualName, models.Model):
    """A versioned indicator tree. A published version never changes; editing makes a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    name = models.CharField(_("Name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("Version"), default=1)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(_("Description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    city = models.ForeignKey("alliance.City", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="frameworks", verbose_name=_("City"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Indicator framework")
        verbose_name_plural = _("Indicator frameworks")
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="framework_unique_version")]

    def __str__(self):
        return f"{self.name} v{self.version}"


class Indicator(BilingualName, models.Model):
    """A node of the tree: a group, an indicator or an observation point (leaves are scored)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("Code"), max_length=30)
    name = models.CharField(_("Name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    weight = models.DecimalField(_("Weight"), max_digits=7, decimal_places=2, default=0)
    max_score = models.DecimalField(_("Maximum score"), max_digits=7, decimal_places=2, default=0)
    veto = models.BooleanField(_("Veto"), default=False)
    guidance = models.TextField(_("Scoring guidance"), blank=True)
    guidance_en = models.TextField(_("English guidance"), blank=True)
    position = models.PositiveIntegerField(default=0)
    binding = models.JSONField(_("Bound metric"), null=True, blank=True,
                               help_text="A leaf's metric and scoring rule (assessments/bindings.py), or null.")

    class Meta:
        verbose_name = _("Indicator")
        verbose_name_plural = _("Indicators")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=Q(weight__gte=0) & Q(max_score__gte=0), name="indicator_non_negative"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Cycle(models.Model):
    """An assessment round a city's official opens for a set of alliances."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="cycles",
                                  verbose_name=_("Indicator framework"))
    city = models.ForeignKey("alliance.City", on_delete=models.PROTECT, related_name="cycles", verbose_name=_("City"))
    title = models.CharField(_("Title"), max_length=200)
    opens_on = models.DateField(_("Opens on"))
    self_assessment_due = models.DateField(_("Self-assessment due"))
    review_due = models.DateField(_("Review due"))
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    excellent_from = models.DecimalField(_("Excellent from"), max_digits=5, decimal_places=2, default=90)
    qualified_from = models.DecimalField(_("Qualified from"), max_digits=5, decimal_places=2, default=75)
    rectify_from = models.DecimalField(_("Rectify from"), max_digits=5, decimal_places=2, default=60)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Assessment cycle")
        verbose_name_plural = _("Assessment cycles")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__lte=F("self_assessment_due")) & Q(self_assessment_due__lte=F("review_due")),
                name="cycle_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(excellent_from__gte=F("qualified_from")) & Q(qualified_from__gte=F("rectify_from"))
                & Q(rectify_from__gte=0) & Q(excellent_from__lte=100),
                name="cycle_thresholds_ordered",
            ),
        ]

    def __str__(self):
        return self.title


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        DECIDED = "decided", _("Decided")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        QUALIFIED = "qualified", _("Qualified")
        RECTIFY = "rectify", _("Rectify within a time limit")
        UNQUALIFIED = "unqualified", _("Unqualified")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assessments")
    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    self_scores = models.JSONField(_("Self-assessment scores"), default=dict, blank=True)
    self_narratives = models.JSONField(_("Self-assessment narratives"), default=dict, blank=True)
    computed_metrics = models.JSONField(_("Computed figures"), default=dict, blank=True)
    figures = models.JSONField(
        _("Figures of the bound indicators"), default=dict, blank=True,
        help_text="The bound metrics' values for the assessed period and the scores they give (assessments/"
                  "prefill.py); recomputed while the self-assessment is a draft, frozen when it is submitted.")
    score_reasons = models.JSONField(_("Reasons for changing a computed score"), default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(_("Reason for returning"), blank=True)
    times_returned = models.PositiveSmallIntegerField(default=0)
    final_score = models.DecimalField(_("Final score"), max_digits=5, decimal_places=2, null=True, blank=True)
    veto_failed = models.BooleanField(_("Failed a veto indicator"), null=True, blank=True)
    working = models.JSONField(_("Working"), default=list, blank=True)
    grade = models.CharField(_("Grade"), max_length=20, choices=Grade.choices, blank=True)
    decision_note = models.TextField(_("Decision note"), blank=True)
    rectify_by = models.DateField(_("Rectify by"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Assessment")
        verbose_name_plural = _("Assessments")
        ordering = ["cycle_id", "alliance__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "alliance"], name="assessment_one_per_alliance_and_cycle"),
            models.CheckConstraint(condition=~Q(grade="rectify") | Q(rectify_by__isnull=False),
                                   name="assessment_rectify_has_deadline"),
            models.CheckConstraint(condition=Q(published_at__isnull=True) | Q(status="decided"),
                                   name="assessment_published_only_when_decided"),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.alliance}"


class Evidence(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    indicator_code = models.CharField(_("Indicator"), max_length=30)
    title = models.CharField(_("Title"), max_length=200)
    file = models.FileField(
        _("File"), upload_to="assessment-evidence/%Y/",
        validators=[FileExtensionValidator(settings.DOCUMENT_EXTENSIONS), validate_upload_size],
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Evidence")
        verbose_name_plural = _("Evidence")
        ordering = ["indicator_code", "id"]


class Review(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Submitted")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    declared_no_conflict = models.BooleanField(_("Declared no conflict of interest"), default=False)
    scores = models.JSONField(_("Scores"), default=dict, blank=True)
    comments = models.JSONField(_("Comments per indicator"), default=dict, blank=True)
    comment = models.TextField(_("Overall comment"), blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Expert review")
        verbose_name_plural = _("Expert reviews")
        ordering = ["assessment_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "expert"], name="review_one_per_expert"),
            models.CheckConstraint(condition=Q(status="assigned") | Q(declared_no_conflict=True),
                                   name="review_submitted_declared_no_conflict"),
        ]


class RectificationItem(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rectification_items")
    text = models.TextField(_("Item"))
    due_on = models.DateField(_("Due on"))
    done_at = models.DateTimeField(_("Done at"), null=True, blank=True)
    done_note = models.TextField(_("What was done"), blank=True)

    class Meta:
        verbose_name = _("Rectification item")
        verbose_name_plural = _("Rectification items")
        ordering = ["due_on", "id"]


class Report(models.Model):
    """A generated report file (PDF or Excel), built by Celery and cached until its data changes."""

    class Kind(models.TextChoices):
        ASSESSMENT_PDF = "assessment_pdf", _("Assessment report (PDF)")
        CITY_PDF = "city_pdf", _("City comparison (PDF)")
        CITY_XLSX = "city_xlsx", _("City comparison (Excel)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("Type"), max_length=20, choices=Kind.choices)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    data_hash = models.CharField(max_length=64, help_text="Digest of the data the file was built from.")
    language = models.CharField(_("Language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("Progress"), default=0)
    file = models.FileField(_("File"), upload_to="reports/%Y/", blank=True)
    error = models.TextField(_("Error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Report")
        verbose_name_plural = _("Reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="assessment_pdf", assessment__isnull=False, cycle__isnull=True)
                           | Q(kind__in=["city_pdf", "city_xlsx"], assessment__isnull=True, cycle__isnull=False)),
                name="report_subject_matches_kind",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_percent"),
        ]


class WarningRule(models.Model):
    """An early-warning rule's threshold and level, as data (assessments/early_warnings.py has the rules;
    one row per rule, created by the migration with the defaults and edited in the admin)."""

    class Level(models.TextChoices):
        NOTICE = "notice", pgettext_lazy("early warning", "Notice")
        WARNING = "warning", pgettext_lazy("early warning", "Warning")
        SERIOUS = "serious", pgettext_lazy("early warning", "Serious")

    code = models.CharField(_("Rule"), max_length=40, unique=True)
    threshold = models.DecimalField(pgettext_lazy("early warning", "Threshold"), max_digits=12, decimal_places=2)
    level = models.CharField(_("Level"), max_length=10, choices=Level.choices, default=Level.WARNING)
    enabled = models.BooleanField(_("Enabled"), default=True)

    class Meta:
        verbose_name = _("Early-warning rule")
        verbose_name_plural = _("Early-warning rules")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(threshold__gte=0), name="warning_threshold_not_negative")]

    def __str__(self):
        return self.code


class EarlyWarning(models.Model):
    """A rule an alliance meets, from the day it was first found (`since`) until the day it no longer is
    (`ended_on`). At most one open warning per alliance and rule; the nightly check updates its value."""

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.CASCADE, related_name="early_warnings")
    rule = models.CharField(_("Rule"), max_length=40)
    level = models.CharField(_("Level"), max_length=10, choices=WarningRule.Level.choices)
    value = models.DecimalField(_("Value"), max_digits=12, decimal_places=2)
    threshold = models.DecimalField(pgettext_lazy("early warning", "Threshold"), max_digits=12, decimal_places=2)
    since = models.DateField(_("Since"))
    checked_on = models.DateField(_("Last checked"))
    ended_on = models.DateField(_("Ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("Early warning")
        verbose_name_plural = _("Early warnings")
        ordering = ["alliance_id", "rule", "-since"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "rule"], condition=Q(ended_on__isnull=True),
                                    name="one_open_warning_per_rule"),
        ]

    def __str__(self):
        return f"{self.alliance_id}:{self.rule}"


# The annual cycle (assessments/annual/): a work plan by 31 January, a construction self-assessment report by
# 31 December (the 2023 notice on the national batch).


class AnnualSubmission(models.Model):
    """What an alliance submits once a year: edited while a draft, submitted once, then it stays as submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.PROTECT, related_name="%(class)ss",
                                 verbose_name=_("Alliance"))
    year = models.PositiveSmallIntegerField(_("Year"))
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("Submitted at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-year", "alliance_id"]

    def __str__(self):
        return f"{self.alliance_id}:{self.year}"


class AnnualPlan(AnnualSubmission):
    """An alliance's work plan for a year (年度工作计划): targets per metric and the council's tasks and the
    cooperation projects that carry them."""

    summary = models.TextField(_("Goals and measures of the year"), blank=True)
    tasks = models.ManyToManyField("governance.Task", blank=True, related_name="+", verbose_name=_("Tasks"))
    projects = models.ManyToManyField("cooperation.Project", blank=True, related_name="+",
                                      verbose_name=_("Cooperation projects"))

    class Meta(AnnualSubmission.Meta):
        verbose_name = _("Annual work plan")
        verbose_name_plural = _("Annual work plans")
        constraints = [
            models.UniqueConstraint(fields=["alliance", "year"], name="annual_plan_one_per_year"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="annual_plan_year_range"),
            models.CheckConstraint(condition=Q(status="draft") | Q(submitted_at__isnull=False),
                                   name="annual_plan_submitted_has_time"),
        ]


class PlanTarget(models.Model):
    """A target of the plan: the value a metric of the registry should reach over the year."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("Metric"), max_length=60)
    target = models.DecimalField(_("Target"), max_digits=16, decimal_places=2)
    weight = models.DecimalField(_("Weight"), max_digits=6, decimal_places=2, default=1)
    note = models.CharField(_("Note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Target of the plan")
        verbose_name_plural = _("Targets of the plan")
        ordering = ["plan_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "metric"], name="plan_target_one_per_metric"),
            models.CheckConstraint(condition=Q(target__gt=0) & Q(weight__gt=0), name="plan_target_positive"),
        ]

    def __str__(self):
        return f"{self.plan_id}:{self.metric}"


class AnnualReport(AnnualSubmission):
    """An alliance's construction self-assessment report for a year (年度建设自评报告): the figures come from the
    records, the narratives are written by the secretariat. Submitting freezes the data and keeps the PDF."""

    narratives = models.JSONField(_("Narratives"), default=dict, blank=True)
    data = models.JSONField(_("Data as submitted"), default=dict, blank=True,
                            help_text="What the report showed when it was submitted (frozen).")
    file = models.FileField(_("File"), upload_to="annual-reports/%Y/", blank=True)

    class Meta(AnnualSubmission.Meta):
        verbose_name = _("Annual construction self-assessment report")
        verbose_name_plural = _("Annual construction self-assessment reports")
        constraints = [
            models.UniqueConstraint(fields=["alliance", "year"], name="annual_report_one_per_year"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100),
                                   name="annual_report_year_range"),
            models.CheckConstraint(condition=Q(status="draft") | Q(submitted_at__isnull=False),
                                   name="annual_report_submitted_has_time"),
        ]
