"""Passwords (reset by mail, change), sessions and API tokens ended, and a portal revoking its own token."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from governance.models import Body, Seat
from governance.services.seats import seat_create, seat_end
from kernel.notify import send_due_mail
from members import services
from members.invitations import invitation_create
from members.models import Contact, RoleGrant
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

NEW_PASSWORD = "copper-meadow-signal-77"
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def is_signed_in(browser) -> bool:
    return browser.get("/accounts/").status_code == 200


# Password reset and change ------------------------------------------------------------------------------

def test_a_password_is_reset_through_the_mailed_link(cast):
    user = cast["contact"]
    old_session = signed_in(user)
    AuthToken.objects.create(user)
    browser = Client()
    response = browser.post("/accounts/password/reset/", {"email": user.email.upper()})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"

    send_due_mail()
    assert [message.to for message in mail.outbox] == [[user.email]]
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    form_page = browser.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    weak = browser.post(form_page.redirect_chain[-1][0], {"new_password1": "contact1", "new_password2": "contact1"})
    assert weak.status_code == 200 and weak.context["form"].errors
    done = browser.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD,
                                                         "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not is_signed_in(old_session)
    assert not AuthToken.objects.filter(user=user).exists()
    assert browser.get(link, follow=True).context["validlink"] is False  # used
    login = Client().post("/accounts/login/", {"username": "contact", "password": NEW_PASSWORD})
    assert login.status_code == 302 and login["Location"] == "/"


def test_a_reset_for_an_unknown_address_looks_the_same_and_mails_nothing(db):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@test.invalid"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    send_due_mail()
    assert mail.outbox == []


def test_asking_again_soon_mails_one_link(cast):
    for _attempt in range(3):
        Client().post("/accounts/password/reset/", {"email": cast["contact"].email})
    send_due_mail()
    assert len(mail.outbox) == 1


def test_an_invited_account_not_yet_accepted_cannot_reset_a_password(cast, high_tech):
    invitation_create(actor=cast["official"], email="pending@test.invalid", kind="role",
                      payload={"role": "secretariat", "alliance": high_tech.pk})
    send_due_mail()
    mail.outbox.clear()
    Client().post("/accounts/password/reset/", {"email": "pending@test.invalid"})
    send_due_mail()
    assert mail.outbox == []


def test_changing_the_password_keeps_this_session_and_ends_the_others_and_the_tokens(cast):
    user = cast["contact"]
    here, elsewhere = signed_in(user), signed_in(user)
    AuthToken.objects.create(user)
    weak = here.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "password",
                                             "new_password2": "password"})
    assert weak.status_code == 200 and weak.context["form"].errors["new_password2"]
    wrong_old = here.post("/accounts/password/", {"old_password": "nope", "new_password1": NEW_PASSWORD,
                                                  "new_password2": NEW_PASSWORD})
    assert wrong_old.status_code == 200 and wrong_old.context["form"].errors["old_password"]

    response = here.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                 "new_password2": NEW_PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert is_signed_in(here) and not is_signed_in(elsewhere)
    assert not AuthToken.objects.filter(user=user).exists()


def test_the_account_pages_need_a_login(client):
    for path in ("/accounts/", "/accounts/password/", "/accounts/two-factor/", "/invitations/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


# The last role withdrawn ----------------------------------------------------------------------------------

def test_revoking_the_last_role_ends_the_sessions_and_tokens(cast, high_tech):
    user = UserFactory()
    grant = services.role_grant_create(actor=cast["official"], user=user, role="expert", city=high_tech.city)
    browser = signed_in(user)
    AuthToken.objects.create(user)
    services.role_grant_revoke(grant=grant, actor=cast["official"])
    assert not is_signed_in(browser)
    assert not AuthToken.objects.filter(user=user).exists()


def test_revoking_one_of_two_roles_keeps_them(cast, high_tech):
    user = UserFactory()
    grant = services.role_grant_create(actor=cast["official"], user=user, role="expert", city=high_tech.city)
    services.role_grant_create(actor=cast["official"], user=user, role="secretariat", alliance=high_tech)
    browser = signed_in(user)
    AuthToken.objects.create(user)
    services.role_grant_revoke(grant=grant, actor=cast["official"])
    assert is_signed_in(browser) and AuthToken.objects.filter(user=user).exists()


def test_removing_the_last_contact_ends_the_sessions_and_tokens(cast):
    user = cast["contact"]
    assert not RoleGrant.objects.filter(user=user).exists()
    browser = signed_in(user)
    AuthToken.objects.create(user)
    services.contact_remove(contact=Contact.objects.select_related("organization").get(user=user),
                            actor=cast["official"])
    assert not is_signed_in(browser)
    assert not AuthToken.objects.filter(user=user).exists()


def test_ending_the_last_seat_ends_the_sessions_and_tokens(cast, high_tech):
    user = UserFactory()
    unit = MembershipFactory(alliance=high_tech, organization=OrganizationFactory(city=high_tech.city)).organization
    council = Body.objects.get(alliance=high_tech, kind=Body.Kind.COUNCIL)
    seat = seat_create(body=council, actor=cast["secretariat"], user=user, organization=unit)
    browser = signed_in(user)
    AuthToken.objects.create(user)
    seat_end(seat=seat, actor=cast["secretariat"])
    assert not is_signed_in(browser)
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_unit_leaving_ends_its_directors_sessions_when_nothing_else_is_left(cast, high_tech):
    user = UserFactory()
    membership = MembershipFactory(alliance=high_tech, organization=OrganizationFactory(city=high_tech.city))
    council = Body.objects.get(alliance=high_tech, kind=Body.Kind.COUNCIL)
    seat_create(body=council, actor=cast["secretariat"], user=user, organization=membership.organization)
    browser = signed_in(user)
    services.membership_expel(membership=membership, actor=cast["secretariat"], reason="长期未履行义务")
    assert Seat.objects.get(user=user).term_end is not None
    assert not is_signed_in(browser)


# The API: a portal revokes its own token ------------------------------------------------------------------

def api_with(token) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_portal_revokes_its_own_token(cast):
    _row, first = AuthToken.objects.create(cast["contact"])
    _row, second = AuthToken.objects.create(cast["contact"])
    assert api_with(first).post("/api/v1/auth/logout/").status_code == 204
    assert api_with(first).get("/api/v1/me/").status_code == 401
    assert api_with(second).get("/api/v1/me/").status_code == 200


def test_logoutall_revokes_every_token_of_the_user(cast):
    _row, first = AuthToken.objects.create(cast["contact"])
    _row, second = AuthToken.objects.create(cast["contact"])
    _row, others = AuthToken.objects.create(cast["official"])
    assert api_with(first).post("/api/v1/auth/logoutall/").status_code == 204
    assert api_with(second).get("/api/v1/me/").status_code == 401
    assert api_with(others).get("/api/v1/me/").status_code == 200


def test_logout_needs_a_token(cast, client_for):
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401
    assert client_for(cast["contact"]).post("/api/v1/auth/logoutall/").status_code == 401


def test_the_schema_documents_logout_and_the_otp(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "post" in schema["paths"]["/api/v1/auth/logout/"]
    assert "204" in schema["paths"]["/api/v1/auth/logoutall/"]["post"]["responses"]
    assert "otp" in schema["components"]["schemas"]["TokenRequest"]["properties"]
