"""Validation and display of phone numbers and organisation numbers.

Phone numbers are stored in one canonical form, so they compare equal however an editor
typed them and can be formatted and dialled without guessing:

- Norwegian 8-digit subscriber numbers in E.164: "+4722334455"
- emergency, 116 and short numbers as bare digits ("112", "116111", "02800"), because
  they cannot be dialled with +47
- foreign numbers in E.164: "+46201010"
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NORWAY_COUNTRY_CODE = "47"
EMERGENCY_NUMBERS = frozenset({"110", "112", "113"})

# Whitespace (including the non-breaking spaces web pages paste in), dots, dashes
# (hyphen and the Unicode hyphens/en dash word processors substitute), parentheses, and
# invisible zero-width and direction marks copied along from web pages.
_SEPARATORS = re.compile(r"[\s.()\-\u2010-\u2013\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
# ASCII digits only: str.isdigit() would also accept e.g. Arabic-Indic digits.
_PHONE_CHARACTERS = re.compile(r"\+?[0-9]*")
# The written-only trunk prefix in "+44 (0)20 ...": dialling that 0 from abroad fails.
_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")

# ITU country codes are prefix-free: 1 and 7 are one digit, these are two, the rest three.
# fmt: off
_TWO_DIGIT_COUNTRY_CODES = frozenset({
    "20", "27",
    "30", "31", "32", "33", "34", "36", "39",
    "40", "41", "43", "44", "45", "46", "47", "48", "49",
    "51", "52", "53", "54", "55", "56", "57", "58",
    "60", "61", "62", "63", "64", "65", "66",
    "81", "82", "84", "86",
    "90", "91", "92", "93", "94", "95", "98",
})
# fmt: on
_INTERNATIONAL_LENGTH = range(7, 16)  # E.164: at most 15 digits including the country code

ORGANIZATION_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


# Phone numbers


def normalize_phone(value: str) -> str:
    """Return the canonical stored form of a phone number, or raise ValidationError."""
    compact = _compact_phone(value)
    if compact.startswith("+"):
        return _normalize_international(compact[1:])
    if compact.startswith("00"):
        return _normalize_international(compact[2:])
    return _normalize_norwegian(compact)


def validate_phone(value: str) -> None:
    """Model/form field validator: accept anything normalize_phone() accepts."""
    normalize_phone(value)


def format_phone(stored: str) -> str:
    """Display form: "22 33 44 55", "912 34 567", "116 111", "+46 201010"."""
    number = normalize_phone(stored)
    if number.startswith("+" + NORWAY_COUNTRY_CODE):
        return _format_norwegian_subscriber(number[1 + len(NORWAY_COUNTRY_CODE) :])
    if number.startswith("+"):
        country_code = _country_code(number[1:])
        return f"+{country_code} {number[1 + len(country_code) :]}"
    if len(number) == 6:  # 116 xxx
        return f"{number[:3]} {number[3:]}"
    return number


def phone_tel_uri(stored: str) -> str:
    """Link target for click-to-call: "tel:+4722334455", "tel:112"."""
    return f"tel:{normalize_phone(stored)}"


def _compact_phone(value: str) -> str:
    """Strip separators, leaving an optional leading "+" and ASCII digits."""
    if _TRUNK_ZERO.search(value):
        raise ValidationError(
            _("Remove the “(0)”: it is not dialled when calling from abroad."),
            code="trunk_prefix",
        )
    compact = _SEPARATORS.sub("", value)
    if not _PHONE_CHARACTERS.fullmatch(compact):
        raise ValidationError(
            _(
                "A phone number may only contain digits, spaces, dots, dashes, "
                "parentheses and a leading +."
            ),
            code="invalid_characters",
        )
    if not compact.lstrip("+"):
        raise ValidationError(_("Enter a phone number."), code="empty")
    return compact


def _normalize_international(digits: str) -> str:
    """Digits after "+" or "00": the country code and the national number."""
    if digits.startswith(NORWAY_COUNTRY_CODE):
        return _normalize_norwegian(digits[len(NORWAY_COUNTRY_CODE) :])
    if digits.startswith("0"):
        raise ValidationError(
            _("The country code after + or 00 cannot start with 0."),
            code="invalid_country_code",
        )
    if len(digits) not in _INTERNATIONAL_LENGTH:
        raise ValidationError(
            _("An international number must have 7 to 15 digits including the country code."),
            code="invalid_international_length",
        )
    return "+" + digits


def _normalize_norwegian(digits: str) -> str:
    if len(digits) == 8:
        if digits[0] in "01":
            raise ValidationError(
                _("A Norwegian 8-digit number cannot start with 0 or 1."),
                code="invalid_first_digit",
            )
        return "+" + NORWAY_COUNTRY_CODE + digits
    # The 11 range holds only emergency and 116 numbers, so "1161" or "114" is a typo
    # that would otherwise pass as a short number and reach a dead line.
    if digits.startswith("11"):
        if digits in EMERGENCY_NUMBERS or (len(digits) == 6 and digits.startswith("116")):
            return digits
        raise ValidationError(
            _(
                "A number starting with 11 must be an emergency number (110, 112, 113) "
                "or a 6-digit 116 number."
            ),
            code="invalid_11_number",
        )
    if _is_short_number(digits):
        return digits
    raise ValidationError(
        _(
            "Enter a Norwegian phone number: 8 digits, an emergency number (110, 112, 113), "
            "a 116 number, or a short number (4 digits starting with 1, or 5 digits "
            "starting with 0 or 1)."
        ),
        code="invalid_norwegian",
    )


def _is_short_number(digits: str) -> bool:
    """Short numbers such as 1412 and 02800 (police non-emergency)."""
    if len(digits) == 4:
        return digits[0] == "1"
    if len(digits) == 5:
        return digits[0] in "01"
    return False


def _format_norwegian_subscriber(digits: str) -> str:
    # Mobile (4, 9) and special-rate (8) numbers are grouped 3-2-3, landlines 2-2-2-2.
    if digits[0] in "489":
        return f"{digits[:3]} {digits[3:5]} {digits[5:]}"
    return " ".join(digits[i : i + 2] for i in range(0, 8, 2))


def _country_code(digits: str) -> str:
    if digits[0] in "17":
        return digits[:1]
    if digits[:2] in _TWO_DIGIT_COUNTRY_CODES:
        return digits[:2]
    return digits[:3]


# Organisation numbers (organisasjonsnummer, Brønnøysundregistrene)


def normalize_organization_number(value: str) -> str:
    """Strip whitespace ("974 760 673" is the usual written form) and validate."""
    number = "".join(value.split())
    validate_organization_number(number)
    return number


def validate_organization_number(value: str) -> None:
    """Nine digits, starting with 8 or 9, with a valid mod-11 check digit."""
    if not re.fullmatch(r"[0-9]*", value):
        raise ValidationError(
            _("An organisation number may only contain digits."), code="invalid_characters"
        )
    if len(value) != 9:
        raise ValidationError(
            _("An organisation number has exactly 9 digits."), code="invalid_length"
        )
    if value[0] not in "89":
        raise ValidationError(
            _("An organisation number starts with 8 or 9."), code="invalid_first_digit"
        )
    if _organization_check_digit(value[:8]) != int(value[8]):
        raise ValidationError(
            _("This is not a valid organisation number. Check it for typing errors."),
            code="invalid_checksum",
        )


def _organization_check_digit(base: str) -> int | None:
    """Mod-11 check digit, or None when it would be 10 (such numbers are never issued)."""
    total = sum(
        int(digit) * weight for digit, weight in zip(base, ORGANIZATION_NUMBER_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check
