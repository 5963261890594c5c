"""A unit belongs to itself: another alliance's secretariat cannot enrol, edit, read the contacts of,
or withdraw a unit — through the API, the pages or the Excel import — and role grants are revoked
only by who holds authority over their scope."""

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from openpyxl import Workbook

from governance.models import Seat
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.scope import forget_scope
from members import services
from members.excel import import_register
from members.models import Contact, IdentityChange, Membership, Organization, RoleGrant
from tests.conftest import load_cast, new_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(high_tech):
    """Zibo's lead enterprise: a vice-chair unit of the High-tech Zone alliance, with a contact."""
    return high_tech.lead_enterprise


@pytest.fixture
def zibo_membership(target, high_tech):
    return Membership.objects.get(alliance=high_tech, organization=target, status="active")


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名称", "统一社会信用代码", "类型"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("register.xlsx", buffer.getvalue())


def _unchanged(target, zibo_membership, name):
    target.refresh_from_db()
    zibo_membership.refresh_from_db()
    assert target.name == name
    assert zibo_membership.status == "active"
    assert Seat.objects.get(organization=target, office="vice_chair").term_end is None
    assert not Membership.objects.filter(organization=target, status="active", alliance__city__name="潍坊市").exists()


def test_another_alliances_secretariat_is_refused_at_every_step_of_the_api(cast, api_for, target, zibo_membership,
                                                                          other_alliance):
    name = target.name
    api = api_for(cast["weifang_secretariat"])

    created = api.post("/api/v1/memberships/", {"alliance": other_alliance.pk, "organization": target.pk},
                       format="json")
    assert created.status_code == 201
    assert (created.json()["status"], created.json()["consented_at"]) == ("applied", None)
    approve = api.post(f"/api/v1/memberships/{created.json()['id']}/approve/", {}, format="json")
    assert approve.status_code == 409

    assert api.patch(f"/api/v1/organizations/{target.pk}/", {"name": "已被劫持", "website": "https://evil.example"},
                     format="json").status_code == 403
    assert api.put(f"/api/v1/organizations/{target.pk}/", {"name": "已被劫持", "uscc": target.uscc,
                                                           "type": "enterprise"}, format="json").status_code == 403

    assert api.post(f"/api/v1/memberships/{zibo_membership.pk}/withdraw/", {}, format="json").status_code == 403
    assert api.post(f"/api/v1/memberships/{zibo_membership.pk}/expel/", {"reason": "x"},
                    format="json").status_code == 403

    _unchanged(target, zibo_membership, name)
    assert Membership.objects.get(pk=created.json()["id"]).status == "applied"


def test_another_alliances_secretariat_is_refused_at_every_step_of_the_pages(cast, client_for, target,
                                                                            zibo_membership, other_alliance):
    name = target.name
    browser = client_for(cast["weifang_secretariat"])

    browser.post(f"/alliances/{other_alliance.pk}/members/add/", {"uscc": target.uscc, "role": "chair"})
    invitation = Membership.objects.get(alliance=other_alliance, organization=target)
    assert (invitation.status, invitation.consented_at) == ("applied", None)
    browser.post(f"/memberships/{invitation.pk}/approve/", {"reason": ""})
    invitation.refresh_from_db()
    assert invitation.status == "applied"

    detail = browser.get(f"/organizations/{target.pk}/").content.decode()
    for contact in target.contacts.select_related("user"):
        assert contact.user.email not in detail
    assert browser.get(f"/organizations/{target.pk}/edit/").status_code == 403
    assert browser.post(f"/organizations/{target.pk}/edit/", {"name": "已被劫持", "uscc": target.uscc,
                                                             "type": "enterprise"}).status_code == 403
    assert browser.post(f"/organizations/{target.pk}/contacts/",
                        {"username": "weifang_secretariat"}).status_code == 403
    assert not Contact.objects.filter(organization=target, user=cast["weifang_secretariat"]).exists()
    assert browser.post(f"/organizations/{target.pk}/identity/",
                        {"name": "已被劫持", "uscc": target.uscc, "reason": "x"}).status_code == 403

    assert browser.post(f"/memberships/{zibo_membership.pk}/withdraw/", {"reason": ""}).status_code == 403
    assert browser.post(f"/memberships/{zibo_membership.pk}/expel/", {"reason": "x"}).status_code == 403
    _unchanged(target, zibo_membership, name)


def test_the_excel_import_invites_a_unit_registered_by_others_and_never_renames_it(cast, target, zibo_membership,
                                                                                  other_alliance):
    name = target.name
    result = import_register(alliance=other_alliance, uploaded=_xlsx([["已被劫持", target.uscc, "企业"]]),
                             actor=cast["weifang_secretariat"])
    assert result.ok, result.errors
    assert (result.created, result.invited) == (0, 1)
    assert Membership.objects.get(alliance=other_alliance, organization=target).status == "applied"
    _unchanged(target, zibo_membership, name)


def test_the_units_contacts_accept_an_invitation_and_then_it_can_be_approved(cast, target, other_alliance):
    invitation = services.membership_request(alliance=other_alliance, organization=target,
                                             actor=cast["weifang_secretariat"])
    contact = target.contacts.first().user
    with pytest.raises(NotAllowed):
        services.membership_accept(membership=invitation, actor=cast["weifang_secretariat"])
    services.membership_accept(membership=invitation, actor=contact)
    with pytest.raises(StateConflict):
        services.membership_accept(membership=invitation, actor=contact)
    approved = services.membership_approve(membership=invitation, actor=cast["weifang_secretariat"])
    assert approved.status == "active"
    assert approved.consented_by == contact


def test_a_contact_declines_an_invitation_by_withdrawing_it(cast, target, other_alliance, client_for):
    invitation = services.membership_request(alliance=other_alliance, organization=target,
                                             actor=cast["weifang_secretariat"])
    contact = target.contacts.first().user
    page = client_for(contact).get(f"/memberships/{invitation.pk}/").content.decode()
    assert 'id="invitation"' in page
    client_for(contact).post(f"/memberships/{invitation.pk}/withdraw/", {"reason": ""})
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"


def test_the_contacts_page_accepts_an_invitation(cast, target, other_alliance, client_for):
    invitation = services.membership_request(alliance=other_alliance, organization=target,
                                             actor=cast["weifang_secretariat"])
    contact = target.contacts.first().user
    assert client_for(cast["weifang_secretariat"]).post(f"/memberships/{invitation.pk}/accept/").status_code == 403
    client_for(contact).post(f"/memberships/{invitation.pk}/accept/")
    invitation.refresh_from_db()
    assert invitation.consented_by == contact


def test_a_unit_the_alliance_registers_itself_joins_at_once_and_is_kept_until_claimed(cast, high_tech,
                                                                                        client_for):
    uscc = new_uscc()
    client_for(cast["secretariat"]).post(f"/alliances/{high_tech.pk}/members/add/",
                                         {"uscc": uscc, "name": "新登记单位", "type": "enterprise", "role": "member"})
    unit = Organization.objects.get(uscc=uscc)
    assert unit.registered_by_alliance == high_tech
    assert Membership.objects.get(alliance=high_tech, organization=unit).status == "active"
    assert services.organization_update(organization=unit, actor=cast["secretariat"], name="新登记单位（更正）").name \
        == "新登记单位（更正）"

    services.contact_add(organization=unit, user=cast["outsider"], actor=cast["secretariat"])
    unit.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.organization_update(organization=unit, actor=cast["secretariat"], website="https://a.example")
    forget_scope(cast["outsider"])
    assert services.organization_update(organization=unit, actor=cast["outsider"],
                                        website="https://a.example").website == "https://a.example"


def test_an_application_from_the_units_contacts_carries_its_consent(cast, high_tech):
    applicant = Organization.objects.get(contacts__user=cast["contact"])
    Membership.objects.filter(organization=applicant, alliance=high_tech).update(status="withdrawn")
    membership = services.membership_apply(alliance=high_tech, organization=applicant, actor=cast["contact"])
    assert membership.consented_by == cast["contact"]
    assert services.membership_approve(membership=membership, actor=cast["secretariat"]).status == "active"


def test_contacts_change_the_profile_but_ask_for_a_new_legal_name(cast, api_for, target):
    contact = target.contacts.first().user
    api = api_for(contact)
    assert api.patch(f"/api/v1/organizations/{target.pk}/", {"website": "https://ok.example"},
                     format="json").status_code == 200
    assert api.patch(f"/api/v1/organizations/{target.pk}/", {"name": "新名称"}, format="json").status_code == 403
    target.refresh_from_db()
    assert target.website == "https://ok.example" and target.name != "新名称"


def test_an_official_of_the_units_city_decides_a_change_of_legal_name(cast, target, client_for):
    contact = target.contacts.first().user
    old_name = target.name
    client_for(contact).post(f"/organizations/{target.pk}/identity/",
                             {"name": "淄博高新智造集团股份有限公司", "uscc": target.uscc, "reason": "股份制改造"})
    change = IdentityChange.objects.get(organization=target, status="pending")
    assert (change.name, change.uscc, change.old_name) == ("淄博高新智造集团股份有限公司", "", old_name)
    with pytest.raises(StateConflict):
        services.identity_change_request(organization=target, actor=contact, name="又一个名称", reason="x")

    assert client_for(cast["weifang_official"]).post(
        f"/organizations/{target.pk}/identity/{change.pk}/approve/").status_code == 403
    assert client_for(cast["secretariat"]).post(
        f"/organizations/{target.pk}/identity/{change.pk}/approve/").status_code == 403
    target.refresh_from_db()
    assert target.name == old_name

    page = client_for(cast["official"]).get(f"/organizations/{target.pk}/").content.decode()
    assert f"/organizations/{target.pk}/identity/{change.pk}/approve/" in page
    client_for(cast["official"]).post(f"/organizations/{target.pk}/identity/{change.pk}/approve/", {"note": ""})
    target.refresh_from_db()
    change.refresh_from_db()
    assert (target.name, change.status, change.decided_by) == ("淄博高新智造集团股份有限公司", "approved",
                                                               cast["official"])


def test_a_rejected_change_needs_a_note(cast, target):
    contact = target.contacts.first().user
    change = services.identity_change_request(organization=target, actor=contact, uscc=new_uscc(), reason="更正")
    with pytest.raises(DomainError):
        services.identity_change_decide(change=change, actor=cast["official"], approve=False, note="")
    services.identity_change_decide(change=change, actor=cast["official"], approve=False, note="材料不全")
    change.refresh_from_db()
    assert change.status == "rejected"


def test_an_official_of_another_city_cannot_revoke_a_zibo_expert(cast, client_for):
    grant = RoleGrant.objects.get(user=cast["expert1"], role="expert")
    assert grant.city.name == "淄博市"
    with pytest.raises(NotAllowed):
        services.role_grant_revoke(grant=grant, actor=cast["weifang_official"])
    assert client_for(cast["weifang_official"]).post(f"/roles/{grant.pk}/revoke/").status_code == 404
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    services.role_grant_revoke(grant=grant, actor=cast["official"])
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_an_expert_is_listed_by_the_granting_officials_city(cast):
    grant = services.role_grant_create(actor=cast["weifang_official"], user=cast["outsider"], role="expert")
    assert grant.city.name == "潍坊市"
    with pytest.raises(NotAllowed):
        services.role_grant_revoke(grant=grant, actor=cast["official"])


def test_a_secretariat_cannot_invite_into_an_alliance_it_cannot_see(cast, api_for, target, other_alliance):
    response = api_for(cast["contact"]).post("/api/v1/memberships/",
                                             {"alliance": other_alliance.pk, "organization": target.pk}, format="json")
    assert response.status_code == 400
    assert "alliance" in response.json()


@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_the_same_unit_at_once_answer_400_naming_the_code(api_for):
    """The first holds its insert uncommitted; the second passes validation, waits on the unique index
    and must then answer 400 (not 500)."""
    load_cast()
    from members.models import User

    secretariat = User.objects.get(username="secretariat")
    uscc = new_uscc()
    inserted, commit = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                services.organization_create(actor=secretariat, uscc=uscc, name="并发单位", type="other")
                inserted.set()
                commit.wait(30)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            inserted.set()
            connections.close_all()

    responses = []

    def second():
        responses.append(api_for(secretariat).post(
            "/api/v1/organizations/", {"name": "并发单位", "uscc": uscc, "type": "other"}, format="json"))
        connections.close_all()

    holder = threading.Thread(target=first)
    holder.start()
    assert inserted.wait(30)
    racer = threading.Thread(target=second)
    racer.start()
    with connection.cursor() as cursor:
        for _attempt in range(3000):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND query LIKE 'INSERT INTO \"members_organization\"%%'")
            if cursor.fetchone()[0]:
                break
            racer.join(0.01)
    commit.set()
    holder.join(30)
    racer.join(30)
    assert not errors
    assert responses[0].status_code == 400, responses[0].content
    assert "uscc" in responses[0].json()
    assert Organization.objects.filter(uscc=uscc).count() == 1
