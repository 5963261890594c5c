"""Publicity's lists, pages and feeds: the query count does not grow with rows (10 vs 100)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import City
from members.models import Contact, RoleGrant
from publicity.models import Announcement, AnnouncementReceipt, NewsItem
from tests.factories import AllianceFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.publicity_data import announcement

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """A city's alliance with its official, secretariat and one contact, and an announcement sent to them."""
    city = City.objects.create(name="宣传计数市")
    alliance = AllianceFactory(city=city)
    official, secretariat, contact = UserFactory(), UserFactory(), UserFactory()
    RoleGrant.objects.create(user=official, role="official", city=city)
    RoleGrant.objects.create(user=secretariat, role="secretariat", alliance=alliance)
    unit = MembershipFactory(alliance=alliance, organization=OrganizationFactory(city=city)).organization
    Contact.objects.create(user=contact, organization=unit)
    sent = announcement(alliance, secretariat)
    return {"city": city, "alliance": alliance, "official": official, "secretariat": secretariat,
            "contact": contact, "unit": unit, "sent": sent}


def add_rows(world, n):
    """n more published items and drafts (with images' names), n more units whose contacts received the
    announcement and read half of it, n more announcements to the contact."""
    alliance, now = world["alliance"], timezone.now()
    for index in range(n):
        for status in ("published", "draft"):
            NewsItem.objects.create(
                alliance=alliance, kind=("news", "typical_case")[index % 2], title=f"条目{index}", body="正文",
                status=status, published_at=now if status == "published" else None, created_by=world["secretariat"],
                image=f"news-images/2026/{index}.png", image_type="image/png")
        unit = MembershipFactory(alliance=alliance, organization=OrganizationFactory(city=world["city"])).organization
        user = UserFactory()
        Contact.objects.create(user=user, organization=unit)
        AnnouncementReceipt.objects.create(announcement=world["sent"], user=user, organization=unit,
                                           read_at=now if index % 2 else None)
        other = Announcement.objects.create(alliance=alliance, title=f"通知{index}", body="正文", status="sent",
                                            sent_at=now, created_by=world["secretariat"])
        AnnouncementReceipt.objects.create(announcement=other, user=world["contact"], organization=world["unit"])


def count_queries(do):
    with CaptureQueriesContext(connection) as context:
        response = do()
    assert response.status_code == 200, response.status_code
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return len(context.captured_queries), context


CASES = [
    ("page", "/alliances/{alliance}/public/", None),
    ("page", "/alliances/{alliance}/public/", "official"),
    ("page", "/alliances/{alliance}/news/", None),
    ("page", "/alliances/{alliance}/news/", "secretariat"),
    ("page", "/alliances/{alliance}/news/feed/", None),
    ("page", "/cities/{city}/news/", None),
    ("page", "/cities/{city}/news/feed/", None),
    ("page", "/alliances/{alliance}/", "secretariat"),
    ("page", "/alliances/{alliance}/announcements/", "secretariat"),
    ("page", "/alliances/{alliance}/announcements/", "official"),
    ("page", "/announcements/{sent}/", "secretariat"),
    ("page", "/announcements/{sent}/", "contact"),
    ("page", "/announcements/", "contact"),
    ("page", "/", "contact"),
    ("api", "/api/v1/news/?page_size=200", None),
    ("api", "/api/v1/news/?page_size=200", "secretariat"),
]


@pytest.mark.parametrize(("kind", "url", "who"), CASES, ids=[f"{url} as {who or 'anonymous'}" for _k, url, who in CASES])
def test_query_count_is_flat(world, client_for, api_for, kind, url, who):
    user = world[who] if who else None
    path = url.format(alliance=world["alliance"].pk, city=world["city"].pk, sent=world["sent"].pk)
    client = client_for(user) if kind == "page" else api_for(user)

    add_rows(world, 10)
    client.get(path)  # warm the session and content-type caches
    small, _ = count_queries(lambda: client.get(path))
    add_rows(world, 90)
    large, context = count_queries(lambda: client.get(path))
    assert large == small, "\n".join(query["sql"] for query in context.captured_queries)


def test_the_rows_really_appear(world, client_for, api_for):
    add_rows(world, 10)
    assert api_for(world["secretariat"]).get(f"/api/v1/news/?alliance={world['alliance'].pk}").json()["count"] == 20
    page = client_for(world["secretariat"]).get(f"/announcements/{world['sent'].pk}/").content.decode()
    assert page.count('data-read="yes"') == 5 and page.count('data-read="no"') == 6
    assert client_for(world["contact"]).get("/announcements/").content.decode().count('data-read="no"') == 11
