"""The Zibo demo's units (shared/API.md): the High-tech Zone alliance with the composition seed 000 §4.2
gives (8 government agencies, 15 research institutions, 44 enterprises, 5 industry associations, 8
higher-education institutions, 11 secondary vocational schools: 91 active units), the lead units of the
three alliances, and the official, secretariat, contact and expert users. Units the seeds do not name are
synthetic, flagged ``is_demo``; every credit code here is synthetic too. Idempotent."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from alliance.demo import FOUNDED, DemoCore
from alliance.models import Alliance
from members.models import Contact, Membership, Organization, RoleGrant
from members.uscc import ALPHABET, make_uscc

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


def _member(alliance, organization, role=Membership.Role.MEMBER, joined_on=FOUNDED) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        alliance=alliance, organization=organization, status=Membership.Status.ACTIVE,
        defaults={"role": role, "applied_on": joined_on, "joined_on": joined_on},
    )
    return membership


def demo_user(username: str, full_name: str, email_domain="demo.invalid"):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "email": f"{username}@{email_domain}"}
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@dataclass(frozen=True)
class DemoMembers:
    # The High-tech Zone alliance's council units in seat order, with their membership role.
    council_units: list[tuple[Organization, str]]


def load_members_demo(core: DemoCore) -> DemoMembers:
    units = {
        key: _organization(key, name, name_en, org_type, size, core.city, not named)
        for key, (name, name_en, org_type, size, named) in NAMED_UNITS.items()
    }
    leads = {core.high_tech: units["zibo_vc"], core.electronic: units["light_industry"],
             core.new_material: units["industrial_vc"]}
    for alliance, school in leads.items():
        Alliance.objects.filter(pk=alliance.pk, lead_school__isnull=True).update(lead_school=school)
    Alliance.objects.filter(pk=core.high_tech.pk, lead_enterprise__isnull=True).update(
        lead_enterprise=units["lead_enterprise"], lead_park_admin=units["park_admin"]
    )

    members = [units[key] for key in ("park_admin", "zibo_vc", "lead_enterprise", "light_industry", "industrial_vc",
                                      "sino_german", "xinjing")]
    for org_type, count, stem, stem_en in COMPOSITION:
        for number in range(1, count + 1):
            key = f"{org_type}-{number}"
            members.append(_organization(
                key, f"{stem}{number:02d}（演示）", f"{stem_en} {number:02d} (demo)", org_type,
                ENTERPRISE_SIZES[number % 4] if org_type == "enterprise" else "", core.city, True,
            ))
    enterprises = [m for m in members if m.type == "enterprise" and m.pk != units["lead_enterprise"].pk]
    role = Membership.Role
    council_units = [
        (units["park_admin"], role.CHAIR), (units["zibo_vc"], role.VICE_CHAIR),
        (units["lead_enterprise"], role.VICE_CHAIR), (enterprises[0], role.STANDING_DIRECTOR),
        (enterprises[1], role.DIRECTOR), (units["sino_german"], role.DIRECTOR),
        (next(m for m in members if m.type == "research_institute"), role.DIRECTOR),
        (next(m for m in members if m.type == "industry_association"), role.DIRECTOR),
        (units["light_industry"], role.DIRECTOR),
    ]
    role_of = {organization.pk: unit_role for organization, unit_role in council_units}
    for organization in members:
        _member(core.high_tech, organization, role_of.get(organization.pk, role.MEMBER))
    for alliance, lead in ((core.electronic, units["light_industry"]), (core.new_material, units["industrial_vc"])):
        _member(alliance, lead, role.CHAIR)
        _member(alliance, units["lead_enterprise"], role.DIRECTOR)

    official = demo_user("official", "王主任（市教育局）")
    RoleGrant.objects.get_or_create(user=official, role=RoleGrant.Role.OFFICIAL, city=core.city)
    secretariat = demo_user("secretariat", "李秘书（联合体秘书处）")
    RoleGrant.objects.get_or_create(user=secretariat, role=RoleGrant.Role.SECRETARIAT, alliance=core.high_tech)
    contact = demo_user("contact", "张经理（成员企业）")
    Contact.objects.get_or_create(user=contact, organization=enterprises[2], defaults={"title": "人力资源部经理"})
    for number in range(1, 4):
        expert = demo_user(f"expert{number}", f"评审专家{number}")
        RoleGrant.objects.get_or_create(user=expert, role=RoleGrant.Role.EXPERT, city=core.city)
    return DemoMembers(council_units=council_units)
