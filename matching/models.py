"""Matching of majors and industry (COOPERATION.md, "Measures computed from the records"; seed 000 §5.4.6).

- `Sector`: a city's key industrial chain (scheme `chain`, one per `alliance.IndustrialChain`, kept in step by
  a signal) or one of the 20 sections A–T of GB/T 4754-2017 (scheme `gbt4754`, no city, shipped by a data
  migration).
- `SectorMapping`: the share of a major category's (or a single major's) graduates that goes to a sector, set
  by the city's official per scheme; the shares of one category (or major) in one scheme add up to 1. Where a
  city set none, the default of `matching/defaults.py` applies.
- `IndustryFigure`: the city's value added (yuan) and jobs per sector and year, entered by the official or
  imported from the statistical yearbook's table.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cooperation.catalogue import validate_major_category, validate_major_code
from kernel.names import BilingualName

MIN_YEAR, MAX_YEAR = 2000, 2100
SCHEMES = ("chain", "gbt4754")
MAX_VALUE_ADDED = Decimal("1e17")  # yuan: far beyond any city's GDP


class Scheme(models.TextChoices):
    CHAIN = "chain", _("Key industrial chains of the city")
    GBT4754 = "gbt4754", _("Sections of GB/T 4754-2017")


class Sector(BilingualName, models.Model):
    scheme = models.CharField(_("Scheme"), max_length=10, choices=Scheme.choices)
    city = models.ForeignKey("alliance.City", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("City"))
    chain = models.OneToOneField("alliance.IndustrialChain", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="sector", verbose_name=_("Industrial chain"))
    code = models.CharField(_("Code"), max_length=20)
    name = models.CharField(_("Name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("industry", "Sector")
        verbose_name_plural = _("Sectors")
        ordering = ["scheme", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(scheme__in=SCHEMES), name="sector_scheme_valid"),
            models.CheckConstraint(
                condition=Q(scheme="chain", city__isnull=False, chain__isnull=False)
                | Q(scheme="gbt4754", city__isnull=True, chain__isnull=True),
                name="sector_city_fits_scheme"),
            models.UniqueConstraint(fields=["code"], condition=Q(city__isnull=True), name="sector_unique_gbt_code"),
            models.UniqueConstraint(fields=["city", "code"], name="sector_unique_code_per_city"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class SectorMapping(models.Model):
    city = models.ForeignKey("alliance.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("City"))
    scheme = models.CharField(_("Scheme"), max_length=10, choices=Scheme.choices)
    major_category = models.CharField(_("Major category"), max_length=2, validators=[validate_major_category])
    major_code = models.CharField(_("Major code"), max_length=6, blank=True, validators=[validate_major_code],
                                  help_text=_("Empty for the whole category; a single major's mapping overrides "
                                              "its category's."))
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="mappings", verbose_name=pgettext_lazy("industry", "Sector"))
    share = models.DecimalField(_("Share"), max_digits=7, decimal_places=6,
                                validators=[MinValueValidator(Decimal("0.000001")), MaxValueValidator(Decimal(1))])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Mapping of majors to sectors")
        verbose_name_plural = _("Mappings of majors to sectors")
        ordering = ["city", "scheme", "major_category", "major_code", "sector__code"]
        constraints = [
            models.CheckConstraint(condition=Q(scheme__in=SCHEMES), name="mapping_scheme_valid"),
            models.CheckConstraint(condition=Q(share__gt=0, share__lte=1), name="mapping_share_in_range"),
            models.CheckConstraint(condition=Q(major_code="") | Q(major_code__startswith=models.F("major_category")),
                                   name="mapping_code_in_category"),
            models.UniqueConstraint(fields=["city", "scheme", "major_category", "major_code", "sector"],
                                    name="mapping_unique_sector"),
        ]
        indexes = [models.Index(fields=["city", "scheme"], name="mapping_city_scheme")]

    def __str__(self):
        return f"{self.major_code or self.major_category} → {self.sector}: {self.share}"


class IndustryFigure(models.Model):
    city = models.ForeignKey("alliance.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("City"))
    year = models.PositiveSmallIntegerField(
        _("Year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)])
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="figures", verbose_name=pgettext_lazy("industry", "Sector"))
    value_added = models.DecimalField(_("Value added (yuan)"), max_digits=20, decimal_places=2,
                                      validators=[MinValueValidator(0), MaxValueValidator(MAX_VALUE_ADDED)])
    jobs = models.PositiveIntegerField(_("Jobs"), validators=[MaxValueValidator(100_000_000)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Industry figure")
        verbose_name_plural = _("Industry figures")
        ordering = ["city", "-year", "sector__scheme", "sector__code"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="figure_year_range"),
            models.CheckConstraint(condition=Q(value_added__gte=0), name="figure_value_added_not_negative"),
            models.UniqueConstraint(fields=["city", "year", "sector"], name="figure_unique_sector_year"),
        ]
        indexes = [models.Index(fields=["city", "year"], name="figure_city_year")]

    def __str__(self):
        return f"{self.sector} {self.year}"


class CouplingIndicator(models.Model):
    """An indicator of one subsystem of the coupling coordination, chosen per city (where a city chose none, the
    defaults of COOPERATION.md apply: matching/indicators.py)."""

    class Subsystem(models.TextChoices):
        EDUCATION = "education", _("Education (U1)")
        INDUSTRY = "industry", _("Industry (U2)")

    city = models.ForeignKey("alliance.City", on_delete=models.CASCADE, related_name="+", verbose_name=_("City"))
    subsystem = models.CharField(_("Subsystem"), max_length=10, choices=Subsystem.choices)
    key = models.CharField(_("Indicator"), max_length=40)

    class Meta:
        verbose_name = _("Coupling indicator")
        verbose_name_plural = _("Coupling indicators")
        ordering = ["city", "subsystem", "key"]
        constraints = [
            models.CheckConstraint(condition=Q(subsystem__in=("education", "industry")),
                                   name="coupling_indicator_subsystem_valid"),
            models.UniqueConstraint(fields=["city", "subsystem", "key"], name="coupling_indicator_unique"),
        ]

    def __str__(self):
        return self.key
