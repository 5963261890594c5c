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
