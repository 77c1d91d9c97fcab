import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from services_directory.validators import (
    format_phone,
    normalize_organization_number,
    normalize_phone,
    phone_tel_uri,
    validate_organization_number,
    validate_phone,
)


@pytest.fixture(autouse=True)
def english():
    # LANGUAGE_CODE is "nb": pin English so message assertions survive the translations.
    with translation.override("en"):
        yield


def error_of(func, value) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        func(value)
    return excinfo.value


# Phone numbers: accepted input -> (stored, displayed)

ACCEPTED_PHONES = {
    # Landlines (2, 3, 5, 6, 7), with every separator and prefix editors use.
    "22334455": ("+4722334455", "22 33 44 55"),
    "22 33 44 55": ("+4722334455", "22 33 44 55"),
    "22.33.44.55": ("+4722334455", "22 33 44 55"),
    "22-33-44-55": ("+4722334455", "22 33 44 55"),
    "22\u201333\u201344\u201355": ("+4722334455", "22 33 44 55"),  # en dashes
    "22\u00a033\u00a044\u00a055": ("+4722334455", "22 33 44 55"),  # non-breaking spaces
    "(22) 33 44 55": ("+4722334455", "22 33 44 55"),
    "  22 33 44 55\n": ("+4722334455", "22 33 44 55"),
    "\u200f22334455\u200b": ("+4722334455", "22 33 44 55"),  # invisible marks from a paste
    "+47 22 33 44 55": ("+4722334455", "22 33 44 55"),
    "+4722334455": ("+4722334455", "22 33 44 55"),
    "+ 47 22334455": ("+4722334455", "22 33 44 55"),
    "(+47) 22 33 44 55": ("+4722334455", "22 33 44 55"),
    "0047 22 33 44 55": ("+4722334455", "22 33 44 55"),
    "33 12 34 56": ("+4733123456", "33 12 34 56"),
    "55 55 55 55": ("+4755555555", "55 55 55 55"),
    "69 12 34 56": ("+4769123456", "69 12 34 56"),
    "73 12 34 56": ("+4773123456", "73 12 34 56"),
    # Mobile (4, 9): grouped 3-2-3.
    "912 34 567": ("+4791234567", "912 34 567"),
    "91234567": ("+4791234567", "912 34 567"),
    "412 34 567": ("+4741234567", "412 34 567"),
    "+47 48 12 34 56": ("+4748123456", "481 23 456"),
    # Special-rate 8xx numbers: grouped 3-2-3.
    "800 57 000": ("+4780057000", "800 57 000"),
    "80057000": ("+4780057000", "800 57 000"),
    "810 12 345": ("+4781012345", "810 12 345"),
    "815 12 345": ("+4781512345", "815 12 345"),
    "820 12 345": ("+4782012345", "820 12 345"),
    "829 12 345": ("+4782912345", "829 12 345"),
    "851 23 456": ("+4785123456", "851 23 456"),
    # Emergency numbers, also when written with the country code.
    "110": ("110", "110"),
    "112": ("112", "112"),
    "113": ("113", "113"),
    "+47 112": ("112", "112"),
    "0047 113": ("113", "113"),
    # Harmonised European 116 numbers.
    "116 111": ("116111", "116 111"),
    "116111": ("116111", "116 111"),
    "116 117": ("116117", "116 117"),
    "116-123": ("116123", "116 123"),
    "116 006": ("116006", "116 006"),
    "116 000": ("116000", "116 000"),
    "+47 116 111": ("116111", "116 111"),
    # Short numbers.
    "02800": ("02800", "02800"),
    "02 800": ("02800", "02800"),
    "+47 02800": ("02800", "02800"),
    "1412": ("1412", "1412"),
    "1881": ("1881", "1881"),
    "12345": ("12345", "12345"),
    # Foreign numbers, with 1-, 2- and 3-digit country codes.
    "+46 20 10 10": ("+46201010", "+46 201010"),
    "0046 20 10 10": ("+46201010", "+46 201010"),
    "+45 33 12 34 56": ("+4533123456", "+45 33123456"),
    "+1 (800) 799-7233": ("+18007997233", "+1 8007997233"),
    "+7 495 123 45 67": ("+74951234567", "+7 4951234567"),
    "+358 9 123 4567": ("+35891234567", "+358 91234567"),
    "+39 06 6982": ("+39066982", "+39 066982"),  # Italy keeps the leading 0
    "+46 12345": ("+4612345", "+46 12345"),  # 7 digits: shortest allowed
    "+46 1234567890123": ("+461234567890123", "+46 1234567890123"),  # 15: longest
}


@pytest.mark.parametrize(("value", "expected"), ACCEPTED_PHONES.items())
def test_normalize_phone(value, expected):
    assert normalize_phone(value) == expected[0]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED_PHONES.items())
def test_format_phone(value, expected):
    assert format_phone(expected[0]) == expected[1]


@pytest.mark.parametrize(("value", "expected"), ACCEPTED_PHONES.items())
def test_stored_and_displayed_forms_normalize_to_the_stored_form(value, expected):
    stored, displayed = expected
    assert normalize_phone(stored) == stored
    assert normalize_phone(displayed) == stored


@pytest.mark.parametrize(
    ("stored", "uri"),
    [
        ("+4722334455", "tel:+4722334455"),
        ("+4791234567", "tel:+4791234567"),
        ("112", "tel:112"),
        ("116111", "tel:116111"),
        ("02800", "tel:02800"),
        ("1412", "tel:1412"),
        ("+46201010", "tel:+46201010"),
    ],
)
def test_phone_tel_uri(stored, uri):
    assert phone_tel_uri(stored) == uri


REJECTED_PHONES = [
    # (input, error code, part of the message)
    ("", "empty", "Enter a phone number"),
    ("   ", "empty", "Enter a phone number"),
    ("+", "empty", "Enter a phone number"),
    ("- -", "empty", "Enter a phone number"),
    ("22 33 44 5a", "invalid_characters", "only contain digits"),
    ("tel:22334455", "invalid_characters", "only contain digits"),
    ("22334455 ext 12", "invalid_characters", "only contain digits"),
    ("22/33/44/55", "invalid_characters", "only contain digits"),
    ("22 33 + 44 55", "invalid_characters", "leading +"),
    ("++47 22334455", "invalid_characters", "leading +"),
    ("\u0662\u0662\u0663\u0663\u0664\u0664\u0665\u0665", "invalid_characters", "digits"),
    ("+44 (0)20 7946 0000", "trunk_prefix", "(0)"),
    ("+47 (0) 22 33 44 55", "trunk_prefix", "(0)"),
    # Norwegian 8-digit numbers cannot start with 0 or 1.
    ("02334455", "invalid_first_digit", "cannot start with 0 or 1"),
    ("12345678", "invalid_first_digit", "cannot start with 0 or 1"),
    ("+47 12 34 56 78", "invalid_first_digit", "cannot start with 0 or 1"),
    ("11 22 33 44", "invalid_first_digit", "cannot start with 0 or 1"),
    # Wrong length or no such Norwegian number.
    ("2233445", "invalid_norwegian", "8 digits"),
    ("223344556", "invalid_norwegian", "8 digits"),
    ("4722334455", "invalid_norwegian", "8 digits"),  # country code without + or 00
    ("+47 2233 445", "invalid_norwegian", "8 digits"),
    ("0047", "invalid_norwegian", "8 digits"),
    ("+47", "invalid_norwegian", "8 digits"),
    ("1", "invalid_norwegian", "8 digits"),
    ("911", "invalid_norwegian", "emergency number (110, 112, 113)"),
    ("999", "invalid_norwegian", "emergency number (110, 112, 113)"),
    ("2345", "invalid_norwegian", "short number"),
    ("0123", "invalid_norwegian", "short number"),
    ("23456", "invalid_norwegian", "short number"),
    ("123456", "invalid_norwegian", "116 number"),
    # The 11 range: only 110, 112, 113 and 116 xxx exist.
    ("11", "invalid_11_number", "emergency number (110, 112, 113)"),
    ("111", "invalid_11_number", "emergency number (110, 112, 113)"),
    ("114", "invalid_11_number", "emergency number (110, 112, 113)"),
    ("+47 111", "invalid_11_number", "emergency number (110, 112, 113)"),
    ("1161", "invalid_11_number", "6-digit 116 number"),
    ("116 11", "invalid_11_number", "6-digit 116 number"),
    ("116 1111", "invalid_11_number", "6-digit 116 number"),
    ("117 111", "invalid_11_number", "6-digit 116 number"),
    ("1120", "invalid_11_number", "emergency number"),
    # Foreign numbers.
    ("+46 1234", "invalid_international_length", "7 to 15 digits"),
    ("0046 1234", "invalid_international_length", "7 to 15 digits"),
    ("+46 12345678901234", "invalid_international_length", "7 to 15 digits"),
    ("+0 12345678", "invalid_country_code", "cannot start with 0"),
    ("000 12345678", "invalid_country_code", "cannot start with 0"),
    ("+0047 22334455", "invalid_country_code", "cannot start with 0"),
]


@pytest.mark.parametrize(("value", "code", "message"), REJECTED_PHONES)
def test_normalize_phone_rejects(value, code, message):
    error = error_of(normalize_phone, value)
    assert error.code == code
    assert message in error.messages[0]


@pytest.mark.parametrize("func", [validate_phone, format_phone, phone_tel_uri])
def test_phone_helpers_reject_invalid_numbers(func):
    assert error_of(func, "12345678").code == "invalid_first_digit"


def test_validate_phone_accepts_valid_numbers():
    assert validate_phone("+47 22 33 44 55") is None
    assert validate_phone("+4722334455") is None


def test_validate_phone_works_as_a_field_validator():
    field = forms.CharField(validators=[validate_phone])
    assert field.clean("22 33 44 55") == "22 33 44 55"
    with pytest.raises(ValidationError) as excinfo:
        field.clean("2233445")
    assert "8 digits" in excinfo.value.messages[0]


@given(st.from_regex(r"[2-9][0-9]{7}", fullmatch=True))
def test_every_norwegian_subscriber_number_round_trips(digits):
    stored = normalize_phone(digits)
    assert stored == "+47" + digits
    assert normalize_phone(format_phone(stored)) == stored


# Organisation numbers
#
# Check digit = 11 - (sum of the first 8 digits times weights 3 2 7 6 5 4 3 2) % 11,
# with 11 meaning 0 and 10 meaning "never issued". Worked by hand:
#
# 974760673 (Brønnøysundregistrene):
#   9*3 + 7*2 + 4*7 + 7*6 + 6*5 + 0*4 + 6*3 + 7*2
#   = 27 + 14 + 28 + 42 + 30 + 0 + 18 + 14 = 173; 173 % 11 = 8; 11 - 8 = 3 -> 3. Valid.
# 971526920 (Statistisk sentralbyrå):
#   9*3 + 7*2 + 1*7 + 5*6 + 2*5 + 6*4 + 9*3 + 2*2
#   = 27 + 14 + 7 + 30 + 10 + 24 + 27 + 4 = 143; 143 % 11 = 0; 11 - 0 = 11 -> 0. Valid
#   (and exercises the 11 -> 0 rule).
# 983887457:
#   9*3 + 8*2 + 3*7 + 8*6 + 8*5 + 7*4 + 4*3 + 5*2
#   = 27 + 16 + 21 + 48 + 40 + 28 + 12 + 10 = 202; 202 % 11 = 4; 11 - 4 = 7 -> 7. Valid.
# 900000006: 9*3 = 27; 27 % 11 = 5; 11 - 5 = 6 -> 6. Valid.
# 800000004: 8*3 = 24; 24 % 11 = 2; 11 - 2 = 9 -> 9, so ...4 is a bad check digit.
# 974760637 (last two of 974760673 swapped, digit 8 is now 3):
#   27 + 14 + 28 + 42 + 30 + 0 + 18 + 3*2 = 165; 165 % 11 = 0 -> 0, not 7. Invalid.
# 99000000x: 9*3 + 9*2 = 45; 45 % 11 = 1; 11 - 1 = 10 -> no valid check digit exists.
# 85000000x: 8*3 + 5*2 = 34; 34 % 11 = 1; 11 - 1 = 10 -> no valid check digit exists.
# 100000008: 1*3 = 3; 11 - 3 = 8 -> checksum fine, but 1 is not an allowed first digit.


@pytest.mark.parametrize("value", ["974760673", "971526920", "983887457", "900000006"])
def test_valid_organization_numbers(value):
    assert validate_organization_number(value) is None
    assert normalize_organization_number(value) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("974 760 673", "974760673"),
        (" 971526920 ", "971526920"),
        ("983\u00a0887\u00a0457", "983887457"),
    ],
)
def test_normalize_organization_number_strips_whitespace(value, expected):
    assert normalize_organization_number(value) == expected


REJECTED_ORGANIZATION_NUMBERS = [
    ("", "invalid_length", "exactly 9 digits"),
    ("97476067", "invalid_length", "exactly 9 digits"),
    ("9747606730", "invalid_length", "exactly 9 digits"),
    ("97476067O", "invalid_characters", "only contain digits"),  # letter O, not zero
    ("974-760-673", "invalid_characters", "only contain digits"),
    ("NO974760673MVA", "invalid_characters", "only contain digits"),
    ("\u0669\u0667\u0664\u0667\u0666\u0660\u0666\u0667\u0663", "invalid_characters", "digits"),
    ("100000008", "invalid_first_digit", "starts with 8 or 9"),
    ("774760673", "invalid_first_digit", "starts with 8 or 9"),
    ("974760674", "invalid_checksum", "not a valid organisation number"),
    ("800000004", "invalid_checksum", "not a valid organisation number"),
    ("974760637", "invalid_checksum", "not a valid organisation number"),
    *[(f"99000000{d}", "invalid_checksum", "typing errors") for d in range(10)],
    *[(f"85000000{d}", "invalid_checksum", "typing errors") for d in range(10)],
]


@pytest.mark.parametrize(("value", "code", "message"), REJECTED_ORGANIZATION_NUMBERS)
def test_invalid_organization_numbers(value, code, message):
    error = error_of(validate_organization_number, value)
    assert error.code == code
    assert message in error.messages[0]


def test_normalize_organization_number_rejects_after_stripping():
    assert error_of(normalize_organization_number, "974 760 674").code == "invalid_checksum"


def reference_check_digit(base: str) -> int | None:
    """Independent restatement of the rule, to cross-check the validator."""
    weights = [3, 2, 7, 6, 5, 4, 3, 2]
    remainder = sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 11
    return {0: 0, 1: None}.get(remainder, 11 - remainder)


@given(st.from_regex(r"[89][0-9]{7}", fullmatch=True))
def test_exactly_one_check_digit_is_valid_unless_it_would_be_10(base):
    valid = []
    for digit in "0123456789":
        try:
            validate_organization_number(base + digit)
        except ValidationError:
            continue
        valid.append(int(digit))
    expected = reference_check_digit(base)
    assert valid == ([] if expected is None else [expected])
