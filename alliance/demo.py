"""The Zibo demo (shared/API.md): idempotent, so running it twice changes nothing.

Seed 000 §3 names Zibo's three provincial alliances and their lead schools, and
§4.2 the composition of the High-tech Zone alliance (8 government agencies, 15
research institutions, 44 enterprises, 5 industry associations, 8 higher-education
institutions, 11 secondary vocational schools). Units the seeds do not name are
synthetic, flagged ``is_demo``; every credit code here is synthetic too.
"""

import datetime
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alliance.models import Alliance, AllianceStatusChange, City, IndustrialChain, Park
from governance.models import Body, Seat
from members.models import Contact, Membership, Organization, RoleGrant
from members.uscc import ALPHABET, make_uscc

ZIBO_CHAINS = [
    ("新材料", "New materials"), ("电子信息", "Electronic information"), ("高端装备", "High-end equipment"),
    ("智能制造", "Intelligent manufacturing"), ("医药健康", "Medicine and health"), ("精细化工", "Fine chemicals"),
]

HIGH_TECH = "淄博高新技术产业开发区市域产教联合体"
SEED_FRAMEWORK = Path(__file__).resolve().parent.parent / "assessments" / "data" / "seed_000.json"
FOUNDED = datetime.date(2023, 5, 18)

# (name, english name, type, size, named by the seeds)
NAMED_UNITS = {
    "zibo_vc": ("淄博职业学院", "Zibo Vocational College", "higher_vocational", "", True),
    "light_industry": ("山东轻工职业学院", "Shandong Vocational College of Light Industry", "higher_vocational", "", True),
    "industrial_vc": ("山东工业职业学院", "Shandong Industrial Vocational College", "higher_vocational", "", True),
    "sino_german": ("淄博中德智能技术学校", "Zibo Sino-German Intelligent Technology School", "secondary_vocational", "", True),
    "xinjing": ("淄博新景职业学校", "Zibo Xinjing Vocational School", "secondary_vocational", "", True),
    "park_admin": ("淄博高新技术产业开发区管理委员会", "Zibo National High-tech Zone Administrative Committee", "park", "", False),
    "lead_enterprise": ("淄博高新智造集团有限公司（演示）", "Zibo High-tech Smart Manufacturing Group (demo)", "enterprise", "large", False),
}

COMPOSITION = [
    # (type, how many, Chinese stem, English stem)
    ("government", 7, "淄博市政府部门", "Zibo government agency"),
    ("research_institute", 15, "淄博高新区研究院", "Zibo High-tech research institute"),
    ("enterprise", 43, "淄博高新区示范企业", "Zibo High-tech enterprise"),
    ("industry_association", 5, "淄博市行业协会", "Zibo industry association"),
    ("higher_vocational", 5, "淄博高等院校", "Zibo higher-education institution"),
    ("secondary_vocational", 9, "淄博中等职业学校", "Zibo secondary vocational school"),
]
ENTERPRISE_SIZES = ["large", "medium", "small", "micro"]


def synthetic_uscc(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()
    body = "".join(ALPHABET[b % 31] for b in digest[:8])
    return make_uscc("913703" + "00" + body + "0")


def _organization(key, name, name_en, org_type, size, city, is_demo) -> Organization:
    organization, _created = Organization.objects.get_or_create(
        uscc=synthetic_uscc(key),
        defaults={"name": name, "name_en": name_en, "type": org_type, "size": size, "city": city, "is_demo": is_demo},
    )
    return organization


def _alliance(*, name, name_en, city, park, lead_school, level, batch, chains, founded_on) -> Alliance:
    alliance, created = Alliance.objects.get_or_create(
        name=name,
        defaults={
            "name_en": name_en, "city": city, "park": park, "lead_school": lead_school, "level": level,
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


def _member(alliance, organization, role=Membership.Role.MEMBER, joined_on=FOUNDED) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        alliance=alliance, organization=organization, status=Membership.Status.ACTIVE,
        defaults={"role": role, "applied_on": joined_on, "joined_on": joined_on},
    )
    return membership


def _user(username: str, full_name: str, email_domain="demo.invalid"):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "email": f"{username}@{email_domain}"}
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_demo() -> dict:
    city, _ = City.objects.get_or_create(name="淄博市", defaults={"name_en": "Zibo", "province": "山东省"})
    park, _ = Park.objects.get_or_create(
        city=city, name="淄博高新技术产业开发区", defaults={"name_en": "Zibo National High-tech Industrial Development Zone"}
    )
    chains = {
        name: IndustrialChain.objects.get_or_create(city=city, name=f"{name}产业链", defaults={"name_en": en})[0]
        for name, en in ZIBO_CHAINS
    }
    units = {
        key: _organization(key, name, name_en, org_type, size, city, not named)
        for key, (name, name_en, org_type, size, named) in NAMED_UNITS.items()
    }

    high_tech = _alliance(
        name=HIGH_TECH, name_en="Zibo National High-tech Industrial Development Zone Industry-Education Alliance",
        city=city, park=park, lead_school=units["zibo_vc"], level=Alliance.Level.PROVINCIAL, batch="山东省第一批",
        chains=[chains["新材料"], chains["高端装备"], chains["智能制造"]], founded_on=FOUNDED,
    )
    if high_tech.lead_enterprise_id is None:
        Alliance.objects.filter(pk=high_tech.pk).update(
            lead_enterprise=units["lead_enterprise"], lead_park_admin=units["park_admin"]
        )
    electronic = _alliance(
        name="淄博电子信息产教联合体", name_en="Zibo Electronic Information Industry-Education Alliance", city=city,
        park=None, lead_school=units["light_industry"], level=Alliance.Level.PROVINCIAL, batch="山东省第一批",
        chains=[chains["电子信息"]], founded_on=datetime.date(2023, 6, 1),
    )
    new_material = _alliance(
        name="淄博鲁中新材料产教联合体", name_en="Zibo Lu Zhong New Material Industry-Education Alliance", city=city,
        park=None, lead_school=units["industrial_vc"], level=Alliance.Level.PROVINCIAL, batch="山东省第一批",
        chains=[chains["新材料"], chains["精细化工"]], founded_on=datetime.date(2023, 6, 1),
    )

    members = [units[key] for key in ("park_admin", "zibo_vc", "lead_enterprise", "light_industry", "industrial_vc",
                                      "sino_german", "xinjing")]
    for org_type, count, stem, stem_en in COMPOSITION:
        for number in range(1, count + 1):
            key = f"{org_type}-{number}"
            members.append(_organization(
                key, f"{stem}{number:02d}（演示）", f"{stem_en} {number:02d} (demo)", org_type,
                ENTERPRISE_SIZES[number % 4] if org_type == "enterprise" else "", city, True,
            ))
    enterprises = [m for m in members if m.type == "enterprise" and m.pk != units["lead_enterprise"].pk]
    seat_units = [
        (units["park_admin"], Seat.Office.CHAIR), (units["zibo_vc"], Seat.Office.VICE_CHAIR),
        (units["lead_enterprise"], Seat.Office.VICE_CHAIR), (enterprises[0], Seat.Office.STANDING_DIRECTOR),
        (enterprises[1], Seat.Office.DIRECTOR), (units["sino_german"], Seat.Office.DIRECTOR),
        (next(m for m in members if m.type == "research_institute"), Seat.Office.DIRECTOR),
        (next(m for m in members if m.type == "industry_association"), Seat.Office.DIRECTOR),
        (units["light_industry"], Seat.Office.DIRECTOR),
    ]
    # A seat's office gives its unit the matching membership role (chair unit, vice-chair unit ...).
    role_of = {organization.pk: office for organization, office in seat_units}
    for organization in members:
        _member(high_tech, organization, role_of.get(organization.pk, Membership.Role.MEMBER))
    for alliance, lead in ((electronic, units["light_industry"]), (new_material, units["industrial_vc"])):
        _member(alliance, lead, Membership.Role.CHAIR)
        _member(alliance, units["lead_enterprise"], Membership.Role.DIRECTOR)

    official = _user("official", "王主任（市教育局）")
    RoleGrant.objects.get_or_create(user=official, role=RoleGrant.Role.OFFICIAL, city=city)
    secretariat = _user("secretariat", "李秘书（联合体秘书处）")
    RoleGrant.objects.get_or_create(user=secretariat, role=RoleGrant.Role.SECRETARIAT, alliance=high_tech)

    council, _ = Body.objects.get_or_create(
        alliance=high_tech, name="理事会", defaults={"kind": Body.Kind.COUNCIL, "quorum_fraction": "2/3"}
    )
    Body.objects.get_or_create(alliance=high_tech, name="秘书处", defaults={"kind": Body.Kind.SECRETARIAT})
    for number, (organization, office) in enumerate(seat_units, start=1):
        director = _user(f"director{number}", f"理事{number}（{organization.name}）")
        Seat.objects.get_or_create(
            body=council, user=director, organization=organization,
            defaults={"office": office, "term_start": FOUNDED},
        )
        Contact.objects.get_or_create(user=director, organization=organization)

    contact = _user("contact", "张经理（成员企业）")
    Contact.objects.get_or_create(user=contact, organization=enterprises[2], defaults={"title": "人力资源部经理"})
    for number in range(1, 4):
        expert = _user(f"expert{number}", f"评审专家{number}")
        RoleGrant.objects.get_or_create(user=expert, role=RoleGrant.Role.EXPERT, city=city)
    load_seed_framework()
    return {"alliances": Alliance.objects.count(), "organizations": Organization.objects.count()}


def load_seed_framework():
    """The indicator framework built from seed 000 §5.4, published, for any city to use."""
    from assessments.frameworks import create_from_data
    from assessments.models import Framework

    data = json.loads(SEED_FRAMEWORK.read_text(encoding="utf-8"))
    framework = Framework.objects.filter(name=data["name"], version=data["version"]).first()
    if framework is None:
        framework = create_from_data(data, actor=None, version=data["version"])
        Framework.objects.filter(pk=framework.pk).update(status=Framework.Status.PUBLISHED,
                                                        published_at=timezone.now())
    return framework


DEMO_LOGINS = [
    ("official", "municipal official, Zibo"),
    ("secretariat", "secretariat of the Zibo National High-tech Zone alliance"),
    ("director1 … director9", "council of that alliance (director1 is the chair)"),
    ("contact", "contact of a member enterprise"),
    ("expert1 … expert3", "expert reviewers"),
]
