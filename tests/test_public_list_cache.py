"""What a caller gets from the one-query lists is kept in the cache under the data's version (kernel/versions.py,
kernel/api/lists.py): served again without the database until a request that may have written (or a task) moves
the version on; a signed-in caller's apart from the anonymous one and from another scope's; kept apart per
language; `Cache-Control: no-cache` computes afresh. These tests commit (transaction=True): inside a transaction nothing is kept, which is what the
rest of the suite runs in."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from assessments.tasks import assessment_reminders
from kernel.versions import bump, data_version
from members.models import Membership, User
from tests.conftest import load_cast
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/organizations/?page_size=5"


def _get(api, url=URL, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, **headers)
    assert response.status_code == 200
    return response.json(), len(queries)


def _new_member(alliance):
    organization = OrganizationFactory(city=alliance.city)
    Membership.objects.create(alliance=alliance, organization=organization, status=Membership.Status.ACTIVE,
                              joined_on=timezone.localdate() - datetime.timedelta(days=1))


def test_an_anonymous_page_is_served_again_until_a_request_that_writes():
    load_cast()
    bump()
    api = APIClient()
    first, queries = _get(api)
    assert queries >= 1
    assert _get(api) == (first, 0)
    assert _get(api, HTTP_CACHE_CONTROL="no-cache")[1] >= 1  # asked for fresh
    _new_member(Alliance.objects.get(name=HIGH_TECH))  # written outside a request: not seen yet (up to 60 s)
    assert _get(api) == (first, 0)
    Client().post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})  # any request that may write
    after, queries = _get(api)
    assert queries >= 1 and after["count"] == first["count"] + 1


def test_a_signed_in_caller_and_another_language_are_never_served_what_another_was():
    load_cast()
    OrganizationFactory(city=Alliance.objects.get(name=HIGH_TECH).city)  # the official sees it, the public does not
    bump()
    anonymous = APIClient()
    public, _queries = _get(anonymous)
    assert _get(anonymous)[1] == 0
    assert _get(anonymous, HTTP_ACCEPT_LANGUAGE="en")[1] >= 1
    official = APIClient()
    official.force_authenticate(User.objects.get(username="official"))
    own, queries = _get(official)
    assert queries >= 1 and own["count"] == public["count"] + 1  # not the anonymous page: the official's own
    assert _get(official) == (own, 0)  # kept under the SQL of the official's list, which carries their scope
    outsider = APIClient()
    outsider.force_authenticate(User.objects.get(username="outsider"))
    theirs, queries = _get(outsider)
    assert queries >= 1 and theirs["count"] == public["count"]


def test_the_version_moves_after_a_writing_request_or_a_task_and_not_after_a_read():
    load_cast()
    before = data_version()
    Client().get("/")
    assert data_version() == before
    Client().post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert data_version() > before
    before = data_version()
    assessment_reminders.apply()
    assert data_version() > before
