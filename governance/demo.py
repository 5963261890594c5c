"""The demo's council: the High-tech Zone alliance's council of nine seats and its secretariat body
(`load_governance_demo`), and its business (`load_demo_council`, run by `manage.py loaddemo` after the
register): a held meeting entered after the fact, with its resolution adopted by a show of hands, published,
and the tasks it gave; minutes put to a vote by written consent (so director1 finds a vote waiting); and the
next meeting with its agenda and invitations.
Made through the services; loaded once (skipped when the council already has meetings)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from alliance.demo import FOUNDED, HIGH_TECH, DemoCore
from alliance.models import Alliance
from governance.models import Body, Motion, Seat
from governance.services import meetings, minutes, tasks, votes
from members.demo import DemoMembers, demo_user
from members.models import Contact, User


def load_governance_demo(core: DemoCore, members: DemoMembers) -> None:
    """The council: director1 … director9 hold its seats for the council units (director1 is the chair),
    each a contact of the unit they sit for."""
    council, _ = Body.objects.get_or_create(
        alliance=core.high_tech, name="理事会", defaults={"kind": Body.Kind.COUNCIL, "quorum_fraction": "2/3"}
    )
    Body.objects.get_or_create(alliance=core.high_tech, name="秘书处", defaults={"kind": Body.Kind.SECRETARIAT})
    for number, (organization, unit_role) in enumerate(members.council_units, start=1):
        director = demo_user(f"director{number}", f"理事{number}（{organization.name}）")
        Seat.objects.get_or_create(
            body=council, user=director, organization=organization,
            defaults={"office": Seat.Office(unit_role), "term_start": FOUNDED},
        )
        Contact.objects.get_or_create(user=director, organization=organization)


@transaction.atomic
def load_demo_council() -> bool:
    alliance = Alliance.objects.get(name=HIGH_TECH)
    council = Body.objects.get(alliance=alliance, kind=Body.Kind.COUNCIL)
    if council.meetings.exists():
        return False
    secretariat = User.objects.get(username="secretariat")
    seats = list(council.seats.filter(term_end__isnull=True).select_related("user").order_by("id"))
    now = timezone.now()

    # The first meeting took place before the alliance used the application: the secretariat entered it
    # after the fact, with its attendance and the plan adopted by a show of hands.
    first = meetings.meeting_create(
        body=council, actor=secretariat, kind="annual", title="2026年度理事会第一次会议",
        starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=30) + timedelta(hours=3),
        location="淄博高新区管委会 301 会议室",
    )
    plan_item = meetings.agenda_item_add(meeting=first, actor=secretariat, title="审议2026年度工作计划")
    meetings.agenda_item_add(meeting=first, actor=secretariat, title="秘书处工作报告")
    records = [{"seat": seat.pk, "mode": "in_person"} for seat in seats[:-1]]
    records.append({"seat": seats[-1].pk, "mode": "proxy", "proxy_seat": seats[0].pk})
    meetings.attendance_set(meeting=first, actor=secretariat, records=records)
    plan = votes.motion_create(
        body=council, actor=secretariat, meeting=first, agenda_item=plan_item, title="关于2026年度工作计划的决议",
        text="理事会审议通过联合体2026年度工作计划，由秘书处分解任务并督促落实。", category="major",
        voting_method=Motion.VotingMethod.SHOW_OF_HANDS,
    )
    plan = votes.motion_record(motion=plan, actor=secretariat, hands=[
        {"seat": seat.pk, "choice": "abstain" if seat == seats[-2] else "yes"} for seat in seats])
    votes.motion_publish(motion=plan, actor=secretariat)
    meetings.meeting_mark_held(meeting=first, actor=secretariat)

    contact_unit = Contact.objects.get(user__username="contact").organization
    tasks.task_create(alliance=alliance, actor=secretariat, owner=contact_unit, motion=plan,
                      title="开展新能源汽车装调工岗位培训", target_value=200, target_unit="人次", weight=2,
                      due_on=timezone.localdate() + timedelta(days=5))
    tasks.task_create(alliance=alliance, actor=secretariat, owner=alliance.lead_enterprise or contact_unit,
                      motion=plan, title="共建产业学院实训基地", target_value=1, target_unit="个", weight=3,
                      due_on=timezone.localdate() + timedelta(days=90))

    record = minutes.minutes_save(meeting=first, actor=secretariat, text=(
        "会议由理事长主持，应到理事9人，实到8人，1人委托出席，符合章程规定的法定人数。\n"
        "会议审议通过了《2026年度工作计划》，形成决议；听取了秘书处工作报告。"))
    record = minutes.minutes_circulate(minutes=record, actor=secretariat)
    approval = votes.motion_create(body=council, actor=secretariat, approves_minutes=record,
                                   closes_at=now + timedelta(days=7),
                                   **minutes.minutes_approval_motion_defaults(record))
    votes.motion_open(motion=approval, actor=secretariat)

    second = meetings.meeting_create(
        body=council, actor=secretariat, kind="regular", title="2026年度理事会第二次会议",
        starts_at=now + timedelta(days=14), ends_at=now + timedelta(days=14, hours=2),
        location="山东理工职业学院 行政楼 2 楼会议室",
    )
    for title in ("审议新成员单位入会申请", "产业学院建设进展汇报", "年度评估自评报告"):
        meetings.agenda_item_add(meeting=second, actor=secretariat, title=title)
    meetings.invitations_send(meeting=second, actor=secretariat)
    return Motion.objects.filter(alliance=alliance).exists()
