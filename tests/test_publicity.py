"""News, typical cases and announcements: the services, their pages, the feeds and the public page."""

import datetime
import xml.etree.ElementTree as ElementTree
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alliance.models import Alliance
from config.celery import app as celery_app
from governance.services import votes
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.models import Notification
from members.models import Contact, Membership, Organization
from publicity import services
from publicity.demo import load_publicity_demo
from publicity.extensions import SubjectKind, register_subject_kind, unregister_subject_kind
from publicity.models import Announcement, AnnouncementReceipt, CaseSubject, NewsItem
from publicity.selectors import cases_about, news_for_user, typical_cases_count
from publicity.tasks import announcement_reminders
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.governance_data import meeting_with_open_motion
from tests.publicity_data import announcement, draft, picture, png_upload, published, upload

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def recipients_of(alliance) -> set[int]:
    """The active users acting for the alliance's active member units."""
    return set(Contact.objects.filter(
        organization__memberships__alliance=alliance, organization__memberships__status="active",
        user__is_active=True).values_list("user_id", flat=True))


# News and typical cases ----------------------------------------------------------------------------------

def test_a_draft_is_read_by_the_secretariat_and_the_officials_only(cast, high_tech):
    item = draft(high_tech, cast["secretariat"])
    assert item.status == "draft" and item.published_at is None
    readers = {role for role in ("anonymous", "official", "secretariat", "director", "contact", "outsider",
                                 "weifang_official")
               if news_for_user(cast[role]).filter(pk=item.pk).exists()}
    assert readers == {"official", "secretariat"}


def test_publishing_puts_it_on_the_public_page_the_citys_page_and_the_feeds(cast, high_tech, client_for):
    item = draft(high_tech, cast["secretariat"], kind="typical_case", title="订单班育人的典型做法")
    anonymous = client_for(None)
    assert "订单班育人的典型做法" not in page_text(anonymous.get(f"/alliances/{high_tech.pk}/public/"))

    services.news_publish(item=item, actor=cast["secretariat"])
    item.refresh_from_db()
    assert item.status == "published" and item.published_at is not None
    for path in (f"/alliances/{high_tech.pk}/public/", f"/cities/{high_tech.city_id}/news/",
                 f"/alliances/{high_tech.pk}/news/", f"/news/{item.pk}/", f"/alliances/{high_tech.pk}/news/feed/",
                 f"/cities/{high_tech.city_id}/news/feed/"):
        assert "订单班育人的典型做法" in page_text(anonymous.get(path)), path
    public = page_text(anonymous.get(f"/alliances/{high_tech.pk}/public/"))
    cases = public[public.index('id="public-cases"'):]
    assert f'data-news="{item.pk}"' in cases[:cases.index("</section>")]


def test_withdrawing_takes_it_off_and_publishing_again_keeps_its_first_date(cast, high_tech, client_for):
    item = published(high_tech, cast["secretariat"], title="将被撤回的新闻")
    first = item.published_at
    services.news_withdraw(item=item, actor=cast["secretariat"])
    assert client_for(None).get(f"/news/{item.pk}/").status_code == 404
    assert "将被撤回的新闻" not in page_text(client_for(None).get(f"/alliances/{high_tech.pk}/public/"))
    assert "将被撤回的新闻" in page_text(client_for(cast["official"]).get(f"/alliances/{high_tech.pk}/news/"))
    again = services.news_publish(item=item, actor=cast["secretariat"])
    assert again.status == "published" and again.published_at == first


def test_publishing_twice_or_withdrawing_a_draft_is_a_conflict(cast, high_tech):
    item = published(high_tech, cast["secretariat"])
    with pytest.raises(StateConflict):
        services.news_publish(item=item, actor=cast["secretariat"])
    with pytest.raises(StateConflict):
        services.news_withdraw(item=draft(high_tech, cast["secretariat"]), actor=cast["secretariat"])


@pytest.mark.parametrize("role", ["official", "director", "contact", "weifang_secretariat"])
def test_only_the_alliances_secretariat_writes_and_publishes(cast, high_tech, role):
    with pytest.raises(NotAllowed):
        draft(high_tech, cast[role])
    item = draft(high_tech, cast["secretariat"])
    with pytest.raises(NotAllowed):
        services.news_publish(item=item, actor=cast[role])
    with pytest.raises(NotAllowed):
        services.announcement_create(alliance=high_tech, actor=cast[role], title="通知", body="正文")
    assert NewsItem.objects.get(pk=item.pk).status == "draft"


def test_blank_text_is_refused_on_its_field(cast, high_tech):
    with pytest.raises(DomainError) as refused:
        draft(high_tech, cast["secretariat"], title="   ")
    assert refused.value.field == "title"


# Images -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "content_type", "extension"), [
    ("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"), ("WEBP", "image/webp", "webp")])
def test_a_png_jpeg_or_webp_image_is_stored_under_a_name_of_our_own(cast, high_tech, fmt, content_type, extension):
    item = draft(high_tech, cast["secretariat"], image=upload(picture(fmt), "../../我的照片.gif", "text/plain"),
                 image_caption="实训基地")
    assert item.image_type == content_type
    assert item.image.name.startswith("news-images/") and item.image.name.endswith(f".{extension}")
    assert "照片" not in item.image.name and ".." not in item.image.name


@pytest.mark.parametrize(("content", "name"), [
    (b"%PDF-1.4 not a picture", "photo.png"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "photo.svg"),
    (picture("GIF"), "photo.gif"),
    (picture("PNG")[:40], "cut.png"),
])
def test_anything_but_a_png_jpeg_or_webp_picture_is_refused_and_nothing_is_saved(cast, high_tech, content, name):
    before = NewsItem.objects.count()
    with pytest.raises(DomainError) as refused:
        draft(high_tech, cast["secretariat"], image=upload(content, name, "image/png"))
    assert (refused.value.field, refused.value.code) == ("image", "invalid_image")
    assert NewsItem.objects.count() == before


def test_an_image_over_the_size_limit_is_refused(cast, high_tech, settings):
    settings.NEWS_IMAGE_MAX_BYTES = 50
    with pytest.raises(DomainError) as refused:
        draft(high_tech, cast["secretariat"], image=png_upload())
    assert (refused.value.field, refused.value.code) == ("image", "file_too_large")


def test_the_form_answers_a_refused_image_with_its_reason_not_a_500(cast, high_tech, client_for):
    response = client_for(cast["secretariat"]).post(
        f"/alliances/{high_tech.pk}/news/new/",
        {"kind": "news", "title": "带图片的新闻", "body": "正文", "image": upload(b"GIF89a...", "x.png")},
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The image must be a PNG, JPEG or WebP picture." in response.content.decode()
    assert not NewsItem.objects.filter(title="带图片的新闻").exists()


def test_the_image_is_served_to_whoever_may_read_the_item(cast, high_tech, client_for):
    item = draft(high_tech, cast["secretariat"], image=png_upload())
    path = f"/news/{item.pk}/images/{item.image_name}"
    assert client_for(None).get(path).status_code == 404
    assert client_for(cast["official"]).get(path).status_code == 200
    services.news_publish(item=item, actor=cast["secretariat"])
    response = client_for(None).get(path)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == picture("PNG")
    assert "public" in response["Cache-Control"]
    assert client_for(None).get(f"/news/{item.pk}/images/other.png").status_code == 404
    assert f'src="{path}"' in page_text(client_for(None).get(f"/news/{item.pk}/"))


def test_a_new_image_gets_a_new_address_and_the_old_file_goes(cast, high_tech, client_for, media,
                                                              django_capture_on_commit_callbacks):
    item = published(high_tech, cast["secretariat"], image=png_upload())
    old_name, old_path = item.image_name, media / item.image.name
    with django_capture_on_commit_callbacks(execute=True):
        item = services.news_update(item=item, actor=cast["secretariat"], kind="news", title=item.title,
                                    body=item.body, image=upload(picture("JPEG"), "new.jpg", "image/jpeg"))
    assert item.image_type == "image/jpeg" and item.image_name != old_name
    assert not old_path.exists()
    assert client_for(None).get(f"/news/{item.pk}/images/{old_name}").status_code == 404
    assert client_for(None).get(f"/news/{item.pk}/images/{item.image_name}").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        item = services.news_update(item=item, actor=cast["secretariat"], kind="news", title=item.title,
                                    body=item.body, remove_image=True)
    assert not item.image and item.image_type == ""


def test_the_text_is_escaped_and_its_line_breaks_kept(cast, high_tech, client_for):
    item = published(high_tech, cast["secretariat"],
                     body="<script>alert('x')</script>第一行\n第二行\n\n<b>第二段</b>")
    page = page_text(client_for(None).get(f"/news/{item.pk}/"))
    body = page[page.index('id="news-body"'):]
    assert "<script>alert" not in page and "&lt;script&gt;" in body
    assert "第一行<br>第二行" in body and "<p>&lt;b&gt;第二段&lt;/b&gt;</p>" in body


# The figure for B10 and the tags -------------------------------------------------------------------------

def test_typical_cases_count_counts_the_cases_published_in_the_period(cast, high_tech):
    secretariat = cast["secretariat"]

    def case_published_on(day, **fields):
        item = published(high_tech, secretariat, kind="typical_case", **fields)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        NewsItem.objects.filter(pk=item.pk).update(published_at=moment)
        return item

    case_published_on(datetime.date(2025, 1, 1))
    case_published_on(datetime.date(2025, 12, 31))
    case_published_on(datetime.date(2026, 1, 1))
    withdrawn = case_published_on(datetime.date(2025, 6, 1))
    services.news_withdraw(item=withdrawn, actor=secretariat)
    news = published(high_tech, secretariat, kind="news")
    NewsItem.objects.filter(pk=news.pk).update(published_at=timezone.make_aware(datetime.datetime(2025, 6, 1)))
    draft(high_tech, secretariat, kind="typical_case")
    assert typical_cases_count(high_tech, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)) == 2
    assert typical_cases_count(high_tech, datetime.date(2026, 1, 1), datetime.date(2026, 1, 1)) == 1


@pytest.fixture
def units_as_subjects():
    """A stand-in for cooperation's projects: member units registered as what a typical case describes."""
    kind = SubjectKind(
        "unit", gettext_lazy("Member unit"),
        choices=lambda alliance: Organization.objects.filter(memberships__alliance=alliance,
                                                             memberships__status="active"),
        link=lambda organization: f"/organizations/{organization.pk}/",
    )
    register_subject_kind(kind)
    yield kind
    unregister_subject_kind("unit")


def test_a_typical_case_is_tagged_with_records_another_app_registered(cast, high_tech, other_alliance, client_for,
                                                                      api_for, units_as_subjects):
    unit = Organization.objects.get(contacts__user=cast["contact"])
    case = published(high_tech, cast["secretariat"], kind="typical_case", subjects={"unit": [unit.pk]})
    assert list(case.subjects.values_list("kind", "object_id")) == [("unit", unit.pk)]
    assert list(cases_about("unit", unit.pk)) == [case]
    page = page_text(client_for(None).get(f"/news/{case.pk}/"))
    assert f'href="/organizations/{unit.pk}/">{unit.name}</a>' in page
    answer = api_for(None).get(f"/api/v1/news/{case.pk}/").json()
    assert answer["subjects"] == [{"kind": "unit", "id": unit.pk}]

    stranger = OrganizationFactory()
    MembershipFactory(alliance=other_alliance, organization=stranger)
    with pytest.raises(DomainError):
        services.news_update(item=case, actor=cast["secretariat"], kind="typical_case", title=case.title,
                             body=case.body, subjects={"unit": [stranger.pk]})
    with pytest.raises(DomainError):
        draft(high_tech, cast["secretariat"], kind="news", subjects={"unit": [unit.pk]})
    with pytest.raises(DomainError):
        draft(high_tech, cast["secretariat"], kind="typical_case", subjects={"project": [1]})
    assert list(CaseSubject.objects.filter(item=case).values_list("object_id", flat=True)) == [unit.pk]

    services.news_update(item=case, actor=cast["secretariat"], kind="news", title=case.title, body=case.body)
    assert not CaseSubject.objects.filter(item=case).exists()


def test_the_case_form_offers_the_registered_kinds(cast, high_tech, client_for, units_as_subjects):
    unit = Organization.objects.get(contacts__user=cast["contact"])
    response = client_for(cast["secretariat"]).post(f"/alliances/{high_tech.pk}/news/new/", {
        "kind": "typical_case", "title": "校企共建产业学院", "body": "正文", "subject_unit": [unit.pk]})
    assert response.status_code == 302
    case = NewsItem.objects.get(title="校企共建产业学院")
    assert list(case.subjects.values_list("object_id", flat=True)) == [unit.pk]


# Feeds ----------------------------------------------------------------------------------------------------

def test_the_atom_feed_is_valid_and_holds_only_published_items(cast, high_tech, client_for):
    item = published(high_tech, cast["secretariat"], kind="typical_case", title="共建实训基地",
                     body="设备共享 <b>开放</b>\n第二行")
    hidden = draft(high_tech, cast["secretariat"], title="尚未发布的草稿")
    response = client_for(None).get(f"/alliances/{high_tech.pk}/news/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith(f"/alliances/{high_tech.pk}/news/feed/")
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert "共建实训基地" in titles and hidden.title not in titles
    for entry in entries:
        for required in ("id", "title", "updated", "published", "summary"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/news/")
        datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    entry = entries[titles.index("共建实训基地")]
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "<p>设备共享 &lt;b&gt;开放&lt;/b&gt;<br>第二行</p>"
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/news/{item.pk}/"
    assert entry.find(f"{ATOM}category").get("term") in ("典型案例", "Typical case")


def test_the_citys_feed_gathers_its_public_alliances_and_a_hidden_alliance_has_none(cast, high_tech, other_alliance,
                                                                                     client_for):
    published(high_tech, cast["secretariat"], title="高新区联合体的新闻")
    city = ElementTree.fromstring(client_for(None).get(f"/cities/{high_tech.city_id}/news/feed/").content)
    assert "高新区联合体的新闻" in [entry.findtext(f"{ATOM}title") for entry in city.findall(f"{ATOM}entry")]
    assert client_for(None).get(f"/alliances/{other_alliance.pk}/news/feed/").status_code == 404
    assert client_for(cast["weifang_secretariat"]).get(f"/alliances/{other_alliance.pk}/news/feed/").status_code == 404


# The alliance's public page ------------------------------------------------------------------------------

def test_the_public_page_gathers_every_apps_published_records_in_order(cast, high_tech, client_for):
    secretariat = cast["secretariat"]
    news = published(high_tech, secretariat, title="已发布的新闻")
    draft(high_tech, secretariat, title="草稿新闻")
    _meeting, motion = meeting_with_open_motion(high_tech, secretariat, title="关于共建产业学院的决议")
    for seat in motion.body.seats.filter(term_end__isnull=True).select_related("user"):
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")
    closed = votes.motion_close(motion=motion, actor=secretariat)
    page = page_text(client_for(None).get(f"/alliances/{high_tech.pk}/public/"))
    assert high_tech.name in page and high_tech.park.name in page
    assert all(chain.name in page for chain in high_tech.chains.all())
    assert "已发布的新闻" in page and "草稿新闻" not in page
    assert f'data-motion="{motion.pk}"' not in page

    votes.motion_publish(motion=closed, actor=secretariat)
    page = page_text(client_for(None).get(f"/alliances/{high_tech.pk}/public/"))
    assert f'data-motion="{motion.pk}"' in page
    order = ["public-profile", "public-members", "public-news", "public-cases", "public-resolutions",
             "public-assessments"]
    positions = [page.index(f'id="{section}"') for section in order]
    assert positions == sorted(positions)
    assert f'data-news="{news.pk}"' in page


def test_the_public_page_is_the_same_for_everyone(cast, high_tech, client_for):
    draft(high_tech, cast["secretariat"], title="只有秘书处看得到的草稿")
    for role in ("anonymous", "secretariat", "official"):
        assert "只有秘书处看得到的草稿" not in page_text(client_for(cast[role]).get(f"/alliances/{high_tech.pk}/public/"))


def test_an_alliance_not_public_yet_has_no_public_page(cast, other_alliance, client_for):
    for role in ("anonymous", "weifang_secretariat", "weifang_official"):
        assert client_for(cast[role]).get(f"/alliances/{other_alliance.pk}/public/").status_code == 404


def test_a_news_item_of_an_alliance_not_public_is_not_public(cast, other_alliance, client_for, api_for):
    item = published(other_alliance, cast["weifang_secretariat"], title="潍坊联合体的新闻")
    assert client_for(None).get(f"/news/{item.pk}/").status_code == 404
    assert item.pk not in {row["id"] for row in api_for(None).get("/api/v1/news/?page_size=200").json()["results"]}
    assert client_for(cast["weifang_official"]).get(f"/news/{item.pk}/").status_code == 200


# Announcements ------------------------------------------------------------------------------------------

def test_sending_delivers_once_to_each_contact_of_the_active_member_units(cast, high_tech):
    secretariat = cast["secretariat"]
    # A contact acting for two member units receives it once; an inactive one and a departed unit's do not.
    both = UserFactory()
    for organization in Organization.objects.filter(memberships__alliance=high_tech)[:2]:
        Contact.objects.create(user=both, organization=organization)
    inactive = UserFactory(is_active=False)
    Contact.objects.create(user=inactive, organization=Organization.objects.get(contacts__user=cast["contact"]))
    departed = MembershipFactory(alliance=high_tech, status=Membership.Status.WITHDRAWN)
    gone = UserFactory()
    Contact.objects.create(user=gone, organization=departed.organization)
    expected = recipients_of(high_tech)
    assert both.pk in expected and inactive.pk not in expected and gone.pk not in expected

    sent = announcement(high_tech, secretariat, important=True)
    assert sent.status == "sent" and sent.sent_at is not None
    assert set(sent.receipts.values_list("user_id", flat=True)) == expected
    keys = Notification.objects.filter(key__startswith=f"announcement:{sent.pk}:")
    assert sorted(keys.values_list("user_id", flat=True)) == sorted(expected)
    assert set(keys.values_list("mail_status", flat=True)) == {"pending"}
    assert keys.get(user=cast["contact"]).url == f"/announcements/{sent.pk}/"

    with pytest.raises(StateConflict):
        services.announcement_send(announcement=sent, actor=secretariat)
    assert keys.count() == len(expected) and sent.receipts.count() == len(expected)


def test_an_announcement_to_chosen_unit_types_reaches_only_their_contacts(cast, high_tech):
    sent = announcement(high_tech, cast["secretariat"], unit_types=["enterprise"])
    receivers = set(sent.receipts.values_list("user_id", flat=True))
    assert cast["contact"].pk in receivers
    assert set(Organization.objects.filter(contacts__user_id__in=receivers).values_list("type", flat=True)) == {
        "enterprise"}
    assert len(receivers) < len(recipients_of(high_tech))


def test_an_announcement_nobody_would_receive_is_refused_and_stays_a_draft(cast, high_tech):
    made = announcement(high_tech, cast["secretariat"], unit_types=["financial_institution"], send=False)
    with pytest.raises(DomainError) as refused:
        services.announcement_send(announcement=made, actor=cast["secretariat"])
    assert refused.value.code == "no_recipients"
    made.refresh_from_db()
    assert made.status == "draft" and not made.receipts.exists()
    with pytest.raises(DomainError):
        announcement(high_tech, cast["secretariat"], unit_types=["planet"], send=False)


def test_a_sent_announcement_cannot_be_changed(cast, high_tech, client_for):
    sent = announcement(high_tech, cast["secretariat"])
    with pytest.raises(StateConflict):
        services.announcement_update(announcement=sent, actor=cast["secretariat"], title="改过的标题", body="正文")
    response = client_for(cast["secretariat"]).post(f"/announcements/{sent.pk}/edit/", {"title": "改", "body": "x"})
    assert response.status_code == 302
    assert Announcement.objects.get(pk=sent.pk).title == sent.title


def test_each_recipient_gets_the_message_in_their_language(cast, high_tech):
    cast["contact"].language = "en"
    cast["contact"].save(update_fields=["language"])
    sent = announcement(high_tech, cast["secretariat"], title="关于报送清单的通知")
    english = Notification.objects.get(key=f"announcement:{sent.pk}:{cast['contact'].pk}")
    chinese = Notification.objects.get(key=f"announcement:{sent.pk}:{cast['director'].pk}")
    assert english.subject == f"Announcement from {high_tech.name}: 关于报送清单的通知"
    assert chinese.subject == f"{high_tech.name}公告：关于报送清单的通知"
    assert "请各成员单位按时报送。" in english.body and "请各成员单位按时报送。" in chinese.body


def test_opening_it_marks_it_read_and_the_secretariat_sees_who_has_read(cast, high_tech, client_for):
    sent = announcement(high_tech, cast["secretariat"])
    contact = cast["contact"]
    home = page_text(client_for(contact).get("/"))
    assert f'data-announcement="{sent.pk}"' in home[home.index('id="unread-announcements"'):]

    page = page_text(client_for(contact).get(f"/announcements/{sent.pk}/"))
    assert "请各成员单位按时报送。" in page and 'id="receipts"' not in page
    receipt = AnnouncementReceipt.objects.get(announcement=sent, user=contact)
    first_read = receipt.read_at
    assert first_read is not None
    assert Notification.objects.get(key=f"announcement:{sent.pk}:{contact.pk}").read_at is not None
    client_for(contact).get(f"/announcements/{sent.pk}/")
    receipt.refresh_from_db()
    assert receipt.read_at == first_read
    assert 'id="unread-announcements"' not in page_text(client_for(contact).get("/"))

    for overseer in ("secretariat", "official"):
        page = page_text(client_for(cast[overseer]).get(f"/announcements/{sent.pk}/"))
        assert f'data-user="{contact.pk}" data-read="yes"' in page
        assert f'data-user="{cast["director"].pk}" data-read="no"' in page
    assert not AnnouncementReceipt.objects.filter(announcement=sent, user=cast["secretariat"]).exists()
    listing = page_text(client_for(cast["secretariat"]).get(f"/alliances/{high_tech.pk}/announcements/"))
    assert f"1 / {len(recipients_of(high_tech))}" in listing


def test_an_important_announcement_reminds_those_who_have_not_read_it_once(cast, high_tech, settings):
    settings.ANNOUNCEMENT_REMINDER_DAYS = 3
    sent = announcement(high_tech, cast["secretariat"], important=True)
    ordinary = announcement(high_tech, cast["secretariat"], title="普通通知")
    services.announcement_mark_read(announcement=sent, user=cast["contact"])
    assert services.announcement_remind_due() == 0  # not three days yet

    Announcement.objects.filter(pk__in=[sent.pk, ordinary.pk]).update(sent_at=timezone.now() - timedelta(days=3))
    expected = recipients_of(high_tech) - {cast["contact"].pk}
    assert announcement_reminders() == len(expected)
    assert announcement_reminders() == 0
    reminded = Notification.objects.filter(key__startswith=f"announcement:{sent.pk}:remind:")
    assert set(reminded.values_list("user_id", flat=True)) == expected
    assert not Notification.objects.filter(key__startswith=f"announcement:{ordinary.pk}:remind:").exists()
    assert AnnouncementReceipt.objects.get(announcement=sent, user=cast["contact"]).reminded_at is None
    assert AnnouncementReceipt.objects.filter(announcement=sent, reminded_at__isnull=False).count() == len(expected)

    # Reading it after the reminder marks the reminder read too.
    director = cast["director"]
    services.announcement_mark_read(announcement=sent, user=director)
    assert reminded.get(user=director).read_at is not None


def test_the_beat_runs_the_reminder_every_hour():
    entry = celery_app.conf.beat_schedule["announcement-reminders"]
    assert entry["task"] == "publicity.tasks.announcement_reminders"
    assert entry["task"] in celery_app.tasks


def test_the_inbox_lists_the_users_announcements_unread_first_marked(cast, high_tech, client_for):
    first = announcement(high_tech, cast["secretariat"], title="第一份通知")
    second = announcement(high_tech, cast["secretariat"], title="第二份通知")
    services.announcement_mark_read(announcement=first, user=cast["contact"])
    page = page_text(client_for(cast["contact"]).get("/announcements/"))
    assert f'data-announcement="{first.pk}" data-read="yes"' in page
    assert f'data-announcement="{second.pk}" data-read="no"' in page
    assert f'data-announcement="{first.pk}"' not in page_text(client_for(cast["official"]).get("/announcements/"))


# The demo -----------------------------------------------------------------------------------------------

def test_the_demo_publishes_news_and_two_typical_cases_and_sends_one_announcement_once():
    assert load_publicity_demo() is True
    alliance = Alliance.objects.get(name__startswith="淄博高新")
    items = NewsItem.objects.filter(alliance=alliance, status="published")
    assert items.filter(kind="typical_case").count() == 2 and items.filter(kind="news").count() >= 3
    sent = Announcement.objects.get(alliance=alliance)
    assert sent.status == "sent" and sent.receipts.count() == len(recipients_of(alliance))
    assert load_publicity_demo() is False
    assert Announcement.objects.filter(alliance=alliance).count() == 1


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", ["新闻", "典型案例", "成员构成", "已公开的决议", "考核结果"]),
    ("en", ["News", "Typical cases", "Members by type", "Published resolutions", "Assessment results"]),
])
def test_the_public_page_speaks_chinese_and_english(high_tech, client_for, language, words):
    page = page_text(client_for(None).get(f"/alliances/{high_tech.pk}/public/", HTTP_ACCEPT_LANGUAGE=language))
    assert f'lang="{language}"' in page
    assert all(word in page for word in words), [word for word in words if word not in page]


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", ["阅读情况", "本产教联合体全部公告"]), ("en", ["Who has read it", "All announcements of the alliance"])])
def test_the_secretariats_announcement_page_speaks_both_languages(cast, high_tech, client_for, language, words):
    sent = announcement(high_tech, cast["secretariat"])
    page = page_text(client_for(cast["secretariat"]).get(f"/announcements/{sent.pk}/", HTTP_ACCEPT_LANGUAGE=language))
    assert all(word in page for word in words), [word for word in words if word not in page]
