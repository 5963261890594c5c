"""Invitations by e-mail: who may invite whom, the signed single-use link, accepting with a new or an
existing account, and what accepting grants (role, contact, seat)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from governance.models import Body, Seat
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.models import Notification
from kernel.notify import send_due_mail
from kernel.scope import scope_of
from members import invitations, services
from members.models import Contact, Invitation, RoleGrant, User
from tests.factories import MembershipFactory, OrganizationFactory

STRONG = "violet-harbour-lantern-42"
LINK = re.compile(r"https?://[^/\s]+(/invitations/accept/[^/\s]+/)")


def invite(actor, email, kind, payload):
    return invitations.invitation_create(actor=actor, email=email, kind=kind, payload=payload,
                                         site="http://testserver")


def token_of(invitation) -> str:
    return invitations.invitation_token(invitation)


def secretariat_payload(alliance):
    return {"role": "secretariat", "alliance": alliance.pk}


@pytest.fixture(autouse=True)
def english():
    """Services' messages are matched in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def unit(cast):
    """The demo contact's unit."""
    return Contact.objects.get(user=cast["contact"]).organization


@pytest.fixture
def seatless_unit(high_tech):
    """An active member unit of the high-tech alliance that holds no seat."""
    return MembershipFactory(alliance=high_tech, organization=OrganizationFactory(city=high_tech.city)).organization


def test_a_new_person_invited_as_secretariat_sets_a_password_and_gets_the_role(cast, high_tech):
    invitation = invite(cast["official"], "Li.Na@Example.CN", "role", secretariat_payload(high_tech))

    person = invitation.user
    assert (person.email, person.is_active, person.has_usable_password()) == ("Li.Na@example.cn", False, False)
    assert invitation.expires_at - timezone.now() > timedelta(days=13)
    send_due_mail()
    assert [message.to for message in mail.outbox] == [["Li.Na@example.cn"]]
    token = LINK.search(mail.outbox[0].body).group(1).split("/")[-2]
    assert invitations.invitation_from_token(token) == invitation

    user = invitations.invitation_accept_new_account(token=token, username="lina",
                                                     full_name="李娜", password=STRONG)

    user.refresh_from_db()
    assert user.is_active and user.check_password(STRONG) and user.username == "lina"
    assert RoleGrant.objects.filter(user=user, role="secretariat", alliance=high_tech,
                                    granted_by=cast["official"]).exists()
    assert high_tech.pk in scope_of(user).secretariat_alliance_ids
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_the_link_works_once(cast, high_tech):
    invitation = invite(cast["official"], "once@test.invalid", "role", secretariat_payload(high_tech))
    invitations.invitation_accept_new_account(token=token_of(invitation), username="once", full_name="一次",
                                              password=STRONG)
    with pytest.raises(StateConflict, match="already been used"):
        invitations.invitation_accept_new_account(token=token_of(invitation), username="twice", full_name="两次",
                                                  password=STRONG)


def test_an_expired_or_withdrawn_invitation_is_refused(cast, high_tech):
    expired = invite(cast["official"], "late@test.invalid", "role", secretariat_payload(high_tech))
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(StateConflict, match="expired"):
        invitations.invitation_from_token(token_of(expired))

    withdrawn = invite(cast["official"], "gone@test.invalid", "role", secretariat_payload(high_tech))
    invitations.invitation_withdraw(invitation=withdrawn, actor=cast["official"])
    with pytest.raises(StateConflict, match="withdrawn"):
        invitations.invitation_from_token(token_of(withdrawn))


def test_a_link_past_the_signers_age_is_refused_even_if_the_row_says_otherwise(cast, high_tech, settings):
    invitation = invite(cast["official"], "old@test.invalid", "role", secretariat_payload(high_tech))
    settings.INVITATION_DAYS = -1
    with pytest.raises(StateConflict, match="expired"):
        invitations.invitation_from_token(token_of(invitation))


def test_a_tampered_link_is_refused(cast, high_tech):
    invitation = invite(cast["official"], "tamper@test.invalid", "role", secretariat_payload(high_tech))
    token = token_of(invitation)
    forged = f"{invitation.pk + 1}:{token.split(':', 1)[1]}"
    for bad in (token + "x", forged, "1", ""):
        with pytest.raises(DomainError, match="not valid"):
            invitations.invitation_from_token(bad)


def test_a_weak_password_grants_nothing_and_leaves_the_invitation_usable(cast, high_tech):
    invitation = invite(cast["official"], "weak@test.invalid", "role", secretariat_payload(high_tech))
    with pytest.raises(DomainError) as refused:
        invitations.invitation_accept_new_account(token=token_of(invitation), username="weak", full_name="弱",
                                                  password="12345678")
    assert refused.value.field == "password1"
    user = User.objects.get(pk=invitation.user_id)
    assert not user.is_active and not user.has_usable_password()
    assert not RoleGrant.objects.filter(user=user).exists()
    assert invitations.invitation_from_token(token_of(invitation)).accepted_at is None


def test_a_taken_user_name_is_refused(cast, high_tech):
    invitation = invite(cast["official"], "clash@test.invalid", "role", secretariat_payload(high_tech))
    with pytest.raises(DomainError, match="taken"):
        invitations.invitation_accept_new_account(token=token_of(invitation), username="Contact", full_name="撞名",
                                                  password=STRONG)


def test_an_existing_account_accepts_logged_in_as_itself(cast, high_tech):
    contact = cast["contact"]
    invitation = invite(cast["secretariat"], contact.email.upper(), "role", secretariat_payload(high_tech))
    assert invitation.user == contact
    with pytest.raises(NotAllowed):
        invitations.invitation_accept(token=token_of(invitation), actor=cast["outsider"])

    invitations.invitation_accept(token=token_of(invitation), actor=contact)

    assert RoleGrant.objects.filter(user=contact, role="secretariat", alliance=high_tech).exists()


def test_an_invitation_is_void_once_the_inviter_may_no_longer_grant_it(cast, high_tech):
    invitation = invite(cast["secretariat"], "void@test.invalid", "role", secretariat_payload(high_tech))
    grant = RoleGrant.objects.get(user=cast["secretariat"], role="secretariat", alliance=high_tech)
    services.role_grant_revoke(grant=grant, actor=cast["official"])

    with pytest.raises(StateConflict, match="may no longer grant"):
        invitations.invitation_accept_new_account(token=token_of(invitation), username="void", full_name="作废",
                                                  password=STRONG)
    assert not User.objects.get(pk=invitation.user_id).is_active


def test_inviting_someone_to_what_they_already_have_or_twice_is_refused(cast, high_tech):
    with pytest.raises(StateConflict, match="already has it"):
        invite(cast["official"], cast["secretariat"].email, "role", secretariat_payload(high_tech))
    invite(cast["official"], "twice@test.invalid", "role", secretariat_payload(high_tech))
    with pytest.raises(StateConflict, match="already waiting"):
        invite(cast["official"], "twice@test.invalid", "role", secretariat_payload(high_tech))
    with pytest.raises(DomainError, match="valid e-mail"):
        invite(cast["official"], "not-an-address", "role", secretariat_payload(high_tech))
    with pytest.raises(DomainError, match="Unknown kind"):
        invite(cast["official"], "kind@test.invalid", "nonsense", {})


def test_a_contact_invitation_makes_the_person_a_contact_of_the_unit(cast, unit):
    invitation = invite(cast["contact"], "colleague@test.invalid", "contact",
                        {"organization": unit.pk, "title": "财务部经理"})
    user = invitations.invitation_accept_new_account(token=token_of(invitation), username="colleague",
                                                     full_name="同事", password=STRONG)
    assert Contact.objects.filter(user=user, organization=unit, title="财务部经理").exists()
    assert unit.pk in scope_of(user).contact_organization_ids


def test_a_seat_invitation_makes_a_director_through_the_seat_service(cast, high_tech, seatless_unit):
    council = Body.objects.get(alliance=high_tech, kind=Body.Kind.COUNCIL)
    invitation = invite(cast["secretariat"], "director@test.invalid", "seat",
                        {"body": council.pk, "organization": seatless_unit.pk, "office": "director"})
    assert seatless_unit.name in invitation.description

    user = invitations.invitation_accept_new_account(token=token_of(invitation), username="newdirector",
                                                     full_name="新理事", password=STRONG)

    seat = Seat.objects.get(user=user)
    assert (seat.body, seat.organization, seat.office, seat.term_end) == (council, seatless_unit, "director", None)
    assert "director" in scope_of(user).roles


def test_a_seat_invitation_for_a_unit_that_holds_one_already_is_refused(cast, high_tech):
    council = Body.objects.get(alliance=high_tech, kind=Body.Kind.COUNCIL)
    held = Seat.objects.filter(body=council, term_end__isnull=True).first()
    with pytest.raises(StateConflict, match="already holds a seat"):
        invite(cast["secretariat"], "seat2@test.invalid", "seat",
               {"body": council.pk, "organization": held.organization_id, "office": "director"})


def test_an_invitation_to_a_deactivated_account_is_refused(cast, high_tech):
    outsider = cast["outsider"]
    User.objects.filter(pk=outsider.pk).update(is_active=False)
    with pytest.raises(StateConflict, match="deactivated"):
        invite(cast["official"], outsider.email, "role", secretariat_payload(high_tech))


# Who may invite whom: exactly who may grant it directly (pages) ------------------------------------------

ROLE_PAGE = "/invitations/"


def _targets(cast, high_tech, unit, seatless_unit):
    council = Body.objects.get(alliance=high_tech, kind=Body.Kind.COUNCIL)
    city = high_tech.city_id
    return {
        "secretariat": (ROLE_PAGE, {"role": "secretariat", "alliance": high_tech.pk}),
        "official": (ROLE_PAGE, {"role": "official", "city": city}),
        "expert": (ROLE_PAGE, {"role": "expert", "city": city}),
        "contact": (f"/organizations/{unit.pk}/contacts/invite/", {"title": "职员"}),
        "seat": (f"/governance/alliances/{high_tech.pk}/seats/invite/",
                 {"body": council.pk, "organization": seatless_unit.pk, "office": "director"}),
    }


MAY_INVITE = {
    "secretariat": {"official", "secretariat"},
    "official": {"official"},
    "expert": {"official"},
    "contact": {"official", "contact"},
    "seat": {"official", "secretariat"},
}
ROLES = ["anonymous", "official", "secretariat", "director", "contact", "expert", "outsider", "weifang_official",
         "weifang_secretariat"]


@pytest.mark.parametrize("target", sorted(MAY_INVITE))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_invite_whom(cast, high_tech, unit, seatless_unit, client_for, role, target):
    url, fields = _targets(cast, high_tech, unit, seatless_unit)[target]
    email = f"matrix-{target}@test.invalid"
    response = client_for(cast[role]).post(url, {"email": email, **{k: v for k, v in fields.items() if v}})
    sent = Invitation.objects.filter(email=email).exists()
    if role in MAY_INVITE[target]:
        assert response.status_code == 302 and sent, response.content.decode()[:2000]
        assert Notification.objects.filter(user__email=email, key__startswith="invitation:").exists()
    else:
        assert not sent
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code in {"contact": (403, 404), "seat": (403,)}.get(target, (400, 403)), response.status_code
            assert not User.objects.filter(email=email).exists()


def test_the_invitation_list_shows_only_what_the_user_sent(cast, high_tech, client_for):
    invite(cast["official"], "mine@test.invalid", "role", secretariat_payload(high_tech))
    invite(cast["secretariat"], "theirs@test.invalid", "role", secretariat_payload(high_tech))
    html = client_for(cast["official"]).get(ROLE_PAGE).content.decode()
    assert "mine@test.invalid" in html and "theirs@test.invalid" not in html
    # Anyone signed in sees the list of what they sent, without the role form.
    page = client_for(cast["contact"]).get(ROLE_PAGE)
    assert page.status_code == 200 and 'name="role"' not in page.content.decode()


def test_only_the_sender_withdraws(cast, high_tech, client_for):
    invitation = invite(cast["official"], "withdraw@test.invalid", "role", secretariat_payload(high_tech))
    assert client_for(cast["secretariat"]).post(f"/invitations/{invitation.pk}/withdraw/").status_code == 404
    assert client_for(cast["official"]).post(f"/invitations/{invitation.pk}/withdraw/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None


# The accept page ------------------------------------------------------------------------------------------

def test_accepting_on_the_page_logs_in_and_lands_on_the_home_page_with_the_role(cast, high_tech, client):
    invitation = invite(cast["official"], "page@test.invalid", "role", secretariat_payload(high_tech))
    url = f"/invitations/accept/{token_of(invitation)}/"
    form = client.get(url)
    assert form.status_code == 200 and 'name="password1"' in form.content.decode()

    refused = client.post(url, {"full_name": "页面", "username": "pageuser", "password1": "short",
                                "password2": "short"})
    assert refused.status_code == 400 and not User.objects.get(pk=invitation.user_id).is_active

    response = client.post(url, {"full_name": "页面", "username": "pageuser", "password1": STRONG,
                                 "password2": STRONG}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    html = response.content.decode()
    assert response.context["user"].username == "pageuser"
    assert "秘书处" in html  # the role badge on the home page
    assert client.get(url).status_code == 409  # used


def test_an_existing_account_is_asked_to_log_in_then_accepts(cast, high_tech, client_for, client):
    invitation = invite(cast["official"], cast["contact"].email, "role", secretariat_payload(high_tech))
    url = f"/invitations/accept/{token_of(invitation)}/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert client_for(cast["outsider"]).get(url).status_code == 403
    browser = client_for(cast["contact"])
    assert browser.get(url).status_code == 200
    assert browser.post(url)["Location"] == "/"
    assert RoleGrant.objects.filter(user=cast["contact"], role="secretariat", alliance=high_tech).exists()


def test_a_bad_link_shows_a_page_not_an_error(client):
    response = client.get("/invitations/accept/12:abc:def/")
    assert response.status_code == 400
    assert "邀请" in response.content.decode()


def test_a_new_secretariat_whose_role_requires_two_factor_is_sent_to_set_it_up(cast, high_tech, client, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["official", "secretariat"]
    invitation = invite(cast["official"], "strict@test.invalid", "role", secretariat_payload(high_tech))
    response = client.post(f"/invitations/accept/{token_of(invitation)}/",
                           {"full_name": "严格", "username": "strict", "password1": STRONG, "password2": STRONG},
                           follow=True)
    assert [url for url, _status in response.redirect_chain] == ["/", "/accounts/two-factor/"]
    assert 'src="data:image/svg+xml' in response.content.decode()
