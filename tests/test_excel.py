import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kernel.errors import DomainError
from members.excel import import_register
from members.models import Membership, Organization
from tests.conftest import new_uscc

pytestmark = pytest.mark.django_db

HEADER_ZH = ["名称", "统一社会信用代码", "类型", "企业规模", "角色", "加入日期"]


def xlsx(rows, header=HEADER_ZH) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("register.xlsx", buffer.getvalue())


def test_a_good_file_enrols_every_row(cast, high_tech):
    codes = [new_uscc() for _ in range(3)]
    result = import_register(
        alliance=high_tech,
        uploaded=xlsx([
            ["淄博甲企业", codes[0], "企业", "中型", "成员单位", "2024-03-01"],
            ["淄博乙学校", codes[1], "secondary_vocational", None, "理事单位", None],
            ["Zibo Institute C", codes[2], "Research institute", None, None, None],
        ]),
        actor=cast["secretariat"],
    )
    assert result.ok, result.errors
    assert result.created == 3
    memberships = Membership.objects.filter(alliance=high_tech, organization__uscc__in=codes, status="active")
    assert memberships.count() == 3
    first = memberships.get(organization__uscc=codes[0])
    assert (first.organization.type, first.organization.size, str(first.joined_on)) == ("enterprise", "medium",
                                                                                        "2024-03-01")
    assert memberships.get(organization__uscc=codes[1]).role == "director"


def test_a_file_with_one_bad_row_saves_nothing_and_reports_each_problem(cast, high_tech):
    good, bad_check = new_uscc(), new_uscc()
    bad_check = bad_check[:17] + ("0" if bad_check[17] != "0" else "1")
    existing_member = Organization.objects.get(contacts__user=cast["contact"]).uscc
    before = (Organization.objects.count(), Membership.objects.count())

    result = import_register(
        alliance=high_tech,
        uploaded=xlsx([
            ["好单位", good, "企业", "小型", None, None],
            ["坏代码", bad_check, "企业", None, None, None],
            ["", new_uscc(), "外星机构", None, None, "昨天"],
            ["重复", good, "企业", None, None, None],
            ["已是成员", existing_member, "企业", None, None, None],
            ["学校有规模", new_uscc(), "中职学校", "大型", "主席", None],
        ]),
        actor=cast["secretariat"],
    )

    assert not result.ok
    reported = {(error.row, error.column) for error in result.errors}
    assert (3, "统一社会信用代码") in reported
    assert {(4, "名称"), (4, "类型"), (4, "加入日期")} <= reported
    assert (5, "统一社会信用代码") in reported
    assert (6, "统一社会信用代码") in reported
    assert {(7, "企业规模"), (7, "角色")} <= reported
    assert not any(error.row == 2 for error in result.errors)
    assert (Organization.objects.count(), Membership.objects.count()) == before


def test_the_report_speaks_the_users_language(cast, high_tech):
    from django.utils import translation

    with translation.override("en"):
        result = import_register(alliance=high_tech, uploaded=xlsx([["无类型", new_uscc(), "", None, None, None]]),
                                 actor=cast["secretariat"])
    assert result.errors[0].column == "Type"
    assert result.errors[0].reason == "Unknown type “”."


def test_a_file_that_is_not_a_workbook_is_refused(cast, high_tech):
    with pytest.raises(DomainError):
        import_register(alliance=high_tech, uploaded=SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not really"),
                        actor=cast["secretariat"])


def test_a_file_without_the_required_columns_is_refused(cast, high_tech):
    with pytest.raises(DomainError) as caught:
        import_register(alliance=high_tech, uploaded=xlsx([["a"]], header=["随便"]), actor=cast["secretariat"])
    assert "Unified social credit code" in str(caught.value.message) or "统一社会信用代码" in str(caught.value.message)


def test_an_oversized_file_is_refused_before_it_is_opened(cast, high_tech, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(DomainError):
        import_register(alliance=high_tech, uploaded=xlsx([["甲", new_uscc(), "企业", None, None, None]]),
                        actor=cast["secretariat"])


def test_the_import_page_shows_the_report_and_answers_400(cast, client_for, high_tech):
    browser = client_for(cast["secretariat"])
    before = Membership.objects.count()
    response = browser.post(f"/alliances/{high_tech.pk}/members/import/",
                            {"file": xlsx([["坏", "91350100M000100Y44", "企业", None, None, None]])})
    assert response.status_code == 400
    assert 'id="import-report"' in response.content.decode()
    assert Membership.objects.count() == before


def test_the_exported_register_opens_with_the_expected_rows_and_imports_again(cast, client_for, high_tech):
    response = client_for(cast["secretariat"]).get(f"/register/export.xlsx?alliance={high_tech.pk}&status=active")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("名称", "英文名称", "统一社会信用代码")
    assert len(rows) - 1 == Membership.objects.filter(alliance=high_tech, status="active").count() == 91

    from alliance.models import Alliance

    electronic = Alliance.objects.get(name="淄博电子信息产教联合体")
    Membership.objects.filter(alliance=electronic).update(status="withdrawn")
    from members.models import RoleGrant

    RoleGrant.objects.create(user=cast["secretariat"], role="secretariat", alliance=electronic)
    from kernel.scope import forget_scope

    forget_scope(cast["secretariat"])
    result = import_register(alliance=electronic, uploaded=SimpleUploadedFile("r.xlsx", response.content),
                             actor=cast["secretariat"])
    assert result.ok, result.errors[:3]
    # Every unit already belongs to another alliance: each is invited, none enrolled without its consent.
    assert (result.created, result.invited) == (0, 91)
    assert Membership.objects.filter(alliance=electronic, status="applied", consented_at=None).count() == 91
