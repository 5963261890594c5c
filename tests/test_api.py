import subprocess
import sys

import pytest
from rest_framework.test import APIClient

from members.models import Membership, Organization
from tests.conftest import PASSWORD, new_uscc

pytestmark = pytest.mark.django_db


def test_a_portal_gets_a_token_and_uses_it():
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "secretariat", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "secretariat"
    assert me["roles"] == ["secretariat"]


def test_a_wrong_password_gets_no_token():
    response = APIClient().post("/api/v1/auth/token/", {"username": "secretariat", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert "token" not in response.json()


def test_me_lists_a_directors_seats(cast, api_for):
    me = api_for(cast["director1"]).get("/api/v1/me/").json()
    assert me["roles"] == ["director", "contact"]
    assert len(me["seats"]) == 1


def test_lists_are_paginated_with_a_capped_page_size(api_for):
    body = api_for(None).get("/api/v1/organizations/?page_size=1000").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == min(200, body["count"])


def test_alliance_fields_portals_read(api_for, high_tech):
    body = api_for(None).get(f"/api/v1/alliances/{high_tech.pk}/").json()
    for field in ("id", "name", "name_en", "city", "park", "level", "status", "lead_school", "lead_enterprise",
                  "member_count"):
        assert field in body
    assert body["member_count"] == 91
    assert body["lead_school"]["name"] == "淄博职业学院"


def test_organizations_filter_by_type_and_alliance(api_for, high_tech):
    body = api_for(None).get(f"/api/v1/organizations/?alliance={high_tech.pk}&type=research_institute").json()
    assert body["count"] == 15


def test_alliances_filter_by_city_name_level_and_status(api_for):
    body = api_for(None).get("/api/v1/alliances/?city=淄博市&level=provincial&status=established").json()
    assert body["count"] == 3


def test_a_bad_credit_code_is_refused_with_a_field_message_in_chinese(cast, api_for):
    response = api_for(cast["secretariat"]).post(
        "/api/v1/organizations/", {"name": "错码单位", "uscc": "91350100M000100Y44", "type": "enterprise"}, format="json"
    )
    assert response.status_code == 400
    assert "校验位" in response.json()["uscc"][0]
    assert not Organization.objects.filter(name="错码单位").exists()


def test_messages_follow_accept_language(cast, api_for):
    response = api_for(cast["secretariat"]).post(
        "/api/v1/organizations/", {"name": "x", "uscc": "91350100M000100Y44", "type": "enterprise"}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "check character" in response.json()["uscc"][0]


def test_a_duplicate_application_is_a_409(cast, api_for):
    from alliance.models import Alliance

    electronic = Alliance.objects.get(name="淄博电子信息产教联合体")
    org = Organization.objects.get(contacts__user=cast["contact"])
    api = api_for(cast["contact"])
    first = api.post("/api/v1/memberships/", {"alliance": electronic.pk, "organization": org.pk}, format="json")
    second = api.post("/api/v1/memberships/", {"alliance": electronic.pk, "organization": org.pk}, format="json")
    assert first.status_code == 201
    assert second.status_code == 409
    assert "detail" in second.json()
    assert Membership.objects.filter(alliance=electronic, organization=org).count() == 1


def test_approving_twice_is_a_409(cast, api_for, high_tech):
    membership = Membership.objects.create(alliance=high_tech, organization=Organization.objects.create(
        name="待批单位", uscc=new_uscc(), type="other", registered_by_alliance=high_tech), status="applied")
    api = api_for(cast["secretariat"])
    assert api.post(f"/api/v1/memberships/{membership.pk}/approve/").status_code == 200
    assert api.post(f"/api/v1/memberships/{membership.pk}/approve/").status_code == 409


def test_rejecting_without_a_reason_is_a_400_and_changes_nothing(cast, api_for, high_tech):
    membership = Membership.objects.create(alliance=high_tech, organization=Organization.objects.create(
        name="待批单位", uscc=new_uscc(), type="other"), status="applied")
    response = api_for(cast["secretariat"]).post(f"/api/v1/memberships/{membership.pk}/reject/", {"reason": " "})
    assert response.status_code == 400
    assert "reason" in response.json()
    membership.refresh_from_db()
    assert membership.status == "applied"


def test_an_illegal_alliance_transition_is_a_409(cast, api_for, high_tech):
    response = api_for(cast["official"]).post(f"/api/v1/alliances/{high_tech.pk}/transition/",
                                              {"to_status": "under_review", "reason": "x"}, format="json")
    assert response.status_code == 409


JUNK = [None, "", "x" * 5000, -1, 10**30, [], {"a": 1}, "<script>", "' OR 1=1 --", "💥", True]


@pytest.mark.parametrize("value", JUNK)
def test_no_input_gives_a_500(cast, api_for, high_tech, value):
    api = api_for(cast["secretariat"])
    org = Organization.objects.get(contacts__user=cast["contact"])
    for method, url, field in [
        ("post", "/api/v1/organizations/", "uscc"),
        ("post", "/api/v1/organizations/", "type"),
        ("patch", f"/api/v1/organizations/{org.pk}/", "website"),
        ("post", "/api/v1/memberships/", "alliance"),
        ("post", f"/api/v1/alliances/{high_tech.pk}/transition/", "to_status"),
        ("patch", f"/api/v1/alliances/{high_tech.pk}/", "park"),
        ("post", "/api/v1/auth/token/", "username"),
    ]:
        response = getattr(api, method)(url, {field: value}, format="json")
        assert response.status_code < 500, (url, field, value, response.status_code)
    # A bad filter of an API list is a 400 naming the filter (a bad page or ordering alongside is not reached);
    # an id past bigint is a 404; the pages ignore filters and page numbers they cannot read.
    for url, status, fields in [
        ("/api/v1/alliances/?city=%00&level=x&status=y&page=abc&ordering=nope", 400, {"city", "level", "status"}),
        ("/api/v1/organizations/?alliance=abc&page_size=-5", 400, {"alliance"}),
        ("/api/v1/memberships/?alliance=1e99", 400, {"alliance"}),
        ("/api/v1/alliances/99999999999999999999/", 404, {"detail"}),
        ("/register/?alliance=abc&page=-1&type=x", 200, None),
        ("/alliances/?status=%F0%9F%92%A5&page=999", 200, None),
    ]:
        response = api.get(url)
        assert response.status_code == status, (url, response.status_code)
        if fields is not None:
            assert set(response.json()) == fields, (url, response.json())


def test_the_schema_validates_without_warnings():
    result = subprocess.run([sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
                             "--file", "/dev/null"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_docs_page_is_served_from_our_own_static_files(api_for):
    html = api_for(None).get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


def test_json_nested_too_deeply_is_a_400_not_a_500(cast, api_for):
    response = api_for(cast["secretariat"]).generic(
        "POST", "/api/v1/organizations/", "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
