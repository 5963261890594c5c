"""What ships as data: the 20 sections A–T of GB/T 4754-2017 (国民经济行业分类), and the default mapping of the
19 higher vocational major categories to sectors, used where a city's official has set none.

To the GB/T sections each category goes by the industries its majors are trained for (e.g. 51 电子与信息 to
I, software and IT services, and C, manufacturing of electronics). To a city's key chains, which every city
names its own way, a category goes in equal parts to the chains whose name has one of its keywords (46
装备制造 to chains named 装备, 制造, 机械 …); a category no chain's name fits maps to no chain, and its graduates
are reported as supply outside the chains.
"""

from decimal import ROUND_DOWN, Decimal

GBT4754_SECTIONS = [
    ("A", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"),
    ("B", "采矿业", "Mining"),
    ("C", "制造业", "Manufacturing"),
    ("D", "电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water production and supply"),
    ("E", "建筑业", "Construction"),
    ("F", "批发和零售业", "Wholesale and retail trade"),
    ("G", "交通运输、仓储和邮政业", "Transport, storage and postal services"),
    ("H", "住宿和餐饮业", "Accommodation and catering"),
    ("I", "信息传输、软件和信息技术服务业", "Information transmission, software and IT services"),
    ("J", "金融业", "Finance"),
    ("K", "房地产业", "Real estate"),
    ("L", "租赁和商务服务业", "Leasing and business services"),
    ("M", "科学研究和技术服务业", "Scientific research and technical services"),
    ("N", "水利、环境和公共设施管理业", "Water conservancy, environment and public facilities management"),
    ("O", "居民服务、修理和其他服务业", "Resident services, repair and other services"),
    ("P", "教育", "Education"),
    ("Q", "卫生和社会工作", "Health and social work"),
    ("R", "文化、体育和娱乐业", "Culture, sports and entertainment"),
    ("S", "公共管理、社会保障和社会组织", "Public administration, social security and social organisations"),
    ("T", "国际组织", "International organisations"),
]

# major category -> [(GB/T section, share)]; each list adds up to 1.
GBT4754_DEFAULT = {
    "41": [("A", "1")],
    "42": [("B", "0.5"), ("N", "0.5")],
    "43": [("C", "0.5"), ("D", "0.5")],
    "44": [("E", "0.8"), ("K", "0.2")],
    "45": [("N", "0.6"), ("E", "0.4")],
    "46": [("C", "1")],
    "47": [("C", "1")],
    "48": [("C", "1")],
    "49": [("C", "1")],
    "50": [("G", "1")],
    "51": [("I", "0.6"), ("C", "0.4")],
    "52": [("Q", "1")],
    "53": [("F", "0.5"), ("J", "0.3"), ("L", "0.2")],
    "54": [("H", "0.6"), ("L", "0.4")],
    "55": [("R", "1")],
    "56": [("R", "0.6"), ("I", "0.4")],
    "57": [("P", "0.8"), ("R", "0.2")],
    "58": [("S", "1")],
    "59": [("S", "0.6"), ("O", "0.4")],
}

# major category -> keywords of the chains it serves.
CHAIN_KEYWORDS = {
    "41": ("农", "林", "牧", "渔", "种业"),
    "42": ("环保", "节能", "安全", "资源", "矿"),
    "43": ("材料", "能源", "电力", "冶金", "储能"),
    "44": ("建筑", "建材"),
    "45": ("水利", "水务"),
    "46": ("装备", "制造", "机械", "汽车", "机器人"),
    "47": ("化工", "生物"),
    "48": ("轻工", "纺织", "陶瓷", "服装", "家居"),
    "49": ("食品", "医药", "粮"),
    "50": ("交通", "物流", "轨道"),
    "51": ("电子", "信息", "数字", "软件", "集成电路", "人工智能"),
    "52": ("医药", "医疗", "健康"),
    "53": ("商贸", "金融", "电商", "物流"),
    "54": ("旅游", "文旅"),
    "55": ("文化", "创意"),
    "56": ("传媒", "文化"),
    "57": ("教育", "体育"),
    "58": (),
    "59": ("养老", "家政", "公共服务"),
}

SIX_PLACES = Decimal("0.000001")


def equal_shares(count: int) -> list[Decimal]:
    """`count` shares of six places that add up to exactly 1 (the last takes the remainder)."""
    if count <= 0:
        return []
    each = (Decimal(1) / count).quantize(SIX_PLACES, rounding=ROUND_DOWN)
    return [each] * (count - 1) + [Decimal(1) - each * (count - 1)]


def default_chain_mapping(category: str, chains: list[tuple[int, str]]) -> list[tuple[int, Decimal]]:
    """[(sector id, share)] of a category over a city's chain sectors [(sector id, chain name)]."""
    keywords = CHAIN_KEYWORDS.get(category, ())
    fitting = [sector_id for sector_id, name in chains if any(word in name for word in keywords)]
    return list(zip(fitting, equal_shares(len(fitting)), strict=True))
