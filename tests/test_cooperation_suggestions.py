"""Suggestions: the units most likely to help with a technology need (by chain and by Chinese text, segmented
with jieba), the schools whose graduates could fill a talent need (with the counts), computed off the
request path after commit (a broker that cannot be reached fails nothing), kept fresh when offers change,
and computed by a real worker from Redis."""

import logging
import socket
import time

import pytest
from celery import Celery
from django.db import transaction
from django.utils import timezone, translation

from alliance.models import Alliance, City, IndustrialChain
from cooperation import suggestions, tasks
from cooperation.models import Offer, Suggestion, TalentNeed, TechnologyNeed
from cooperation.services import entries
from cooperation.services.queue import _send
from members.models import Contact, Membership, Organization, RoleGrant, User
from tests.conftest import new_uscc

YEAR = 2026


def _unit(alliance, name, type_, **fields):
    unit = Organization.objects.create(name=name, uscc=new_uscc(), type=type_, city=alliance.city, **fields)
    Membership.objects.create(alliance=alliance, organization=unit, status="active", joined_on=timezone.localdate())
    return unit


@pytest.fixture
def town(db):
    """A city of its own: an alliance with an enterprise, two schools and an institute, and their offers."""
    city = City.objects.create(name="推荐测试市")
    materials = IndustrialChain.objects.create(city=city, name="新材料产业链")
    software = IndustrialChain.objects.create(city=city, name="软件产业链")
    alliance = Alliance.objects.create(name="推荐测试联合体", city=city, status="established")
    secretariat = User.objects.create(username="town-secretariat")
    RoleGrant.objects.create(user=secretariat, role="secretariat", alliance=alliance)
    enterprise = _unit(alliance, "测试陶瓷有限公司", "enterprise", size="medium")
    ceramics = _unit(alliance, "测试材料职业学院", "higher_vocational")
    software_school = _unit(alliance, "测试信息职业学院", "higher_vocational")
    institute = _unit(alliance, "测试先进材料研究院", "research_institute")
    outside = Organization.objects.create(name="外市陶瓷研究所", uscc=new_uscc(), type="research_institute")

    def offer(unit, **fields):
        return entries.entry_create(model=Offer, actor=secretariat, alliance=alliance, organization=unit,
                                    refresh=False, year=YEAR, **fields)

    offer(ceramics, kind="expert_service", title="陶瓷烧结工艺专家服务", chain=materials,
          description="氧化铝陶瓷基板烧结曲线优化与变形控制。")
    offer(ceramics, kind="major", title="材料工程技术专业", major_code="430601", enrolment=130, graduates=120,
          chain=materials)
    offer(ceramics, kind="major", title="数控技术专业", major_code="460103", enrolment=60, graduates=55)
    offer(software_school, kind="major", title="软件技术专业", major_code="510203", enrolment=150, graduates=140,
          chain=software, description="Web 应用开发与测试。")
    offer(software_school, kind="major", title="机电一体化技术专业", major_code="460301", enrolment=50,
          graduates=45)
    offer(institute, kind="expert_service", title="高分子涂层研究", chain=materials,
          description="聚氨酯改性与表面涂层工艺。")
    return {"city": city, "alliance": alliance, "secretariat": secretariat, "enterprise": enterprise,
            "ceramics": ceramics, "software": software_school, "institute": institute, "outside": outside,
            "materials": materials, "software_chain": software}


def _need(town, **fields):
    return entries.entry_create(model=TechnologyNeed, actor=town["secretariat"], alliance=town["alliance"],
                                organization=town["enterprise"], refresh=False, year=YEAR, **fields)


def _talent(town, **fields):
    return entries.entry_create(model=TalentNeed, actor=town["secretariat"], alliance=town["alliance"],
                                organization=town["enterprise"], refresh=False, year=YEAR, **fields)


def test_jieba_segments_chinese_into_the_words_that_tell_units_apart():
    words = suggestions.terms("氧化铝陶瓷基板烧结变形控制技术需求")
    assert {"陶瓷", "烧结", "变形"} <= set(words)
    assert "技术" not in words and "需求" not in words  # stop words


def test_a_technology_need_is_matched_first_with_the_unit_of_its_chain_and_words(town):
    need = _need(town, title="陶瓷基板烧结变形控制", chain=town["materials"],
                 description="氧化铝陶瓷基板烧结后翘曲，需要优化烧结曲线。")
    assert tasks.refresh_need_suggestions("technology", need.pk) > 0
    rows = list(Suggestion.objects.filter(technology_need=need).order_by("rank"))
    assert rows[0].organization == town["ceramics"]
    assert town["enterprise"].pk not in {row.organization_id for row in rows}  # not its own poster
    with translation.override("zh-hans"):
        reason = suggestions.describe(rows[0].reasons)
    assert reason.startswith("同属新材料产业链；相关供给：陶瓷烧结工艺专家服务")
    assert "烧结" in reason and "本联合体成员单位" in reason
    with translation.override("en"):
        assert suggestions.describe(rows[0].reasons).startswith("in the same chain: 新材料产业链; related offers:")


def test_units_of_the_city_outside_the_alliance_are_suggested_too(town):
    town["outside"].city = town["city"]
    town["outside"].description = "陶瓷烧结与缺陷检测"
    town["outside"].save()
    need = _need(town, title="陶瓷烧结缺陷检测", description="陶瓷烧结后的缺陷检测。")
    suggestions.refresh_need(need)
    reasons = {row.organization_id: row.reasons for row in Suggestion.objects.filter(technology_need=need)}
    assert {"code": "same_city"} in reasons[town["outside"].pk]


def test_a_talent_need_gets_the_schools_with_graduates_of_its_category_and_the_counts(town):
    need = _talent(town, position="数控车工", major_code="460103", headcount=10)
    suggestions.refresh_need(need)
    rows = list(Suggestion.objects.filter(talent_need=need).order_by("rank"))
    assert [row.organization for row in rows] == [town["ceramics"], town["software"]]
    assert {"code": "graduates", "category": "46", "year": YEAR, "count": 55} in rows[0].reasons
    assert {"code": "exact_major", "major_code": "460103", "count": 55} in rows[0].reasons
    with translation.override("zh-hans"):
        assert suggestions.describe(rows[1].reasons) == "专业大类 46 毕业生 45 人；本联合体成员单位"


def test_the_reason_reads_as_the_issue_wants_it(town):
    need = _talent(town, position="材料检测员", major_code="430601", headcount=5, chain=town["materials"])
    suggestions.refresh_need(need)
    with translation.override("zh-hans"):
        reason = suggestions.describe(Suggestion.objects.get(talent_need=need).reasons)
    assert reason.startswith("同属新材料产业链；专业大类 43 毕业生 120 人")


def test_refreshing_twice_leaves_the_same_rows_and_a_closed_need_has_none(town):
    need = _need(town, title="陶瓷烧结", description="陶瓷烧结工艺")
    tasks.refresh_city_suggestions(town["city"].pk)
    first = list(Suggestion.objects.filter(technology_need=need).values_list("organization_id", "rank", "score"))
    tasks.refresh_city_suggestions(town["city"].pk)
    assert list(Suggestion.objects.filter(technology_need=need).values_list("organization_id", "rank", "score")) == \
        first and first
    entries.entry_close(entry=need, actor=town["secretariat"])
    tasks.refresh_need_suggestions("technology", need.pk)
    assert not Suggestion.objects.filter(technology_need=need).exists()


def test_a_posted_need_queues_its_suggestions_once_after_commit(town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        need = entries.entry_create(model=TechnologyNeed, actor=town["secretariat"], alliance=town["alliance"],
                                    organization=town["enterprise"], title="陶瓷烧结", description="陶瓷烧结工艺")
    assert len(queued) == 1
    assert not Suggestion.objects.filter(technology_need=need).exists()  # nothing computed on the request


def test_a_changed_offer_refreshes_the_city_so_the_suggestions_stay_fresh(town, django_capture_on_commit_callbacks):
    need = _need(town, title="聚氨酯耐低温改性", description="聚氨酯密封件低温脆化。")
    suggestions.refresh_need(need)
    before = {row.organization_id for row in Suggestion.objects.filter(technology_need=need)}
    assert town["software"].pk not in before
    with django_capture_on_commit_callbacks() as queued:
        entries.entry_create(model=Offer, actor=town["secretariat"], alliance=town["alliance"],
                             organization=town["software"], kind="expert_service", title="聚氨酯材料低温性能测试",
                             description="聚氨酯低温脆化测试。", year=YEAR)
    assert len(queued) == 1  # the city's refresh, run here as the worker would
    tasks.refresh_city_suggestions(town["city"].pk)
    assert town["software"].pk in {row.organization_id for row in Suggestion.objects.filter(technology_need=need)}


def test_a_broker_that_cannot_be_reached_fails_nothing(caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = Celery("unreachable", broker=f"redis://127.0.0.1:{port}/0")
    unreachable.conf.update(broker_connection_retry=False, broker_connection_max_retries=0,
                            task_publish_retry=False, broker_transport_options={"max_retries": 0})

    @unreachable.task(name="cooperation.tests.never_sent")
    def never_sent(city_id):
        return city_id

    with caplog.at_level(logging.WARNING, logger="cooperation.services.queue"):
        _send(never_sent, 1)
    assert "could not be queued" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_the_suggestions_of_a_posted_need_from_redis(settings):
    from celery.contrib.testing.worker import start_worker

    from alliance.demo import HIGH_TECH
    from config.celery import app
    from tests.conftest import load_cast

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs REDIS_URL"
    load_cast()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    contact = User.objects.get(username="contact")
    unit = Contact.objects.get(user=contact).organization
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        with transaction.atomic():
            need = entries.entry_create(model=TechnologyNeed, actor=contact, alliance=high_tech, organization=unit,
                                        title="陶瓷基板烧结曲线优化", description="氧化铝陶瓷烧结变形，需优化烧结工艺。")
            time.sleep(0.5)
            assert not Suggestion.objects.filter(technology_need_id=need.pk).exists()  # queued after commit only
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Suggestion.objects.filter(technology_need_id=need.pk).exists():
            time.sleep(0.3)
    names = list(Suggestion.objects.filter(technology_need_id=need.pk).order_by("rank")
                 .values_list("organization__name", flat=True))
    assert names and names[0] == "山东轻工职业学院"
