"""The matching's demo (called by config/demo.py after cooperation's): Zibo's industry figures for the last three
years (value added and jobs per GB/T section and per key chain), and the demo schools' majors with enrolment and
graduates for the two years before the current one (the current year's are cooperation's), in all three
alliances, so the matching pages show numbers on the first visit. Synthetic figures of a plausible size (Zibo's
GDP is some 4,600 亿元); loaded once."""

from decimal import Decimal

from django.utils import timezone

from alliance.demo import DemoCore
from cooperation.models import Offer
from matching.models import IndustryFigure, Scheme, Sector
from matching.services import gbt_sections_ensure
from members.demo import synthetic_uscc
from members.models import Organization

YI = Decimal("100000000")
# GB/T section -> (value added in 亿元, jobs in persons) of the first of the three years.
SECTIONS = {"A": (180, 210_000), "B": (95, 42_000), "C": (1650, 620_000), "D": (160, 28_000), "E": (230, 150_000),
            "F": (420, 260_000), "G": (230, 98_000), "H": (70, 65_000), "I": (120, 36_000), "J": (260, 30_000),
            "K": (260, 25_000), "L": (120, 55_000), "M": (90, 32_000), "N": (40, 18_000), "O": (60, 40_000),
            "P": (150, 70_000), "Q": (120, 60_000), "R": (25, 12_000), "S": (170, 80_000), "T": (0, 0)}
# Key chain (its name) -> (value added in 亿元, jobs, yearly growth in per cent).
CHAINS = {"新材料": (520, 160_000, 6), "电子信息": (180, 52_000, 11), "高端装备": (300, 98_000, 5),
          "智能制造": (210, 64_000, 9), "医药健康": (190, 47_000, 7), "精细化工": (450, 120_000, 2)}
# (alliance attribute of DemoCore, unit key, major code, title, enrolment, graduates) of the current year.
MAJORS = [
    ("high_tech", "zibo_vc", "460301", "机电一体化技术专业", 180, 160),
    ("high_tech", "zibo_vc", "460103", "数控技术专业", 120, 110),
    ("high_tech", "zibo_vc", "510203", "软件技术专业", 150, 140),
    ("high_tech", "zibo_vc", "530302", "大数据与会计专业", 200, 190),
    ("high_tech", "light_industry", "430601", "材料工程技术专业", 100, 90),
    ("high_tech", "light_industry", "470201", "应用化工技术专业", 80, 75),
    ("high_tech", "industrial_vc", "460103", "数控技术专业", 130, 120),
    ("high_tech", "industrial_vc", "460301", "机电一体化技术专业", 100, 95),
    ("electronic", "light_industry", "510203", "软件技术专业", 120, 100),
    ("electronic", "light_industry", "510101", "电子信息工程技术专业", 90, 85),
    ("new_material", "industrial_vc", "430601", "材料工程技术专业", 110, 100),
    ("new_material", "industrial_vc", "470201", "应用化工技术专业", 70, 66),
]
# Per year back: enrolment and graduates as a share of the current year's, varied by major.
BACK = {1: ("0.92", "0.95"), 2: ("0.85", "0.88")}


def _figures(city, year: int) -> None:
    sections = {sector.code: sector for sector in Sector.objects.filter(scheme=Scheme.GBT4754, city__isnull=True)}
    chains = {sector.name.removesuffix("产业链"): sector for sector in Sector.objects.filter(city=city)}
    first = year - 2
    for offset in range(3):
        growth = Decimal(1) + Decimal("0.045") * offset
        for code, (value, jobs) in SECTIONS.items():
            bend = Decimal(1) + Decimal(ord(code) % 5 - 2) / 100 * offset
            IndustryFigure.objects.get_or_create(city=city, year=first + offset, sector=sections[code], defaults={
                "value_added": (Decimal(value) * YI * growth * bend).quantize(Decimal("0.01")),
                "jobs": int(jobs * (1 + 0.01 * offset))})
        for name, (value, jobs, percent) in CHAINS.items():
            if name in chains:
                rate = (Decimal(1) + Decimal(percent) / 100) ** offset
                IndustryFigure.objects.get_or_create(city=city, year=first + offset, sector=chains[name], defaults={
                    "value_added": (Decimal(value) * YI * rate).quantize(Decimal("0.01")),
                    "jobs": int(jobs * (1 + percent / 200 * offset))})


def _majors(core: DemoCore, year: int) -> None:
    now = timezone.now()
    units = {unit.uscc: unit for unit in Organization.objects.filter(
        uscc__in=[synthetic_uscc(key) for _a, key, *_rest in MAJORS])}
    for index, (attribute, key, code, title, enrolment, graduates) in enumerate(MAJORS):
        alliance, unit = getattr(core, attribute), units.get(synthetic_uscc(key))
        if unit is None:
            continue
        for back in (0, 1, 2):
            if back == 0 and attribute == "high_tech":
                continue  # cooperation's demo posts the high-tech alliance's majors of the current year
            if Offer.objects.filter(alliance=alliance, organization=unit, kind=Offer.Kind.MAJOR, major_code=code,
                                    year=year - back).exists():
                continue
            scale_e, scale_g = (Decimal(1), Decimal(1)) if back == 0 else (Decimal(s) for s in BACK[back])
            wobble = Decimal(index % 3 - 1) / 50 * back
            # Demo rows are written directly, as the other demo loaders write theirs: the units of the two smaller
            # alliances have no contact in the demo to post them.
            offer = Offer(alliance=alliance, organization=unit, kind="major", title=title, major_code=code,
                          year=year - back, visibility="public", published_at=now,
                          enrolment=int(enrolment * (scale_e + wobble)), graduates=int(graduates * (scale_g - wobble)))
            offer.full_clean()
            offer.save()


def load_matching_demo(core: DemoCore) -> bool:
    year = timezone.localdate().year
    if IndustryFigure.objects.filter(city=core.city).exists():
        return False
    gbt_sections_ensure()
    _figures(core.city, year)
    _majors(core, year)
    return True
