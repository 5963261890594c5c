"""The demo's publicity: news and two typical cases of the High-tech Zone alliance, published, and one important
announcement sent to the contacts of its member units (so `contact` and the directors find it unread). Made
through the services as the demo secretariat; loaded once (skipped when the alliance has news already)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from members.models import User
from publicity import services
from publicity.models import NewsItem

DEMO_NOTE = "（演示数据）"

NEWS = [
    ("news", "联合体召开2026年度理事会第一次会议",
     "联合体2026年度理事会第一次会议在淄博高新区管委会召开，九位理事单位代表出席。\n\n"
     "会议审议通过了联合体2026年度工作计划，明确了共建产业学院、开展订单培养和发布三张清单等重点任务，"
     "由秘书处分解落实。"),
    ("news", "联合体举办首场校企供需对接会",
     "联合体秘书处组织成员学校与高新区企业举办供需对接会，发布技术需求和人才需求，"
     "二十余家企业与院校现场交流。\n\n下一场对接会将聚焦新材料产业链。"),
    ("news", "秘书处发布联合体成员单位名录",
     "秘书处整理发布了联合体全部成员单位名录，涵盖政府部门、科研院所、企业、行业协会和职业院校，"
     "供成员单位对接合作时查阅。"),
    ("typical_case", "订单班育人：校企共育智能制造技术人才",
     "淄博职业学院与联合体牵头企业共同开设智能制造订单班，企业工程师参与课程设计并承担实践教学，"
     "学生在企业完成岗位实习。\n\n首届订单班学生全部在淄博就业，企业技术岗位缺口明显缩小。"
     "这一做法已在联合体内推广。"),
    ("typical_case", "共建共享：新材料产业公共实训基地",
     "联合体成员企业出设备、院校出场地和师资，在高新区共建新材料产业公共实训基地，"
     "向成员单位开放，承担学生实训、职工培训和技术服务。\n\n基地年培训企业职工上千人次。"),
]

ANNOUNCEMENT = ("关于报送2026年度三张清单的通知",
                "各成员单位：\n\n请于本月底前在系统中报送本单位的核心产品、技术需求和人才需求，"
                "秘书处汇总后统一发布。\n\n联合体秘书处")


@transaction.atomic
def load_publicity_demo() -> bool:
    alliance = Alliance.objects.get(name=HIGH_TECH)
    if NewsItem.objects.filter(alliance=alliance).exists():
        return False
    secretariat = User.objects.get(username="secretariat")
    now = timezone.now()
    for days_ago, (kind, title, body) in zip(range(len(NEWS) * 7, 0, -7), NEWS, strict=True):
        item = services.news_create(alliance=alliance, actor=secretariat, kind=kind, title=title,
                                    body=f"{body}\n\n{DEMO_NOTE}")
        services.news_publish(item=item, actor=secretariat)
        NewsItem.objects.filter(pk=item.pk).update(published_at=now - timedelta(days=days_ago))
    title, body = ANNOUNCEMENT
    announcement = services.announcement_create(alliance=alliance, actor=secretariat, title=title,
                                                body=f"{body}\n\n{DEMO_NOTE}", important=True)
    services.announcement_send(announcement=announcement, actor=secretariat)
    return True
