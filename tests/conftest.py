"""The shared cast: the Zibo demo (one user per role) plus outsiders from another city.

The demo is loaded once per session into the test database; tests that use
`db` run inside a transaction on top of it. Transactional tests (live server,
Celery worker) flush the database afterwards, so they load what they need
themselves (`load_demo` is idempotent). pytest-django runs them after all the
others, in each xdist worker too (`make test` runs the suite in parallel: each
worker has its own test database and, see config/settings.py, Redis database).

Rows that many tests of a module read are built once for the module inside
`module_transaction` (see there), and uploaded files go to a temporary
MEDIA_ROOT for the whole session.
"""

import os

import pytest
from django.conf import global_settings, settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation
from rest_framework.test import APIClient

from alliance.demo import HIGH_TECH
from alliance.models import Alliance, City
from config.demo import load_demo
from kernel import versions
from members.models import RoleGrant, User
from members.uscc import make_uscc
from tests.schema_validation import check_response

PASSWORD = settings.DEMO_PASSWORD
OTHER_CITY_ALLIANCE = "潍坊市域产教联合体（测试）"


def load_cast() -> None:
    load_demo()
    weifang, _ = City.objects.get_or_create(name="潍坊市", defaults={"name_en": "Weifang"})
    other, _ = Alliance.objects.get_or_create(
        name=OTHER_CITY_ALLIANCE, defaults={"city": weifang, "status": Alliance.Status.PROPOSED}
    )
    for username in ("outsider", "weifang_official", "weifang_secretariat"):
        user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@test.invalid"})
        if created:
            user.set_password(PASSWORD)
            user.save()
    RoleGrant.objects.get_or_create(user=User.objects.get(username="weifang_official"), role="official", city=weifang)
    RoleGrant.objects.get_or_create(
        user=User.objects.get(username="weifang_secretariat"), role="secretariat", alliance=other
    )


def load_cast_for_production() -> None:
    """The cast for a test whose logins another process checks with the production settings: their hashers
    do not know the fast one the tests store passwords with (fast_password_hashing_for_the_session), so
    the cast's passwords are hashed again as production hashes them, whoever loaded the cast first."""
    load_cast()
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        hashed = make_password(PASSWORD)
    User.objects.filter(password__startswith="md5$").update(password=hashed)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language: a request in English (or /i18n/setlang/) leaves its language
    active on the thread, which a next test calling a service directly would otherwise inherit."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def cache_reachable_again():
    """A test that took the cache away (tests/test_redis_down.py) leaves this process not trying it for ten
    seconds (kernel/versions.py); the next test starts with the cache there."""
    yield
    versions._down_until = 0.0


@pytest.fixture(autouse=True)
def validate_api_responses(request, monkeypatch):
    """Every response an APIClient receives from /api/v1/ must match the served schema
    (tests/schema_validation.py). Opt out, saying why, with @pytest.mark.schema_unchecked("reason")."""
    marker = request.node.get_closest_marker("schema_unchecked")
    if marker is not None:
        assert marker.args and marker.args[0], "schema_unchecked needs the reason as its argument"
        return
    original = APIClient.request

    def request_and_check(self, **kwargs):
        response = original(self, **kwargs)
        check_response(response)
        return response

    monkeypatch.setattr(APIClient, "request", request_and_check)


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Uploaded and generated files go to a temporary directory, never to the project's media/: in this
    process (MEDIA_ROOT overridden) and in the processes tests start (gunicorn, manage.py) through the
    environment."""
    path = tmp_path_factory.mktemp("media")
    previous = os.environ.get("MEDIA_ROOT")
    os.environ["MEDIA_ROOT"] = str(path)
    with override_settings(MEDIA_ROOT=path):
        yield path
    if previous is None:
        os.environ.pop("MEDIA_ROOT", None)
    else:
        os.environ["MEDIA_ROOT"] = previous


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing_for_the_session():
    """Passwords stored by the tests (the cast, loaded once per session and again by every transactional
    test, about twenty users) are hashed with a fast hasher: at PBKDF2's cost each load took ~5 s of CPU.
    The configured hashers still check what they hashed. A test whose passwords are checked by another
    process with the production settings hashes as production does (tests/test_redis_down.py)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher",
                                             *settings.PASSWORD_HASHERS]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit("The suite runs on PostgreSQL: run it with `make test` (DATABASE_URL).", returncode=2)
        load_cast()


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction around the rest of a test module, rolled back when the module ends.

    A module-scoped fixture that asks for this one builds its rows once, inside it; each test then runs
    in its own savepoint within it (the `db` fixture's atomic block nests), so every test sees the rows
    as built and its own changes are rolled back after it. The rows never outlive the module.

    Only for modules without transactional tests (`transaction=True`, live_server): those commit and flush.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def keep_files(*fields) -> list:
    """The contents of files that rows built for a module point to (FieldFiles), for `restore_files`."""
    kept = []
    for field in fields:
        with field.storage.open(field.name, "rb") as handle:
            kept.append((field.storage, field.name, handle.read()))
    return kept


def restore_files(kept) -> None:
    """Put back the kept files a test deleted: the database rolls back after each test, storage does not."""
    for storage, name, content in kept:
        if not storage.exists(name):
            assert storage.save(name, ContentFile(content)) == name


CAST = ["official", "secretariat", "director1", "contact", "expert1", "outsider", "weifang_official",
        "weifang_secretariat"]


def cast_users() -> dict:
    """Users by role name; 'anonymous' is None."""
    users = {user.username: user for user in User.objects.filter(username__in=CAST)}
    users["director"] = users["director1"]
    users["expert"] = users["expert1"]
    users["anonymous"] = None
    return users


@pytest.fixture
def cast(db):
    """Users by role name; 'anonymous' is None."""
    return cast_users()


@pytest.fixture
def high_tech(db):
    return Alliance.objects.get(name=HIGH_TECH)


@pytest.fixture
def other_alliance(db):
    return Alliance.objects.get(name=OTHER_CITY_ALLIANCE)


@pytest.fixture
def client_for(client):
    """A page client logged in as the given user (or anonymous for None)."""
    from django.test import Client

    def make(user):
        browser = Client()
        if user is not None:
            browser.force_login(user)
        return browser

    return make


@pytest.fixture
def api_for():
    def make(user):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return make


_counter = iter(range(10_000_000))


def new_uscc() -> str:
    """A fresh valid unified social credit code for test data."""
    return make_uscc(f"91370300MA{next(_counter):07d}")
