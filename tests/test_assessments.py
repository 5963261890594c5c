import datetime
import json
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance.models import Alliance
from assessments import frameworks, services
from assessments.models import Assessment, Framework
from assessments.selectors import assessments_for_user
from kernel.errors import DomainError, NotAllowed, StateConflict
from members.models import Contact, Organization, User
from tests.shared import small_framework

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)

SMALL = small_framework("测试指标体系")


def broken(**changes):
    data = json.loads(json.dumps(SMALL))
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value
    return data


@pytest.fixture
def framework(cast):
    framework = services.framework_import(actor=cast["official"], data=SMALL)
    return services.framework_publish(framework=framework, actor=cast["official"])


@pytest.fixture
def cycle(cast, framework, high_tech):
    today = timezone.localdate()
    return services.cycle_open(
        actor=cast["official"], framework=framework, city=high_tech.city, title="2026年度考核",
        opens_on=today, self_assessment_due=today + datetime.timedelta(days=30),
        review_due=today + datetime.timedelta(days=60), alliances=[high_tech],
    )


@pytest.fixture
def assessment(cycle):
    return cycle.assessments.get()


FULL = {"A1": "8", "B1": "9", "B2": "4", "C1": "1"}


def submitted(assessment, cast):
    services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores=FULL)
    return services.self_assessment_submit(assessment=assessment, actor=cast["secretariat"])


def reviewed(assessment, cast, *score_sets):
    experts = [User.objects.get(username=f"expert{n}") for n in range(1, len(score_sets) + 1)]
    reviews = services.experts_assign(assessment=assessment, actor=cast["official"], experts=experts)
    for review, scores in zip(reviews, score_sets, strict=True):
        services.review_save(review=review, actor=review.expert, scores=scores, declared_no_conflict=True)
        services.review_submit(review=review, actor=review.expert)
    return Assessment.objects.get(pk=assessment.pk)


# Frameworks as data


@pytest.mark.parametrize(("data", "words"), [
    (broken(**{"indicators.1.children.0.weight": "30"}), "B"),  # children no longer add up to B's weight
    (broken(**{"indicators.0.weight": "50", "indicators.0.children.0.weight": "50"}), "100"),
    (broken(**{"indicators.2.children.0.weight": "5"}), "C1"),  # a veto carries no weight
    (broken(**{"indicators.2.children.0.max_score": "5"}), "C1"),  # veto leaves are 0 or 1
    (broken(**{"indicators.1.children.1.code": "A1"}), "A1"),  # duplicate code
    (broken(**{"indicators.0.children.0.max_score": "abc"}), "A1"),
    (broken(**{"indicators.0.children.0.max_score": "0"}), "A1"),
    ({"name": "x", "indicators": []}, ""),
    ("not a dict", ""),
])
def test_a_framework_that_does_not_add_up_is_refused_saying_where(cast, data, words):
    before = Framework.objects.count()
    with pytest.raises(DomainError) as caught:
        services.framework_import(actor=cast["official"], data=data)
    assert words in str(caught.value.message)
    assert Framework.objects.count() == before


def test_a_file_that_does_not_parse_is_refused():
    with pytest.raises(DomainError):
        frameworks.parse_file(SimpleUploadedFile("f.json", b"{not json"))


def test_export_and_import_round_trip(cast, framework):
    exported = frameworks.export(framework)
    again = services.framework_import(actor=cast["official"], data=exported)
    assert again.version == framework.version + 1
    assert frameworks.export(again)["indicators"] == exported["indicators"]


def test_a_published_framework_never_changes(cast, framework):
    with pytest.raises(StateConflict):
        services.framework_replace_tree(framework=framework, actor=cast["official"], data=SMALL)
    draft = services.framework_new_version(framework=framework, actor=cast["official"])
    services.framework_replace_tree(framework=draft, actor=cast["official"], data=SMALL)
    assert draft.status == "draft" and draft.version == framework.version + 1


def test_only_officials_author_frameworks(cast):
    for who in ("secretariat", "director", "expert", "contact", "outsider"):
        with pytest.raises(NotAllowed):
            services.framework_import(actor=cast[who], data=SMALL)


def test_the_shipped_seed_framework_is_valid():
    from pathlib import Path

    from django.conf import settings

    data = json.loads((Path(settings.BASE_DIR) / "assessments" / "data" / "seed_000.json").read_text())
    flat = frameworks.validate(data)
    second_level = [n for n in flat if n["parent"] in ("A", "B")]
    assert len(second_level) == 15
    weights = {n["code"]: n["weight"] for n in flat}
    heaviest = sorted(second_level, key=lambda n: n["weight"], reverse=True)[:3]
    assert {n["guidance_en"].split("§")[-1][:6] for n in heaviest} >= {"5.4.12", "5.4.13", "5.4.14"}
    assert weights["A"] + weights["B"] == D(100)
    assert any(n["veto"] for n in flat)


# Cycles and the self-assessment


def test_opening_a_cycle_creates_an_assessment_with_computed_figures(assessment):
    metrics = assessment.computed_metrics
    assert metrics["members_total"] == 91
    assert metrics["members_by_type"]["enterprise"] == 44
    assert metrics["enterprise_share_percent"] == "48.4"
    assert metrics["council_established"] is True and metrics["council_seats"] == 9
    assert metrics["meetings_held"] == 0 and metrics["quorum_rate"] is None


def test_an_official_of_another_city_cannot_open_a_cycle(cast, framework, high_tech):
    today = timezone.localdate()
    with pytest.raises(NotAllowed):
        services.cycle_open(actor=cast["weifang_official"], framework=framework, city=high_tech.city, title="x",
                            opens_on=today, self_assessment_due=today, review_due=today, alliances=[high_tech])


def test_a_draft_framework_cannot_be_used(cast, high_tech):
    draft = services.framework_import(actor=cast["official"], data=SMALL)
    today = timezone.localdate()
    with pytest.raises(StateConflict):
        services.cycle_open(actor=cast["official"], framework=draft, city=high_tech.city, title="x",
                            opens_on=today, self_assessment_due=today, review_due=today, alliances=[high_tech])


@pytest.mark.parametrize("scores", [{"A1": "11"}, {"A1": "-1"}, {"B2": "5.5"}, {"C1": "0.5"}, {"A": "5"},
                                    {"ZZ": "1"}, {"A1": "abc"}, {"A1": "1.234"}, ["A1"]])
def test_scores_outside_an_indicators_range_are_refused_and_nothing_is_saved(cast, assessment, scores):
    with pytest.raises(DomainError):
        services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores=scores)
    assessment.refresh_from_db()
    assert assessment.self_scores == {}


def test_submitting_locks_the_self_assessment(cast, assessment):
    with pytest.raises(DomainError):  # not every indicator scored
        services.self_assessment_submit(assessment=assessment, actor=cast["secretariat"])
    submitted(assessment, cast)
    with pytest.raises(StateConflict):
        services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores={"A1": "1"})


def test_a_submission_after_the_deadline_is_refused(cast, assessment):
    services.self_assessment_save(assessment=assessment, actor=cast["secretariat"], scores=FULL)
    assessment.cycle.__class__.objects.filter(pk=assessment.cycle_id).update(
        opens_on=TODAY - datetime.timedelta(days=10), self_assessment_due=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(StateConflict):
        services.self_assessment_submit(assessment=assessment, actor=cast["secretariat"])


def test_the_official_can_return_a_submission_once(cast, assessment):
    submitted(assessment, cast)
    services.self_assessment_return(assessment=assessment, actor=cast["official"], reason="证据不足")
    services.self_assessment_submit(assessment=assessment, actor=cast["secretariat"])
    with pytest.raises(StateConflict):
        services.self_assessment_return(assessment=assessment, actor=cast["official"], reason="再次退回")


def test_only_the_alliances_secretariat_fills_it_in(cast, assessment):
    for who in ("official", "director", "contact", "expert", "weifang_secretariat"):
        with pytest.raises(NotAllowed):
            services.self_assessment_save(assessment=assessment, actor=cast[who], scores={"A1": "1"})


# Experts


def test_an_expert_working_for_a_member_unit_cannot_be_assigned(cast, assessment):
    submitted(assessment, cast)
    expert = User.objects.get(username="expert2")
    Contact.objects.create(user=expert, organization=Organization.objects.get(contacts__user=cast["contact"]))
    with pytest.raises(DomainError) as caught:
        services.experts_assign(assessment=assessment, actor=cast["official"], experts=[expert])
    assert str(expert) in caught.value.message
    assert not assessment.reviews.exists()


def test_a_director_of_the_alliance_cannot_be_assigned_even_as_an_expert(cast, assessment):
    from members.models import RoleGrant

    submitted(assessment, cast)
    RoleGrant.objects.create(user=cast["director1"], role="expert")
    with pytest.raises(DomainError):
        services.experts_assign(assessment=assessment, actor=cast["official"], experts=[cast["director1"]])


def test_a_user_without_the_expert_role_cannot_be_assigned(cast, assessment):
    submitted(assessment, cast)
    with pytest.raises(DomainError):
        services.experts_assign(assessment=assessment, actor=cast["official"], experts=[cast["outsider"]])


def test_an_expert_must_declare_no_conflict_before_scoring(cast, assessment):
    submitted(assessment, cast)
    review = services.experts_assign(assessment=assessment, actor=cast["official"], experts=[cast["expert1"]])[0]
    with pytest.raises(DomainError):
        services.review_save(review=review, actor=cast["expert1"], scores=FULL)
    review.refresh_from_db()
    assert review.scores == {}
    services.review_save(review=review, actor=cast["expert1"], comment="初步意见")
    with pytest.raises(DomainError):
        services.review_submit(review=review, actor=cast["expert1"])
    services.review_save(review=review, actor=cast["expert1"], scores=FULL, declared_no_conflict=True)
    services.review_submit(review=review, actor=cast["expert1"])
    with pytest.raises(NotAllowed):
        services.review_save(review=review, actor=User.objects.get(username="expert2"), scores=FULL)


def test_experts_see_only_what_they_are_assigned(cast, assessment):
    submitted(assessment, cast)
    services.experts_assign(assessment=assessment, actor=cast["official"], experts=[cast["expert1"]])
    assert assessments_for_user(cast["expert1"]).filter(pk=assessment.pk).exists()
    assert not assessments_for_user(User.objects.get(username="expert2")).filter(pk=assessment.pk).exists()
    assert not assessments_for_user(None).filter(pk=assessment.pk).exists()


# Decision


def test_deciding_excellent_then_publishing_makes_it_public(cast, assessment):
    submitted(assessment, cast)
    decided = services.assessment_decide(
        assessment=reviewed(assessment, cast, {"A1": "10", "B1": "10", "B2": "5", "C1": "1"}),
        actor=cast["official"], note="表彰")
    assert (decided.final_score, decided.grade, decided.veto_failed) == (D("100.00"), "excellent", False)
    assert not assessments_for_user(None).filter(pk=assessment.pk).exists()
    services.assessment_publish(assessment=decided, actor=cast["official"])
    assert assessments_for_user(None).filter(pk=assessment.pk).exists()


def test_a_rectify_grade_needs_a_deadline_and_moves_the_alliance_to_rectifying(cast, assessment, high_tech):
    submitted(assessment, cast)
    under_review = reviewed(assessment, cast, {"A1": "7", "B1": "6", "B2": "3", "C1": "1"})  # 28+21+15 = 64
    with pytest.raises(DomainError):
        services.assessment_decide(assessment=under_review, actor=cast["official"])
    decided = services.assessment_decide(assessment=under_review, actor=cast["official"],
                                         rectify_by=timezone.localdate() + datetime.timedelta(days=90),
                                         rectification_items=["完善理事会议事规则"])
    assert (decided.final_score, decided.grade) == (D("64.00"), "rectify")
    assert decided.rectification_items.count() == 1
    assert Alliance.objects.get(pk=high_tech.pk).status == "rectifying"


def test_a_failed_veto_makes_it_unqualified_and_revokes_the_alliance(cast, assessment, high_tech):
    submitted(assessment, cast)
    under_review = reviewed(assessment, cast, {**FULL, "C1": "0"}, {**FULL, "C1": "0"}, FULL)
    decided = services.assessment_decide(assessment=under_review, actor=cast["official"])
    assert decided.veto_failed is True and decided.grade == "unqualified"
    assert Alliance.objects.get(pk=high_tech.pk).status == "revoked"


def test_the_decision_waits_for_every_expert(cast, assessment):
    submitted(assessment, cast)
    services.experts_assign(assessment=assessment, actor=cast["official"], experts=[cast["expert1"]])
    with pytest.raises(StateConflict):
        services.assessment_decide(assessment=assessment, actor=cast["official"])


def test_a_decided_assessment_cannot_be_decided_again(cast, assessment):
    submitted(assessment, cast)
    decided = services.assessment_decide(assessment=reviewed(assessment, cast, FULL), actor=cast["official"])
    with pytest.raises(StateConflict):
        services.assessment_decide(assessment=decided, actor=cast["official"])


def test_only_the_citys_official_decides(cast, assessment):
    submitted(assessment, cast)
    under_review = reviewed(assessment, cast, FULL)
    for who in ("secretariat", "expert", "weifang_official", "director"):
        with pytest.raises(NotAllowed):
            services.assessment_decide(assessment=under_review, actor=cast[who])




# Evidence


def test_the_secretariat_attaches_evidence_that_insiders_can_download(cast, assessment, client_for, settings,
                                                                      tmp_path):
    settings.MEDIA_ROOT = tmp_path
    secretariat = client_for(cast["secretariat"])
    response = secretariat.post(f"/assessments/{assessment.pk}/evidence/", {
        "indicator_code": "A1", "title": "理事会章程", "file": SimpleUploadedFile("charter.pdf", b"%PDF-1.7 test")})
    assert response.status_code == 302
    evidence = assessment.evidence.get()
    assert (evidence.indicator_code, evidence.title) == ("A1", "理事会章程")
    url = f"/assessments/{assessment.pk}/evidence/{evidence.pk}/"
    assert secretariat.get(url).status_code == 200
    assert client_for(cast["official"]).get(url).status_code == 200
    for who in ("expert", "director", "outsider", "weifang_official"):
        assert client_for(cast[who]).get(url).status_code == 404, who


@pytest.mark.parametrize(("name", "code"), [("virus.exe", "A1"), ("ok.pdf", "ZZ"), ("ok.pdf", "A")])
def test_evidence_of_the_wrong_type_or_for_no_scored_indicator_is_refused(cast, assessment, client_for, name, code,
                                                                          settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client_for(cast["secretariat"]).post(f"/assessments/{assessment.pk}/evidence/", {
        "indicator_code": code, "title": "x", "file": SimpleUploadedFile(name, b"data")})
    assert response.status_code == 400
    assert not assessment.evidence.exists()


def test_evidence_cannot_be_attached_after_submitting(cast, assessment):
    submitted(assessment, cast)
    with pytest.raises(StateConflict):
        services.evidence_add(assessment=assessment, actor=cast["secretariat"], indicator_code="A1", title="x",
                              file=SimpleUploadedFile("a.pdf", b"%PDF"))


@pytest.mark.parametrize(("role", "status"), [("secretariat", 400), ("official", 403), ("expert", 404),
                                              ("outsider", 404), ("anonymous", 302)])
def test_evidence_upload_permissions(cast, assessment, client_for, role, status):
    response = client_for(cast[role]).post(f"/assessments/{assessment.pk}/evidence/", {"title": "x"})
    assert response.status_code == status


# Editing a draft in the browser


def test_an_official_edits_a_drafts_indicators_in_the_browser(cast, client_for):
    draft = services.framework_import(actor=cast["official"], data=SMALL)
    page = client_for(cast["official"]).get(f"/assessments/frameworks/{draft.pk}/").content.decode()
    assert 'id="framework-edit-form"' in page and "已建立理事会" in page
    edited = json.loads(json.dumps(SMALL["indicators"]))
    edited[0]["children"][0]["name"] = "组织健全"
    response = client_for(cast["official"]).post(f"/assessments/frameworks/{draft.pk}/edit/",
                                                 {"indicators": json.dumps(edited, ensure_ascii=False)})
    assert response.status_code == 302
    assert draft.indicators.get(code="A1").name == "组织健全"


@pytest.mark.parametrize("text", ["{not json", "{}", json.dumps(broken(**{"indicators.0.weight": "50"})["indicators"])])
def test_a_bad_edit_is_refused_with_a_message_and_changes_nothing(cast, client_for, text):
    draft = services.framework_import(actor=cast["official"], data=SMALL)
    response = client_for(cast["official"]).post(f"/assessments/frameworks/{draft.pk}/edit/", {"indicators": text})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert frameworks.export(draft)["indicators"] == frameworks.export(Framework.objects.get(pk=draft.pk))["indicators"]
    assert draft.indicators.get(code="A").weight == D(40)


@pytest.mark.parametrize(("role", "status"), [("official", 409), ("weifang_official", 404), ("secretariat", 404),
                                              ("expert", 404), ("anonymous", 302)])
def test_editing_permissions_and_a_published_framework_never_changes(cast, client_for, framework, role, status):
    draft = services.framework_import(actor=cast["official"], data=SMALL)
    target = framework if role == "official" else draft
    response = client_for(cast[role]).post(f"/assessments/frameworks/{target.pk}/edit/",
                                           {"indicators": json.dumps(SMALL["indicators"])})
    assert response.status_code == status
