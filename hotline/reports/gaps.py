"""Unmet needs as open data: per county and quarter, why the need went unmet and which
type of service was missing (issue 24). Published on the public API (/api/v1/public/gaps,
JSON and CSV) and on a public page (/open-data/gaps/).

Nothing is counted or protected here: the two tables are the supervisors' own
(``unmet_by_county`` and ``unmet_county_service_type`` in tables.py), built by the
reports' own filter for one whole quarter and all sites and channels, so they carry the
same suppression and the same noisy figures as the supervisors see for the same calls
(docs/disclosure-control.md, "Open data: unmet needs"). A county asked for is a choice
of rows of the national tables, never a table of its own: its figures and its ":" are
exactly the national table's, so asking per county adds nothing to difference.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hotline.reports.filters import ReportFilter, quarter_choices
from hotline.reports.models import NO_COUNTY, CallStat
from hotline.reports.periods import EARLIEST_YEAR, Quarter
from hotline.reports.tables import (
    Figure,
    Line,
    Selection,
    Table,
    unmet_by_county,
    unmet_county_service_type,
)
from services_directory.models import County, ServiceType

# The open data carries its labels in both UI languages, whatever the request's.
LANGUAGES = ("nb", "en")
# Codes of the rows and columns that are not a county or a service type.
NOT_RECORDED = "not_recorded"  # no municipality, or no missing service type, recorded
TOTAL = "total"
ALL_COUNTIES = "all"
# How the CSV writes a withheld figure: Eurostat's sign, as in the supervisors' exports.
WITHHELD = ":"


def county_choices() -> list[tuple[str, str]]:
    return [("", str(_("All of Norway")))] + [
        (county.number, county.name) for county in County.objects.all()
    ]


class GapForm(forms.Form):
    """The quarter (whole and ended; the latest by default) and, optionally, a county."""

    quarter = forms.CharField(label=_("Quarter"), required=False)
    county = forms.ChoiceField(label=_("County"), required=False, choices=county_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A list of the quarters that can be shown, like the reports'; typed values that
        # are not in it still get a message of their own (clean_quarter).
        self.fields["quarter"].widget = forms.Select(choices=quarter_choices())

    def clean_quarter(self) -> Quarter:
        text = self.cleaned_data["quarter"]
        latest = Quarter.latest_complete()
        if not text:
            return latest
        quarter = Quarter.parse(text)
        if quarter is None:
            raise ValidationError(
                _("Write the quarter as year and quarter, e.g. %(example)s."),
                code="invalid",
                params={"example": latest.slug},
            )
        if quarter > latest:
            raise ValidationError(
                _(
                    "%(quarter)s has not ended yet. Only whole quarters are published; "
                    "the latest is %(latest)s."
                ),
                code="incomplete",
                params={"quarter": quarter.slug, "latest": latest.slug},
            )
        if quarter.year < EARLIEST_YEAR:
            raise ValidationError(
                _("There are no figures before %(year)s."),
                code="too_early",
                params={"year": EARLIEST_YEAR},
            )
        return quarter


def selection(quarter: Quarter) -> Selection:
    """The reports' selection of one whole quarter, all sites, channels and counties."""
    filterset = ReportFilter({"period": quarter.slug}, queryset=CallStat.objects.all())
    if not filterset.is_valid():
        raise ValueError(f"{quarter.slug} is not a complete quarter: {filterset.errors}")
    return Selection.of(filterset)


@dataclass
class Gaps:
    """The two protected tables of one quarter, labelled in one language."""

    quarter: Quarter
    k: int
    by_reason: Table
    by_service_type: Table

    @classmethod
    def of(cls, chosen: Selection) -> "Gaps":
        return cls(
            chosen.period,
            chosen.k,
            unmet_by_county(chosen),
            unmet_county_service_type(chosen),
        )

    @classmethod
    def in_languages(cls, quarter: Quarter) -> dict[str, "Gaps"]:
        """The tables labelled in each of LANGUAGES; the figures are counted once (the
        selection remembers its tallies) and are the same in every language."""
        chosen = selection(quarter)
        labelled = {}
        for language in LANGUAGES:
            with translation.override(language):
                labelled[language] = cls.of(chosen)
        return labelled

    @property
    def tables(self) -> tuple[Table, Table]:
        return (self.by_reason, self.by_service_type)

    def row_indexes(self, county: str | None) -> list[int]:
        """The rows shown: every county (and "not recorded"), or the one asked for."""
        numbers = county_numbers()
        keys = self.by_reason.extra["row_keys"]
        return [i for i, key in enumerate(keys) if county is None or numbers.get(key) == county]

    def lines(self, table: Table, county: str | None) -> tuple[list[Line], Line | None]:
        """The table's lines for the page: the rows asked for, then the national total."""
        body = [table.body[i] for i in self.row_indexes(county)]
        return body, table.footer


def county_numbers() -> dict[int, str]:
    """County primary key (as the summary keys rows) to its number."""
    return dict(County.objects.values_list("pk", "number"))


def type_codes() -> dict[str, str]:
    """Service type primary key (as the summary keys columns) to its code."""
    return {str(pk): code for pk, code in ServiceType.objects.values_list("pk", "code")}


def _value(figure: Figure) -> int | None:
    return figure.value


def _total(one: Line, other: Line) -> int | None:
    """A county's (or the country's) total, which is the same calls in both tables and
    so the same figure, hidden in both or neither (docs/disclosure-control.md; tested).
    Published only where both tables publish it, should that ever not hold."""
    first = one.total.value if one.total is not None else None
    second = other.total.value if other.total is not None else None
    return first if first == second else None


def _labels(labelled: dict[str, Gaps], pick) -> dict[str, str]:
    labels = {}
    for language, gaps in labelled.items():
        with translation.override(language):  # for the lazy labels ("Total")
            labels[language] = str(pick(gaps))
    return labels


@dataclass(frozen=True)
class Category:
    code: str
    labels: dict[str, str]


def _categories(labelled: dict[str, Gaps], attribute: str, codes: list[str]) -> list[Category]:
    return [
        Category(code, _labels(labelled, lambda g, j=j: getattr(g, attribute).columns[j]))
        for j, code in enumerate(codes)
    ]


def reason_codes(table: Table) -> list[str]:
    return list(table.extra["column_keys"])  # the reasons' own values


def service_type_codes(table: Table) -> list[str]:
    codes = type_codes()
    return [codes[key] if key else NOT_RECORDED for key in table.extra["column_keys"]]


@dataclass(frozen=True)
class Row:
    """One county by number; NOT_RECORDED (no municipality) or ALL_COUNTIES (the total)."""

    number: str
    names: dict[str, str]
    by_reason: list[int | None]
    by_service_type: list[int | None]
    total: int | None


def rows(labelled: dict[str, Gaps], county: str | None) -> list[Row]:
    """The published rows asked for, then the national total row."""
    gaps = labelled[LANGUAGES[0]]
    numbers = county_numbers()
    keys = gaps.by_reason.extra["row_keys"]
    found = []
    for i in gaps.row_indexes(county):
        reason_line, type_line = gaps.by_reason.body[i], gaps.by_service_type.body[i]
        found.append(
            Row(
                NOT_RECORDED if keys[i] == NO_COUNTY else numbers[keys[i]],
                _labels(labelled, lambda g, i=i: g.by_reason.rows[i]),
                [_value(f) for f in reason_line.figures],
                [_value(f) for f in type_line.figures],
                _total(reason_line, type_line),
            )
        )
    reason_footer, type_footer = _footer(gaps.by_reason), _footer(gaps.by_service_type)
    found.append(
        Row(
            ALL_COUNTIES,
            _labels(labelled, lambda g: _("All of Norway")),
            [_value(f) for f in reason_footer.figures],
            [_value(f) for f in type_footer.figures],
            _total(reason_footer, type_footer),
        )
    )
    return found


def _footer(table: Table) -> Line:
    """The national total line (both tables add up their columns)."""
    if table.footer is None:
        raise ValueError(f"{table.slug} has no column totals")
    return table.footer


def as_json(labelled: dict[str, Gaps], county: str | None) -> dict:
    gaps = labelled[LANGUAGES[0]]
    quarter = gaps.quarter
    reasons = _categories(labelled, "by_reason", reason_codes(gaps.by_reason))
    types = _categories(labelled, "by_service_type", service_type_codes(gaps.by_service_type))

    def named(categories: list[Category], values: list[int | None]) -> dict[str, int | None]:
        return {c.code: value for c, value in zip(categories, values, strict=True)}

    return {
        "quarter": quarter.slug,
        "first_day": quarter.first.isoformat(),
        "last_day": quarter.last.isoformat(),
        "weeks": quarter.weeks,
        "min_cell": gaps.k,
        "reasons": [{"code": c.code, "label": c.labels} for c in reasons],
        "service_types": [{"code": c.code, "label": c.labels} for c in types],
        "counties": [
            {
                "county": row.number,
                "name": row.names,
                "by_reason": named(reasons, row.by_reason),
                "by_service_type": named(types, row.by_service_type),
                "total": row.total,
            }
            for row in rows(labelled, county)
        ],
    }


CSV_HEADER = [
    "quarter",
    "county",
    "county_nb",
    "county_en",
    "breakdown",
    "category",
    "category_nb",
    "category_en",
    "calls",
]


def as_csv_rows(labelled: dict[str, Gaps], county: str | None) -> list[list[str]]:
    """One figure a line (tidy data): a county, a breakdown, a category, its calls."""
    gaps = labelled[LANGUAGES[0]]
    breakdowns = [
        ("reason", _categories(labelled, "by_reason", reason_codes(gaps.by_reason))),
        (
            "service_type",
            _categories(labelled, "by_service_type", service_type_codes(gaps.by_service_type)),
        ),
    ]
    total_labels = _labels(labelled, lambda g: _("Total"))
    lines = [CSV_HEADER]
    for row in rows(labelled, county):
        values = {"reason": row.by_reason, "service_type": row.by_service_type}
        for breakdown, categories in breakdowns:
            cells = [
                *zip(categories, values[breakdown], strict=True),
                (Category(TOTAL, total_labels), row.total),
            ]
            for category, value in cells:
                lines.append(
                    [
                        gaps.quarter.slug,
                        row.number,
                        row.names["nb"],
                        row.names["en"],
                        breakdown,
                        category.code,
                        category.labels["nb"],
                        category.labels["en"],
                        WITHHELD if value is None else str(value),
                    ]
                )
    return lines
