"""Issue 12's benchmark (step 8 of `make bench`): the matching of majors and industry for a city of 150
alliances over five years.

Builds, in bulk, a city with eight key chains, 150 alliances (each serving two or three chains) whose 450
schools offer four majors each for five years (9,000 major offers), and the city's figures for the 20 GB/T
sections and the eight chains for those years; then times, in-process, the city's comparison
(`matching.compute.city_matching`: 150 alliances compared by the entropy method) and one alliance's matching
over its five years (`alliance_matching`), the median of several runs, with the query count of one run.
Aim (issue 12): the city's matching within 2 s.
"""

import random
import statistics
import time
from decimal import Decimal

CITY = "基准匹配市"
N_ALLIANCES = 150
SCHOOLS_PER_ALLIANCE = 3
MAJORS_PER_SCHOOL = 4
YEARS = 5
RUNS = 5
AIM_SECONDS = 2.0
CHAINS = ["新材料", "电子信息", "高端装备", "智能制造", "医药健康", "精细化工", "现代物流", "文化旅游"]
MAJORS = ["460301", "460103", "510203", "510202", "430601", "470201", "520201", "530302", "530701", "500301",
          "540101", "490101"]


def build(seed: int = 20251201) -> dict:
    """The city and its records (once: a second call finds them)."""
    from django.db import transaction

    from alliance.models import Alliance, City, IndustrialChain
    from bench.run import uscc_for
    from cooperation.models import Offer
    from matching.models import IndustryFigure, Sector
    from members.models import Organization

    city, created = City.objects.get_or_create(name=CITY, defaults={"name_en": "Bench matching city"})
    if not created and Alliance.objects.filter(city=city).exists():
        return {"city": city}
    rng = random.Random(seed)
    with transaction.atomic():
        chains = [IndustrialChain.objects.create(city=city, name=name) for name in CHAINS]  # sectors by the signal
        alliances = Alliance.objects.bulk_create(
            Alliance(name=f"{CITY}产教联合体{n:03d}", city=city, status="established") for n in range(N_ALLIANCES))
        through = Alliance.chains.through
        through.objects.bulk_create(through(alliance_id=a.pk, industrialchain_id=chain.pk)
                                    for a in alliances for chain in rng.sample(chains, rng.choice((2, 3))))
        schools = Organization.objects.bulk_create(
            Organization(name=f"{CITY}职业学院{n:04d}", uscc=uscc_for(900_000 + n, "higher_vocational", "370399"),
                         type="higher_vocational", city=city)
            for n in range(N_ALLIANCES * SCHOOLS_PER_ALLIANCE))
        this_year = 2025
        offers = []
        for index, alliance in enumerate(alliances):
            for school in schools[index * SCHOOLS_PER_ALLIANCE:(index + 1) * SCHOOLS_PER_ALLIANCE]:
                for code in rng.sample(MAJORS, MAJORS_PER_SCHOOL):
                    size = rng.randint(40, 300)
                    for back in range(YEARS):
                        enrolment = int(size * (1 + rng.uniform(-0.15, 0.1)))
                        offers.append(Offer(alliance=alliance, organization=school, kind="major", title=code,
                                            major_code=code, major_category=code[:2], year=this_year - back,
                                            enrolment=enrolment, graduates=int(enrolment * rng.uniform(0.8, 0.98))))
        Offer.objects.bulk_create(offers, batch_size=2000)
        sectors = list(Sector.objects.filter(city__isnull=True)) + list(Sector.objects.filter(city=city))
        IndustryFigure.objects.bulk_create(
            IndustryFigure(city=city, year=this_year - back, sector=sector,
                           value_added=Decimal(rng.randint(10, 2000)) * Decimal("100000000"),
                           jobs=rng.randint(5_000, 600_000))
            for sector in sectors for back in range(YEARS) if sector.code != "T")
    return {"city": city, "offers": len(offers)}


def _timed(call) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    counted = len(queries)
    durations = []
    for _run in range(RUNS):
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), counted


def run_step() -> list[str]:
    from alliance.models import Alliance
    from matching.compute import alliance_matching, city_matching

    built = build()
    city = built["city"]
    alliance = Alliance.objects.filter(city=city).order_by("id").first()
    city_seconds, city_queries = _timed(lambda: city_matching(city))
    alliance_seconds, alliance_queries = _timed(lambda: alliance_matching(alliance))
    result = city_matching(city)
    compared = sum(1 for row in result["alliances"] if row["coupling"])
    met = city_seconds <= AIM_SECONDS
    return [
        "## Matching of majors and industry (issue 12)",
        "",
        f"A city of {N_ALLIANCES} alliances, {N_ALLIANCES * SCHOOLS_PER_ALLIANCE} schools, "
        f"{N_ALLIANCES * SCHOOLS_PER_ALLIANCE * MAJORS_PER_SCHOOL * YEARS:,} major offers over {YEARS} years, "
        f"figures for 20 GB/T sections and {len(CHAINS)} chains; in-process, median of {RUNS} runs.",
        "",
        "| computation | median s | queries |",
        "|---|---:|---:|",
        f"| city comparison ({compared} alliances compared) | {city_seconds:.3f} | {city_queries} |",
        f"| one alliance over {YEARS} years | {alliance_seconds:.3f} | {alliance_queries} |",
        "",
        f"Aim (issue 12): the city's matching within {AIM_SECONDS:.0f} s. {'Met' if met else '**Not met**'}.",
    ]
