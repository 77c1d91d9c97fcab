"""The report tables: what each counts, its categories, and its published figures.

Every table is built the same way: one aggregate query over the report summary (calls
and the sum of their disclosure keys per category; see summary.py), a grid over a fixed
set of categories that never depends on the data (a category shown only when it has
calls would reveal that it has some), ``protect`` for suppression, and ``publish`` for
the perturbed figures. Charts are drawn from published figures only.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils.dates import WEEKDAYS
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.calls.models import Call, is_unmet
from hotline.reports.disclosure import (
    EMPTY,
    KEY_MODULUS,
    Cell,
    Grid,
    combine,
    protect,
    publish,
    share,
)
from hotline.reports.models import ALL_CHANNELS, ALL_COUNTIES, ALL_SITES, NO_COUNTY
from hotline.reports.periods import Quarter
from services_directory.models import County, Language, Municipality, Service, ServiceType, Topic

NOT_RECORDED = gettext_lazy("not recorded")


@dataclass(frozen=True)
class Figure:
    """One published number: a count, ":" when withheld, or nothing (an empty cell)."""

    value: int | None
    blank: bool = False

    @property
    def suppressed(self) -> bool:
        return self.value is None and not self.blank

    @property
    def text(self) -> str:
        if self.blank:
            return ""
        return ":" if self.value is None else str(self.value)


BLANK = Figure(None, blank=True)


@dataclass(frozen=True)
class Line:
    label: str
    figures: list[Figure]
    total: Figure | None = None


@dataclass
class Table:
    slug: str
    title: str
    row_header: str
    rows: list[str]
    columns: list[str]
    grid: Grid  # protected
    k: int
    chart: str | None = None  # "bars", "columns" or "heatmap"
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def has_row_totals(self) -> bool:
        return self.grid.row_totals is not None

    def figure(self, cell: Cell | None) -> Figure:
        return BLANK if cell is None else Figure(publish(cell, self.k))

    @cached_property
    def header(self) -> list[str]:
        total = [_("Total")] if self.has_row_totals else []
        return [self.row_header, *self.columns, *total]

    @cached_property
    def body(self) -> list[Line]:
        lines = []
        row_totals = self.grid.row_totals
        for i, label in enumerate(self.rows):
            total = self.figure(row_totals[i]) if row_totals is not None else None
            lines.append(Line(label, [self.figure(c) for c in self.grid.cells[i]], total))
        return lines

    @cached_property
    def footer(self) -> Line | None:
        grid = self.grid
        if grid.col_totals is not None:
            figures = [self.figure(c) for c in grid.col_totals]
        elif grid.total is not None and not self.has_row_totals and grid.width == 1:
            return Line(_("Total"), [self.figure(grid.total)])
        elif grid.total is not None:
            figures = [BLANK] * grid.width
        else:
            return None
        total = self.figure(grid.total) if self.has_row_totals else None
        return Line(_("Total"), figures, total)

    def csv_rows(self) -> list[list[str]]:
        lines = [*self.body]
        if self.footer is not None:
            lines.append(self.footer)
        rows = [self.header]
        for line in lines:
            total = [line.total.text] if line.total is not None else []
            rows.append([line.label, *(f.text for f in line.figures), *total])
        return rows

    @cached_property
    def chart_data(self) -> "Chart | None":
        if self.chart == "bars":
            return bar_chart([(line.label, line.figures[0]) for line in self.body])
        if self.chart == "columns":
            return column_chart([(line.label, line.figures[0]) for line in self.body])
        return None

    @cached_property
    def all_withheld(self) -> bool:
        """Every figure is ":" (as for a narrow filter): the page says so in one sentence
        instead of a table of ":". The CSV export keeps the table."""
        lines = [*self.body, *([self.footer] if self.footer is not None else [])]
        figures = [
            figure
            for line in lines
            for figure in [*line.figures, *([line.total] if line.total is not None else [])]
            if not figure.blank
        ]
        return bool(figures) and all(figure.suppressed for figure in figures)

    @cached_property
    def heat_top(self) -> int:
        """The largest published figure of the heatmap, which sets its shading."""
        return max(
            (f.value for line in self.body for f in line.figures if f.value is not None),
            default=0,
        )

    @cached_property
    def heat(self) -> list[tuple[str, list[tuple[Figure, str]], Figure | None]]:
        """The heatmap: each figure with its colour class, from published figures only."""
        return [
            (
                line.label,
                [(f, heat_level(f.value, self.heat_top)) for f in line.figures],
                line.total,
            )
            for line in self.body
        ]

    @cached_property
    def heat_legend(self) -> list[tuple[str, int, int]]:
        """The heatmap's shades with the published figures each stands for (lowest,
        highest), lightest first; shades no published figure could have are left out."""
        if not self.heat_top:
            return []
        ranges: dict[str, list[int]] = {}
        # Published figures are never below k (docs/disclosure-control.md, 1).
        for value in range(min(self.k, self.heat_top), self.heat_top + 1):
            ranges.setdefault(heat_level(value, self.heat_top), [value, value])[1] = value
        return [(level, low, high) for level, (low, high) in ranges.items()]


def heat_level(value: int | None, top: int) -> str:
    """A heatmap cell's shade: four steps up to ``top``, and grey for ":"."""
    if value is None or not top:
        return "heat-x"
    return f"heat-{min(4, 1 + (4 * value - 1) // top)}"


# Charts: inline SVG, geometry computed here (templates cannot do arithmetic, and
# localised number formatting would break SVG coordinates, so they are strings).


@dataclass(frozen=True)
class Mark:
    label: str
    figure: Figure
    x: str
    y: str
    width: str
    height: str
    text_x: str
    text_y: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    marks: list[Mark]
    axis_y: str = "0"
    first_label: str = ""
    last_label: str = ""


def _px(value: float) -> str:
    return f"{value:.1f}"


def bar_chart(figures: list[tuple[str, Figure]]) -> Chart:
    """Horizontal bars: label, bar, figure (":" and no bar when withheld)."""
    label_width, plot_width, row = 230, 330, 26
    top = max((f.value for _label, f in figures if f.value is not None), default=0)
    marks = []
    for index, (label, figure) in enumerate(figures):
        width = plot_width * figure.value / top if top and figure.value else 0.0
        marks.append(
            Mark(
                label,
                figure,
                x=_px(label_width),
                y=_px(index * row + 4),
                width=_px(width),
                height=_px(row - 8),
                text_x=_px(label_width + width + 6),
                text_y=_px(index * row + 18),
            )
        )
    return Chart(width=label_width + plot_width + 60, height=len(figures) * row, marks=marks)


def column_chart(figures: list[tuple[str, Figure]]) -> Chart:
    """Vertical columns for a time series, oldest first."""
    plot_width, plot_height, top_margin = 720, 180, 10
    top = max((f.value for _label, f in figures if f.value is not None), default=0)
    step = plot_width / max(len(figures), 1)
    marks = []
    for index, (label, figure) in enumerate(figures):
        height = plot_height * figure.value / top if top and figure.value else 0.0
        marks.append(
            Mark(
                label,
                figure,
                x=_px(index * step + step * 0.1),
                y=_px(top_margin + plot_height - height),
                width=_px(step * 0.8),
                height=_px(height),
                text_x=_px(index * step + step / 2),
                text_y=_px(top_margin + plot_height - 4),
            )
        )
    return Chart(
        width=plot_width,
        height=plot_height + top_margin + 24,
        marks=marks,
        axis_y=_px(top_margin + plot_height),
        first_label=figures[0][0] if figures else "",
        last_label=figures[-1][0] if figures else "",
    )


@dataclass
class Selection:
    """The filtered summary rows and what the tables need to know about the filters."""

    rows: QuerySet  # CallStat, filtered by quarter, site, channel and county
    period: Quarter
    county: County | None = None
    k: int = 5
    # Reading the roll-up rows for all sites and channels (see CallStat).
    rolled_up: bool = False
    _tallies: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, filterset) -> "Selection":
        """The selection a valid ReportFilter describes."""
        return cls(
            filterset.qs,
            filterset.quarter,
            filterset.form.cleaned_data.get("county"),
            settings.REPORTS_MIN_CELL,
            filterset.all_sites_and_channels,
        )

    def of_breakdown(
        self, breakdown: str, *, by_county: bool = False, by_channel: bool = False
    ) -> QuerySet:
        """The summary rows to add up: the roll-ups when no site or channel is chosen
        (and the table does not count by channel), the detailed rows otherwise."""
        rows = self.rows.filter(breakdown=breakdown).order_by()
        if not self.rolled_up or by_channel:
            return rows.exclude(site=ALL_SITES)
        rows = rows.filter(site=ALL_SITES, channel=ALL_CHANNELS)
        if self.county is not None:
            return rows
        # Roll-ups come per county and for all counties: take exactly one of the two.
        if by_county:
            return rows.exclude(county=ALL_COUNTIES)
        return rows.filter(county=ALL_COUNTIES)

    def tally(self, breakdown: str, *fields: str) -> dict[tuple, Cell]:
        """Calls and the sum of their keys per value of ``fields``, in one query.

        Within one level, summary rows are disjoint sets of calls, so adding rows adds
        their keys: every cell still gets the key of exactly its calls. Remembered, as
        several tables of a page may read the same breakdown.
        """
        if (breakdown, fields) not in self._tallies:
            rows = self.of_breakdown(
                breakdown, by_county="county" in fields, by_channel="channel" in fields
            )
            if fields:
                found = rows.values(*fields).annotate(n=Sum("calls"), keys=Sum("key_sum"))
                counted = {
                    tuple(row[name] for name in fields): Cell(row["n"], row["keys"] % KEY_MODULUS)
                    for row in found
                }
            else:
                row = rows.aggregate(n=Sum("calls"), keys=Sum("key_sum"))
                counted = {(): Cell(row["n"] or 0, (row["keys"] or 0) % KEY_MODULUS)}
            self._tallies[(breakdown, fields)] = counted
        return self._tallies[(breakdown, fields)]


def headline(selection: Selection) -> Figure:
    """All calls in the selection: the same figure as every table's grand total."""
    cell = combine(selection.tally("total", "channel").values())
    return Figure(publish(cell, selection.k))


Categories = list[tuple[Any, str]]  # (category key, label)


def choices(options: Iterable[tuple[str, Promise | str]]) -> Categories:
    """A choice field's categories, with "not recorded" for the blank answer."""
    return [(value, str(label)) for value, label in options] + [("", str(NOT_RECORDED))]


def one_way(
    selection: Selection,
    slug: str,
    title: str,
    row_header: str,
    categories: Categories,
    counted: dict[tuple, Cell],
    *,
    total: bool = True,
    chart: str | None = "bars",
    note: str = "",
) -> Table:
    cells = [[counted.get((key,), EMPTY)] for key, _label in categories]
    return Table(
        slug,
        title,
        row_header,
        [label for _key, label in categories],
        [_("Calls")],
        protect(Grid.additive(cells, total=total), selection.k),
        selection.k,
        chart=chart,
        note=note,
    )


def two_way(
    selection: Selection,
    slug: str,
    title: str,
    row_header: str,
    rows: Categories,
    columns: Categories,
    counted: dict[tuple, Cell],
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    note: str = "",
) -> Table:
    cells = [[counted.get((r, c), EMPTY) for c, _l in columns] for r, _l in rows]
    grid = Grid.additive(
        cells, row_totals=row_totals, col_totals=col_totals, total=row_totals and col_totals
    )
    return Table(
        slug,
        title,
        row_header,
        [label for _key, label in rows],
        [label for _key, label in columns],
        protect(grid, selection.k),
        selection.k,
        note=note,
        # The categories' keys, for outputs that name them by code (open data, gaps.py).
        extra={"row_keys": [key for key, _l in rows], "column_keys": [key for key, _l in columns]},
    )


def pooled_rows(
    counted: dict[tuple, Cell],
    candidates: Categories,
    pools: list[tuple[object, str, set]],
    columns: list,
    k: int,
) -> tuple[Categories, list[list[Cell]]]:
    """Rows for ``candidates`` whose every cell (and row total) reaches k; the others
    added up in their pool's row ("Other municipalities in Finnmark"). A pool's row is
    always shown, whatever it holds, so its presence says nothing."""
    pooled: dict[object, list[Cell]] = {pool: [EMPTY] * len(columns) for pool, _l, _m in pools}
    member_of = {member: pool for pool, _label, members in pools for member in members}
    shown: dict[object, list[tuple[str, list[Cell]]]] = defaultdict(list)
    for key, label in candidates:
        if key not in member_of:
            continue
        row = [counted.get((key, column), EMPTY) for column in columns]
        pool = member_of[key]
        if all(cell.count >= k for cell in row) and combine(row).count >= k:
            shown[pool].append((label, row))
        else:
            pooled[pool] = [a + b for a, b in zip(pooled[pool], row, strict=True)]
    rows: Categories = []
    cells: list[list[Cell]] = []
    # Each pool's row follows the rows shown from it.
    for pool, label, _members in pools:
        for row_label, row in shown[pool]:
            rows.append((None, row_label))
            cells.append(row)
        rows.append((("pool", pool), label))
        cells.append(pooled[pool])
    return rows, cells


# Workload


def calls_over_time(selection: Selection) -> Table:
    """Calls per week of the quarter."""
    period = selection.period
    categories: Categories = [(week, period.bucket_label(week)) for week in period.buckets()]
    return one_way(
        selection,
        "calls_over_time",
        _("Calls over time"),
        _("Week"),
        categories,
        selection.tally("total", "week"),
        chart="columns",
    )


def heatmap(selection: Selection) -> Table:
    counted = selection.tally("hour", "a", "b")
    days: Categories = [(str(n + 1), capfirst(str(WEEKDAYS[n]))) for n in range(7)]
    hours: Categories = [(str(h), f"{h:02d}") for h in range(24)]
    table = two_way(
        selection,
        "heatmap",
        _("Calls by weekday and hour of the day"),
        _("Weekday"),
        days,
        hours,
        counted,
    )
    table.chart = "heatmap"
    return table


def channels(selection: Selection) -> Table:
    return one_way(
        selection,
        "channels",
        _("Channels"),
        _("Channel"),
        choices(Call.Channel.choices),
        selection.tally("total", "channel"),
    )


# What the calls are about


def _terms(model) -> Categories:
    return [(str(term.pk), str(term)) for term in model.objects.all()]


def _topics() -> Categories:
    return [*_terms(Topic), ("", _("no topic recorded"))]


def topics(selection: Selection) -> Table:
    return one_way(
        selection,
        "topics",
        _("Topics"),
        _("Topic"),
        _topics(),
        selection.tally("topic", "a"),
        total=False,
        note=_("A call can have several topics, so topics add up to more than the calls."),
    )


def caller_roles(selection: Selection) -> Table:
    return one_way(
        selection,
        "caller_roles",
        _("Who is calling"),
        _("Caller"),
        choices(Call.CallerRole.choices),
        selection.tally("caller_role", "a"),
    )


def age_gender(selection: Selection) -> Table:
    return two_way(
        selection,
        "age_gender",
        _("Age group and gender"),
        _("Age group"),
        choices(Call.AgeGroup.choices),
        choices(Call.Gender.choices),
        selection.tally("age_gender", "a", "b"),
    )


def relation(selection: Selection) -> Table:
    return one_way(
        selection,
        "relation",
        _("Relation to the person using violence"),
        _("Relation"),
        choices(Call.Relation.choices),
        selection.tally("relation", "a"),
    )


def acute(selection: Selection) -> Table:
    table = one_way(
        selection,
        "acute",
        _("Acute calls"),
        _("Situation"),
        [("1", _("acute")), ("0", _("not acute"))],
        selection.tally("acute", "a"),
    )
    acute_figure = table.figure(table.grid.cells[0][0])
    table.extra["share"] = share(acute_figure.value, table.figure(table.grid.total).value)
    return table


def interpreter_languages(selection: Selection) -> Table:
    counted = selection.tally("interpreter", "a")
    languages = [(language.pk, language.label) for language in Language.objects.all()]
    one_column = {(key, 0): cell for (key,), cell in counted.items()}
    rows, cells = pooled_rows(
        one_column,
        languages,
        [("other", _("other languages"), {pk for pk, _label in languages})],
        [0],
        selection.k,
    )
    rows.append(("", _("no interpreter")))
    cells.append([counted.get(("",), EMPTY)])
    return Table(
        "interpreter_languages",
        _("Interpreter languages"),
        _("Language"),
        [label for _key, label in rows],
        [_("Calls")],
        protect(Grid.additive(cells, total=True), selection.k),
        selection.k,
        chart="bars",
        note=_("Languages with few calls are counted together as “other languages”."),
    )


def adaptations(selection: Selection) -> Table:
    return one_way(
        selection,
        "adaptations",
        _("Adaptation used"),
        _("Adaptation"),
        choices(Call.Adaptation.choices),
        selection.tally("adaptation", "a"),
    )


def heard_via(selection: Selection) -> Table:
    return one_way(
        selection,
        "heard_via",
        _("How callers heard of the line"),
        _("Heard of the line through"),
        choices(Call.HeardVia.choices),
        selection.tally("heard_via", "a"),
    )


# Referrals

TOP_SERVICES = 20


def referrals_by_type(selection: Selection) -> Table:
    return one_way(
        selection,
        "referrals_by_type",
        _("Calls referred, by service type"),
        _("Service type"),
        _terms(ServiceType),
        selection.tally("referral_type", "a"),
        total=False,
        note=_(
            "A call referred to services of several types counts once for each type, "
            "so the rows add up to more than the calls."
        ),
    )


def top_services(selection: Selection) -> Table:
    """The most-referred services. Only services reaching k are listed at all, so the
    list says nothing about services with fewer referrals."""
    k = selection.k
    found = (
        selection.of_breakdown("service")
        .values("a")
        .annotate(n=Sum("calls"), keys=Sum("key_sum"))
        .filter(n__gte=k)
        .order_by("-n", "a")[: TOP_SERVICES * 2]
    )
    candidates = [(row["a"], Cell(row["n"], row["keys"] % KEY_MODULUS)) for row in found]
    names = dict(
        Service.objects.filter(pk__in=[int(pk) for pk, _c in candidates]).values_list("pk", "name")
    )
    # Ranked by the published figure, not the true count, which the order would betray.
    published = sorted(
        ((names.get(int(pk), ""), cell, publish(cell, k) or 0) for pk, cell in candidates),
        key=lambda item: (-item[2], item[0]),
    )[:TOP_SERVICES]
    return Table(
        "top_services",
        _("Most-referred services"),
        _("Service"),
        [name for name, _cell, _value in published],
        [_("Calls")],
        protect(Grid.additive([[cell] for _name, cell, _value in published]), k),
        k,
        chart="bars",
        note=_("Only services with at least %(k)s referred calls are listed.") % {"k": k},
    )


# Unmet needs


def _counties(selection: Selection) -> Categories:
    if selection.county is not None:
        return [(selection.county.pk, selection.county.name)]
    return [(c.pk, c.name) for c in County.objects.all()] + [
        (NO_COUNTY, _("municipality not recorded"))
    ]


def _reasons() -> Categories:
    return [(value, str(label)) for value, label in Call.UnmetReason.choices if is_unmet(value)]


def unmet_by_county(selection: Selection) -> Table:
    return two_way(
        selection,
        "unmet_by_county",
        _("Unmet needs by county and reason"),
        _("County"),
        _counties(selection),
        _reasons(),
        selection.tally("unmet", "county", "a"),
    )


def unmet_by_municipality(selection: Selection) -> Table:
    k = selection.k
    counted = selection.tally("unmet_municipality", "a", "b")
    counties = [c for c in _counties(selection) if c[0] != NO_COUNTY]
    members: dict[object, set] = {pk: set() for pk, _label in counties}
    candidates: Categories = []
    present = {values[0] for values in counted}
    for municipality in Municipality.objects.filter(county__in=list(members)).select_related(
        "county"
    ):
        members[municipality.county_id].add(str(municipality.pk))
        if str(municipality.pk) in present:
            candidates.append((str(municipality.pk), municipality.label))
    pools = [
        (pk, _("Other municipalities in %(county)s") % {"county": name}, members[pk])
        for pk, name in counties
    ]
    reasons = _reasons()
    columns = [value for value, _label in reasons]
    rows, cells = pooled_rows(counted, candidates, pools, columns, k)
    if selection.county is None:
        rows.append(("", _("municipality not recorded")))
        cells.append([counted.get(("", column), EMPTY) for column in columns])
    grid = Grid.additive(cells, row_totals=True, col_totals=True, total=True)
    return Table(
        "unmet_by_municipality",
        _("Unmet needs by municipality and reason"),
        _("Municipality"),
        [label for _key, label in rows],
        [label for _value, label in reasons],
        protect(grid, k),
        k,
        note=_(
            "A municipality is shown on its own only when every figure in its row reaches "
            "%(k)s calls; the others are counted together per county."
        )
        % {"k": k},
    )


def unmet_by_topic(selection: Selection) -> Table:
    return two_way(
        selection,
        "unmet_by_topic",
        _("Unmet needs by topic and reason"),
        _("Topic"),
        _topics(),
        _reasons(),
        selection.tally("unmet_topic", "a", "b"),
        col_totals=False,
        note=_("A call can have several topics, so the columns are not added up."),
    )


def _missing_types() -> Categories:
    return [*_terms(ServiceType), ("", _("service type not recorded"))]


def unmet_by_service_type(selection: Selection) -> Table:
    """What the field is missing: the service type callers with an unmet need needed."""
    types = _missing_types()
    return two_way(
        selection,
        "unmet_by_service_type",
        _("Unmet needs by missing service type and reason"),
        _("Missing service type"),
        types,
        _reasons(),
        selection.tally("unmet_service_type", "a", "b"),
    )


def unmet_county_service_type(selection: Selection) -> Table:
    """The missing service type per county: what the field is missing where (also
    published as open data, hotline/reports/gaps.py)."""
    return two_way(
        selection,
        "unmet_county_service_type",
        _("Unmet needs by county and missing service type"),
        _("County"),
        _counties(selection),
        _missing_types(),
        selection.tally("unmet_service_type", "county", "a"),
    )


def unmet_topic_county(selection: Selection) -> Table:
    counties = _counties(selection)
    table = two_way(
        selection,
        "unmet_topic_county",
        _("Unmet needs by topic and county"),
        _("Topic"),
        _topics(),
        counties,
        selection.tally("unmet_topic", "a", "county"),
        row_totals=len(counties) > 1,
        col_totals=False,
        note=_("A call can have several topics, so the columns are not added up."),
    )
    # "Where is help missing": the largest published figures, as sentences.
    gaps = []
    for line in table.body[:-1]:  # not "no topic recorded"
        for (county, name), figure in zip(counties, line.figures, strict=True):
            if figure.value is not None and county != NO_COUNTY:
                gaps.append((figure.value, name, line.label))
    gaps.sort(key=lambda gap: (-gap[0], gap[1], gap[2]))
    table.extra["gaps"] = gaps[:8]
    return table


@dataclass(frozen=True)
class Page:
    slug: str
    url_name: str
    title: Promise
    tables: tuple[Callable[[Selection], Table], ...]


PAGES = (
    Page(
        "workload",
        "reports:home",
        gettext_lazy("Workload"),
        (calls_over_time, heatmap, channels),
    ),
    Page(
        "callers",
        "reports:callers",
        gettext_lazy("What the calls are about"),
        (
            topics,
            caller_roles,
            age_gender,
            relation,
            acute,
            interpreter_languages,
            adaptations,
            heard_via,
        ),
    ),
    Page(
        "referrals",
        "reports:referrals",
        gettext_lazy("Referrals"),
        (referrals_by_type, top_services),
    ),
    Page(
        "unmet",
        "reports:unmet",
        gettext_lazy("Unmet needs"),
        (
            unmet_by_county,
            unmet_county_service_type,
            unmet_topic_county,
            unmet_by_topic,
            unmet_by_service_type,
            unmet_by_municipality,
        ),
    ),
)
PAGE_BY_SLUG = {page.slug: page for page in PAGES}
TABLES: dict[str, Callable[[Selection], Table]] = {
    builder.__name__: builder for page in PAGES for builder in page.tables
}
