"""Statistical disclosure control for the supervisor reports.

Pure functions, independent of the ORM, so they can be tested like an attacker would
(tests/test_reports_disclosure.py). The method is documented in
docs/disclosure-control.md:

1. Primary suppression: a cell counting fewer than ``k`` calls (0 too) is not published.
2. Secondary suppression (``protect``): no suppressed cell may be recovered as a
   published total minus the published cells of its line.
3. Cell-key perturbation (``publish``): a published count gets a small noise chosen by
   the cell's key, the sum of its calls' random keys modulo 2**31. The same calls always
   get the same figure; sets that differ by one call get unrelated noise, so differencing
   two overlapping queries does not reveal that call.
"""

from collections.abc import Iterator
from dataclasses import dataclass, replace

KEY_MODULUS = 2**31
# Noise and its probability; symmetric, so published figures are unbiased above k.
NOISE_DISTRIBUTION = ((-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.2), (2, 0.1))


def _thresholds() -> tuple[tuple[int, int], ...]:
    bounds, cumulative = [], 0.0
    for noise, probability in NOISE_DISTRIBUTION:
        cumulative += probability
        bounds.append((round(cumulative * KEY_MODULUS), noise))
    return tuple(bounds)


_NOISE_THRESHOLDS = _thresholds()


@dataclass(frozen=True, slots=True)
class Cell:
    """A count of calls, the key of that set of calls, and whether it is withheld."""

    count: int
    key: int = 0
    suppressed: bool = False

    def __add__(self, other: "Cell") -> "Cell":
        return Cell(self.count + other.count, (self.key + other.key) % KEY_MODULUS)


EMPTY = Cell(0, 0)


def combine(cells) -> Cell:
    """The cell of the union of disjoint sets of calls."""
    total = EMPTY
    for cell in cells:
        total = total + cell
    return total


# A position in a grid: ("cell", row, column), ("row", row), ("col", column) or ("total",).
Position = tuple[str, int, int] | tuple[str, int] | tuple[str]


@dataclass(frozen=True)
class Grid:
    """Counts in rows × columns, with the margins that are published beside them.

    ``row_totals[i]`` is published as the sum of row i, ``col_totals[j]`` as the sum
    of column j, and ``total`` as the sum of the row totals, of the column totals, or
    (with neither) of all cells. Leave a margin out (None) when it is not the sum of
    its line, e.g. across topics, where one call can have several.
    """

    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...] | None = None
    col_totals: tuple[Cell, ...] | None = None
    total: Cell | None = None

    def __post_init__(self) -> None:
        widths = {len(row) for row in self.cells}
        if len(widths) > 1:
            raise ValueError("All rows need the same number of cells.")
        if self.row_totals is not None and len(self.row_totals) != len(self.cells):
            raise ValueError("One row total per row.")
        if self.col_totals is not None and len(self.col_totals) != self.width:
            raise ValueError("One column total per column.")

    @property
    def width(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    @classmethod
    def additive(
        cls,
        cells,
        *,
        row_totals: bool = False,
        col_totals: bool = False,
        total: bool = False,
    ) -> "Grid":
        """A grid whose margins are computed here as sums of its (disjoint) cells."""
        cells = tuple(tuple(row) for row in cells)
        width = len(cells[0]) if cells else 0
        rows = tuple(combine(row) for row in cells) if row_totals else None
        cols = tuple(combine(row[j] for row in cells) for j in range(width)) if col_totals else None
        grand = combine(cell for row in cells for cell in row) if total else None
        return cls(cells, rows, cols, grand)

    def get(self, position: Position) -> Cell:
        match position:
            case ("cell", i, j):
                return self.cells[i][j]
            case ("row", i) if self.row_totals is not None:
                return self.row_totals[i]
            case ("col", j) if self.col_totals is not None:
                return self.col_totals[j]
            case ("total",) if self.total is not None:
                return self.total
        raise KeyError(position)

    def positions(self) -> Iterator[Position]:
        for i, row in enumerate(self.cells):
            for j in range(len(row)):
                yield ("cell", i, j)
        if self.row_totals is not None:
            yield from (("row", i) for i in range(len(self.row_totals)))
        if self.col_totals is not None:
            yield from (("col", j) for j in range(len(self.col_totals)))
        if self.total is not None:
            yield ("total",)

    def lines(self) -> list[tuple[list[Position], Position]]:
        """Every published sum: (the positions it adds up, the position of the total)."""
        lines: list[tuple[list[Position], Position]] = []
        rows, width = len(self.cells), self.width
        if self.row_totals is not None:
            for i in range(rows):
                lines.append(([("cell", i, j) for j in range(width)], ("row", i)))
        if self.col_totals is not None:
            for j in range(width):
                lines.append(([("cell", i, j) for i in range(rows)], ("col", j)))
        if self.total is not None:
            if self.row_totals is not None:
                lines.append(([("row", i) for i in range(rows)], ("total",)))
            if self.col_totals is not None:
                lines.append(([("col", j) for j in range(width)], ("total",)))
            if self.row_totals is None and self.col_totals is None:
                cells: list[Position] = [("cell", i, j) for i in range(rows) for j in range(width)]
                lines.append((cells, ("total",)))
        return lines

    def with_suppressed(self, hidden: set[Position]) -> "Grid":
        def mark(position: Position) -> Cell:
            cell = self.get(position)
            return replace(cell, suppressed=position in hidden)

        rows, width = len(self.cells), self.width
        return Grid(
            cells=tuple(tuple(mark(("cell", i, j)) for j in range(width)) for i in range(rows)),
            row_totals=(
                tuple(mark(("row", i)) for i in range(rows))
                if self.row_totals is not None
                else None
            ),
            col_totals=(
                tuple(mark(("col", j)) for j in range(width))
                if self.col_totals is not None
                else None
            ),
            total=mark(("total",)) if self.total is not None else None,
        )


def protect(grid: Grid, k: int) -> Grid:
    """Suppress every count below ``k``, then enough others that none can be derived.

    Repeats until stable: a line (row, column, or margin) whose total is published and
    which holds exactly one suppressed cell gets a second one, its smallest published
    cell (ties: the first); a line with nothing else to hide loses its total instead.
    Afterwards every line with a published total hides either nothing or at least two
    cells, so no single line gives a hidden value away.
    """
    cells = {position: grid.get(position) for position in grid.positions()}
    hidden = {p for p, cell in cells.items() if cell.suppressed or cell.count < k}
    # Smallest first, then table order: the cell a line gives up is predictable.
    rank = {p: (cells[p].count, index) for index, p in enumerate(cells)}
    lines = grid.lines()
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            if total in hidden:
                continue
            if sum(1 for p in members if p in hidden) != 1:
                continue
            shown = [p for p in members if p not in hidden]
            hidden.add(min(shown, key=rank.__getitem__) if shown else total)
            changed = True
    return grid.with_suppressed(hidden)


def noise(key: int) -> int:
    """The noise a cell key selects (deterministic; see NOISE_DISTRIBUTION)."""
    key %= KEY_MODULUS
    for bound, value in _NOISE_THRESHOLDS:
        if key < bound:
            return value
    return _NOISE_THRESHOLDS[-1][1]


def publish(cell: Cell | None, k: int) -> int | None:
    """The figure shown for ``cell``: None when withheld, otherwise perturbed, never below k.

    Suppression looks at the true count, so a cell below ``k`` is withheld whatever
    its noise; a shown cell is never published below ``k``.
    """
    if cell is None or cell.suppressed or cell.count < k:
        return None
    return max(k, cell.count + noise(cell.key))


def share(part: int | None, whole: int | None) -> float | None:
    """A percentage from two published figures; None unless both are published."""
    if part is None or not whole:
        return None
    return 100.0 * part / whole
