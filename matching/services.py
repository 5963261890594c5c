"""Writes of the matching's data: the chains' sectors (kept in step with the cities' chains), the mapping of
majors to sectors and the industry figures (the city's official). Each in one transaction, audited."""

from decimal import Decimal

from auditlog.context import set_actor
from django.db import transaction
from django.utils.translation import gettext as _

from cooperation.catalogue import CATEGORY_NAMES
from kernel.errors import DomainError, NotAllowed, full_clean_or_raise
from matching.defaults import GBT4754_SECTIONS
from matching.models import IndustryFigure, Scheme, Sector, SectorMapping
from matching.permissions import can_manage_city

FIGURE_FIELDS = ("value_added", "jobs")


def chain_sector_sync(sender, instance, **kwargs) -> None:
    """A city's key industrial chain is a sector of the `chain` scheme (connected to IndustrialChain's post_save
    in MatchingConfig.ready())."""
    Sector.objects.update_or_create(chain=instance, defaults={
        "scheme": Scheme.CHAIN, "city_id": instance.city_id, "code": f"chain-{instance.pk}", "name": instance.name,
        "name_en": instance.name_en})


def gbt_sections_ensure() -> None:
    """The 20 GB/T sections (shipped by a data migration; again after a database flush, as tests do)."""
    for code, name, name_en in GBT4754_SECTIONS:
        Sector.objects.get_or_create(city=None, code=code, scheme=Scheme.GBT4754,
                                     defaults={"name": name, "name_en": name_en})


def _require_official(actor, city_id: int) -> None:
    if not can_manage_city(actor, city_id):
        raise NotAllowed(_("Only an official of the city enters its industry figures and mappings."))


def _check_sector(sector: Sector, city_id: int, field: str = "sector") -> None:
    if sector.city_id is not None and sector.city_id != city_id:
        raise DomainError(_("Choose a GB/T section or one of the city's own chains."), field=field,
                          code="sector_city")


@transaction.atomic
def mapping_set(*, city, scheme: str, major_category: str, major_code: str = "",
                shares: list[tuple[Sector, Decimal]], actor) -> list[SectorMapping]:
    """Replace the mapping of one major category (or one major of it) in one scheme by `shares`, which must add
    up to exactly 1; an empty list returns the category to the default mapping."""
    _require_official(actor, city.pk)
    if major_category not in CATEGORY_NAMES:
        raise DomainError(_("Unknown major category “%(category)s”: the categories are 41 to 59.")
                          % {"category": major_category}, field="major_category", code="major_category")
    if major_code and not major_code.startswith(major_category):
        raise DomainError(_("The major code must begin with its category's two digits."), field="major_code",
                          code="major_code_category")
    seen = set()
    for sector, share in shares:
        _check_sector(sector, city.pk, "shares")
        if sector.scheme != scheme:
            raise DomainError(_("Every sector must be of the chosen scheme."), field="shares", code="sector_scheme")
        if sector.pk in seen:
            raise DomainError(_("A sector appears twice."), field="shares", code="sector_twice")
        if not Decimal(0) < share <= 1:
            raise DomainError(_("Each share is more than 0 and at most 1."), field="shares", code="share_range")
        seen.add(sector.pk)
    if shares and sum((share for _sector, share in shares), Decimal(0)) != 1:
        raise DomainError(_("The shares of a category must add up to 1 (they add up to %(total)s).")
                          % {"total": sum((share for _sector, share in shares), Decimal(0))}, field="shares",
                          code="shares_sum")
    with set_actor(actor):
        for row in SectorMapping.objects.select_for_update().filter(
                city=city, scheme=scheme, major_category=major_category, major_code=major_code):
            row.delete()
        created = []
        for sector, share in shares:
            row = SectorMapping(city=city, scheme=scheme, major_category=major_category, major_code=major_code,
                                sector=sector, share=share, updated_by=actor)
            full_clean_or_raise(row)
            row.save()
            created.append(row)
    return created


def _check_figure_fields(fields: dict) -> None:
    unknown = set(fields) - set(FIGURE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


@transaction.atomic
def figure_create(*, city, year: int, sector: Sector, value_added: Decimal, jobs: int, actor) -> IndustryFigure:
    _require_official(actor, city.pk)
    _check_sector(sector, city.pk)
    if IndustryFigure.objects.filter(city=city, year=year, sector=sector).exists():
        raise DomainError(_("The city already has figures for this sector and year: change them instead."),
                          field="sector", code="figure_exists")
    figure = IndustryFigure(city=city, year=year, sector=sector, value_added=value_added, jobs=jobs,
                            updated_by=actor)
    full_clean_or_raise(figure)
    with set_actor(actor):
        figure.save()
    return figure


@transaction.atomic
def figure_update(*, figure: IndustryFigure, actor, **fields) -> IndustryFigure:
    _require_official(actor, figure.city_id)
    _check_figure_fields(fields)
    figure = IndustryFigure.objects.select_for_update().get(pk=figure.pk)
    for name, value in fields.items():
        setattr(figure, name, value)
    figure.updated_by = actor
    full_clean_or_raise(figure)
    with set_actor(actor):
        figure.save()
    return figure


@transaction.atomic
def figure_delete(*, figure: IndustryFigure, actor) -> None:
    _require_official(actor, figure.city_id)
    with set_actor(actor):
        figure.delete()


@transaction.atomic
def figures_import(*, city, rows: list[dict], actor) -> dict:
    """Enter or replace the figures of `rows` ({"year", "sector", "value_added", "jobs"}, already checked by the
    reader): all of them or, at the first refusal, none. Answers {"created", "updated"}."""
    _require_official(actor, city.pk)
    created = updated = 0
    existing = {(figure.year, figure.sector_id): figure for figure in IndustryFigure.objects.select_for_update()
                .filter(city=city, year__in={row["year"] for row in rows})}
    with set_actor(actor):
        for row in rows:
            _check_sector(row["sector"], city.pk)
            figure = existing.get((row["year"], row["sector"].pk))
            if figure is None:
                figure = IndustryFigure(city=city, year=row["year"], sector=row["sector"])
                created += 1
            else:
                updated += 1
            figure.value_added, figure.jobs, figure.updated_by = row["value_added"], row["jobs"], actor
            full_clean_or_raise(figure)
            figure.save()
            existing[(row["year"], row["sector"].pk)] = figure
    return {"created": created, "updated": updated}
