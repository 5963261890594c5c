"""The registry of named metrics: each computes a value, its working and its evidence for an alliance and a
period, for many alliances in a fixed number of queries, and agrees with the figures the apps show."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from alliance.models import Alliance, AllianceDocument
from assessments.metrics import compute_figures, described, metric, metrics, registry, stored
from cooperation.metrics import cooperation_figures
from governance.figures import council_business, council_establishment
from governance.services import meetings
from matching.compute import alliance_metrics as alliance_matching_metrics
from members.selectors import active_member_counts_by_type
from tests import governance_data as gd

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = (datetime.date(TODAY.year, 1, 1), datetime.date(TODAY.year, 12, 31))


def _held_meeting(alliance, secretariat):
    body = gd.council(alliance)
    gd.seats(body)
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat, hours_ahead=0.01), secretariat, present=6)
    return meetings.meeting_mark_held(meeting=meeting, actor=secretariat)


def test_every_metric_has_a_key_a_label_a_unit_and_a_working_that_reads(high_tech, cast):
    _held_meeting(high_tech, cast["secretariat"])
    figures = compute_figures([high_tech.pk], *YEAR)[high_tech.pk]
    assert set(figures) == {one.key for one in metrics()}
    for language in ("zh-hans", "en"):
        with override(language):
            for key, figure in figures.items():
                shown = described(key, stored(key, figure))
                assert shown["label"] and shown["unit_label"] and shown["working"]["source"], key
                assert shown["working"]["text"], key


def test_the_figures_agree_with_the_apps_own(high_tech, cast):
    _held_meeting(high_tech, cast["secretariat"])
    figures = compute_figures([high_tech.pk], *YEAR)[high_tech.pk]
    cooperation = cooperation_figures(high_tech, TODAY.year)
    for key in ("supply_demand_events_held", "responses_accepted", "responses_accepted_at_events",
                "technology_needs_posted", "technology_needs_matched", "talent_needs_posted", "talent_headcount",
                "talent_filled"):
        assert figures[key].value == cooperation[key], key
    business = council_business(high_tech, after=YEAR[0] - datetime.timedelta(days=1), until=YEAR[1])
    assert figures["meetings_held"].value == business["meetings_held"] >= 1
    assert figures["meetings_held"].evidence[0]["url"].startswith("/")
    assert figures["quorum_rate"].counts == {"quorate": business["meetings_quorate"],
                                             "held": business["meetings_held"]}
    assert figures["resolutions_adopted"].value == business["resolutions_adopted"]
    by_type = active_member_counts_by_type(high_tech)
    assert figures["members_total"].value == sum(by_type.values())
    assert figures["member_types"].value == len(by_type)
    establishment = council_establishment(high_tech)
    assert figures["council_established"].value == int(establishment["council_established"]
                                                       and establishment["secretariat_established"])


def test_a_rate_with_nothing_to_measure_is_not_available_rather_than_zero(high_tech):
    long_ago = (datetime.date(2001, 1, 1), datetime.date(2001, 12, 31))
    figures = compute_figures([high_tech.pk], *long_ago)[high_tech.pk]
    assert figures["meetings_held"].value == 0
    assert figures["quorum_rate"].value is None and figures["tasks_on_time"].value is None
    assert stored("quorum_rate", figures["quorum_rate"])["value"] is None


def test_the_query_count_does_not_grow_with_the_alliances(high_tech, cast):
    _held_meeting(high_tech, cast["secretariat"])
    city = high_tech.city
    many = [high_tech.pk] + [Alliance.objects.create(name=f"测试联合体{n}", city=city).pk for n in range(12)]
    with CaptureQueriesContext(connection) as one:
        compute_figures([high_tech.pk], *YEAR)
    with CaptureQueriesContext(connection) as all_of_them:
        figures = compute_figures(many, *YEAR)
    assert len(all_of_them.captured_queries) == len(one.captured_queries) <= 24
    assert figures[many[-1]]["meetings_held"].value == 0
    assert figures[high_tech.pk]["meetings_held"].value >= 1


MATCHING = ("mean_abs_deviation", "similarity", "coupling_d")


def test_the_matching_measures_are_metrics(high_tech):
    """Framework leaf B1 can be bound to the matching of majors and industry (matching/compute.py), computed for
    all the alliances at once as the matching computes each alone."""
    alliances = list(Alliance.objects.exclude(status__in=Alliance.CLOSED_STATUSES).order_by("id"))
    found = compute_figures([alliance.pk for alliance in alliances], *YEAR, keys=MATCHING)
    for alliance in alliances:
        expected = alliance_matching_metrics(alliance, YEAR[1].year)
        assert {key: found[alliance.pk][key].value for key in MATCHING} == {key: expected[key] for key in MATCHING}
    assert found[high_tech.pk]["similarity"].value is not None
    assert all(metric(key).unit == "index" for key in MATCHING)


def test_a_new_metric_is_one_registration(monkeypatch, high_tech, cast):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    registry.register_aggregate(
        "documents_uploaded", label="Documents uploaded", source="Alliance documents",
        queryset=lambda: AllianceDocument.objects.all(), alliance="alliance_id", date_field="uploaded_at__date",
        evidence=lambda document: {"label": document.title, "url": f"/documents/{document.pk}/"},
    )
    registry.register_aggregate(
        "document_versions", label="Document versions", source="Alliance documents", total="version",
        queryset=lambda: AllianceDocument.objects.all(), alliance="alliance_id", year_field="uploaded_at__year",
    )
    expected = AllianceDocument.objects.filter(alliance=high_tech, uploaded_at__year=TODAY.year)
    figures = compute_figures([high_tech.pk], *YEAR, keys=["documents_uploaded", "document_versions"])[high_tech.pk]
    assert figures["documents_uploaded"].value == expected.count()
    assert len(figures["documents_uploaded"].evidence) == min(expected.count(), registry.EVIDENCE_MAX)
    assert figures["document_versions"].value == Decimal(sum(d.version for d in expected))
    with override("en"):
        assert described("document_versions", stored("document_versions", figures["document_versions"]))[
            "working"]["text"].startswith("the sum over")
    with pytest.raises(Exception, match="twice"):
        registry.register_aggregate("documents_uploaded", label="x", source="x", queryset=lambda: None,
                                    alliance="alliance_id")


def test_a_stored_figure_outlives_its_metric():
    shown = described("retired_metric", {"value": "3", "unit": "count", "counts": {"n": 3}, "evidence": []})
    assert (shown["label"], shown["value"], shown["working"]["text"]) == ("retired_metric", "3", "")


def test_confirmed_project_outcomes_are_metrics(high_tech, cast):
    """Projects and their confirmed outcomes count (cooperation/), unconfirmed ones and other years do not."""
    from cooperation.models import Outcome, Project
    from members.models import Membership

    lead = Membership.objects.filter(alliance=high_tech, status="active").first().organization
    project = Project.objects.create(alliance=high_tech, kind="training_base", title="共享实训基地", lead=lead,
                                     starts_on=YEAR[0], status="running", created_by=cast["secretariat"])
    now = timezone.now()
    Outcome.objects.create(project=project, year=YEAR[0].year, metric="trainees", value=120, confirmed_at=now)
    Outcome.objects.create(project=project, year=YEAR[0].year, metric="patents", value=3)  # not confirmed
    Outcome.objects.create(project=project, year=YEAR[0].year - 1, metric="contract_value", value=500_000,
                           confirmed_at=now)
    found = compute_figures([high_tech.pk], *YEAR, keys=["projects_started", "trainees", "patents",
                                                          "contract_value"])[high_tech.pk]
    assert found["projects_started"].value >= 1
    assert any(item["label"] == "共享实训基地" for item in found["projects_started"].evidence)
    assert (found["trainees"].value, found["patents"].value, found["contract_value"].value) == (120, 0, 0)
    assert metric("trainees").unit == "person_times" and metric("contract_value").unit == "yuan"
