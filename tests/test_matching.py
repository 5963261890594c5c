"""Matching of majors and industry: the data (sectors, mappings, industry figures), the API, the pages, the
Excel import, with the permission matrix and query counts. The demo (loaded for the session) gives Zibo three
years of figures and the schools' majors for those years."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from alliance.models import Alliance, City, IndustrialChain
from kernel.errors import DomainError, NotAllowed
from matching import services
from matching.compute import alliance_matching, city_matching
from matching.models import IndustryFigure, Scheme, Sector, SectorMapping

pytestmark = pytest.mark.django_db


@pytest.fixture
def zibo(high_tech):
    return high_tech.city


def _sections():
    return {sector.code: sector for sector in Sector.objects.filter(scheme=Scheme.GBT4754)}


# The data ------------------------------------------------------------------------------------------------------


def test_the_twenty_gbt_sections_ship_as_data():
    assert sorted(_sections()) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert _sections()["C"].name == "制造业"


def test_each_chain_is_a_sector_of_its_city(zibo):
    chain = IndustrialChain.objects.create(city=zibo, name="氢能", name_en="Hydrogen")
    sector = Sector.objects.get(chain=chain)
    assert (sector.scheme, sector.city_id, sector.name) == ("chain", zibo.pk, "氢能")
    chain.name_en = "Hydrogen energy"
    chain.save()
    assert Sector.objects.get(chain=chain).name_en == "Hydrogen energy"


def test_the_official_sets_a_mapping_whose_shares_add_up_to_one(cast, zibo):
    sections = _sections()
    rows = services.mapping_set(city=zibo, scheme="gbt4754", major_category="46", actor=cast["official"],
                                shares=[(sections["C"], Decimal("0.7")), (sections["M"], Decimal("0.3"))])
    assert len(rows) == 2
    with pytest.raises(DomainError) as refused:
        services.mapping_set(city=zibo, scheme="gbt4754", major_category="46", actor=cast["official"],
                             shares=[(sections["C"], Decimal("0.7")), (sections["M"], Decimal("0.2"))])
    assert refused.value.field == "shares" and refused.value.code == "shares_sum"
    assert SectorMapping.objects.filter(city=zibo, major_category="46").count() == 2  # nothing half-saved
    services.mapping_set(city=zibo, scheme="gbt4754", major_category="46", actor=cast["official"], shares=[])
    assert not SectorMapping.objects.filter(city=zibo, major_category="46").exists()


@pytest.mark.parametrize("role", ["secretariat", "director", "contact", "weifang_official"])
def test_only_the_citys_official_writes_mappings_and_figures(cast, zibo, role):
    with pytest.raises(NotAllowed):
        services.mapping_set(city=zibo, scheme="gbt4754", major_category="46", actor=cast[role],
                             shares=[(_sections()["C"], Decimal(1))])
    with pytest.raises(NotAllowed):
        services.figure_create(city=zibo, year=2010, sector=_sections()["C"], value_added=Decimal(1), jobs=1,
                               actor=cast[role])


def test_a_mapping_refuses_another_citys_chain_and_a_foreign_scheme(cast, zibo):
    weifang = City.objects.get(name="潍坊市")
    foreign = Sector.objects.get(chain=IndustrialChain.objects.create(city=weifang, name="动力装备"))
    with pytest.raises(DomainError) as refused:
        services.mapping_set(city=zibo, scheme="chain", major_category="46", actor=cast["official"],
                             shares=[(foreign, Decimal(1))])
    assert refused.value.field == "shares"
    with pytest.raises(DomainError):
        services.mapping_set(city=zibo, scheme="chain", major_category="46", actor=cast["official"],
                             shares=[(_sections()["C"], Decimal(1))])


# The measures on the demo ----------------------------------------------------------------------------------------


def test_the_demo_alliance_shows_numbers(high_tech):
    result = alliance_matching(high_tech)
    assert len(result["years"]) == 3 and result["year"] == result["years"][-1]
    assert result["similarity"] is not None and result["mean_abs_deviation"] is not None
    assert result["coupling"]["grade"] and 1 <= result["coupling"]["grade_code"] <= 10
    assert sum(Decimal(row["supply_share"]) for row in result["sectors"]) == pytest.approx(Decimal(1),
                                                                                           abs=Decimal("0.00001"))
    assert result["unmapped_supply"] > 0  # 大数据与会计 maps to no chain of Zibo
    assert {item["key"] for item in result["working"]["not_recorded"]} >= {"trainees", "contract_value"}


def test_one_year_only_gives_the_reason_instead_of_a_coupling(high_tech):
    year = alliance_matching(high_tech)["years"][0]
    IndustryFigure.objects.filter(city=high_tech.city).exclude(year=year).delete()
    result = alliance_matching(high_tech)
    assert result["years"] == [year]
    assert result["coupling"] is None and result["coupling_reason"]["code"] == "too_few_objects"


def test_the_city_compares_its_alliances(zibo):
    result = city_matching(zibo)
    with_coupling = [row for row in result["alliances"] if row["coupling"]]
    assert len(with_coupling) == 3
    assert len(result["sectors"]) == 20 and result["similarity"] is not None
    section_t = next(row for row in result["sectors"] if row["code"] == "T")
    assert section_t["deviation"] is None and section_t["reason"]["code"] == "no_sector"


# The API -----------------------------------------------------------------------------------------------------


def test_anyone_reads_the_sectors(api_for, zibo):
    response = api_for(None).get("/api/v1/sectors/", {"scheme": "gbt4754", "page_size": 50})
    assert response.status_code == 200 and response.json()["count"] == 20
    chains = api_for(None).get("/api/v1/sectors/", {"city": zibo.pk}).json()
    assert chains["count"] == 6 and {row["scheme"] for row in chains["results"]} == {"chain"}


@pytest.mark.parametrize(("role", "count"), [("official", True), ("secretariat", True), ("director", True),
                                             ("contact", False), ("weifang_official", False), ("anonymous", False)])
def test_figures_are_read_per_scope(api_for, cast, zibo, role, count):
    response = api_for(cast[role]).get("/api/v1/industry-figures/", {"city": zibo.pk})
    assert response.status_code == 200
    assert (response.json()["count"] > 0) is count


@pytest.mark.parametrize(("role", "status"), [("official", 201), ("secretariat", 403), ("director", 403),
                                              ("contact", 403), ("weifang_official", 403), ("anonymous", 401)])
def test_only_the_official_enters_figures(api_for, cast, zibo, role, status):
    response = api_for(cast[role]).post("/api/v1/industry-figures/", {
        "city": zibo.pk, "year": 2015, "sector": _sections()["C"].pk, "value_added": "123456.78", "jobs": 10})
    assert response.status_code == status
    if status == 201:
        assert response.json()["value_added"] == "123456.78"


def test_bad_figures_are_400s_naming_the_field(api_for, cast, zibo):
    api = api_for(cast["official"])
    bad = api.post("/api/v1/industry-figures/", {"city": zibo.pk, "year": 1900, "sector": _sections()["C"].pk,
                                                 "value_added": "-1", "jobs": "x"})
    assert bad.status_code == 400 and {"year", "value_added", "jobs"} <= set(bad.json())
    existing = IndustryFigure.objects.filter(city=zibo).first()
    twice = api.post("/api/v1/industry-figures/", {"city": zibo.pk, "year": existing.year,
                                                   "sector": existing.sector_id, "value_added": "1", "jobs": 1})
    assert twice.status_code == 400 and "sector" in twice.json()
    changed = api.patch(f"/api/v1/industry-figures/{existing.pk}/", {"jobs": 7})
    assert changed.status_code == 200 and changed.json()["jobs"] == 7
    assert api.delete(f"/api/v1/industry-figures/{existing.pk}/").status_code == 204
    assert api_for(cast["weifang_official"]).patch(f"/api/v1/industry-figures/{existing.pk + 10**6}/",
                                                   {"jobs": 1}).status_code == 404


def test_the_mapping_is_set_through_the_api(api_for, cast, zibo):
    sections = _sections()
    api = api_for(cast["official"])
    response = api.post("/api/v1/sector-mappings/set/", {
        "city": zibo.pk, "scheme": "gbt4754", "major_category": "51",
        "shares": [{"sector": sections["I"].pk, "share": "0.5"}, {"sector": sections["C"].pk, "share": "0.4"}]})
    assert response.status_code == 400 and "shares" in response.json()
    response = api.post("/api/v1/sector-mappings/set/", {
        "city": zibo.pk, "scheme": "gbt4754", "major_category": "51",
        "shares": [{"sector": sections["I"].pk, "share": "0.5"}, {"sector": sections["C"].pk, "share": "0.5"}]})
    assert response.status_code == 200 and [row["share"] for row in response.json()] == ["0.500000", "0.500000"]
    assert api_for(cast["secretariat"]).get("/api/v1/sector-mappings/", {"city": zibo.pk}).json()["count"] == 2
    assert api_for(cast["contact"]).get("/api/v1/sector-mappings/").json()["count"] == 0
    refused = api_for(cast["secretariat"]).post("/api/v1/sector-mappings/set/", {
        "city": zibo.pk, "scheme": "gbt4754", "major_category": "51", "shares": []})
    assert refused.status_code == 403


@pytest.mark.parametrize(("role", "status"), [("official", 200), ("secretariat", 200), ("director", 200),
                                              ("contact", 403), ("weifang_official", 403), ("anonymous", 401)])
def test_who_reads_an_alliances_matching(api_for, cast, high_tech, role, status):
    response = api_for(cast[role]).get(f"/api/v1/alliances/{high_tech.pk}/matching/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["coupling"]["grade"] and len(body["sectors"]) == 6
        assert all(len(row["supply_share"].split(".")[1]) == 6 for row in body["sectors"])


@pytest.mark.parametrize(("role", "status"), [("official", 200), ("secretariat", 403), ("director", 403),
                                              ("contact", 403), ("weifang_official", 403), ("anonymous", 401)])
def test_who_reads_a_citys_matching(api_for, cast, zibo, role, status):
    assert api_for(cast[role]).get(f"/api/v1/cities/{zibo.pk}/matching/").status_code == status


def test_matching_query_errors_name_the_field(api_for, cast, high_tech):
    response = api_for(cast["official"]).get(f"/api/v1/alliances/{high_tech.pk}/matching/",
                                             {"year": "20x6", "basis": "staff", "weight": "gdp"})
    assert response.status_code == 400 and {"year", "basis", "weight"} <= set(response.json())
    jobs = api_for(cast["official"]).get(f"/api/v1/alliances/{high_tech.pk}/matching/",
                                         {"basis": "enrolment", "weight": "jobs"})
    assert jobs.status_code == 200 and jobs.json()["weight"] == "jobs"


def _more_alliances(zibo, count):
    for number in range(count):
        Alliance.objects.create(name=f"测试联合体{number}", city=zibo, status=Alliance.Status.ESTABLISHED)


def test_the_city_matching_costs_the_same_queries_with_more_alliances(api_for, cast, zibo,
                                                                     django_assert_max_num_queries):
    api = api_for(cast["official"])
    api.get(f"/api/v1/cities/{zibo.pk}/matching/")
    with django_assert_max_num_queries(16):
        api.get(f"/api/v1/cities/{zibo.pk}/matching/")
    _more_alliances(zibo, 8)
    with django_assert_max_num_queries(16):
        assert len(api.get(f"/api/v1/cities/{zibo.pk}/matching/").json()["alliances"]) == 11


def test_lists_cost_the_same_queries_with_more_rows(api_for, cast, zibo, django_assert_max_num_queries):
    api = api_for(cast["official"])
    for path in ("/api/v1/industry-figures/", "/api/v1/sectors/", "/api/v1/sector-mappings/"):
        with django_assert_max_num_queries(8):
            assert api.get(path).status_code == 200
    IndustryFigure.objects.bulk_create(IndustryFigure(city=zibo, year=2001 + n % 20, sector=sector,
                                                      value_added=1, jobs=1)
                                       for n, sector in enumerate(Sector.objects.filter(scheme="gbt4754")))
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/industry-figures/").status_code == 200


# Pages ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("official", 200), ("secretariat", 200), ("director", 200),
                                              ("contact", 403), ("weifang_official", 403), ("expert", 403)])
def test_the_alliance_matching_page(client_for, cast, high_tech, role, status):
    response = client_for(cast[role]).get(reverse("matching:alliance", args=[high_tech.pk]))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "shares-chart" in text and "<details" in text and 'id="coupling"' in text


def test_the_alliance_page_links_to_the_matching(client_for, cast, high_tech):
    url = reverse("matching:alliance", args=[high_tech.pk])
    assert url in client_for(cast["secretariat"]).get(reverse("alliance-detail", args=[high_tech.pk])).content.decode()
    assert url not in client_for(cast["contact"]).get(reverse("alliance-detail", args=[high_tech.pk])).content.decode()


def test_anonymous_is_sent_to_log_in(client_for, high_tech, zibo):
    for url in (reverse("matching:alliance", args=[high_tech.pk]), reverse("matching:city", args=[zibo.pk]),
                reverse("matching:figures", args=[zibo.pk])):
        assert client_for(None).get(url).status_code == 302


@pytest.mark.parametrize(("role", "status"), [("official", 200), ("secretariat", 403), ("director", 403),
                                              ("contact", 403), ("weifang_official", 403)])
def test_the_city_comparison_and_figures_pages(client_for, cast, zibo, role, status):
    browser = client_for(cast[role])
    assert browser.get(reverse("matching:city", args=[zibo.pk])).status_code == status
    assert browser.get(reverse("matching:figures", args=[zibo.pk])).status_code == status
    assert browser.get(reverse("matching:figures-import", args=[zibo.pk])).status_code == status


def test_pages_in_english_and_chinese(client_for, cast, high_tech, zibo):
    browser = client_for(cast["official"])
    chinese = browser.get(reverse("matching:city", args=[zibo.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "专业与产业匹配" in chinese and "alliances-chart" in chinese
    browser.post(reverse("set_language"), {"language": "en"})
    english = browser.get(reverse("matching:alliance", args=[high_tech.pk])).content.decode()
    assert "Matching of majors and industry" in english


def test_a_bad_query_on_a_page_is_a_form_error(client_for, cast, high_tech):
    response = client_for(cast["official"]).get(reverse("matching:alliance", args=[high_tech.pk]), {"year": "x"})
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


def test_the_pages_cost_the_same_queries_with_more_alliances(client_for, cast, high_tech, zibo,
                                                              django_assert_max_num_queries):
    browser = client_for(cast["official"])
    browser.get(reverse("matching:city", args=[zibo.pk]))
    with django_assert_max_num_queries(30):
        browser.get(reverse("matching:city", args=[zibo.pk]))
    _more_alliances(zibo, 8)
    with django_assert_max_num_queries(30):
        browser.get(reverse("matching:city", args=[zibo.pk]))
    with django_assert_max_num_queries(30):
        browser.get(reverse("matching:alliance", args=[high_tech.pk]))


def test_the_official_enters_a_figure_on_the_page(client_for, cast, zibo):
    browser = client_for(cast["official"])
    url = reverse("matching:figures", args=[zibo.pk])
    response = browser.post(url, {"year": 2012, "sector": _sections()["C"].pk, "value_added": "5", "jobs": 3})
    assert response.status_code == 302
    assert IndustryFigure.objects.get(city=zibo, year=2012).jobs == 3
    bad = browser.post(url, {"year": 1800, "sector": "", "value_added": "-5", "jobs": 3})
    assert bad.status_code == 400


# Excel import ----------------------------------------------------------------------------------------------------


def _workbook(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["淄博市分行业增加值与从业人员"])
    sheet.append(["年份", "行业代码", "行业", "增加值（亿元）", "从业人员（万人）"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("industry.xlsx", buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_the_official_imports_a_yearbook_table(client_for, cast, zibo):
    url = reverse("matching:figures-import", args=[zibo.pk])
    upload = _workbook([[2011, "C", "制造业", "1650.5", "62"], [2011, "", "新材料", 520, "16.3"]])
    response = client_for(cast["official"]).post(url, {"file": upload})
    assert response.status_code == 200 and 'id="import-done"' in response.content.decode()
    manufacturing = IndustryFigure.objects.get(city=zibo, year=2011, sector__code="C")
    assert manufacturing.value_added == Decimal("165050000000.00") and manufacturing.jobs == 620_000
    assert IndustryFigure.objects.get(city=zibo, year=2011, sector__name__startswith="新材料").jobs == 163_000


def test_an_import_with_one_bad_row_saves_nothing_and_reports_each(client_for, cast, zibo):
    url = reverse("matching:figures-import", args=[zibo.pk])
    upload = _workbook([[2011, "C", "制造业", "1650", "62"], [2011, "Z", "不存在", "x", "-1"],
                        ["第二年", "A", "", 3, 1]])
    response = client_for(cast["official"]).post(url, {"file": upload})
    text = response.content.decode()
    assert response.status_code == 400 and 'id="import-errors"' in text
    assert not IndustryFigure.objects.filter(city=zibo, year=2011).exists()
    assert text.count("<tr><td>4</td>") == 3 and "<tr><td>5</td>" in text and "<tr><td>3</td>" not in text


# The mapping pages -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("official", 200), ("secretariat", 403), ("director", 403),
                                              ("contact", 403), ("weifang_official", 403)])
def test_who_sees_the_mapping_pages(client_for, cast, zibo, role, status):
    browser = client_for(cast[role])
    assert browser.get(reverse("matching:mappings", args=[zibo.pk])).status_code == status
    assert browser.get(reverse("matching:mapping-edit", args=[zibo.pk, "gbt4754", "46"])).status_code == status


def test_the_mappings_page_shows_the_default_of_each_category(client_for, cast, zibo,
                                                              django_assert_max_num_queries):
    browser = client_for(cast["official"])
    with django_assert_max_num_queries(12):
        text = browser.get(reverse("matching:mappings", args=[zibo.pk])).content.decode()
    assert text.count("data-category=") == 19 and "高端装备" in text
    gbt = browser.get(reverse("matching:mappings", args=[zibo.pk]), {"scheme": "gbt4754"}).content.decode()
    assert "制造业" in gbt


def test_the_official_changes_a_category_on_the_page(client_for, cast, zibo):
    sections = _sections()
    browser = client_for(cast["official"])
    url = reverse("matching:mapping-edit", args=[zibo.pk, "gbt4754", "46"])
    bad = browser.post(url, {f"share_{sections['C'].pk}": "0.6", f"share_{sections['M'].pk}": "0.3"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert not SectorMapping.objects.filter(city=zibo, major_category="46").exists()
    good = browser.post(url, {f"share_{sections['C'].pk}": "0.7", f"share_{sections['M'].pk}": "0.3"})
    assert good.status_code == 302
    assert {(m.sector.code, m.share) for m in SectorMapping.objects.filter(city=zibo, major_category="46")} == {
        ("C", Decimal("0.7")), ("M", Decimal("0.3"))}
    assert browser.post(url, {"default": "1"}).status_code == 302
    assert not SectorMapping.objects.filter(city=zibo, major_category="46").exists()
    assert browser.get(reverse("matching:mapping-edit", args=[zibo.pk, "nope", "46"])).status_code == 404


# Excel and PDF -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("official", 200), ("secretariat", 200), ("contact", 403),
                                              ("weifang_official", 403)])
def test_the_alliance_matching_as_excel(client_for, cast, high_tech, role, status):
    response = client_for(cast[role]).get(reverse("matching:alliance-document", args=[high_tech.pk, "xlsx"]))
    assert response.status_code == status
    if status == 200:
        book = load_workbook(io.BytesIO(response.content))
        assert len(book.sheetnames) == 4 and book.worksheets[1].max_row == 4  # header + three years


def test_the_city_comparison_as_excel_and_pdf(client_for, cast, zibo):
    browser = client_for(cast["official"])
    xlsx = browser.get(reverse("matching:city-document", args=[zibo.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = browser.get(reverse("matching:city-document", args=[zibo.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert browser.get(reverse("matching:city-document", args=[zibo.pk, "doc"])).status_code == 404
    assert client_for(cast["secretariat"]).get(
        reverse("matching:city-document", args=[zibo.pk, "pdf"])).status_code == 403


def test_the_bench_step_builds_its_city_and_reports(capsys):
    """bench/matching.py (step 8 of `make bench`) at full scale: 150 alliances over five years."""
    from bench.matching import run_step

    lines = run_step()
    print("\n".join(lines))
    assert lines[0].startswith("## Matching") and any("150 alliances compared" in line for line in lines)


def test_a_single_majors_mapping_overrides_its_category(cast, high_tech):
    year = alliance_matching(high_tech)["year"]
    before = alliance_matching(high_tech, year=year)
    assert before["unmapped_supply"] > 0  # 530302 大数据与会计: 53 maps to no chain of Zibo
    software = Sector.objects.get(city=high_tech.city, name__startswith="电子信息")
    services.mapping_set(city=high_tech.city, scheme="chain", major_category="53", major_code="530302",
                         shares=[(software, Decimal(1))], actor=cast["official"])
    after = alliance_matching(high_tech, year=year)
    assert after["unmapped_supply"] == 0
    share = {row["code"]: Decimal(row["supply_share"]) for row in after["sectors"]}
    assert share[software.code] > {row["code"]: Decimal(row["supply_share"]) for row in before["sectors"]}[
        software.code]


def test_the_alliances_metrics_for_the_assessment(high_tech):
    from matching.compute import alliance_metrics

    year = alliance_matching(high_tech)["year"]
    metrics = alliance_metrics(high_tech, year)
    assert set(metrics) == {"mean_abs_deviation", "similarity", "coupling_d", "talent_filled_share"}
    assert Decimal(0) <= metrics["coupling_d"] <= Decimal(1) and metrics["similarity"] is not None


def test_an_alliances_matching_costs_the_same_queries_with_more_years_and_majors(
        api_for, cast, high_tech, django_assert_num_queries):
    from cooperation.models import Offer

    api = api_for(cast["official"])
    url = f"/api/v1/alliances/{high_tech.pk}/matching/"
    api.get(url)
    with django_assert_num_queries(9):  # the alliance, then sectors, mappings, offers, figures, chains, needs (2), indicators
        api.get(url)
    school = Offer.objects.filter(alliance=high_tech, kind="major").first().organization
    Offer.objects.bulk_create(
        Offer(alliance=high_tech, organization=school, kind="major", title=code, major_code=code,
              major_category=code[:2], year=year, enrolment=50, graduates=40)
        for year in range(2015, 2020) for code in ("460301", "510203", "430601", "520201"))
    IndustryFigure.objects.bulk_create(
        IndustryFigure(city=high_tech.city, year=year, sector=sector, value_added=10**9, jobs=1000)
        for year in range(2015, 2020) for sector in Sector.objects.filter(city=high_tech.city))
    assert len(api.get(url).json()["years"]) == 8
    with django_assert_num_queries(9):
        api.get(url)
