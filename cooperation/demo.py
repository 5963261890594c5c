"""The demo's supply and demand. `load_cooperation_demo` (called by config/demo.py after the members): the
High-tech Zone alliance's three lists (a dozen core products of its enterprises, twenty technology needs and
thirty talent needs across its chains), the offers of its schools and institutes with majors and graduate
counts, and the suggestions computed from them. `load_cooperation_activity` (run by `manage.py loaddemo`):
responses in each state and one supply–demand event. Made through the services, most entries published;
each part is loaded once. The `school` user is a contact of 淄博职业学院. Everything here is synthetic."""

import datetime
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from alliance.demo import HIGH_TECH, DemoCore
from alliance.models import Alliance, IndustrialChain
from cooperation import suggestions
from cooperation.models import (
    CoreProduct,
    Offer,
    Project,
    SupplyDemandEvent,
    TalentNeed,
    TechnologyNeed,
)
from cooperation.services import entries, events, projects, responses
from members.demo import demo_user, synthetic_uscc
from members.models import Contact, Membership, Organization, User

PRODUCTS = [
    # (name, chain, key technologies, description)
    ("高性能氧化铝陶瓷基板", "新材料", "流延成型、低温共烧", "用于功率电子器件封装的96%氧化铝陶瓷基板。"),
    ("碳化硅陶瓷膜过滤组件", "新材料", "陶瓷膜制备、高温烧结", "化工、水处理用碳化硅陶瓷膜元件及成套装置。"),
    ("聚氨酯弹性体密封件", "新材料", "浇注成型、配方改性", "工程机械与液压系统用高耐磨聚氨酯密封件。"),
    ("工业机器人谐波减速器", "智能制造", "精密齿形设计、柔轮热处理", "六轴工业机器人关节用谐波减速器。"),
    ("数控卧式加工中心", "高端装备", "主轴动平衡、热变形补偿", "箱体类零件加工用四轴联动卧式加工中心。"),
    ("矿用提升机智能电控系统", "高端装备", "变频调速、故障诊断", "煤矿副井提升机的变频电控与远程监测系统。"),
    ("新能源汽车电机控制器", "智能制造", "功率模块封装、矢量控制", "纯电动物流车用永磁同步电机控制器。"),
    ("医用高分子导管", "医药健康", "挤出成型、表面涂层", "一次性使用医用输液导管与导尿管。"),
    ("光伏玻璃减反射镀膜液", "新材料", "溶胶凝胶、纳米二氧化硅", "提升光伏玻璃透光率的镀膜液。"),
    ("工业设备状态监测平台", "电子信息", "边缘计算、振动分析", "面向中小企业的设备在线监测与预警平台。"),
    ("节能型耐火材料窑炉", "新材料", "燃烧控制、余热回收", "耐火材料烧成用节能隧道窑。"),
    ("精密齿轮传动箱", "高端装备", "齿轮修形、噪声控制", "工程机械用多级精密齿轮传动箱。"),
]
TECHNOLOGY_NEEDS = [
    # (title, chain, form, budget from, budget to, description)
    ("氧化铝陶瓷基板烧结变形控制", "新材料", "joint_rd", 200_000, 500_000,
     "陶瓷基板在高温烧结中翘曲变形超标，需要优化烧结曲线与承烧板结构，降低变形量并提高成品率。"),
    ("碳化硅膜元件缺陷在线视觉检测", "新材料", "contract", 300_000, 600_000,
     "膜元件表面裂纹、孔洞缺陷靠人工目检，需开发机器视觉在线检测系统，识别微小缺陷。"),
    ("聚氨酯材料耐低温性能改性", "新材料", "joint_rd", 150_000, 300_000,
     "密封件在零下40度脆化开裂，需要改进配方与扩链剂体系，提升耐低温与耐磨性能。"),
    ("谐波减速器柔轮疲劳寿命测试方法", "智能制造", "consulting", 80_000, 150_000,
     "缺少柔轮疲劳寿命的加速试验方法与试验台，需要制定测试规范并搭建试验装置。"),
    ("加工中心主轴热变形补偿算法", "高端装备", "joint_rd", 200_000, 400_000,
     "主轴长时间运行后热伸长影响加工精度，需要建立温度场模型和实时热变形补偿算法。"),
    ("矿用提升机故障预测与健康管理", "高端装备", "contract", 300_000, 800_000,
     "提升机减速器、制动系统故障靠定期检修发现，需基于振动与温度数据实现故障预测。"),
    ("电机控制器功率模块散热结构设计", "智能制造", "joint_rd", 100_000, 250_000,
     "控制器功率模块温升过高，需优化散热器结构与热仿真分析，降低结温。"),
    ("医用导管表面亲水涂层工艺", "医药健康", "transfer", 200_000, 500_000,
     "需要引进或合作开发导管表面亲水润滑涂层工艺，满足医疗器械注册检验要求。"),
    ("光伏玻璃减反射镀膜均匀性提升", "新材料", "joint_rd", 150_000, 300_000,
     "大尺寸光伏玻璃镀膜厚度不均匀，需改进辊涂工艺参数与镀膜液流变性能。"),
    ("设备监测平台边缘计算网关开发", "电子信息", "contract", 100_000, 200_000,
     "需开发支持多协议采集的边缘计算网关，实现振动数据本地特征提取与上传。"),
    ("窑炉燃烧控制系统节能改造", "新材料", "consulting", 100_000, 300_000,
     "隧道窑燃气消耗高，需要燃烧优化控制与余热回收方案，降低单位产品能耗。"),
    ("齿轮箱噪声振动分析与降噪", "高端装备", "joint_rd", 120_000, 250_000,
     "齿轮传动箱运行噪声偏高，需要开展振动测试、齿轮修形设计与降噪验证。"),
    ("机加工生产线数字孪生建模", "智能制造", "contract", 300_000, 600_000,
     "建设机加工生产线数字孪生模型，实现产线仿真、排产优化与设备状态可视化。"),
    ("焊接机器人离线编程与工艺参数库", "智能制造", "joint_rd", 100_000, 200_000,
     "焊接机器人示教编程效率低，需要离线编程与焊接工艺参数数据库。"),
    ("化工废水中有机溶剂回收利用", "精细化工", "transfer", 200_000, 500_000,
     "生产废水含有机溶剂，需要膜分离或精馏回收工艺，实现资源化利用。"),
    ("锂电池正极材料烧结气氛控制", "新材料", "joint_rd", 250_000, 500_000,
     "正极材料烧结窑炉气氛波动导致批次一致性差，需要气氛在线监测与控制方案。"),
    ("工业视觉检测样本标注与模型训练", "电子信息", "contract", 80_000, 160_000,
     "缺陷检测模型样本不足，需要样本采集标注与深度学习模型训练服务。"),
    ("企业能耗在线监测与碳排放核算", "电子信息", "consulting", 60_000, 120_000,
     "需要建立能耗在线监测系统，按标准核算产品碳排放，支撑绿色工厂申报。"),
    ("金属增材制造零件后处理工艺", "高端装备", "joint_rd", 150_000, 300_000,
     "3D打印金属零件表面粗糙、残余应力大，需要热处理与表面精整工艺。"),
    ("产品质量追溯系统建设", "电子信息", "contract", 100_000, 200_000,
     "需要建设覆盖原料、工序、成品的质量追溯系统，对接现有生产管理系统。"),
]
TALENT_POSITIONS = [
    # (position, major code, chain, headcount, salary from, salary to)
    ("数控机床操作工", "460103", "高端装备", 8, 5000, 7500),
    ("机电设备维修技术员", "460301", "高端装备", 5, 5500, 8000),
    ("工业机器人运维技术员", "460301", "智能制造", 6, 6000, 9000),
    ("化工工艺操作员", "470201", "精细化工", 10, 5000, 7000),
    ("软件开发工程师", "510203", "电子信息", 4, 7000, 11000),
    ("网络与系统运维员", "510202", "电子信息", 3, 5500, 8000),
    ("财务会计", "530302", "", 2, 4500, 6500),
    ("电子商务运营专员", "530701", "", 3, 4500, 7000),
    ("材料检测员", "430601", "新材料", 6, 5000, 7000),
    ("质量检验员", "460301", "新材料", 4, 4800, 6500),
]
OFFERS = {
    # unit key -> [(kind, title, major code, enrolment, graduates, chain, description, audience)]
    "zibo_vc": [
        ("major", "机电一体化技术专业", "460301", 180, 160, "智能制造", "面向智能产线装调与运维。", ""),
        ("major", "数控技术专业", "460103", 120, 110, "高端装备", "数控加工与编程、加工中心操作。", ""),
        ("major", "软件技术专业", "510203", 150, 140, "电子信息", "Java与Web应用开发、工业软件。", ""),
        ("major", "大数据与会计专业", "530302", 200, 190, "", "财务核算与财务数据分析。", ""),
        ("training", "新能源汽车装调工岗位培训", "", None, None, "智能制造", "面向企业在岗职工的装调与检测技能培训。",
         "employees"),
        ("expert_service", "智能制造产线诊断专家服务", "", None, None, "智能制造",
         "数字孪生建模、生产线仿真与排产优化、机器人离线编程。", ""),
        ("facility", "智能制造实训中心", "", None, None, "智能制造", "工业机器人焊接与装配实训工位40个。", ""),
    ],
    "light_industry": [
        ("major", "材料工程技术专业", "430601", 100, 90, "新材料", "无机非金属材料制备、烧结与检测。", ""),
        ("major", "应用化工技术专业", "470201", 80, 75, "精细化工", "化工工艺操作与分离技术。", ""),
        ("facility", "陶瓷材料检测实训基地", "", None, None, "新材料", "陶瓷烧结、显微结构与缺陷检测设备。", ""),
        ("expert_service", "无机非金属材料烧结工艺专家服务", "", None, None, "新材料",
         "陶瓷基板与膜材料烧结曲线优化、窑炉气氛控制、变形控制。", ""),
    ],
    "industrial_vc": [
        ("major", "数控技术专业", "460103", 130, 120, "高端装备", "数控加工、精密测量。", ""),
        ("major", "机电一体化技术专业", "460301", 100, 95, "高端装备", "机电设备安装调试与维修。", ""),
        ("expert_service", "机械热变形与振动分析专家服务", "", None, None, "高端装备",
         "机床主轴热变形建模与补偿、齿轮箱振动噪声测试分析。", ""),
    ],
    "sino_german": [
        ("training", "中小企业共享员工技能培训", "", None, None, "智能制造", "为小微企业共享员工提供焊接与装配培训。",
         "shared_employees"),
        ("facility", "中德智能制造实训车间", "", None, None, "智能制造", "数控车铣与焊接机器人实训车间。", ""),
    ],
    "research_institute-1": [
        ("expert_service", "工业视觉检测算法服务", "", None, None, "电子信息",
         "机器视觉缺陷检测、样本标注与深度学习模型训练、在线检测系统集成。", ""),
    ],
    "research_institute-2": [
        ("expert_service", "先进陶瓷与高分子材料改性研究", "", None, None, "新材料",
         "陶瓷膜制备、聚氨酯配方改性、涂层与表面处理工艺。", ""),
    ],
    "research_institute-3": [
        ("expert_service", "节能与碳排放核算咨询", "", None, None, "电子信息", "能耗监测、碳排放核算与绿色工厂申报咨询。",
         ""),
        ("expert_service", "设备故障预测与健康管理", "", None, None, "高端装备",
         "振动与温度数据分析、故障预测模型、边缘计算网关。", ""),
    ],
}


def _units(alliance) -> dict:
    members = {m.organization.uscc: m.organization for m in Membership.objects.filter(
        alliance=alliance, status=Membership.Status.ACTIVE).select_related("organization")}
    return {key: members[synthetic_uscc(key)] for key in OFFERS if synthetic_uscc(key) in members}


def load_cooperation_demo(core: DemoCore) -> bool:
    alliance = core.high_tech
    if TechnologyNeed.objects.filter(alliance=alliance).exists():
        return False
    secretariat = User.objects.get(username="secretariat")
    contact = User.objects.get(username="contact")
    contact_unit = Contact.objects.get(user=contact).organization
    units = _units(alliance)
    school = demo_user("school", "赵老师（淄博职业学院）")
    Contact.objects.get_or_create(user=school, organization=units["zibo_vc"], defaults={"title": "校企合作处"})
    chains = {chain.name.removesuffix("产业链"): chain for chain in IndustrialChain.objects.filter(city=core.city)}
    enterprises = [contact_unit, *Organization.objects.filter(
        memberships__alliance=alliance, memberships__status=Membership.Status.ACTIVE,
        type=Organization.Type.ENTERPRISE).exclude(pk=contact_unit.pk).order_by("name", "id")[:11]]
    year = timezone.localdate().year

    def post(model, organization, index, **fields):
        entry = entries.entry_create(model=model, actor=secretariat, alliance=alliance, organization=organization,
                                     refresh=False, visibility="public" if index % 4 else "alliance", **fields)
        if index % 6 != 5:  # a few stay unpublished, for the secretariat to curate
            entries.entry_publish(entry=entry, actor=secretariat)
        return entry

    for index, (name, chain, technologies, description) in enumerate(PRODUCTS):
        post(CoreProduct, enterprises[index % len(enterprises)], index, name=name, chain=chains.get(chain),
             key_technologies=technologies, description=description, year=year)
    own = {0, 4, 12, 16}  # the `contact` user's enterprise posts these (and decides their responses)
    others = enterprises[1:]
    for index, (title, chain, form, low, high, description) in enumerate(TECHNOLOGY_NEEDS):
        post(TechnologyNeed, contact_unit if index in own else others[index % len(others)], index, title=title,
             chain=chains.get(chain), form=form, budget_min=low, budget_max=high, description=description,
             wanted_by=timezone.localdate() + timedelta(days=90 + 15 * index), year=year)
    for index in range(30):
        position, code, chain, headcount, low, high = TALENT_POSITIONS[index % len(TALENT_POSITIONS)]
        post(TalentNeed, enterprises[index % len(enterprises)], index, position=position, major_code=code,
             chain=chains.get(chain), headcount=headcount + index % 3, filled=(index % 5) if index % 7 else 0,
             salary_min=low, salary_max=high, location="淄博高新区", year=year, education_level="higher_vocational",
             description="吃苦耐劳，能适应倒班；持相关职业技能等级证书者优先。")
    for key, offers in OFFERS.items():
        for index, (kind, title, code, enrolment, graduates, chain, description, audience) in enumerate(offers):
            post(Offer, units[key], index + 1, kind=kind, title=title, major_code=code, enrolment=enrolment,
                 graduates=graduates, chain=chains.get(chain), description=description, audience=audience,
                 year=year)

    suggestions.refresh_city(core.city.pk)
    return True


@transaction.atomic
def load_cooperation_activity() -> bool:
    """Responses in each state to the `contact` user's needs, one supply–demand event that was held, and two
    years of cooperation projects. Their notifications go into the outbox, so, like the council's business
    (governance/demo.py), this runs from `manage.py loaddemo` only, after the register. Each part is skipped when
    the alliance already has it."""
    loaded = _load_responses_and_event()
    return load_cooperation_projects() or loaded


def _load_responses_and_event() -> bool:
    alliance = Alliance.objects.get(name=HIGH_TECH)
    if SupplyDemandEvent.objects.filter(alliance=alliance).exists():
        return False
    secretariat = User.objects.get(username="secretariat")
    contact = User.objects.get(username="contact")
    school = User.objects.get(username="school")
    units = _units(alliance)
    needs = {need.title: need for need in TechnologyNeed.objects.filter(alliance=alliance)}
    needs = [needs[title] for title, *_rest in TECHNOLOGY_NEEDS]
    talent = list(TalentNeed.objects.filter(alliance=alliance).order_by("id")[:6])
    # Responses in each state, from the schools' and institutes' contacts, to the `contact` user's needs.
    sintering, spindle, twin, vision = needs[0], needs[4], needs[12], needs[16]
    light_industry = Contact.objects.filter(organization=units["light_industry"]).order_by("id").first().user
    institute = Contact.objects.filter(organization=units["research_institute-1"]).order_by("id").first().user
    proposed = responses.need_respond(need=sintering, organization=units["light_industry"], actor=light_industry,
                                      note="我院陶瓷材料检测实训基地可开展烧结曲线对比试验，专业教师团队可驻厂指导。")
    accepted = responses.need_respond(need=spindle, organization=units["zibo_vc"], actor=school,
                                      note="我校数控技术专业团队有主轴温度场测试经验，可联合开发热变形补偿算法。")
    declined = responses.need_respond(need=vision, organization=units["zibo_vc"], actor=school,
                                      note="可组织学生参与样本采集与标注。")
    responses.need_respond(need=vision, organization=units["research_institute-1"], actor=institute,
                           note="我院有成熟的缺陷检测模型训练平台，可承担样本标注与模型训练。")
    responses.need_respond(need=twin, organization=units["zibo_vc"], actor=school,
                           note="我校智能制造产线诊断团队可承担产线数字孪生建模。")
    responses.response_accept(response=accepted, actor=contact, note="请尽快安排技术对接。")
    responses.response_decline(response=declined, actor=contact, note="本项目需要算法研发能力。")

    now = timezone.now()
    event = events.event_create(
        alliance=alliance, actor=secretariat, title="高新区校企技术与人才供需对接会",
        starts_at=now - timedelta(days=20), ends_at=now - timedelta(days=20) + timedelta(hours=3),
        location="淄博高新区科创中心报告厅", description="发布技术需求与人才需求清单，院校现场对接。",
        technology_needs=needs[:6], talent_needs=talent,
    )
    events.event_mark_held(event=event, actor=secretariat,
                           summary="企业32家、院校与研究院11家参会，现场发布技术需求6项、人才需求6项。")
    responses.response_link_event(response=accepted, event=event, actor=secretariat)
    responses.response_link_event(response=proposed, event=event, actor=secretariat)
    suggestions.refresh_city(alliance.city_id)
    return True



# Projects: (key, kind, title, lead, partners [(unit, role)], starts this year or last, ends (years after the start,
# None: open-ended), status, contributions [(unit, kind, amount, description)], outcomes of last year and of this year
# {metric: value}). Units: keys of OFFERS, "lead_enterprise", "contact" (the `contact` user's enterprise),
# "enterprise-<n>" (the alliance's other enterprises).
PROJECTS = [
    ("college", "industrial_college", "高新区智能制造产业学院", "zibo_vc",
     [("lead_enterprise", "co_lead"), ("contact", "partner"), ("enterprise-1", "partner")], -1, None, "running",
     [("lead_enterprise", "funds", 3_000_000, "产业学院共建经费"), ("zibo_vc", "land", 2400, "实训楼二层场地"),
      ("lead_enterprise", "equipment", 1_800_000, "工业机器人工作站6套")],
     ({"students_enrolled": 120, "graduates_placed_local": 86, "engineers_teaching": 9},
      {"students_enrolled": 160, "engineers_teaching": 12})),
    ("base", "training_base", "新材料共享实训基地", "light_industry",
     [("research_institute-2", "partner"), ("enterprise-2", "host")], -1, 3, "running",
     [("light_industry", "equipment", 950_000, "陶瓷烧结与检测设备"), ("enterprise-2", "land", 800, "车间实训区")],
     ({"trainees": 640, "interns": 45}, {"trainees": 380})),
    ("centre", "practice_centre", "淄博高新区市域实践中心", "park_admin",
     [("zibo_vc", "partner"), ("sino_german", "partner"), ("lead_enterprise", "funder")], -1, None, "running",
     [("park_admin", "funds", 5_000_000, "实践中心建设资金"), ("lead_enterprise", "funds", 1_000_000, "企业配套资金")],
     ({"trainees": 1200, "interns": 150}, {"trainees": 700})),
    ("platform", "rd_platform", "先进陶瓷共性技术研发平台", "research_institute-2",
     [("light_industry", "partner"), ("contact", "partner")], -1, 4, "running",
     [("research_institute-2", "technology", 3, "陶瓷膜制备专利技术"), ("contact", "funds", 600_000, "联合研发经费")],
     ({"patents": 4, "standards": 1, "problems_solved": 3}, {"patents": 2})),
    ("spindle", "tech_service", "加工中心主轴热变形补偿技术服务", "zibo_vc", [("contact", "partner")], 0, 1, "running",
     [("contact", "funds", 280_000, "技术服务合同款")], ({}, {"contract_value": 280_000, "problems_solved": 1})),
    ("order", "order_class", "数控技术订单班", "industrial_vc", [("enterprise-3", "partner")], -1, 2, "running",
     [("enterprise-3", "funds", 150_000, "订单班奖学金"), ("enterprise-3", "staff", 4, "企业导师")],
     ({"students_enrolled": 40, "interns": 40}, {"graduates_placed_local": 36})),
    ("apprentice", "apprenticeship", "机电一体化现代学徒制试点", "sino_german",
     [("lead_enterprise", "partner")], -1, 3, "running",
     [("lead_enterprise", "staff", 6, "企业师傅"), ("sino_german", "staff", 5, "专业教师")],
     ({"students_enrolled": 30}, {"students_enrolled": 32, "interns": 30})),
    ("exchange", "staff_exchange", "校企人员双向流动计划", "zibo_vc",
     [("lead_enterprise", "partner"), ("enterprise-1", "partner")], -1, None, "running", [],
     ({"teachers_in_enterprise": 18, "engineers_teaching": 11}, {"teachers_in_enterprise": 10})),
    ("training", "training_programme", "中小企业共享员工技能提升培训", "sino_german",
     [("enterprise-4", "partner"), ("enterprise-5", "partner")], -1, 0, "completed",
     [("sino_german", "staff", 8, "培训教师")], ({"trainees": 420}, {})),
]


def _project_units(alliance, contact_unit) -> dict:
    units = _units(alliance)
    members = {m.organization.uscc: m.organization for m in Membership.objects.filter(
        alliance=alliance, status=Membership.Status.ACTIVE).select_related("organization")}
    for key in ("lead_enterprise", "park_admin"):
        if synthetic_uscc(key) in members:
            units[key] = members[synthetic_uscc(key)]
    units["contact"] = contact_unit
    enterprises = Organization.objects.filter(
        memberships__alliance=alliance, memberships__status=Membership.Status.ACTIVE,
        type=Organization.Type.ENTERPRISE).exclude(pk__in=[contact_unit.pk, units["lead_enterprise"].pk]).order_by(
        "name", "id")
    for number, unit in enumerate(enterprises[:5], start=1):
        units[f"enterprise-{number}"] = unit
    return units


def load_cooperation_projects() -> bool:
    """Two years of projects of most kinds with partners, contributions and outcomes: last year's confirmed, this
    year's partly awaiting the secretariat. The accepted response to the spindle need becomes a project. Skipped
    when the alliance already has projects."""
    alliance = Alliance.objects.get(name=HIGH_TECH)
    if Project.objects.filter(alliance=alliance).exists():
        return False
    secretariat = User.objects.get(username="secretariat")
    school = User.objects.get(username="school")
    contact_unit = Contact.objects.get(user__username="contact").organization
    units = _project_units(alliance, contact_unit)
    this_year = timezone.localdate().year
    needs = {need.title: need for need in TechnologyNeed.objects.filter(alliance=alliance)}
    spindle = needs.get(TECHNOLOGY_NEEDS[4][0])
    for key, kind, title, lead, partners, start, length, status, contributions, outcomes in PROJECTS:
        first = this_year + start
        ends_on = datetime.date(first + length, 12, 31) if length is not None else None
        need = spindle if key == "spindle" and spindle is not None and spindle.status != "open" else None
        project = projects.project_create(
            actor=secretariat, alliance=alliance, kind=kind, title=title, lead=units[lead],
            starts_on=datetime.date(first, 3, 1), ends_on=ends_on, status="running", need=need,
            description=f"{title}（演示数据）。",
            partners=[{"organization": units[unit], "role": role} for unit, role in partners])
        for unit, contribution_kind, amount, description in contributions:
            projects.contribution_add(project=project, actor=secretariat, organization=units[unit],
                                      kind=contribution_kind, amount=amount, description=description, year=first)
        last_year, current = outcomes
        for year, values in ((this_year - 1, last_year), (this_year, current)):
            for index, (metric, value) in enumerate(values.items()):
                actor = school if units[lead].pk == units["zibo_vc"].pk else secretariat
                outcome = projects.outcome_record(project=project, actor=actor, year=year, metric=metric,
                                                  value=value, note="演示数据")
                if year < this_year or index % 2:
                    projects.outcome_confirm(outcome=outcome, actor=secretariat)
        if status != "running":
            projects.project_update(project=project, actor=secretariat, status=status)
    return True
