import datetime as dt

import pytest

from xuefen.orgs import idnumber
from xuefen.orgs.idnumber import IdNumberError

VALID = "11010519491231002X"  # the GB 11643 standard's own example


def test_valid_number_gives_birth_date_and_sex():
    parsed = idnumber.parse(VALID)
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"


def test_lowercase_x_and_spaces_are_normalised():
    assert idnumber.parse(" 11010519491231002x ").value == VALID


def test_wrong_check_digit_is_refused_with_the_expected_one():
    with pytest.raises(IdNumberError) as err:
        idnumber.parse("110105194912310021")
    assert err.value.code == "id_check_digit"
    assert "X" in str(err.value)


def test_impossible_birth_date_is_refused():
    first17 = "11010519490231002"  # 31 February
    with pytest.raises(IdNumberError) as err:
        idnumber.parse(first17 + idnumber.check_char(first17))
    assert err.value.code == "id_birth_date"


def test_future_birth_date_is_refused():
    number = idnumber.make("110101", dt.date(2030, 1, 1), 1, "M")
    with pytest.raises(IdNumberError) as err:
        idnumber.parse(number, today=dt.date(2026, 11, 23))
    assert err.value.code == "id_birth_date"


def test_old_15_digit_numbers_are_refused_with_a_clear_message():
    with pytest.raises(IdNumberError) as err:
        idnumber.parse("110105491231002")
    assert err.value.code == "id_15_digit"
    assert "18" in str(err.value)


def test_letters_in_the_middle_are_refused():
    with pytest.raises(IdNumberError) as err:
        idnumber.parse("11010519491231A02X")
    assert err.value.code == "id_characters"


def test_sex_comes_from_the_seventeenth_digit():
    assert idnumber.parse(idnumber.make("320923", dt.date(1980, 1, 1), 7, "M")).sex == "M"
    assert idnumber.parse(idnumber.make("320923", dt.date(1980, 1, 1), 7, "F")).sex == "F"


def test_mask_keeps_first_and_last_four():
    assert idnumber.mask(VALID) == "1101**********002X"
