"""A list's count and a signed-in user's scope are kept in the cache under the data's version (kernel/counts.py,
kernel/scope.py): computed once, used again until a request that may have written (or a task) moves the version
on; two readers share a count only when they count the same rows. These tests commit (transaction=True): inside
a transaction nothing is kept, which is what the rest of the suite runs in."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from alliance.demo import HIGH_TECH
from alliance.models import Alliance
from kernel.scope import forget_scope, scope_of
from kernel.versions import bump
from members.models import Membership, RoleGrant, User
from tests.conftest import load_cast
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/organizations/?page_size=5"


def _api(username):
    api = APIClient()
    api.force_authenticate(User.objects.get(username=username))
    return api


def _counted(api, url=API):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return response.json()["count"], [query["sql"] for query in queries]


def _writing_request():
    Client().post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})


def _new_unit(alliance):
    return OrganizationFactory(city=alliance.city)


def test_a_count_is_kept_per_reader_until_a_request_that_writes():
    load_cast()
    _new_unit(Alliance.objects.get(name=HIGH_TECH))  # of the official's city, member of nothing: not public
    bump()
    official, outsider = _api("official"), _api("outsider")
    first, queries = _counted(official)
    assert any("COUNT(*)" in sql for sql in queries)
    again, queries = _counted(official)
    assert again == first and not any("COUNT(*)" in sql for sql in queries)  # the page alone
    # Another reader counts other rows: the official sees every unit of the city, the outsider the public ones.
    public, queries = _counted(outsider)
    assert public < first and any("COUNT(*)" in sql for sql in queries)
    # A filter is another count.
    assert _counted(official, API + "&type=enterprise")[0] < first
    alliance = Alliance.objects.get(name=HIGH_TECH)
    _new_unit(alliance)  # written outside a request: the kept count is not moved yet (see kernel/counts.py)
    assert _counted(official)[0] == first
    _writing_request()
    assert _counted(official)[0] == first + 1


def test_the_last_page_and_a_page_beyond_the_end_use_the_kept_count():
    load_cast()
    bump()
    official = _api("official")
    count, _queries = _counted(official)
    last = -(-count // 5)
    response = official.get(API + "&page=last")
    assert response.status_code == 200 and len(response.json()["results"]) == count - (last - 1) * 5
    assert response.json()["next"] is None
    with CaptureQueriesContext(connection) as queries:
        assert official.get(API + f"&page={last + 1}").status_code == 404
    assert not any("members_organization" in query["sql"] for query in queries)  # known to be beyond the end


def test_a_page_counts_through_the_kept_count_too():
    load_cast()
    bump()
    client = Client()
    client.force_login(User.objects.get(username="official"))
    assert client.get("/register/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/register/")
    assert page.status_code == 200
    assert not any("COUNT(*)" in query["sql"] and "members_membership" in query["sql"] for query in queries)
    before = page.context["page"].paginator.count
    Membership.objects.create(alliance=Alliance.objects.get(name=HIGH_TECH),
                              organization=_new_unit(Alliance.objects.get(name=HIGH_TECH)),
                              status=Membership.Status.APPLIED)
    _writing_request()
    assert client.get("/register/").context["page"].paginator.count == before + 1


def test_a_scope_is_kept_until_a_request_that_writes():
    load_cast()
    bump()
    official = User.objects.get(username="official")
    outsider = User.objects.get(username="outsider")
    assert scope_of(User.objects.get(pk=official.pk)).official_city_ids
    with CaptureQueriesContext(connection) as queries:
        kept = scope_of(User.objects.get(pk=official.pk))
    assert kept.official_city_ids and len(queries) == 1  # the user; the scope came from the cache
    assert not scope_of(User.objects.get(pk=outsider.pk)).official_city_ids  # each user has their own
    grant = RoleGrant.objects.create(user=outsider, role="official", city=Alliance.objects.get(name=HIGH_TECH).city)
    assert not scope_of(User.objects.get(pk=outsider.pk)).official_city_ids  # outside a request: not seen yet
    _writing_request()
    assert scope_of(User.objects.get(pk=outsider.pk)).official_city_ids
    grant.delete()
    user = User.objects.get(pk=outsider.pk)
    assert scope_of(user).official_city_ids  # kept
    forget_scope(user)  # what a service does after changing the user's grants: read again in this request
    assert not scope_of(user).official_city_ids


def test_revoking_a_grant_on_its_page_takes_effect_on_the_next_request():
    load_cast()
    outsider = User.objects.get(username="outsider")
    grant = RoleGrant.objects.create(user=outsider, role="official", city=Alliance.objects.get(name=HIGH_TECH).city)
    _new_unit(Alliance.objects.get(name=HIGH_TECH))  # of the official's city, member of nothing: not public
    bump()
    api = _api("outsider")
    public = _counted(APIClient())[0]
    assert _counted(api)[0] > public  # an official's count, kept with the official's scope
    assert _counted(api)[0] > public
    official = Client()
    official.force_login(User.objects.get(username="official"))
    assert official.post(f"/roles/{grant.pk}/revoke/").status_code == 302
    assert _counted(_api("outsider"))[0] == public  # the scope and the count moved on with the version


def test_nothing_kept_is_used_in_a_request_that_may_write_or_in_a_task():
    """What such a request or task writes is not under a new version until it ends: a page it draws after its own
    write must count what it wrote."""
    from celery.signals import task_postrun, task_prerun
    from django.http import HttpResponse
    from django.test import RequestFactory

    from kernel.versions import DataVersionMiddleware, data_version

    seen = {}

    def view(request):
        seen[request.method] = data_version()
        return HttpResponse()

    middleware = DataVersionMiddleware(view)
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().post("/"))
    assert seen["GET"] is not None and seen["POST"] is None
    task_prerun.send(sender=None)
    assert data_version() is None
    task_postrun.send(sender=None)
    assert data_version() is not None


def test_a_read_that_writes_all_the_same_moves_the_version_on():
    """Opening an announcement records that it was read, with a GET: the version moves on after it as after a
    POST; a GET that only reads leaves it."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from kernel.versions import DataVersionMiddleware, data_version

    load_cast()
    outsider = User.objects.get(username="outsider")

    def reads(request):
        list(User.objects.filter(pk=outsider.pk))
        return HttpResponse()

    def writes(request):
        User.objects.filter(pk=outsider.pk).update(full_name="局外人")
        return HttpResponse()

    before = data_version()
    DataVersionMiddleware(reads)(RequestFactory().get("/"))
    assert data_version() == before
    DataVersionMiddleware(writes)(RequestFactory().get("/"))
    assert data_version() > before
