"""Two-factor authentication (django-otp): set-up, login with a TOTP or recovery code, the requirement by
role, the API token's `otp`, and turning it off."""

import time

import pytest
from django.test import Client
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from kernel.errors import NotAllowed
from members import two_factor
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def code(device, *, steps_ahead: int = 0) -> str:
    """The device's code, computed from its key as the phone would (a step ahead gives a fresh one: each
    code is taken once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def skip_the_delay(device):
    """django-otp makes a device wait a second after one wrong code (doubling with each): the tests go on
    at once."""
    type(device).objects.get(pk=device.pk).throttle_reset()


def turn_on(user) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.totp_setup_begin(user=user)
    return two_factor.totp_setup_confirm(user=user, code=code(device))


def log_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_setting_up_shows_a_qr_code_and_a_code_from_the_app_turns_it_on(cast, client_for):
    browser = client_for(cast["contact"])
    page = browser.get("/accounts/two-factor/")
    html = page.content.decode()
    assert page.status_code == 200 and 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=cast["contact"], confirmed=False)
    assert two_factor.secret_text(device).replace(" ", "") in html.replace(" ", "")

    wrong = browser.post("/accounts/two-factor/", {"code": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and not two_factor.has_two_factor(cast["contact"])
    skip_the_delay(device)

    done = browser.post("/accounts/two-factor/", {"code": code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code_ in done.content.decode() for code_ in codes)
    assert two_factor.has_two_factor(cast["contact"])
    assert browser.get("/accounts/").status_code == 200  # this session is verified and stays


def test_login_asks_for_the_code_after_the_password(cast):
    device, _codes = turn_on(cast["contact"])
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = log_in(browser, "contact")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"
    assert browser.get("/accounts/").status_code == 302  # not logged in yet

    wrong = browser.post("/accounts/login/code/", {"code": "12345"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    skip_the_delay(device)
    response = browser.post("/accounts/login/code/", {"code": code(device, steps_ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert browser.get("/accounts/").status_code == 200


def test_a_code_is_taken_once(cast):
    device, _codes = turn_on(cast["contact"])
    fresh = code(device, steps_ahead=1)
    first = Client()
    log_in(first, "contact")
    assert first.post("/accounts/login/code/", {"code": fresh}).status_code == 302
    second = Client()
    log_in(second, "contact")
    assert second.post("/accounts/login/code/", {"code": fresh}).status_code == 400


def test_a_recovery_code_logs_in_once(cast):
    _device, codes = turn_on(cast["contact"])
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(browser, "contact")
    assert browser.post("/accounts/login/code/", {"code": codes[0].upper()}).status_code == 302
    assert two_factor.recovery_codes_left(cast["contact"]) == 9
    again = Client()
    log_in(again, "contact")
    assert again.post("/accounts/login/code/", {"code": codes[0]}).status_code == 400


def test_repeated_wrong_codes_are_slowed_down(cast):
    device, _codes = turn_on(cast["contact"])
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(browser, "contact")
    for _attempt in range(3):
        browser.post("/accounts/login/code/", {"code": "999999" if code(device) != "999999" else "888888"})
    response = browser.post("/accounts/login/code/", {"code": code(device, steps_ahead=1)})
    assert response.status_code == 400 and "Too many wrong codes" in response.content.decode()


def test_the_code_page_without_a_password_first_goes_back_to_login(client):
    response = client.get("/accounts/login/code/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_the_admin_login_is_the_sites_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"


def test_turning_it_on_ends_the_other_sessions_and_the_api_tokens(cast, client_for):
    user = cast["contact"]
    other = client_for(user)
    AuthToken.objects.create(user)
    browser = client_for(user)
    device = TOTPDevice.objects.get(pk=two_factor.totp_setup_begin(user=user).pk)
    assert browser.post("/accounts/two-factor/", {"code": code(device)}).status_code == 200
    assert browser.get("/accounts/").status_code == 200
    assert other.get("/accounts/").status_code == 302
    assert not AuthToken.objects.filter(user=user).exists()


def test_new_recovery_codes_replace_the_old_ones(cast):
    device, old = turn_on(cast["contact"])
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(browser, "contact")
    browser.post("/accounts/login/code/", {"code": code(device, steps_ahead=1)})
    response = browser.post("/accounts/two-factor/recovery-codes/")
    new = response.context["codes"]
    assert response.status_code == 200 and set(new).isdisjoint(old)
    assert set(StaticToken.objects.filter(device__user=cast["contact"]).values_list("token", flat=True)) == set(new)


def test_new_recovery_codes_need_a_session_verified_by_a_code(cast, client_for):
    turn_on(cast["contact"])
    assert client_for(cast["contact"]).post("/accounts/two-factor/recovery-codes/").status_code == 403


def test_turning_it_off_needs_a_code(cast, client_for):
    device, _codes = turn_on(cast["contact"])
    browser = client_for(cast["contact"])
    browser.post("/accounts/two-factor/off/", {"code": "not-a-code"})
    assert two_factor.has_two_factor(cast["contact"])
    for device_ in (device, *device.user.staticdevice_set.all()):
        skip_the_delay(device_)
    browser.post("/accounts/two-factor/off/", {"code": code(device, steps_ahead=1)})
    assert not two_factor.has_two_factor(cast["contact"])


# Required by role ------------------------------------------------------------------------------------------

@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["official", "secretariat"]


def test_a_required_role_is_sent_to_set_it_up_before_anything_else(cast, client_for, required):
    official = client_for(cast["official"])
    for path in ("/", "/alliances/", "/roles/", "/accounts/"):
        response = official.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/", path
    assert official.get("/api/v1/me/").status_code == 403
    assert official.get("/accounts/two-factor/").status_code == 200
    assert client_for(cast["contact"]).get("/").status_code == 200  # not a required role


def test_a_required_role_with_two_factor_logs_in_with_the_code_and_goes_on(cast, required):
    device, _codes = turn_on(cast["official"])
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    log_in(browser, "official")
    browser.post("/accounts/login/code/", {"code": code(device, steps_ahead=1)})
    assert browser.get("/roles/").status_code == 200


def test_a_session_of_a_required_role_not_verified_by_a_code_must_log_in_again(cast, client_for, required):
    turn_on(cast["official"])
    response = client_for(cast["official"]).get("/roles/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Froles%2F"


def test_a_required_role_cannot_turn_it_off(cast, required):
    device, _codes = turn_on(cast["official"])
    with pytest.raises(NotAllowed):
        two_factor.two_factor_disable(user=cast["official"], code=code(device, steps_ahead=1))


# The API token --------------------------------------------------------------------------------------------

def token_request(username, **extra):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra},
                            format="json")


def test_the_api_token_of_a_two_factor_account_needs_the_otp(cast):
    device, codes = turn_on(cast["contact"])
    missing = token_request("contact")
    assert missing.status_code == 401 and "otp" in missing.json()["detail"]
    assert token_request("contact", otp="000000" if code(device) != "000000" else "111111").status_code == 401
    skip_the_delay(device)
    assert token_request("contact", otp=code(device, steps_ahead=1)).status_code == 200
    assert token_request("contact", otp=codes[0]).status_code == 200


def test_a_required_role_without_two_factor_gets_no_api_token(cast, required):
    response = token_request("official")
    assert response.status_code == 403 and "two-factor" in response.json()["detail"]
    assert token_request("contact").status_code == 200
