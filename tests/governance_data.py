"""Council business for tests, made through the services (so it is what users would make)."""

from datetime import timedelta

from django.utils import timezone

from governance.models import Body, Seat
from governance.services import meetings, votes


def council(alliance) -> Body:
    return Body.objects.get(alliance=alliance, kind=Body.Kind.COUNCIL)


def seats(body) -> list[Seat]:
    """The body's current seats, chair first (the demo's director1 holds the first)."""
    return list(body.seats.filter(term_end__isnull=True).select_related("user", "organization").order_by("id"))


def planned_meeting(body, secretariat, *, hours_ahead: float = 2, title: str = "第三次理事会会议", agenda=()):
    start = timezone.now() + timedelta(hours=hours_ahead)
    meeting = meetings.meeting_create(body=body, actor=secretariat, kind="regular", title=title, starts_at=start,
                                      ends_at=start + timedelta(hours=2), location="淄博高新区管委会 301")
    for item in agenda:
        meetings.agenda_item_add(meeting=meeting, actor=secretariat, title=item)
    return meeting


def start(meeting, secretariat):
    """The meeting in session: started early by the secretariat unless it has started already."""
    if meeting.status == "planned" and not meeting.has_started():
        meeting = meetings.meeting_start(meeting=meeting, actor=secretariat)
    return meeting


def record_attendance(meeting, secretariat, present=None, modes=None):
    """Everyone in person unless `present` (a count, first seats) or `modes` ({seat: record}) say otherwise;
    a meeting that has not started is started early first (attendance is taken in session)."""
    meeting = start(meeting, secretariat)
    body_seats = seats(meeting.body)
    records = []
    for index, seat in enumerate(body_seats):
        if modes and seat in modes:
            records.append({"seat": seat.pk, **modes[seat]})
        else:
            here = present is None or index < present
            records.append({"seat": seat.pk, "mode": "in_person" if here else "absent"})
    meetings.attendance_set(meeting=meeting, actor=secretariat, records=records)
    return meeting


def open_motion(secretariat, *, meeting=None, body=None, title="关于年度工作计划的议案", opened=True, **fields):
    """A motion at a meeting (attendance must be recorded), or by written consent when no meeting is given."""
    body = body or meeting.body
    if meeting is None:
        fields.setdefault("closes_at", timezone.now() + timedelta(days=3))
    motion = votes.motion_create(body=body, actor=secretariat, meeting=meeting, title=title, text="议案正文。",
                                 **fields)
    if opened:
        motion = votes.motion_open(motion=motion, actor=secretariat)
    return motion


def meeting_with_open_motion(alliance, secretariat, **fields):
    meeting = record_attendance(planned_meeting(council(alliance), secretariat), secretariat)
    return meeting, open_motion(secretariat, meeting=meeting, **fields)


def assembly(size: int, secretariat=None):
    """A new alliance whose assembly has `size` seats (one member unit and director each), and its
    secretariat user; made in bulk, for concurrency and volume tests."""
    from alliance.models import Alliance, City
    from members.models import Membership, Organization, RoleGrant, User
    from tests.conftest import new_uscc

    city = City.objects.get_or_create(name="测试市", defaults={"name_en": "Test city"})[0]
    alliance = Alliance.objects.create(name=f"测试联合体{new_uscc()[-6:]}", city=city, status="established")
    secretariat = secretariat or User.objects.create(username=f"sec-{alliance.pk}")
    RoleGrant.objects.create(user=secretariat, role=RoleGrant.Role.SECRETARIAT, alliance=alliance)
    body = Body.objects.create(alliance=alliance, kind=Body.Kind.COUNCIL, name="会员大会", quorum_fraction="1/2")
    units = Organization.objects.bulk_create(
        [Organization(name=f"单位{alliance.pk}-{n}", uscc=new_uscc(), type="enterprise", size="small")
         for n in range(size)])
    Membership.objects.bulk_create([Membership(alliance=alliance, organization=unit, status="active",
                                               joined_on=timezone.localdate()) for unit in units])
    users = User.objects.bulk_create([User(username=f"d{alliance.pk}-{n}") for n in range(size)])
    Seat.objects.bulk_create([Seat(body=body, user=user, organization=unit, term_start=timezone.localdate())
                              for user, unit in zip(users, units, strict=False)])
    return alliance, body, secretariat
