"""Each endpoint against each role, with the same rules as the pages."""

import pytest
from django.utils import timezone

from members.models import Membership, Organization
from tests.conftest import new_uscc
from tests.factories import OrganizationFactory
from tests.test_permissions_pages import ROLES

pytestmark = pytest.mark.django_db


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


@pytest.fixture
def objects(cast, high_tech, other_alliance):
    from alliance.models import Alliance, City

    applied = Membership.objects.create(alliance=high_tech, organization=OrganizationFactory(), status="applied",
                                        consented_at=timezone.now())
    return {
        "ht": high_tech.pk, "other": other_alliance.pk, "zibo": City.objects.get(name="淄博市").pk,
        "electronic": Alliance.objects.get(name="淄博电子信息产教联合体").pk,
        "contact_org": Organization.objects.get(contacts__user=cast["contact"]).pk,
        "applied": applied.pk, "hidden_org": OrganizationFactory().pk,
    }


ANYONE = _expect(200)
SIGNED_IN = _expect(200, anonymous=401)

ENDPOINTS = [
    ("get", "/api/v1/alliances/", None, ANYONE),
    ("get", "/api/v1/alliances/{ht}/", None, ANYONE),
    ("get", "/api/v1/alliances/{other}/", None, _expect(404, weifang_official=200, weifang_secretariat=200)),
    ("get", "/api/v1/alliances/{ht}/status-history/", None, ANYONE),
    ("post", "/api/v1/alliances/", {"name": "淄博新联合体", "city": "{zibo}"}, _expect(403, anonymous=401, official=201)),
    ("patch", "/api/v1/alliances/{ht}/", {"entity_form": "实体公司"},
     _expect(403, anonymous=401, official=200, secretariat=200)),
    ("post", "/api/v1/alliances/{ht}/transition/", {"to_status": "rectifying", "reason": "整改"},
     _expect(403, anonymous=401, official=200)),
    ("get", "/api/v1/organizations/", None, ANYONE),
    ("get", "/api/v1/organizations/{contact_org}/", None, ANYONE),
    ("get", "/api/v1/organizations/{hidden_org}/", None, _expect(404)),
    ("post", "/api/v1/organizations/", {"name": "新单位", "uscc": "NEW", "type": "enterprise", "size": "small"},
     _expect(403, anonymous=401, official=201, secretariat=201, weifang_official=201, weifang_secretariat=201)),
    ("patch", "/api/v1/organizations/{contact_org}/", {"address": "淄博市张店区"},
     _expect(403, anonymous=401, contact=200, official=200)),
    ("get", "/api/v1/memberships/", None, ANYONE),
    ("get", "/api/v1/memberships/{applied}/", None, _expect(404, official=200, secretariat=200, director=200)),
    ("post", "/api/v1/memberships/", {"alliance": "{electronic}", "organization": "{contact_org}"},
     _expect(403, anonymous=401, contact=201)),
    ("post", "/api/v1/memberships/{applied}/approve/", {}, _expect(404, anonymous=401, official=403, secretariat=200,
                                                                   director=403)),
    ("post", "/api/v1/memberships/{applied}/reject/", {"reason": "不符合条件"},
     _expect(404, anonymous=401, official=403, secretariat=200, director=403)),
    ("post", "/api/v1/memberships/{applied}/withdraw/", {}, _expect(404, anonymous=401, official=403, secretariat=403,
                                                                    director=403)),
    ("post", "/api/v1/memberships/{applied}/accept/", {}, _expect(404, anonymous=401, official=403, secretariat=403,
                                                                  director=403)),
    ("get", "/api/v1/bodies/", None, ANYONE),
    ("get", "/api/v1/seats/", None, ANYONE),
    ("get", "/api/v1/me/", None, SIGNED_IN),
    ("get", "/api/v1/schema/", None, ANYONE),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "data", "expected"), ENDPOINTS,
                         ids=[f"{m.upper()} {u}" for m, u, _d, _e in ENDPOINTS])
def test_endpoint_permissions(cast, objects, api_for, role, method, url, data, expected):
    payload = None
    if data is not None:
        payload = {key: str(value).format(**objects) for key, value in data.items()}
        if payload.get("uscc") == "NEW":
            payload["uscc"] = new_uscc()
    response = getattr(api_for(cast[role]), method)(url.format(**objects), payload, format="json")
    assert response.status_code == expected[role], (role, response.status_code, getattr(response, "data", None))


def test_anonymous_lists_show_only_public_data(api_for, objects):
    anonymous = api_for(None)
    alliances = anonymous.get("/api/v1/alliances/?page_size=200").json()["results"]
    assert {a["status"] for a in alliances} <= {"established", "rectifying", "revoked"}
    assert objects["other"] not in {a["id"] for a in alliances}
    memberships = anonymous.get("/api/v1/memberships/?page_size=200").json()
    assert {m["status"] for m in memberships["results"]} == {"active"}
    organization_ids = {o["id"] for o in anonymous.get("/api/v1/organizations/?page_size=200").json()["results"]}
    assert objects["hidden_org"] not in organization_ids
    assert anonymous.get("/api/v1/seats/").json()["count"] == 0


def test_a_city_official_sees_their_citys_proposals_but_not_another_citys(cast, api_for, objects):
    weifang = {a["id"] for a in api_for(cast["weifang_official"]).get("/api/v1/alliances/").json()["results"]}
    zibo = {a["id"] for a in api_for(cast["official"]).get("/api/v1/alliances/").json()["results"]}
    assert objects["other"] in weifang
    assert objects["other"] not in zibo
