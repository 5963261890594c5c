"""The Zibo demo's core (shared/API.md): the city, its park and key industrial chains, and the three
alliances seed 000 §3 names. Idempotent. Their lead units and members are the members demo's."""

import datetime
from dataclasses import dataclass

from alliance.models import Alliance, AllianceStatusChange, City, IndustrialChain, Park

ZIBO_CHAINS = [
    ("新材料", "New materials"), ("电子信息", "Electronic information"), ("高端装备", "High-end equipment"),
    ("智能制造", "Intelligent manufacturing"), ("医药健康", "Medicine and health"), ("精细化工", "Fine chemicals"),
]

HIGH_TECH = "淄博高新技术产业开发区市域产教联合体"
ELECTRONIC = "淄博电子信息产教联合体"
NEW_MATERIAL = "淄博鲁中新材料产教联合体"
FOUNDED = datetime.date(2023, 5, 18)


@dataclass(frozen=True)
class DemoCore:
    city: City
    park: Park
    high_tech: Alliance
    electronic: Alliance
    new_material: Alliance


def _alliance(*, name, name_en, city, park, level, batch, chains, founded_on) -> Alliance:
    alliance, created = Alliance.objects.get_or_create(
        name=name,
        defaults={
            "name_en": name_en, "city": city, "park": park, "level": level,
            "level_batch": batch, "level_notice": "山东省首批市域产教联合体", "status": Alliance.Status.ESTABLISHED,
            "entity_form": "理事会领导下的秘书处实体化运作", "founded_on": founded_on, "is_demo": True,
        },
    )
    if created:
        alliance.chains.set(chains)
        AllianceStatusChange.objects.create(
            alliance=alliance, from_status="", to_status=Alliance.Status.ESTABLISHED, actor=None,
            reason="演示数据：2023年入选山东省首批市域产教联合体",
        )
    return alliance


def load_core_demo() -> DemoCore:
    city, _ = City.objects.get_or_create(name="淄博市", defaults={"name_en": "Zibo", "province": "山东省"})
    park, _ = Park.objects.get_or_create(
        city=city, name="淄博高新技术产业开发区", defaults={"name_en": "Zibo National High-tech Industrial Development Zone"}
    )
    chains = {
        name: IndustrialChain.objects.get_or_create(city=city, name=f"{name}产业链", defaults={"name_en": en})[0]
        for name, en in ZIBO_CHAINS
    }
    high_tech = _alliance(
        name=HIGH_TECH, name_en="Zibo National High-tech Industrial Development Zone Industry-Education Alliance",
        city=city, park=park, level=Alliance.Level.PROVINCIAL, batch="山东省第一批",
        chains=[chains["新材料"], chains["高端装备"], chains["智能制造"]], founded_on=FOUNDED,
    )
    electronic = _alliance(
        name=ELECTRONIC, name_en="Zibo Electronic Information Industry-Education Alliance", city=city,
        park=None, level=Alliance.Level.PROVINCIAL, batch="山东省第一批",
        chains=[chains["电子信息"]], founded_on=datetime.date(2023, 6, 1),
    )
    new_material = _alliance(
        name=NEW_MATERIAL, name_en="Zibo Lu Zhong New Material Industry-Education Alliance", city=city,
        park=None, level=Alliance.Level.PROVINCIAL, batch="山东省第一批",
        chains=[chains["新材料"], chains["精细化工"]], founded_on=datetime.date(2023, 6, 1),
    )
    return DemoCore(city=city, park=park, high_tech=high_tech, electronic=electronic, new_material=new_material)
