import re
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.utils import translation

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
    with translation.override("zh-hans"):
        assert str(Membership.Status.EXPELLED.label) in html  # the choice's label, not its code
    assert "expelled" not in html


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


# What the audit log reads like ------------------------------------------------------------------------


def test_the_audit_log_names_fields_choices_and_references_in_the_readers_language(cast, client_for, high_tech):
    services.role_grant_create(actor=cast["official"], user=cast["outsider"], role="secretariat", alliance=high_tech)
    html = client_for(cast["official"]).get(f"/alliances/{high_tech.pk}/history/").content.decode()
    row = html[html.index('<td class="title">'):]
    row = row[:row.index("</tr>")]
    assert "<dt>角色</dt><dd>秘书处</dd>" in row  # verbose name and the choice's label
    assert f"<dt>产教联合体</dt><dd>{high_tech.name}</dd>" in row  # a reference by its name, not its id
    assert "<dt>授权时间</dt>" in row  # a field the app names for the log (mapping_fields)
    assert "新建" in row  # the action, translated
    assert "granted_at" not in row and "alliance" not in row and "None" not in row

    html = client_for(cast["official"]).get(f"/alliances/{high_tech.pk}/history/",
                                            headers={"accept-language": "en"}).content.decode()
    assert "<dt>Role</dt><dd>Secretariat</dd>" in html
    assert "Created" in html


def test_the_audit_log_shows_times_in_shanghai_without_microseconds(cast, client_for, high_tech):
    services.role_grant_create(actor=cast["official"], user=cast["outsider"], role="secretariat", alliance=high_tech)
    entry = LogEntry.objects.filter(content_type__model="rolegrant").latest("id")
    html = client_for(cast["official"]).get(f"/alliances/{high_tech.pk}/history/").content.decode()
    local = entry.timestamp.astimezone(ZoneInfo("Asia/Shanghai"))
    shown = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    assert shown in html  # the entry's time, and the grant's own time among its changes
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", html)  # no raw timestamps


def test_the_audit_log_is_paged(cast, client_for, high_tech):
    from alliance.views import AUDIT_PAGE_SIZE

    total = LogEntry.objects.count()
    html = client_for(cast["official"]).get(f"/alliances/{high_tech.pk}/history/").content.decode()
    assert html.count('<td class="title">') <= AUDIT_PAGE_SIZE
    if total > AUDIT_PAGE_SIZE:
        assert "?&page=2" in html
