import pytest
from auditlog.models import LogEntry

from members import services
from members.models import Contact, Membership

pytestmark = pytest.mark.django_db


def test_the_audit_log_shows_memberships_and_revoked_grants_with_their_actors(cast, client_for, high_tech):
    grant = services.role_grant_create(actor=cast["official"], user=cast["outsider"], role="secretariat",
                                       alliance=high_tech)
    services.role_grant_revoke(grant=grant, actor=cast["official"])
    membership = Membership.objects.filter(alliance=high_tech, status="active").last()
    services.membership_expel(membership=membership, actor=cast["secretariat"], reason="违反章程")

    html = client_for(cast["official"]).get(f"/alliances/{high_tech.pk}/history/").content.decode()
    assert html.count(str(cast["outsider"])) >= 2  # granted and revoked
    assert membership.organization.name in html
    assert "expelled" in html


def test_the_audit_log_of_another_alliance_does_not_leak(cast, client_for, high_tech, other_alliance):
    services.role_grant_create(actor=cast["official"], user=cast["outsider"], role="secretariat", alliance=high_tech)
    html = client_for(cast["weifang_official"]).get(f"/alliances/{other_alliance.pk}/history/").content.decode()
    assert str(cast["outsider"]) not in html


@pytest.mark.parametrize(("role", "status"), [
    ("official", 200), ("secretariat", 200), ("director", 403), ("contact", 403), ("expert", 403),
    ("outsider", 403), ("weifang_official", 403), ("weifang_secretariat", 403), ("anonymous", 302),
])
def test_audit_page_permissions(cast, client_for, high_tech, role, status):
    assert client_for(cast[role]).get(f"/alliances/{high_tech.pk}/history/").status_code == status


@pytest.mark.parametrize(("role", "status"), [
    # A unit's contacts are kept by its own contacts and its city's officials, never by an alliance's
    # secretariat (docs/architecture.md: who may do what to a unit).
    ("contact", 302), ("official", 302), ("secretariat", 403), ("director", 403), ("expert", 403),
    ("outsider", 403), ("anonymous", 302),
])
def test_contact_management_permissions(cast, client_for, role, status):
    from members.models import Organization

    organization = Organization.objects.get(contacts__user=cast["contact"])
    response = client_for(cast[role]).post(f"/organizations/{organization.pk}/contacts/",
                                           {"username": "outsider", "title": "联络员"})
    assert response.status_code == status
    added = Contact.objects.filter(organization=organization, user=cast["outsider"]).exists()
    assert added == (role in ("contact", "official"))
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_removing_a_contact_is_audited(cast, client_for):
    contact = Contact.objects.get(user=cast["contact"])
    response = client_for(cast["official"]).post(
        f"/organizations/{contact.organization_id}/contacts/{contact.pk}/remove/")
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert LogEntry.objects.filter(content_type__model="contact", object_id=contact.pk,
                                   action=LogEntry.Action.DELETE, actor=cast["official"]).exists()
