import json
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
    assert body["city"] == high_tech.city_id and body["city_name"] == "淄博市"
    assert body["lead_school"] == high_tech.lead_school_id and body["lead_school_name"] == "淄博职业学院"


def test_organizations_filter_by_type_and_alliance(api_for, high_tech):
    body = api_for(None).get(f"/api/v1/organizations/?alliance={high_tech.pk}&type=research_institute").json()
    assert body["count"] == 15


def test_alliances_filter_by_city_name_level_and_status(api_for, high_tech):
    body = api_for(None).get("/api/v1/alliances/?city_name=淄博市&level=provincial&status=established").json()
    assert body["count"] == 3
    by_id = api_for(None).get(f"/api/v1/alliances/?city={high_tech.city_id}&level=provincial&status=established")
    assert by_id.json()["count"] == 3


def test_every_resource_with_a_city_filters_by_its_id_and_by_city_name(api_for, high_tech):
    api = api_for(None)
    for path in ("alliances", "organizations", "frameworks", "cycles"):
        assert api.get(f"/api/v1/{path}/?city={high_tech.city_id}").status_code == 200, path
        assert api.get(f"/api/v1/{path}/?city_name=淄博市").status_code == 200, path
        refused = api.get(f"/api/v1/{path}/?city=淄博市")
        assert refused.status_code == 400 and "city" in refused.json(), path


def test_a_bad_page_size_or_ordering_is_a_400_naming_the_parameter(api_for):
    api = api_for(None)
    for query, parameter in [("page_size=0", "page_size"), ("page_size=abc", "page_size"),
                             ("page_size=-5", "page_size"), ("ordering=nope", "ordering"),
                             ("ordering=name,-nope", "ordering")]:
        response = api.get(f"/api/v1/alliances/?{query}")
        assert response.status_code == 400, query
        assert parameter in response.json() and response.json()["codes"][parameter] == ["invalid"], query
    assert api.get("/api/v1/alliances/?ordering=-member_count,name&page_size=2").status_code == 200


def test_status_history_is_paginated_like_every_list(api_for, high_tech):
    body = api_for(None).get(f"/api/v1/alliances/{high_tech.pk}/status-history/?page_size=1").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == min(1, body["count"])


def test_a_bad_credit_code_is_refused_with_a_field_message_in_chinese(cast, api_for):
    response = api_for(cast["secretariat"]).post(
        "/api/v1/organizations/", {"name": "错码单位", "uscc": "91350100M000100Y44", "type": "enterprise"}, format="json"
    )
    assert response.status_code == 400
    assert "校验位" in response.json()["uscc"][0]
    assert response.json()["codes"]["uscc"] == ["uscc_check"]
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
    assert second.json()["code"] == "state_conflict"
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
        ("/api/v1/alliances/?city=%00&level=x&status=y&page=abc&ordering=nope", 400,
         {"city", "level", "status", "codes"}),
        ("/api/v1/organizations/?alliance=abc&page_size=-5", 400, {"alliance", "codes"}),
        ("/api/v1/memberships/?alliance=1e99", 400, {"alliance", "codes"}),
        ("/api/v1/alliances/99999999999999999999/", 404, {"detail", "code"}),
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


def test_errors_carry_a_stable_code_beside_the_translated_message(cast, api_for, high_tech):
    anonymous, contact = api_for(None), api_for(cast["contact"])
    transition = f"/api/v1/alliances/{high_tech.pk}/transition/"
    cases = [
        (anonymous.get("/api/v1/alliances/999999/"), 404, "not_found"),
        (anonymous.get("/api/v1/no-such-resource/"), 404, "not_found"),
        (anonymous.post(transition, {"to_status": "rectifying", "reason": "x"}), 401, "not_authenticated"),
        (contact.post(transition, {"to_status": "rectifying", "reason": "x"}), 403, "permission_denied"),
        (contact.post(transition, "{", content_type="application/json"), 400, "parse_error"),
        (contact.put("/api/v1/me/", {}), 405, "method_not_allowed"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (response.request["PATH_INFO"], response.content)
        assert response.json()["code"] == code and response.json()["detail"], response.json()
    for language in ("en", "zh-hans"):
        missing = api_for(cast["official"]).post(transition, {"to_status": "rectifying"},
                                                 HTTP_ACCEPT_LANGUAGE=language).json()
        assert missing["codes"] == {"reason": ["required"]} and missing["reason"][0]


def test_the_schema_is_one_english_document_whatever_the_language(client):
    served = {language: client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json",
                                   HTTP_ACCEPT_LANGUAGE=language).content for language in ("en", "zh-hans")}
    assert served["en"] == served["zh-hans"]
    assert client.get("/api/v1/schema/?lang=zh-hans", HTTP_ACCEPT="application/vnd.oai.openapi+json").content == \
        served["en"]
    schema = json.loads(served["en"])
    assert schema["openapi"].startswith("3.1")
    titles = [value for key, value in _walk(schema) if key == "title" and isinstance(value, str)]
    assert titles and all(title.isascii() for title in titles)
    assert all(name.isascii() for name in schema["components"]["schemas"])


def test_only_an_upload_takes_multipart_every_other_body_is_json(client):
    schema = json.loads(client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    bodies = {f"{method.upper()} {path}": sorted(operation["requestBody"]["content"])
              for path, operations in schema["paths"].items() for method, operation in operations.items()
              if "requestBody" in operation}
    multipart = {name for name, types in bodies.items() if types != ["application/json"]}
    assert multipart == {"POST /api/v1/tasks/{id}/report/", "POST /api/v1/outcomes/{id}/evidence/"}
    assert bodies["POST /api/v1/tasks/{id}/report/"] == ["application/json", "multipart/form-data"]
    assert bodies["POST /api/v1/outcomes/{id}/evidence/"] == ["multipart/form-data"]


def test_list_filters_are_documented_only_on_lists(client):
    schema = json.loads(client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    history = schema["paths"]["/api/v1/alliances/{id}/status-history/"]["get"]
    assert {p["name"] for p in history["parameters"] if p["in"] == "query"} == {"page", "page_size"}
    assign = schema["paths"]["/api/v1/assessments/{id}/assign_experts/"]["post"]
    assert not [p for p in assign.get("parameters", []) if p["in"] == "query"]
    bodies = schema["paths"]["/api/v1/bodies/"]["get"]  # a list that does not search
    assert "search" not in {p["name"] for p in bodies["parameters"]}


def _walk(data):
    if isinstance(data, dict):
        for key, value in data.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(data, list):
        for item in data:
            yield from _walk(item)


def test_a_value_not_there_yet_is_null_not_an_empty_string(cast, api_for, high_tech):
    school = high_tech.lead_school
    assert school.size == "" and school.website == ""
    body = api_for(None).get(f"/api/v1/organizations/{school.pk}/").json()
    assert body["size"] is None and body["website"] is None
    assert body["city"] == school.city_id and body["city_name"] == school.city.name
    history = api_for(None).get(f"/api/v1/alliances/{high_tech.pk}/status-history/").json()["results"]
    assert history[-1]["from_status"] is None


@pytest.mark.parametrize("who", ["official", "contact", None])
def test_an_organization_list_row_is_what_the_detail_endpoint_answers(cast, api_for, who):
    """The list is read in one query (kernel/api/lists.py); each row must still be the serializer's, blanks as
    null included, and the count and the links those of DRF's paginator."""
    api = api_for(cast[who] if who else None)
    body = api.get("/api/v1/organizations/?page_size=7").json()
    assert body["count"] > 7 and body["previous"] is None and "page=2" in body["next"]
    assert any(row["size"] is None for row in body["results"])
    for row in body["results"]:
        assert api.get(f"/api/v1/organizations/{row['id']}/").json() == row
    last = api.get(f"/api/v1/organizations/?page_size=7&page={-(-body['count'] // 7)}").json()
    assert last["next"] is None and 1 <= len(last["results"]) <= 7
    assert api.get("/api/v1/organizations/?page_size=7&page=last").json() == last


def test_an_organization_takes_null_for_none_where_it_answers_null(cast, api_for):
    unit = Organization.objects.get(contacts__user=cast["contact"])
    response = api_for(cast["contact"]).patch(f"/api/v1/organizations/{unit.pk}/", {"website": None})
    assert response.status_code == 200, response.json()
    assert response.json()["website"] is None
    unit.refresh_from_db()
    assert unit.website == ""


@pytest.mark.parametrize("offset", ["+16:00", "-23:59", "+14:00", "Z"])
def test_a_time_filter_takes_any_offset_a_client_may_send(api_for, cast, offset):
    """PostgreSQL refuses offsets beyond ±15:59 that Python parses: the filter moves the time to UTC first."""
    response = api_for(cast["secretariat"]).get(f"/api/v1/meetings/?starts_at_after=2000-01-01T00:00:00{offset}".replace("+", "%2B"))
    assert response.status_code == 200, response.content
