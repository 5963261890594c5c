"""The cooperation part of the national data set (`make bench`, issue "Cooperation I"): 30,000 list entries
and offers over the 150 alliances, loaded with COPY with the rest, and the list endpoints that step 3 times.

- 6,000 core products, 9,000 technology needs and 9,000 talent needs of the alliances' active member
  enterprises, and 6,000 offers of their schools and research institutes (about 200 entries per alliance);
- about 70 % published, 60 % marked public, statuses mixed as the lists age; 6,000 responses of schools to
  technology needs.

The endpoints: `GET /api/v1/{technology-needs,talent-needs,products,offers}/` anonymous and as the city's
official (knox token), each against the floor measured in the same run (aim: within 2×), and the
technology needs' page for the count of its queries.
"""

import datetime

N_PRODUCTS = 6_000
N_TECHNOLOGY = 9_000
N_TALENT = 9_000
N_OFFERS = 6_000
N_RESPONSES = 6_000
AIM = 2.0

TOPICS = ["陶瓷基板", "碳化硅膜", "聚氨酯", "谐波减速器", "加工中心", "提升机", "电机控制器", "医用导管", "光伏玻璃",
          "边缘计算网关", "隧道窑", "齿轮箱", "数字孪生", "焊接机器人", "锂电正极", "视觉检测", "碳排放", "增材制造"]
PROBLEMS = ["烧结变形控制", "缺陷在线检测", "耐低温改性", "疲劳寿命测试", "热变形补偿", "故障预测", "散热结构设计",
            "表面涂层工艺", "镀膜均匀性", "多协议采集", "燃烧节能", "降噪", "产线仿真", "离线编程", "气氛控制"]
POSITIONS = [("数控机床操作工", "460103"), ("机电设备维修技术员", "460301"), ("化工工艺操作员", "470201"),
             ("软件开发工程师", "510203"), ("网络运维员", "510202"), ("会计", "530302"), ("材料检测员", "430601"),
             ("护理员", "520201"), ("电子商务专员", "530701"), ("质量检验员", "460301")]
TECH_STATUSES = [("open", 60), ("matched", 15), ("contracted", 5), ("solved", 10), ("closed", 10)]
TALENT_STATUSES = [("open", 75), ("filled", 15), ("closed", 10)]
OFFER_KINDS = [("major", 50), ("training", 20), ("expert_service", 20), ("facility", 10)]
SCHOOLS = ("secondary_vocational", "higher_vocational", "vocational_undergraduate", "undergraduate",
           "research_institute")


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def load(copy, rng, now, *, alliances, memberships, organizations, chains_per_city: int) -> dict:
    """COPY the entries; answers their counts. `copy` is bench.run's Copier."""
    from cooperation.models import CoreProduct, Offer, Response, TalentNeed, TechnologyNeed

    org_type = {o["id"]: o["type"] for o in organizations}
    enterprises, schools = {}, {}
    for m in memberships:
        if m["status"] == "active":
            kind = org_type[m["organization_id"]]
            if kind == "enterprise":
                enterprises.setdefault(m["alliance_id"], []).append(m["organization_id"])
            elif kind in SCHOOLS:
                schools.setdefault(m["alliance_id"], []).append(m["organization_id"])
    posting = [a for a in alliances if a["id"] in enterprises and a["id"] in schools]
    year = now.year

    def common(alliance, unit, index):
        published = rng.random() < 0.7
        return {"id": index + 1, "alliance_id": alliance["id"], "organization_id": unit,
                "visibility": "public" if rng.random() < 0.6 else "alliance",
                "year": rng.choice((year - 1, year, year)),
                "published_at": now - datetime.timedelta(days=rng.randint(0, 300)) if published else None,
                "chain_id": (alliance["city_id"] - 1) * chains_per_city + rng.randint(1, chains_per_city),
                "created_at": now, "updated_at": now}

    def pick(pool_by_alliance):
        alliance = rng.choice(posting)
        return alliance, rng.choice(pool_by_alliance[alliance["id"]])

    counts = {}
    products = []
    for index in range(N_PRODUCTS):
        alliance, unit = pick(enterprises)
        row = common(alliance, unit, index)
        row.update(name=f"{rng.choice(TOPICS)}产品{index:05d}", description="基准数据：核心产品。",
                   key_technologies=rng.choice(PROBLEMS),
                   status="published" if row["published_at"] else rng.choice(("draft", "draft", "closed")))
        products.append(row)
    counts["core products"] = copy(CoreProduct, products)

    needs = []
    for index in range(N_TECHNOLOGY):
        alliance, unit = pick(enterprises)
        row = common(alliance, unit, index)
        low = rng.randint(5, 50) * 10_000
        row.update(title=f"{rng.choice(TOPICS)}{rng.choice(PROBLEMS)}{index:05d}",
                   description=f"基准数据：{rng.choice(TOPICS)}的{rng.choice(PROBLEMS)}问题。", form="joint_rd",
                   budget_min=low, budget_max=low * 2, status=_weighted(rng, TECH_STATUSES))
        needs.append(row)
    counts["technology needs"] = copy(TechnologyNeed, needs)

    talent = []
    for index in range(N_TALENT):
        alliance, unit = pick(enterprises)
        row = common(alliance, unit, index)
        position, code = rng.choice(POSITIONS)
        headcount = rng.randint(1, 20)
        status = _weighted(rng, TALENT_STATUSES)
        row.update(position=position, major_code=code, major_category=code[:2], education_level="higher_vocational",
                   headcount=headcount, filled=headcount if status == "filled" else rng.randint(0, headcount - 1),
                   salary_min=5000, salary_max=8000, location="市区", description="", status=status)
        talent.append(row)
    counts["talent needs"] = copy(TalentNeed, talent)

    offers = []
    for index in range(N_OFFERS):
        alliance, unit = pick(schools)
        row = common(alliance, unit, index)
        kind = _weighted(rng, OFFER_KINDS)
        position, code = rng.choice(POSITIONS)
        major = kind == "major"
        row.update(kind=kind, title=f"{position}相关{'专业' if major else '服务'}{index:05d}", description="基准数据。",
                   major_code=code if major else "", major_category=code[:2] if major else "",
                   enrolment=rng.randint(40, 200) if major else None,
                   graduates=rng.randint(30, 180) if major else None, audience="",
                   status="open" if rng.random() < 0.9 else "closed")
        offers.append(row)
    counts["offers"] = copy(Offer, offers)

    responses, seen = [], set()
    while len(responses) < N_RESPONSES:
        need = rng.choice(needs)
        unit = rng.choice(schools[need["alliance_id"]])
        if (need["id"], unit) in seen:
            continue
        seen.add((need["id"], unit))
        responses.append({"id": len(responses) + 1, "need_id": need["id"], "organization_id": unit,
                          "note": "基准数据：可以合作。", "status": rng.choice(("proposed", "accepted", "declined")),
                          "created_at": now})
    counts["responses"] = copy(Response, responses)
    return counts


def models():
    from cooperation.models import CoreProduct, Offer, Response, TalentNeed, TechnologyNeed

    return [CoreProduct, TechnologyNeed, TalentNeed, Offer, Response]


def table_counts() -> dict:
    from cooperation.models import CoreProduct, Offer, Response, TalentNeed, TechnologyNeed

    return {"core products": CoreProduct.objects.count(), "technology needs": TechnologyNeed.objects.count(),
            "talent needs": TalentNeed.objects.count(), "offers": Offer.objects.count(),
            "responses": Response.objects.count()}


def narrow(official) -> tuple[int, str]:
    """An enterprise of the official's city with a published public technology need, and that need's title:
    the filters down to one unit (and one title on the page) that the query counts compare with the full list."""
    from cooperation.models import TechnologyNeed
    from cooperation.selectors import public_entry_filter

    return (TechnologyNeed.objects.filter(public_entry_filter(TechnologyNeed),
                                          alliance__city_id__in=official.role_grants.values("city_id"))
            .order_by("id").values_list("organization_id", "title").first())


def endpoints(official, anonymous_client, token_client, token_header, unit, title) -> list[tuple]:
    """(label, path, in-process client, headers, narrow path, rows in scope, who) of the timed list endpoints."""
    from cooperation.models import CoreProduct, Offer, TalentNeed, TechnologyNeed
    from cooperation.selectors import entries_for_user

    rows = []
    for path, model, label in (("technology-needs", TechnologyNeed, "technology needs"),
                               ("talent-needs", TalentNeed, "talent needs"), ("offers", Offer, "offers"),
                               ("products", CoreProduct, "core products")):
        url = f"/api/v1/{path}/"
        rows.append((f"API {label}, anonymous", url, anonymous_client, {}, f"{url}?organization={unit}",
                     entries_for_user(None, model).count(), "anonymous"))
        if model in (TechnologyNeed, TalentNeed):
            rows.append((f"API {label}, official", url, token_client, token_header, f"{url}?organization={unit}",
                         entries_for_user(official, model).count(), "official-token"))
    rows.append(("technology needs page, anonymous", "/cooperation/technology-needs/", anonymous_client, {},
                 f"/cooperation/technology-needs/?q={title}", entries_for_user(None, TechnologyNeed).count(),
                 "anonymous"))
    return rows
