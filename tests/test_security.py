import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_is_throttled_after_repeated_failures(settings):
    browser = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post("/accounts/login/", {"username": "official", "password": "wrong"})
    locked = browser.post("/accounts/login/", {"username": "official", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in browser.session


TOKEN = "/api/v1/auth/token/"
PROXY = "10.0.0.2"
CLIENTS = ("203.0.113.7", "198.51.100.1", "198.51.100.2")


@pytest.fixture
def fresh_login_throttle():
    """The API login throttle counts in the shared cache (Redis): start and leave these clients at zero."""
    from members.api.views import LoginThrottle

    keys = [LoginThrottle.cache_format % {"scope": LoginThrottle.scope, "ident": ident} for ident in (*CLIENTS, PROXY)]
    LoginThrottle.cache.delete_many(keys)
    yield
    LoginThrottle.cache.delete_many(keys)


def token_attempts(api, count, forwarded_for, password="wrong"):
    return [
        api.post(TOKEN, {"username": "contact", "password": password}, format="json",
                 HTTP_X_FORWARDED_FOR=forwarded_for(number)).status_code
        for number in range(count)
    ]


def test_the_api_login_throttle_ignores_a_forged_x_forwarded_for(fresh_login_throttle):
    """With the default NUM_PROXIES (0: no proxy of ours in front), X-Forwarded-For is the client's own word."""
    from rest_framework.test import APIClient

    codes = token_attempts(APIClient(REMOTE_ADDR=CLIENTS[0]), 11, lambda number: f"192.0.2.{number}")
    assert 429 not in codes[:10]
    assert codes[10] == 429


def test_behind_one_proxy_both_login_throttles_count_the_address_the_proxy_saw(settings, fresh_login_throttle):
    from axes.models import AccessAttempt
    from rest_framework.test import APIClient

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api = APIClient(REMOTE_ADDR=PROXY)

    # The proxy appends the address it saw; the client wrote the part before it, rotating it in vain.
    codes = token_attempts(api, 11, lambda number: f"192.0.2.{number}, {CLIENTS[1]}")
    assert 429 not in codes[:10]
    assert codes[10] == 429
    assert set(AccessAttempt.objects.filter(username="contact").values_list("ip_address", flat=True)) == {CLIENTS[1]}

    # Another client behind the same proxy is neither throttled nor locked out.
    other = api.post(TOKEN, {"username": "contact", "password": PASSWORD}, format="json",
                     HTTP_X_FORWARDED_FOR=CLIENTS[2])
    assert other.status_code == 200


def test_a_correct_login_goes_home():
    response = Client().post("/accounts/login/", {"username": "official", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_forms_refuse_posts_without_the_csrf_token(cast, high_tech):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast["official"])
    response = browser.post(f"/alliances/{high_tech.pk}/status/", {"to_status": "rectifying", "reason": "x"})
    assert response.status_code == 403
    high_tech.refresh_from_db()
    assert high_tech.status == "established"


def test_every_form_carries_a_csrf_token(cast, client_for, high_tech):
    html = client_for(cast["secretariat"]).get(f"/alliances/{high_tech.pk}/").content.decode()
    assert html.count("<form") == html.count('name="csrfmiddlewaretoken"') > 0


def test_session_api_writes_need_csrf(cast, high_tech):
    from rest_framework.test import APIClient

    api = APIClient(enforce_csrf_checks=True)
    api.force_login(cast["official"])
    response = api.post(f"/api/v1/alliances/{high_tech.pk}/transition/", {"to_status": "rectifying", "reason": "x"})
    assert response.status_code == 403


def test_pages_send_a_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy


def test_a_document_of_the_wrong_type_is_refused(cast, client_for, high_tech):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(cast["secretariat"]).post(
        f"/alliances/{high_tech.pk}/documents/",
        {"kind": "charter", "title": "章程", "file": SimpleUploadedFile("charter.exe", b"MZ...")},
        follow=True,
    )
    assert not high_tech.documents.exists()
    assert "exe" in response.content.decode()


def test_a_document_that_is_too_large_is_refused(cast, client_for, high_tech, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 10
    client_for(cast["secretariat"]).post(
        f"/alliances/{high_tech.pk}/documents/",
        {"kind": "charter", "title": "章程", "file": SimpleUploadedFile("charter.pdf", b"%PDF-1.7 " * 10)},
    )
    assert not high_tech.documents.exists()


def test_charter_versions_count_up_and_downloads_respect_visibility(cast, client_for, high_tech, other_alliance,
                                                                     settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    secretariat = client_for(cast["secretariat"])
    for _ in range(2):
        secretariat.post(f"/alliances/{high_tech.pk}/documents/",
                         {"kind": "charter", "title": "章程", "file": SimpleUploadedFile("c.pdf", b"%PDF-1.7")})
    assert list(high_tech.documents.values_list("version", flat=True)) == [2, 1]
    document = high_tech.documents.first()
    assert client_for(None).get(f"/alliances/{high_tech.pk}/documents/{document.pk}/").status_code == 200
    assert client_for(None).get(f"/alliances/{other_alliance.pk}/documents/{document.pk}/").status_code == 404
