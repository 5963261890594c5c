"""Each page against each role: allowed (200/302 after a write) or refused (403/404/login)."""

import re

import pytest
from django.utils import timezone

from members.models import IdentityChange, Membership, Organization, RoleGrant
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "official", "secretariat", "director", "contact", "expert", "outsider", "weifang_official",
         "weifang_secretariat"]
LOGIN = "login"


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


@pytest.fixture
def objects(cast, high_tech, other_alliance):
    contact_org = Organization.objects.get(contacts__user=cast["contact"])
    from alliance.models import Alliance

    electronic = Alliance.objects.get(name="淄博电子信息产教联合体")
    applied = Membership.objects.create(alliance=high_tech, organization=OrganizationFactory(), status="applied",
                                        consented_at=timezone.now())
    hidden_org = OrganizationFactory()
    change = IdentityChange.objects.create(organization=contact_org, name="新法定名称", old_name=contact_org.name,
                                           old_uscc=contact_org.uscc, reason="更名", requested_by=cast["contact"])
    return {
        "contact_member": Membership.objects.get(alliance=high_tech, organization=contact_org, status="active").pk,
        "change": change.pk,
        "ht": high_tech.pk, "other": other_alliance.pk, "contact_org": contact_org.pk,
        "member": Membership.objects.filter(alliance=high_tech, status="active").first().pk,
        "applied": applied.pk, "hidden_org": hidden_org.pk, "electronic": electronic.pk,
        "secretariat_grant": RoleGrant.objects.get(user=cast["secretariat"]).pk,
    }


ANYONE = _expect(200)
SIGNED_IN = _expect(200, anonymous=LOGIN)
SECRETARIAT_ONLY = _expect(403, anonymous=LOGIN, secretariat=200)
EDITORS = _expect(403, anonymous=LOGIN, secretariat=200, official=200)
OFFICIALS = _expect(403, anonymous=LOGIN, official=200, weifang_official=200)
ROLE_MANAGERS = _expect(403, anonymous=LOGIN, official=200, secretariat=200, weifang_official=200,
                        weifang_secretariat=200)
CONTACTS = _expect(403, anonymous=LOGIN, contact=200, director=200)

PAGES = [
    ("GET", "/", None, ANYONE),
    ("GET", "/alliances/", None, ANYONE),
    ("GET", "/alliances/{ht}/", None, ANYONE),
    ("GET", "/alliances/{other}/", None, _expect(404, weifang_official=200, weifang_secretariat=200)),
    ("GET", "/alliances/new/", None, OFFICIALS),
    ("GET", "/alliances/{ht}/edit/", None, EDITORS),
    ("POST", "/alliances/{ht}/status/", {"to_status": "rectifying", "reason": "整改"},
     _expect(403, anonymous=LOGIN, official=302)),
    ("GET", "/alliances/{ht}/members/add/", None, SECRETARIAT_ONLY),
    ("POST", "/alliances/{ht}/members/add/", {"uscc": "91350100M000100Y43", "name": "新单位", "type": "enterprise",
                                              "size": "small", "role": "member"},
     _expect(403, anonymous=LOGIN, secretariat=302)),
    ("GET", "/alliances/{ht}/members/import/", None, SECRETARIAT_ONLY),
    ("GET", "/register/", None, ANYONE),
    ("GET", "/register/export.xlsx", None, SIGNED_IN),
    ("GET", "/organizations/{contact_org}/", None, ANYONE),
    ("GET", "/organizations/{hidden_org}/", None, _expect(404)),
    ("GET", "/organizations/{contact_org}/edit/", None, _expect(403, anonymous=LOGIN, contact=200, official=200)),
    ("GET", "/memberships/apply/", None, CONTACTS),
    ("GET", "/memberships/{member}/", None, ANYONE),
    ("GET", "/memberships/{applied}/", None, _expect(404, official=200, secretariat=200, director=200)),
    ("POST", "/memberships/{applied}/approve/", {"reason": ""},
     _expect(404, anonymous=LOGIN, official=403, secretariat=302, director=403)),
    ("POST", "/memberships/{applied}/reject/", {"reason": "材料不全"},
     _expect(404, anonymous=LOGIN, official=403, secretariat=302, director=403)),
    ("POST", "/memberships/{applied}/accept/", None, _expect(404, anonymous=LOGIN, official=403, secretariat=403,
                                                             director=403)),
    ("POST", "/memberships/{contact_member}/withdraw/", {"reason": ""}, _expect(403, anonymous=LOGIN, contact=302)),
    ("POST", "/memberships/{contact_member}/expel/", {"reason": "违反章程"},
     _expect(403, anonymous=LOGIN, secretariat=302)),
    ("POST", "/organizations/{contact_org}/identity/", {"name": "另一名称", "uscc": "91350100M000100Y43", "reason": "x"},
     _expect(403, anonymous=LOGIN, contact=302)),
    ("POST", "/organizations/{contact_org}/identity/{change}/approve/", {"note": ""},
     _expect(403, anonymous=LOGIN, official=302)),
    ("GET", "/roles/", None, ROLE_MANAGERS),
    ("POST", "/roles/", {"username": "outsider", "role": "secretariat", "alliance": "{ht}"},
     _expect(403, anonymous=LOGIN, official=302, secretariat=302, weifang_official=400, weifang_secretariat=400)),
    ("POST", "/roles/{secretariat_grant}/revoke/", {},
     _expect(404, anonymous=LOGIN, official=302, secretariat=302)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "expected"), PAGES, ids=[f"{m} {u}" for m, u, _d, _e in PAGES])
def test_page_permissions(cast, objects, client_for, role, method, url, data, expected):
    browser = client_for(cast[role])
    path = url.format(**objects)
    if method == "GET":
        response = browser.get(path)
    else:
        response = browser.post(path, {k: str(v).format(**objects) for k, v in (data or {}).items()})
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), response
    else:
        assert response.status_code == want, (role, path, response.status_code)


def test_writes_refused_to_a_role_leave_no_trace(cast, objects, client_for):
    client_for(cast["official"]).post(f"/memberships/{objects['applied']}/approve/", {"reason": ""})
    client_for(cast["outsider"]).post(f"/alliances/{objects['ht']}/status/", {"to_status": "revoked", "reason": "x"})
    assert Membership.objects.get(pk=objects["applied"]).status == "applied"
    from alliance.models import Alliance

    assert Alliance.objects.get(pk=objects["ht"]).status == "established"


def test_the_approve_page_really_approves(cast, objects, client_for):
    client_for(cast["secretariat"]).post(f"/memberships/{objects['applied']}/approve/", {"reason": "", "role": "director"})
    membership = Membership.objects.get(pk=objects["applied"])
    assert (membership.status, membership.role) == ("active", "director")


def test_a_refused_page_answers_the_refusal_page_naming_why(cast, objects, client_for):
    response = client_for(cast["outsider"]).get(f"/alliances/{objects['ht']}/edit/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert 'id="refused"' in response.content.decode()
    assert "You may not change this alliance." in response.content.decode()


def test_a_services_refusal_answers_the_same_page(cast, objects, client_for):
    """No check in the view: the service's NotAllowed becomes the 403 page (kernel/pages.py)."""
    response = client_for(cast["official"]).post(f"/memberships/{objects['applied']}/accept/",
                                                  HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="refused"' in page and "Only a contact of the unit can answer the invitation." in page
    assert Membership.objects.get(pk=objects["applied"]).status == "applied"


MENU = {"/governance/": "council", "/governance/votes/": "votes", "/governance/tasks/": "tasks",
        "/assessments/": "assessments", "/roles/": "roles", "/memberships/apply/": "apply",
        "/announcements/": "announcements"}


@pytest.mark.parametrize(("role", "entries"), [
    ("anonymous", set()),
    ("official", {"council", "assessments", "roles"}),
    ("secretariat", {"council", "assessments", "roles"}),
    ("director", {"council", "votes", "tasks", "announcements", "apply"}),
    ("contact", {"tasks", "announcements", "apply"}),
    ("expert", {"assessments"}),
    ("outsider", set()),
])
def test_the_menu_shows_each_role_its_entries(cast, client_for, role, entries):
    page = client_for(cast[role]).get("/").content.decode()
    menu = re.search(r"<nav aria-label=[^>]*>(.*?)</nav>", page, re.S).group(1)
    assert {MENU[href] for href in re.findall(r'href="([^"]+)"', menu) if href in MENU} == entries
