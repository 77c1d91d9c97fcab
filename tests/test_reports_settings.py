"""REPORTS_MIN_CELL: the smallest count a report publishes; never below 3."""

import pytest

from tests.settings_process import start

READ = "import hotline.settings as s; print(s.REPORTS_MIN_CELL)"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2", "REPORTS_MIN_CELL=2 is below the minimum of 3"),
        ("0", "REPORTS_MIN_CELL=0 is below the minimum of 3"),
        ("-5", "REPORTS_MIN_CELL=-5 is below the minimum of 3"),
        ("five", "REPORTS_MIN_CELL='five' is not an integer"),
    ],
)
def test_a_threshold_below_three_stops_start_up(value, message):
    result = start(READ, REPORTS_MIN_CELL=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(("value", "expected"), [("", "5"), ("3", "3"), ("10", "10")])
def test_the_threshold_defaults_to_five_and_accepts_three_or_more(value, expected):
    result = start(READ, REPORTS_MIN_CELL=value)  # empty: unset
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
