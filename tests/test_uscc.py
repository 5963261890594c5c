import pytest
from django.core.exceptions import ValidationError

from alliance import models as alliance_models
from members import models as member_models
from members.uscc import check_character, make_uscc, validate_uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_it_computes_the_gb32100_check_character(code):
    assert check_character(code[:17]) == code[17]


def test_it_accepts_a_valid_code_in_lower_case_with_spaces():
    validate_uscc("  91350100m000100y43 ")


def test_it_refuses_a_wrong_check_character_saying_which_is_expected():
    with pytest.raises(ValidationError) as caught:
        validate_uscc("91350100M000100Y44")
    assert caught.value.code == "uscc_check"
    message = caught.value.messages[0]
    assert "“3”" in message and "“4”" in message


def test_it_refuses_the_wrong_length():
    with pytest.raises(ValidationError) as caught:
        validate_uscc("91350100M000100Y4")
    assert caught.value.code == "uscc_length"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_it_refuses_letters_outside_the_alphabet(letter):
    with pytest.raises(ValidationError) as caught:
        validate_uscc(f"91350100M000100{letter}43")
    assert caught.value.code == "uscc_charset"


def test_make_uscc_always_validates():
    for number in range(200):
        validate_uscc(make_uscc(f"91370300MA{number:07d}"))


def test_database_constraint_lists_match_the_enums():
    assert set(alliance_models.STATUS_VALUES) == set(alliance_models.Alliance.Status.values)
    assert set(alliance_models.LEVEL_VALUES) == set(alliance_models.Alliance.Level.values)
    assert set(member_models.ORGANIZATION_TYPES) == set(member_models.Organization.Type.values)
    assert set(member_models.MEMBERSHIP_STATUSES) == set(member_models.Membership.Status.values)
    assert set(member_models.MEMBERSHIP_ROLES) == set(member_models.Membership.Role.values)
