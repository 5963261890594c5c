"""Pages that read well: dates and names in the reader's language, pinyin order, labels and empty choices,
no internal references, the API docs under the content security policy, calendar invitations, the register's
Excel export, the secretariat's home, and the accessibility hooks of every page."""

import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation
from icalendar import Calendar
from openpyxl import load_workbook

from governance import calendar
from governance.services import tasks as task_services
from governance.services import votes
from kernel.collation import pinyin
from members.models import Contact, Membership, Organization
from tests.conftest import new_uscc
from tests.governance_data import council, meeting_with_open_motion, open_motion, planned_meeting

pytestmark = pytest.mark.django_db

EN = {"headers": {"accept-language": "en"}}
TODAY = datetime.date(2025, 3, 1)
TASK = {"target_value": "10", "target_unit": "人", "weight": "1"}


def page(client, url, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# Dates follow the language -----------------------------------------------------------------------------


def test_dates_are_written_as_the_language_writes_them(cast, client_for, high_tech):
    membership = Membership.objects.filter(alliance=high_tech, joined_on__isnull=False).first()
    membership.joined_on = datetime.date(2026, 12, 1)
    membership.save(update_fields=["joined_on"])
    url = f"/register/?q={membership.organization.uscc}&alliance={high_tech.pk}"
    assert "2026年12月1日" in page(client_for(cast["secretariat"]), url)
    english = page(client_for(cast["secretariat"]), url, **EN)
    assert "Dec. 1, 2026" in english and "2026-12-01" not in english


def test_no_template_writes_a_date_format_of_its_own():
    """Dates on pages go through the locale's formats; only an input's value and a <time>'s datetime keep
    the ISO form."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for line in template.read_text(encoding="utf-8").splitlines():
            for match in re.finditer(r"\|date:['\"]([^'\"]+)['\"]", line):
                if match.group(1) not in ("DATETIME_FORMAT", "SHORT_DATE_FORMAT", "Y-m-d\\TH:i:sO") and \
                        not re.search(r"(value|datetime)=[\"'][^\"']*$", line[:match.start()].rsplit("<", 1)[-1]):
                    offenders.append(f"{template.name}: {match.group(0)}")
    assert offenders == []


def test_notifications_write_dates_in_the_recipients_language(cast, high_tech):
    from governance import notices
    from kernel.models import Notification

    meeting = planned_meeting(council(high_tech), cast["secretariat"], hours_ahead=72)
    seat = council(high_tech).seats.filter(term_end__isnull=True, user=cast["director"]).get()
    notices.meeting_invitation(meeting, seat)
    local = timezone.localtime(meeting.starts_at)
    chinese = Notification.objects.filter(user=cast["director"]).latest("id")
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in chinese.subject
    type(cast["director"]).objects.filter(pk=cast["director"].pk).update(language="en")
    notices.meeting_reminder(meeting, type(seat).objects.select_related("user").get(pk=seat.pk))
    english = Notification.objects.filter(user=cast["director"]).latest("id")
    with translation.override("en"):
        assert formats.date_format(local, "DATETIME_FORMAT") in english.subject


# Names in the reader's language ---------------------------------------------------------------------------


def test_the_english_interface_shows_english_names_where_there_are_some(client_for, high_tech):
    chinese = page(client_for(None), "/alliances/")
    english = page(client_for(None), "/alliances/", **EN)
    assert f">{high_tech.name}</a>" in chinese
    assert f">{high_tech.name_en}</a>" in english
    assert f'<span lang="zh-Hans">{high_tech.name}</span>' in english  # the other name, marked with its language


def test_a_name_without_an_english_form_is_marked_as_chinese_on_english_pages(cast, client_for, high_tech):
    unit = Organization.objects.create(name="淄博无英文名测试有限公司", uscc=new_uscc(), type="enterprise", size="small")
    Membership.objects.create(alliance=high_tech, organization=unit, status="active", joined_on=TODAY)
    html = page(client_for(cast["secretariat"]), f"/register/?q={unit.uscc}", **EN)
    assert f'<span lang="zh-Hans">{unit.name}</span>' in html
    assert f'<span lang="zh-Hans">{unit.name}</span>' not in page(client_for(cast["secretariat"]),
                                                                  f"/register/?q={unit.uscc}")


@pytest.mark.parametrize("url", ["/register/", "/alliances/", "/", "/governance/"])
def test_english_pages_read_names_in_a_fixed_number_of_queries(cast, client_for, high_tech, url):
    def queries():
        browser = client_for(cast["secretariat"])
        with CaptureQueriesContext(connection) as context:
            page(browser, url, **EN)
        return len(context.captured_queries)

    queries()
    before = queries()
    for number in range(5):
        unit = Organization.objects.create(name=f"英文计数{number}", name_en=f"Count {number}", uscc=new_uscc(),
                                           type="enterprise", size="small")
        Membership.objects.create(alliance=high_tech, organization=unit, status="active", joined_on=TODAY)
    assert queries() == before


def test_drop_downs_name_records_in_the_readers_language(cast, client_for, high_tech):
    html = page(client_for(cast["secretariat"]), "/register/", **EN)
    assert f'<option value="{high_tech.pk}">{high_tech.name_en}</option>' in html


# Pinyin order -----------------------------------------------------------------------------------------


def test_chinese_names_sort_in_pinyin_order(cast, client_for, high_tech):
    names = ["中拼音测试有限公司", "安拼音测试有限公司", "北拼音测试有限公司"]  # zhong, an, bei
    for name in names:
        unit = Organization.objects.create(name=name, uscc=new_uscc(), type="enterprise", size="small")
        Membership.objects.create(alliance=high_tech, organization=unit, status="active", joined_on=TODAY)
    html = page(client_for(cast["secretariat"]), "/register/?q=拼音测试")
    assert [html.index(name) for name in ("安拼音", "北拼音", "中拼音")] == sorted(
        html.index(name) for name in ("安拼音", "北拼音", "中拼音"))
    listed = list(Organization.objects.filter(name__contains="拼音测试").order_by(pinyin("name"))
                  .values_list("name", flat=True))
    assert listed == ["安拼音测试有限公司", "北拼音测试有限公司", "中拼音测试有限公司"]


def test_the_organisations_api_lists_in_pinyin_order(cast, api_for, high_tech):
    for name in ["中拼音接口有限公司", "安拼音接口有限公司"]:
        Organization.objects.create(name=name, uscc=new_uscc(), type="enterprise", size="small", city=high_tech.city)
    response = api_for(cast["official"]).get("/api/v1/organizations/?search=拼音接口")
    assert [row["name"] for row in response.json()["results"]] == ["安拼音接口有限公司", "中拼音接口有限公司"]
    response = api_for(cast["official"]).get("/api/v1/organizations/?search=拼音接口&ordering=-name")
    assert [row["name"] for row in response.json()["results"]] == ["中拼音接口有限公司", "安拼音接口有限公司"]


def test_pinyin_order_falls_back_to_the_plain_column_off_postgresql(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert "Collate" not in repr(pinyin("name"))


# Labels and empty choices -----------------------------------------------------------------------------


def test_forms_end_labels_with_the_chinese_colon_and_offer_a_worded_empty_choice(cast, client_for, high_tech):
    html = page(client_for(cast["secretariat"]), f"/alliances/{high_tech.pk}/members/add/")
    assert "统一社会信用代码：</label>" in html
    assert "请选择…" in html and "---------" not in html
    english = page(client_for(cast["secretariat"]), f"/alliances/{high_tech.pk}/members/add/", **EN)
    assert "Unified social credit code:</label>" in english and "Choose…" in english


def test_filters_offer_all_instead_of_dashes(cast, client_for):
    html = page(client_for(cast["secretariat"]), "/register/")
    assert "全部产教联合体" in html and "---------" not in html


def test_no_template_writes_dashes_as_an_empty_choice():
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        assert "---------" not in template.read_text(encoding="utf-8"), template


def test_the_vote_result_card_is_titled_as_a_vote(cast, client_for, high_tech):
    secretariat = cast["secretariat"]
    _meeting, motion = meeting_with_open_motion(high_tech, secretariat)
    votes.motion_close(motion=motion, actor=secretariat)
    html = page(client_for(secretariat), f"/governance/motions/{motion.pk}/")
    card = html[html.index('id="result"'):]
    assert "<h2>表决结果</h2>" in card[:card.index("</h2>") + 5]
    assert "考核结果" not in html


# No internal references ----------------------------------------------------------------------------------


def test_the_shipped_framework_cites_its_papers_by_author_title_and_section():
    data = json.loads(Path(settings.BASE_DIR, "assessments", "data", "seed_000.json").read_text(encoding="utf-8"))
    texts = [data["name"], data["name_en"], data["description"], data["description_en"]]

    def collect(nodes):
        for node in nodes:
            texts.extend([node["name"], node["name_en"], node.get("guidance", ""), node.get("guidance_en", "")])
            collect(node.get("children", []))

    collect(data["indicators"])
    everything = "\n".join(texts)
    assert not re.search(r"种子|[Ss]eed \d|\.txt|\.json|\.md\b|shared/", everything)
    assert "Huaiyang Han" in data["description"] and "A Case Study of Zibo China" in data["description_en"]
    assert "Wenwen Sun" in data["description_en"]
    assert all("§5.4" in node["guidance_en"] for node in data["indicators"][:2])


def test_the_demo_keeps_its_inventions_marked():
    """The units the demo makes up say so in their names (the real bodies it names keep theirs)."""
    from members.demo import NAMED_UNITS

    invented = Organization.objects.filter(is_demo=True).exclude(name__in=[unit[0] for unit in NAMED_UNITS.values()])
    assert invented.exists()
    assert [name for name in invented.values_list("name", flat=True) if "演示" not in name] == []
    assert "演示" in NAMED_UNITS["lead_enterprise"][0] and "demo" in NAMED_UNITS["lead_enterprise"][1]


def test_a_database_loaded_under_the_former_name_gets_the_new_wording(cast):
    from assessments.demo import FORMER_NAMES, load_seed_framework
    from assessments.models import Framework

    shipped = load_seed_framework()
    Framework.objects.filter(pk=shipped.pk).update(name=FORMER_NAMES[0], description="种子文献000")
    shipped.indicators.update(guidance="依据种子文献000 §5.4")
    again = load_seed_framework()
    assert again.pk == shipped.pk
    assert "种子" not in again.description and not again.indicators.filter(guidance__contains="种子").exists()


# The API docs under the content security policy ---------------------------------------------------------


def test_the_api_docs_page_has_no_inline_script_and_the_same_policy(client_for):
    response = client_for(None).get("/api/v1/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # every script is a file
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";" and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    script = client_for(None).get("/api/v1/docs/?script")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert client_for(None).get("/").headers["Content-Security-Policy"] == policy


# Calendar invitations ---------------------------------------------------------------------------------


def test_the_invitation_is_a_request_with_organizer_attendee_and_a_reminder(cast, high_tech, settings):
    settings.DEFAULT_FROM_EMAIL = "secretariat@alliance.example.cn"
    meeting = planned_meeting(council(high_tech), cast["secretariat"], hours_ahead=72)
    director = cast["director"]
    parsed = Calendar.from_ical(calendar.meeting_ics(meeting, attendee=director))
    assert str(parsed["METHOD"]) == "REQUEST"
    [event] = parsed.walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:secretariat@alliance.example.cn"
    assert high_tech.name in event["ORGANIZER"].params["CN"]
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{director.email}"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION" and attendee.params["RSVP"] == "TRUE"
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -datetime.timedelta(hours=settings.MEETING_REMINDER_HOURS)
    assert str(alarm["ACTION"]) == "DISPLAY"


def test_a_downloaded_copy_is_published_without_an_attendee(cast, high_tech):
    meeting = planned_meeting(council(high_tech), cast["secretariat"], hours_ahead=72)
    parsed = Calendar.from_ical(calendar.meeting_ics(meeting))
    assert str(parsed["METHOD"]) == "PUBLISH"
    [event] = parsed.walk("VEVENT")
    assert "ATTENDEE" not in event and "ORGANIZER" in event and event.walk("VALARM")


def test_the_personal_feed_is_named_in_chinese(cast, high_tech):
    planned_meeting(council(high_tech), cast["secretariat"], hours_ahead=72)
    from governance.selectors import calendar_meetings

    feed = Calendar.from_ical(calendar.feed_ics(calendar_meetings(cast["director"])))
    assert str(feed["X-WR-CALNAME"]) == "理事会会议"
    english = Calendar.from_ical(calendar.feed_ics(calendar_meetings(cast["director"]), language="en"))
    assert str(english["X-WR-CALNAME"]) == "Council meetings"


# The register's Excel export ---------------------------------------------------------------------------


def export(client, query="") -> "Worksheet":  # noqa: F821
    response = client.get(f"/register/export.xlsx?{query}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def test_the_export_has_bold_frozen_filtered_headers_and_widths(cast, client_for, high_tech):
    sheet = export(client_for(cast["secretariat"]), f"alliance={high_tech.pk}")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["A"].width >= 30


def test_the_secretariat_gets_the_contacts_of_its_members(cast, client_for):
    contact = Contact.objects.select_related("user", "organization").get(user=cast["contact"])
    contact.user.phone = "0533-1234567"
    contact.user.save(update_fields=["phone"])
    sheet = export(client_for(cast["secretariat"]), f"q={contact.organization.uscc}")
    headers = [cell.value for cell in sheet[1]]
    assert headers[-3:] == ["联系人", "电话", "电子邮箱"]
    row = [cell.value for cell in sheet[2]]
    assert str(contact.user) in row[-3] and row[-2] == "0533-1234567" and row[-1] == contact.user.email


def test_readers_who_may_not_see_contacts_get_none(cast, client_for):
    contact = Contact.objects.get(user=cast["contact"])
    for who in ("expert", "outsider"):  # no unit's contacts: no contact columns at all
        sheet = export(client_for(cast[who]), f"q={contact.organization.uscc}")
        assert "电子邮箱" not in [cell.value for cell in sheet[1]], who
    # A director is a contact of their own unit only: another unit's contacts stay empty.
    assert not Contact.objects.filter(user=cast["director"], organization=contact.organization).exists()
    sheet = export(client_for(cast["director"]), f"q={contact.organization.uscc}")
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert cast["contact"].email not in cells and str(cast["contact"]) not in str(cells)


def test_the_export_follows_the_readers_language(cast, client_for, high_tech):
    response = client_for(cast["secretariat"]).get(f"/register/export.xlsx?alliance={high_tech.pk}", **EN)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Name" and sheet["I2"].value == high_tech.name_en


def test_the_export_reads_the_contacts_in_a_fixed_number_of_queries(cast, client_for, high_tech):
    def queries():
        browser = client_for(cast["secretariat"])
        with CaptureQueriesContext(connection) as context:
            export(browser, f"alliance={high_tech.pk}")
        return len(context.captured_queries)

    before = queries()
    for number in range(5):
        unit = Organization.objects.create(name=f"联系人计数{number}", uscc=new_uscc(), type="enterprise", size="small")
        Membership.objects.create(alliance=high_tech, organization=unit, status="active", joined_on=TODAY)
        Contact.objects.create(user=cast["outsider"], organization=unit)
    assert queries() == before


# The secretariat's home ---------------------------------------------------------------------------------


def test_the_secretariats_home_shows_what_is_due(cast, client_for, high_tech):
    secretariat = cast["secretariat"]
    meeting = planned_meeting(council(high_tech), secretariat, hours_ahead=48, title="第九次理事会会议")
    motion = open_motion(secretariat, body=council(high_tech), title="关于到期事项的议案")
    owner = Membership.objects.filter(alliance=high_tech, status="active").first().organization
    task = task_services.task_create(alliance=high_tech, actor=secretariat, owner=owner, title="到期测试任务", **TASK,
                                     due_on=timezone.localdate() - datetime.timedelta(days=1))
    html = page(client_for(secretariat), "/")
    due = html[html.index('id="due"'):html.index("您的秘书处")]
    assert meeting.title in due and f"/governance/meetings/{meeting.pk}/" in due
    assert motion.title in due and "已收回 0 /" in due
    assert task.title in due and "逾期" in due
    assert 'id="due-assessments"' in due


def test_the_home_of_other_roles_has_no_due_section(cast, client_for):
    for who in ("director", "contact", "expert", "official"):
        assert 'id="due"' not in page(client_for(cast[who]), "/"), who


def test_the_secretariats_home_reads_in_a_fixed_number_of_queries(cast, client_for, high_tech):
    secretariat = cast["secretariat"]
    owner = Membership.objects.filter(alliance=high_tech, status="active").first().organization

    def queries():
        browser = client_for(secretariat)
        with CaptureQueriesContext(connection) as context:
            page(browser, "/")
        return len(context.captured_queries)

    task_services.task_create(alliance=high_tech, actor=secretariat, owner=owner, title="计数任务0", **TASK,
                              due_on=timezone.localdate())
    before = queries()
    for number in range(1, 5):
        task_services.task_create(alliance=high_tech, actor=secretariat, owner=owner, title=f"计数任务{number}", **TASK,
                                  due_on=timezone.localdate())
        planned_meeting(council(high_tech), secretariat, hours_ahead=24 + number, title=f"计数会议{number}")
    assert queries() == before


# Accessibility hooks ------------------------------------------------------------------------------------


def test_every_page_has_a_skip_link_to_its_content(client_for):
    html = page(client_for(None), "/")
    assert '<a class="skip-link" href="#content">' in html and '<main id="content"' in html


def test_form_errors_are_announced(cast, client_for, high_tech):
    response = client_for(cast["secretariat"]).post(f"/alliances/{high_tech.pk}/members/add/", {"uscc": "bad"})
    assert response.status_code == 400
    assert re.search(r'<ul class="errorlist"[^>]* role="alert"', response.content.decode())


def test_htmx_result_regions_are_live(cast, client_for):
    assert '<div id="register-table" aria-live="polite">' in page(client_for(cast["secretariat"]), "/register/")


def test_the_menu_folds_behind_a_button_on_phones(client_for):
    html = page(client_for(None), "/")
    assert 'class="nav-toggle secondary" type="button" aria-expanded="false" aria-controls="site-menu"' in html
    assert '<script src="/static/js/site.js"></script>' in html
