"""The matching of an alliance (over its years) and of a city (over its alliances): reads the records in a fixed
number of queries, whatever the number of alliances, years and majors, and hands plain data to
`matching.measures`. Answers plain dicts with decimal strings of six places, as the API reports them; the pages
render the same dicts.
"""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from alliance.models import Alliance
from cooperation.selectors import major_supply, needs_posted
from kernel.names import display_name
from matching import measures
from matching.defaults import GBT4754_DEFAULT, default_chain_mapping
from matching.indicators import EDUCATION, INDUSTRY, LABELS, RECORDED, chosen
from matching.measures import Reason, six
from matching.models import CouplingIndicator, IndustryFigure, Scheme, Sector, SectorMapping

BASES = ("graduates", "enrolment")
WEIGHTS = ("value_added", "jobs")
# Alliances that are gone take no part in a city's comparison.
GONE = (Alliance.Status.WITHDRAWN, Alliance.Status.REVOKED)


def _reason(reason: Reason | None) -> dict | None:
    return None if reason is None else {"code": reason.code, "message": str(reason.message)}


class Mapping:
    """The effective mapping of a city in one scheme: a major's own rows, else its category's rows, else the
    default."""

    def __init__(self, city_id: int, scheme: str, sectors: list[Sector]):
        stored_categories, self.majors = defaultdict(list), defaultdict(list)
        for row in SectorMapping.objects.filter(city_id=city_id, scheme=scheme).order_by("id"):
            target = self.majors[row.major_code] if row.major_code else stored_categories[row.major_category]
            target.append((row.sector_id, row.share))
        if scheme == Scheme.GBT4754:
            by_code = {sector.code: sector.pk for sector in sectors}
            default = {category: [(by_code[code], Decimal(share)) for code, share in shares if code in by_code]
                       for category, shares in GBT4754_DEFAULT.items()}
        else:
            chains = [(sector.pk, sector.name) for sector in sectors]
            default = {category: default_chain_mapping(category, chains) for category in GBT4754_DEFAULT}
        self.categories = {category: stored_categories.get(category) or default.get(category, [])
                           for category in GBT4754_DEFAULT}
        self.customised = set(stored_categories) | {code[:2] for code in self.majors}

    def shares_of(self, major_code: str, category: str) -> list[tuple[int, Decimal]]:
        return self.majors.get(major_code) or self.categories.get(category, [])


def _distribute(rows, mapping: Mapping, basis: str):
    """Supply per (key, sector) and what no sector takes, per key; `rows` are (key, row) pairs."""
    supply, unmapped, mapped_totals = defaultdict(Decimal), defaultdict(int), defaultdict(lambda: defaultdict(int))
    for key, row in rows:
        amount = row[basis] or 0
        shares = mapping.shares_of(row["major_code"], row["major_category"])
        if not shares:
            unmapped[key] += amount
            continue
        for field in BASES:
            mapped_totals[key][field] += row[field] or 0
        for sector_id, share in shares:
            supply[(key, sector_id)] += amount * share
    return supply, unmapped, mapped_totals


def _figures(city_id: int, sector_ids) -> dict:
    """{(year, sector id): {"value_added", "jobs"}} of the city."""
    return {(figure.year, figure.sector_id): {"value_added": figure.value_added, "jobs": figure.jobs}
            for figure in IndustryFigure.objects.filter(city_id=city_id, sector_id__in=sector_ids)}


def _structure_answer(sectors, supply_of, industry_of, language) -> dict:
    keys = [sector.pk for sector in sectors]
    result = measures.structure(keys, supply_of, industry_of)
    names = {sector.pk: sector for sector in sectors}
    rows = [{"code": names[row.key].code, "name": display_name(names[row.key], language),
             "supply_share": six(row.supply_share), "industry_share": six(row.industry_share),
             "deviation": six(row.deviation), "reason": _reason(row.reason)} for row in result.sectors]
    return {"sectors": rows, "mean_abs_deviation": six(result.mean_abs_deviation),
            "similarity": six(result.similarity), "reason": _reason(result.reason)}


def _coupling_row(row) -> dict:
    return {"u1": six(row.u1), "u2": six(row.u2), "c": six(row.c), "t": six(row.t), "d": six(row.d),
            "grade": row.grade, "grade_code": row.grade_code, "grade_label": str(measures.GRADE_LABELS[
                row.grade_code - 1]), "reason": _reason(row.reason)}


def _working(result: measures.Coupling, object_labels: list[str], indicators: dict) -> dict | None:
    not_recorded = [{"key": key, "label": str(LABELS[key])}
                    for subsystem in (EDUCATION, INDUSTRY) for key in indicators[subsystem] if key not in RECORDED]
    if result.education is None:
        return {"objects": object_labels, "not_recorded": not_recorded, "education": None, "industry": None}

    def subsystem(working: measures.Subsystem) -> dict:
        return {"indicators": [{"key": key, "label": str(LABELS[key]), "entropy": six(e), "weight": six(w)}
                               for key, e, w in zip(working.indicators, working.entropies, working.weights,
                                                    strict=True)],
                "normalised": [[six(value) for value in values] for values in working.normalised],
                "index": [six(value) for value in working.index]}

    return {"objects": object_labels, "not_recorded": not_recorded, "education": subsystem(result.education),
            "industry": subsystem(result.industry)}


def _indicators(city_id: int) -> dict:
    return chosen(list(CouplingIndicator.objects.filter(city_id=city_id).values_list("subsystem", "key")))


def _talent(needs_rows) -> dict:
    headcount = sum(row["talent_headcount"] for row in needs_rows)
    filled = sum(row["talent_filled"] for row in needs_rows)
    share = measures.shares({"filled": filled, "open": headcount - filled}) if headcount else None
    return {"headcount": headcount, "filled": filled, "filled_share": six(share["filled"]) if share else None,
            "graduates_placed_local_share": None}


class CityReads:
    """What the matching of an alliance reads of its city, once for all the city's alliances: the key chains as
    sectors, the mapping of majors to them, the city's figures for them, the coupling's indicators."""

    def __init__(self, city_id: int):
        self.sectors = list(Sector.objects.filter(city_id=city_id, scheme=Scheme.CHAIN).order_by("code"))
        self.mapping = Mapping(city_id, Scheme.CHAIN, self.sectors)
        self.figures = _figures(city_id, [sector.pk for sector in self.sectors])
        self.indicators = _indicators(city_id)


def alliance_matching(alliance: Alliance, *, year: int | None = None, basis: str = "graduates",
                      weight: str = "value_added", language: str = "zh-hans") -> dict:
    """The structure of the alliance's supply against the city's chains in `year`, and the coupling over the
    alliance's years with data (at least two), with the working."""
    served = set(alliance.chains.values_list("sector__id", flat=True)) - {None}
    return _alliance_answer(CityReads(alliance.city_id), major_supply([alliance.pk]), needs_posted([alliance.pk]),
                            served, year=year, basis=basis, weight=weight, language=language)


def _alliance_answer(city: CityReads, offer_rows, needs_rows, served: set, *, year: int | None, basis: str,
                     weight: str, language: str) -> dict:
    """alliance_matching from what it reads: the alliance's offered majors and needs posted (its rows only), the
    sectors of the chains it serves (all the city's when none)."""
    sectors, figures = city.sectors, city.figures
    supply, unmapped, mapped_totals = _distribute(((row["year"], row) for row in offer_rows), city.mapping, basis)
    served = served or {s.pk for s in sectors}
    needs = {row["year"]: row for row in needs_rows}

    industry_years = {y for (y, _sector), values in figures.items() if values["value_added"] or values["jobs"]}
    years = sorted(y for y in industry_years if any(mapped_totals[y].values()))
    if year is None:
        year = years[-1] if years else max(industry_years, default=timezone.localdate().year)

    answer = {"year": year, "basis": basis, "weight": weight, "years": years,
              "unmapped_supply": unmapped.get(year, 0)}
    answer.update(_structure_answer(
        sectors, {sector.pk: supply.get((year, sector.pk), 0) for sector in sectors},
        {sector.pk: figures.get((year, sector.pk), {}).get(weight, 0) for sector in sectors}, language))

    indicators = city.indicators
    education = {key: {y: mapped_totals[y][key] for y in years} for key in indicators[EDUCATION]
                 if key in RECORDED}
    industry = {}
    for key in indicators[INDUSTRY]:
        if key in WEIGHTS:
            industry[key] = {y: sum((figures.get((y, sector_id), {}).get(key, 0) for sector_id in served),
                                    Decimal(0)) for y in years}
        elif key in RECORDED:
            industry[key] = {y: needs.get(y, {}).get(key, 0) for y in years}
    result = measures.coupling(years, education, industry)
    row = result.row_of(year)
    answer["coupling"] = _coupling_row(row) if row else None
    answer["coupling_reason"] = _reason(result.reason or (None if row else Reason("object_missing")))
    answer["coupling_trend"] = [{"year": y, **_coupling_row(r)} for y, r in zip(years, result.rows, strict=False)]
    answer["working"] = _working(result, [str(y) for y in years], indicators)
    answer["talent"] = _talent([row for y, row in needs.items() if y == year])
    return answer


def city_matching(city, *, year: int | None = None, basis: str = "graduates", weight: str = "value_added",
                  language: str = "zh-hans") -> dict:
    """The city's supply (its alliances' majors, a unit's major counted once) against its GB/T sections in
    `year`, and each alliance compared with the others: its structure against the chains, and the coupling with
    the city's alliances of that year as the compared objects."""
    alliances = list(Alliance.objects.filter(city=city).exclude(status__in=GONE).order_by("name")
                     .prefetch_related("chains"))
    sections = list(Sector.objects.filter(city__isnull=True, scheme=Scheme.GBT4754).order_by("code"))
    chains = list(Sector.objects.filter(city=city, scheme=Scheme.CHAIN).order_by("code"))
    chain_of = {sector.chain_id: sector.pk for sector in chains}
    figures = _figures(city.pk, [sector.pk for sector in sections + chains])
    offer_rows = major_supply([alliance.pk for alliance in alliances])
    needs = {(row["alliance_id"], row["year"]): row for row in needs_posted([alliance.pk for alliance in alliances])}

    if year is None:
        figure_years = {y for (y, _sector) in figures}
        year = max(figure_years, default=timezone.localdate().year)
    # The city's supply: a unit offering the same major in several alliances counts once.
    unique = {}
    for row in offer_rows:
        if row["year"] == year:
            key = (row["organization_id"], row["major_code"])
            if key not in unique or (row[basis] or 0) > (unique[key][basis] or 0):
                unique[key] = row
    city_supply, city_unmapped, _totals = _distribute(((year, row) for row in unique.values()),
                                                      Mapping(city.pk, Scheme.GBT4754, sections), basis)
    answer = {"year": year, "basis": basis, "weight": weight, "unmapped_supply": city_unmapped.get(year, 0)}
    answer.update(_structure_answer(
        sections, {sector.pk: city_supply.get((year, sector.pk), 0) for sector in sections},
        {sector.pk: figures.get((year, sector.pk), {}).get(weight, 0) for sector in sections}, language))

    supply, _unmapped, mapped_totals = _distribute(
        ((row["alliance_id"], row) for row in offer_rows if row["year"] == year),
        Mapping(city.pk, Scheme.CHAIN, chains), basis)
    compared = [alliance for alliance in alliances if any(mapped_totals[alliance.pk].values())]
    indicators = _indicators(city.pk)
    education = {key: {a.pk: mapped_totals[a.pk][key] for a in compared} for key in indicators[EDUCATION]
                 if key in RECORDED}
    industry = {}
    for key in indicators[INDUSTRY]:
        if key in WEIGHTS:
            industry[key] = {}
            for alliance in compared:
                served = {chain_of[c.pk] for c in alliance.chains.all() if c.pk in chain_of} or set(chain_of.values())
                industry[key][alliance.pk] = sum((figures.get((year, s), {}).get(key, 0) for s in served), Decimal(0))
        elif key in RECORDED:
            industry[key] = {a.pk: needs.get((a.pk, year), {}).get(key, 0) for a in compared}
    result = measures.coupling([a.pk for a in compared], education, industry)

    rows = []
    for alliance in alliances:
        structure = _structure_answer(
            chains, {s.pk: supply.get((alliance.pk, s.pk), 0) for s in chains},
            {s.pk: figures.get((year, s.pk), {}).get(weight, 0) for s in chains}, language)
        row = result.row_of(alliance.pk)
        rows.append({"id": alliance.pk, "name": display_name(alliance, language),
                     "mean_abs_deviation": structure["mean_abs_deviation"], "similarity": structure["similarity"],
                     "coupling": _coupling_row(row) if row else None,
                     "reason": structure["reason"] or (None if row else _reason(
                         result.reason or Reason("object_missing")))})
    answer["coupling"] = None
    answer["coupling_reason"] = _reason(result.reason)
    answer["alliances"] = rows
    answer["working"] = _working(result, [display_name(a, language) for a in compared], indicators)
    return answer


def alliance_metrics(alliance: Alliance, year: int) -> dict:
    """The alliance's matching figures of a year, for the metric registry of the assessments (framework leaf B1):
    `mean_abs_deviation`, `similarity`, `coupling_d` and `talent_filled_share` as decimals of six places, None
    where the data cannot support one (the matching's reason is on its page)."""
    return _metrics_of(alliance_matching(alliance, year=year))


def alliances_metrics(alliances, year: int) -> dict[int, dict]:
    """{alliance id: alliance_metrics(alliance, year)} for many alliances at once: the supply, the needs and the
    chains served of all of them in four queries, and four for each of their cities."""
    alliances = list(alliances)
    ids = [alliance.pk for alliance in alliances]
    cities = {city_id: CityReads(city_id) for city_id in {alliance.city_id for alliance in alliances}}
    supply, needs, served = defaultdict(list), defaultdict(list), defaultdict(set)
    for row in major_supply(ids):
        supply[row["alliance_id"]].append(row)
    for row in needs_posted(ids):
        needs[row["alliance_id"]].append(row)
    for alliance_id, sector_id in Alliance.chains.through.objects.filter(
            alliance_id__in=ids, industrialchain__sector__isnull=False).values_list(
            "alliance_id", "industrialchain__sector__id"):
        served[alliance_id].add(sector_id)
    return {alliance.pk: _metrics_of(_alliance_answer(
        cities[alliance.city_id], supply[alliance.pk], needs[alliance.pk], served[alliance.pk], year=year,
        basis="graduates", weight="value_added", language="zh-hans")) for alliance in alliances}


def _metrics_of(result: dict) -> dict:
    values = {"mean_abs_deviation": result["mean_abs_deviation"], "similarity": result["similarity"],
              "coupling_d": result["coupling"]["d"] if result["coupling"] else None,
              "talent_filled_share": result["talent"]["filled_share"]}
    return {key: None if value is None else Decimal(value) for key, value in values.items()}
