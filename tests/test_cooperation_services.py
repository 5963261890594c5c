"""The cooperation services: who posts what, the checks of each list (membership, budget, headcount, filled,
major category), curation (publish, close, merge), responses (respond, accept, decline: each step notified
once), events and their figures. Nothing is half-saved."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from cooperation.catalogue import MAJOR_CATEGORIES, validate_major_code
from cooperation.metrics import cooperation_figures
from cooperation.models import CoreProduct, Offer, Response, TalentNeed, TechnologyNeed
from cooperation.services import entries, events, responses
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.models import Notification
from members.models import Membership
from tests.cooperation_data import NEED, OFFER, TALENT, World, post
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, high_tech, other_alliance):
    return World(cast, high_tech, other_alliance)


def test_the_catalogue_has_the_nineteen_higher_vocational_categories():
    assert [code for code, _zh, _en in MAJOR_CATEGORIES] == [str(n) for n in range(41, 60)]
    assert dict((code, zh) for code, zh, _en in MAJOR_CATEGORIES)["46"] == "装备制造大类"
    validate_major_code("460301")


@pytest.mark.parametrize("code", ["400301", "600101", "990000"])
def test_a_major_code_of_an_unknown_category_is_refused_with_its_category_named(code):
    with pytest.raises(Exception) as refused:
        validate_major_code(code)
    assert code[:2] in " ".join(refused.value.messages)


def test_an_enterprise_contact_posts_a_technology_need_for_its_unit(world):
    need = world["need"]
    assert (need.status, need.organization, need.alliance, need.published_at) == (
        "open", world.contact_org, world.alliance, None)
    assert need.year == timezone.localdate().year


def test_the_secretariat_posts_for_a_member_unit(world):
    need = post(TechnologyNeed, world.secretariat, world.alliance, world.contact_org, **NEED)
    assert need.created_by == world.secretariat


def test_someone_else_cannot_post_for_a_unit(world, cast):
    for user in (cast["official"], cast["director"], cast["outsider"], cast["weifang_secretariat"]):
        with pytest.raises(NotAllowed):
            post(TechnologyNeed, user, world.alliance, world.contact_org, **NEED)
    assert not TechnologyNeed.objects.filter(title=NEED["title"]).exists()


def test_a_need_for_a_unit_that_is_not_an_active_member_is_refused(world, cast):
    Membership.objects.filter(alliance=world.alliance, organization=world.contact_org).update(status="withdrawn")
    with pytest.raises(DomainError) as refused:
        post(TechnologyNeed, world.contact, world.alliance, world.contact_org, **NEED)
    assert refused.value.field == "organization"
    assert not TechnologyNeed.objects.filter(title=NEED["title"]).exists()


def test_a_need_in_another_alliance_of_which_the_unit_is_not_a_member_is_refused(world, other_alliance):
    with pytest.raises(DomainError) as refused:
        post(TechnologyNeed, world.contact, other_alliance, world.contact_org, **NEED)
    assert refused.value.field == "organization"


def test_schools_post_offers_and_enterprises_post_needs(world):
    with pytest.raises(DomainError) as refused:
        post(TechnologyNeed, world.school, world.alliance, world.school_org, **NEED)
    assert refused.value.field == "organization"
    with pytest.raises(DomainError):
        post(Offer, world.contact, world.alliance, world.contact_org, **OFFER)
    assert world["offer"].major_category == "46"


@pytest.mark.parametrize(("model", "fields", "field"), [
    (TechnologyNeed, {**NEED, "budget_min": 500_000, "budget_max": 100_000}, "budget_max"),
    (TalentNeed, {**TALENT, "headcount": 0}, "headcount"),
    (TalentNeed, {**TALENT, "headcount": 3, "filled": 4}, "filled"),
    (TalentNeed, {**TALENT, "major_code": "990101"}, "major_code"),
    (TalentNeed, {**TALENT, "major_code": "4601"}, "major_code"),
    (TalentNeed, {**TALENT, "salary_min": 9000, "salary_max": 5000}, "salary_max"),
    (Offer, {**OFFER, "graduates": None}, "graduates"),
    (Offer, {**OFFER, "major_code": "600101"}, "major_code"),
])
def test_bad_input_is_refused_with_the_field_named_and_nothing_saved(world, model, fields, field):
    actor, unit = (world.school, world.school_org) if model is Offer else (world.contact, world.contact_org)
    before = model.objects.count()
    with pytest.raises(DomainError) as refused:
        post(model, actor, world.alliance, unit, **fields)
    assert field in refused.value.errors
    assert model.objects.count() == before


def test_the_messages_are_in_the_users_language(world):
    for language, words in (("zh-hans", "大类"), ("en", "category")):
        with translation.override(language), pytest.raises(DomainError) as refused:
            post(TalentNeed, world.contact, world.alliance, world.contact_org, **{**TALENT, "major_code": "990101"})
        assert words in refused.value.errors["major_code"][0]


def test_a_chain_of_another_city_is_refused(world, other_alliance):
    from alliance.models import IndustrialChain

    foreign = IndustrialChain.objects.create(city=other_alliance.city, name="潍坊测试产业链")
    with pytest.raises(DomainError) as refused:
        post(TechnologyNeed, world.contact, world.alliance, world.contact_org, **NEED, chain=foreign)
    assert "chain" in refused.value.errors


def test_a_talent_need_is_filled_when_every_position_is(world):
    need = world["talent"]
    need = entries.entry_update(entry=need, actor=world.contact, filled=5)
    assert need.status == "filled"
    need = entries.entry_update(entry=need, actor=world.contact, filled=4)
    assert need.status == "open"
    with pytest.raises(DomainError) as refused:
        entries.entry_update(entry=need, actor=world.contact, filled=6)
    assert "filled" in refused.value.errors
    need.refresh_from_db()
    assert need.filled == 4


def test_only_the_secretariat_publishes_and_only_once(world):
    need = world["need"]
    with pytest.raises(NotAllowed):
        entries.entry_publish(entry=need, actor=world.contact)
    entries.entry_publish(entry=need, actor=world.secretariat)
    with pytest.raises(StateConflict):
        entries.entry_publish(entry=need, actor=world.secretariat)
    product = entries.entry_publish(entry=world["product"], actor=world.secretariat)
    assert product.status == "published" and product.published_by == world.secretariat


def test_a_closed_entry_can_no_longer_be_changed(world):
    need = entries.entry_close(entry=world["need"], actor=world.contact)
    assert need.status == "closed"
    with pytest.raises(StateConflict):
        entries.entry_update(entry=need, actor=world.contact, title="新标题")
    with pytest.raises(StateConflict):
        entries.entry_close(entry=need, actor=world.contact)


def test_the_secretariat_merges_a_duplicate_into_the_entry_it_repeats(world):
    keep = world["need"]
    duplicate = post(TechnologyNeed, world.contact, world.alliance, world.contact_org, **NEED)
    with pytest.raises(NotAllowed):
        entries.entry_merge(entry=duplicate, into=keep, actor=world.contact)
    merged = entries.entry_merge(entry=duplicate, into=keep, actor=world.secretariat)
    assert (merged.status, merged.merged_into_id) == ("closed", keep.pk)
    with pytest.raises(DomainError):
        entries.entry_merge(entry=keep, into=keep, actor=world.secretariat)


def test_a_duplicate_must_be_the_same_units_entry(world):
    other_unit = OrganizationFactory()
    Membership.objects.create(alliance=world.alliance, organization=other_unit, status="active",
                              joined_on=timezone.localdate())
    other = post(TechnologyNeed, world.secretariat, world.alliance, other_unit, **NEED)
    with pytest.raises(DomainError) as refused:
        entries.entry_merge(entry=other, into=world["need"], actor=world.secretariat)
    assert refused.value.field == "into"


def test_a_need_with_responses_is_not_merged(world):
    world["response"]
    keep = world["need"]
    with pytest.raises(StateConflict):
        entries.entry_merge(entry=world["published_need"], into=keep, actor=world.secretariat)


def test_a_school_responds_and_the_enterprise_is_notified_once(world):
    response = world["response"]
    keys = list(Notification.objects.filter(key__startswith=f"cooperation:response:{response.pk}:")
                .values_list("key", "user__username"))
    assert keys == [(f"cooperation:response:{response.pk}:proposed:{world.contact.pk}", "contact")]
    with pytest.raises(StateConflict):
        responses.need_respond(need=world["published_need"], organization=world.school_org, actor=world.school,
                               note="再次响应")
    assert Notification.objects.filter(key__startswith=f"cooperation:response:{response.pk}:").count() == 1


def test_responding_needs_a_contact_of_a_school_or_institute_and_a_note(world, cast):
    need = world["published_need"]
    with pytest.raises(NotAllowed):
        responses.need_respond(need=need, organization=world.school_org, actor=cast["secretariat"], note="可以")
    with pytest.raises(DomainError):
        responses.need_respond(need=need, organization=world.contact_org, actor=world.contact, note="可以")
    with pytest.raises(DomainError) as refused:
        responses.need_respond(need=need, organization=world.school_org, actor=world.school, note="  ")
    assert refused.value.field == "note"
    assert not Response.objects.filter(need=need).exists()


def test_accepting_matches_the_need_and_tells_the_school_once(world):
    response = world["response"]
    with pytest.raises(NotAllowed):
        responses.response_accept(response=response, actor=world.secretariat)
    responses.response_accept(response=response, actor=world.contact, note="欢迎合作")
    response.refresh_from_db()
    need = TechnologyNeed.objects.get(pk=response.need_id)
    assert (response.status, need.status) == ("accepted", "matched")
    told = set(Notification.objects.filter(key__startswith=f"cooperation:response:{response.pk}:accepted:")
               .values_list("user__username", flat=True))
    assert "school" in told and "contact" not in told
    with pytest.raises(StateConflict):
        responses.response_decline(response=response, actor=world.contact)
    assert Notification.objects.filter(key__startswith=f"cooperation:response:{response.pk}:declined:").count() == 0


def test_a_declined_unit_may_respond_again_and_a_closed_need_takes_no_responses(world):
    response = responses.response_decline(response=world["response"], actor=world.contact)
    assert response.status == "declined"
    need = TechnologyNeed.objects.get(pk=response.need_id)
    assert need.status == "open"
    again = responses.need_respond(need=need, organization=world.school_org, actor=world.school, note="补充方案")
    entries.entry_close(entry=need, actor=world.contact)
    with pytest.raises(StateConflict):
        responses.response_accept(response=again, actor=world.contact)


def test_a_matched_need_is_solved(world):
    responses.response_accept(response=world["response"], actor=world.contact)
    need = entries.need_solve(need=world["published_need"], actor=world.contact)
    assert need.status == "solved"
    with pytest.raises(StateConflict):
        entries.entry_close(entry=need, actor=world.contact)


def test_an_event_records_the_needs_discussed_and_the_responses_that_came_of_it(world):
    now = timezone.now()
    event = events.event_create(alliance=world.alliance, actor=world.secretariat, title="供需对接会",
                                starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1),
                                technology_needs=[world["published_need"]], talent_needs=[world["talent"]])
    with pytest.raises(NotAllowed):
        events.event_mark_held(event=event, actor=world.contact)
    before = cooperation_figures(world.alliance, now.year)
    events.event_mark_held(event=event, actor=world.secretariat, summary="现场对接。")
    response = world["response"]
    responses.response_link_event(response=response, event=event, actor=world.secretariat)
    responses.response_accept(response=response, actor=world.contact)
    after = cooperation_figures(world.alliance, timezone.localdate().year)
    assert after["supply_demand_events_held"] == before["supply_demand_events_held"] + 1
    assert after["responses_accepted"] == before["responses_accepted"] + 1
    assert after["responses_accepted_at_events"] == before["responses_accepted_at_events"] + 1
    with pytest.raises(StateConflict):
        events.event_cancel(event=event, actor=world.secretariat)


def test_an_event_discusses_only_its_alliances_needs(world):
    now = timezone.now()
    with pytest.raises(DomainError) as refused:
        events.event_create(alliance=world.alliance, actor=world.secretariat, title="对接会",
                            starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2),
                            technology_needs=[world["weifang_need"]])
    assert refused.value.field == "technology_needs"
    with pytest.raises(DomainError) as refused:
        events.event_create(alliance=world.alliance, actor=world.secretariat, title="对接会",
                            starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=-2))
    assert "ends_at" in refused.value.errors


def test_entries_of_a_revoked_alliance_are_refused(world):
    world.alliance.status = "revoked"
    world.alliance.save()
    with pytest.raises(StateConflict):
        post(CoreProduct, world.contact, world.alliance, world.contact_org, name="产品")
