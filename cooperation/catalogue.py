"""The 19 major categories of higher vocational education in the national vocational education major
catalogue (职业教育专业目录, 2021), and the check of a major code against them.

A higher vocational major's code is six digits whose first two name its category (41 … 59); the
rest name its class and the major within it. Codes are checked by their category only: the
catalogue's majors change every year or two, its categories have not changed since 2021.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# (code, Chinese name, English name)
MAJOR_CATEGORIES = [
    ("41", "农林牧渔大类", "Agriculture, forestry, animal husbandry and fishery"),
    ("42", "资源环境与安全大类", "Resources, environment and safety"),
    ("43", "能源动力与材料大类", "Energy, power and materials"),
    ("44", "土木建筑大类", "Civil engineering and architecture"),
    ("45", "水利大类", "Water conservancy"),
    ("46", "装备制造大类", "Equipment manufacturing"),
    ("47", "生物与化工大类", "Biology and chemical engineering"),
    ("48", "轻工纺织大类", "Light industry and textiles"),
    ("49", "食品药品与粮食大类", "Food, drugs and grain"),
    ("50", "交通运输大类", "Transport"),
    ("51", "电子与信息大类", "Electronics and information"),
    ("52", "医药卫生大类", "Medicine and health"),
    ("53", "财经商贸大类", "Finance, economics and trade"),
    ("54", "旅游大类", "Tourism"),
    ("55", "文化艺术大类", "Culture and art"),
    ("56", "新闻传播大类", "Journalism and communication"),
    ("57", "教育与体育大类", "Education and sports"),
    ("58", "公安与司法大类", "Public security and justice"),
    ("59", "公共管理与服务大类", "Public administration and services"),
]
CATEGORY_NAMES = {code: (zh, en) for code, zh, en in MAJOR_CATEGORIES}
MAJOR_CODE = re.compile(r"^\d{6}$")


def category_of(major_code: str) -> str:
    """The two digits that name the category of a six-digit major code ("" for anything else)."""
    return major_code[:2] if major_code and MAJOR_CODE.match(major_code) else ""


def category_name(code: str, language: str = "zh-hans") -> str:
    zh, en = CATEGORY_NAMES.get(code, ("", ""))
    return en if language.startswith("en") else zh


def category_choices(language: str = "zh-hans") -> list[tuple[str, str]]:
    return [(code, f"{code} {category_name(code, language)}") for code, _zh, _en in MAJOR_CATEGORIES]


def validate_major_code(value: str) -> None:
    if not MAJOR_CODE.match(value or ""):
        raise ValidationError(
            _("A major code is six digits, e.g. 460301 (see the 2021 vocational education major catalogue)."),
            code="major_code_format",
        )
    if value[:2] not in CATEGORY_NAMES:
        raise ValidationError(
            _("Unknown major category “%(category)s”: a higher vocational major code begins with a category "
              "from 41 to 59 (e.g. 46 for equipment manufacturing)."),
            code="major_category", params={"category": value[:2]},
        )


def validate_major_category(value: str) -> None:
    if value not in CATEGORY_NAMES:
        raise ValidationError(
            _("Unknown major category “%(category)s”: the categories are 41 to 59."),
            code="major_category", params={"category": value},
        )
