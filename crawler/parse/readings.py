"""Ways to cut digit runs into table cells, and the one the form's arithmetic allows — bounded, never a guess."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_DIGITS = 7  # no count in tables 2–4 has more digits (淮安 2024 prints 3985758 in table 2)
MAX_MONEY_DIGITS = 12  # 采购总金额 in yuan: 75394432.52元 (Pingtan 2019)
ROW_BUDGET = 6_000  # search steps for the readings of one row (real rows need up to ~2,400)
DOCUMENT_BUDGET = 40_000  # search steps for all rows of one document, and again for combining them
MAX_READINGS = 64  # a row with more readings than this is left unread
MAX_SOLUTIONS = 64

Reading = tuple[str, ...]  # one piece of text per cell


class TooMany(Exception):
    """The search ran out of its step budget (a pathological run of digits)."""


@dataclass
class Budget:
    """Steps left for one search; every candidate cut costs one."""

    steps: int

    def spend(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise TooMany


def is_blank(piece: str) -> bool:
    return not piece[:1].isdigit()


def _number(piece: str) -> int | None:
    return int(piece) if piece.isdigit() else (0 if is_blank(piece) else None)


def _ok_piece(piece: str, widest: int = MAX_DIGITS) -> bool:
    """A printed number: '0' or digits without a leading zero, at most `widest` long."""
    return len(piece) <= widest and (piece == "0" or piece[0] != "0")


def row_readings(
    chunks: list[str], n: int, totals: list[tuple[int, int]], budget: Budget, *, decimals: bool = False
) -> list[Reading]:
    """Every cut of `chunks` (digit strings separated by whitespace in the text; a blank mark is one cell)
    into n cells such that cell `end` = sum(cells[start:end]) for each (start, end) in `totals`. Cells never
    span two chunks; counts have no leading zeros. A decimal chunk is read only where `decimals`: its
    fraction stays with the chunk's last cell. Raises TooMany past the budget."""
    total_at = {end: start for start, end in totals}
    fractions = ["." + c.split(".", 1)[1] if c[:1].isdigit() and "." in c else "" for c in chunks]
    chunks = [c.split(".", 1)[0] if f else c for c, f in zip(chunks, fractions, strict=True)]
    if any(fractions) and not decimals:
        return []
    lengths = [len(c) if c.isdigit() else 1 for c in chunks]  # a blank mark is one cell
    widest = MAX_MONEY_DIGITS if decimals else MAX_DIGITS
    out: list[Reading] = []

    def cut(i: int, j: int, cells: list[str]) -> Iterator[Reading]:
        budget.spend()
        k = len(cells)
        if i == len(chunks):
            if k == n:
                yield tuple(cells)
            return
        left_chunks = len(chunks) - i
        left_digits = lengths[i] - j + sum(lengths[i + 1 :])
        if not left_chunks <= n - k <= left_digits <= (n - k) * widest:
            return
        for start, end in totals:  # a total is at least the sum so far: it needs that many digits
            if start <= k <= end and len(str(sum(_number(c) or 0 for c in cells[start:]))) > left_digits - (
                end - k
            ):
                return
        chunk = chunks[i]
        if not chunk.isdigit():  # a blank mark: one cell as printed
            yield from _place(i + 1, 0, cells, chunk)
            return
        rest = chunk[j:]
        if k in total_at:  # a total: its digits are the sum of the cells it closes
            start = total_at[k]
            parts = [_number(c) for c in cells[start:k]]
            want = str(sum(p for p in parts if p is not None))
            if rest.startswith(want):
                yield from _place(i, j + len(want), cells, want)
            return
        # a cell is no longer than the total that closes it, and the cells between need a digit each
        closing = [end for start, end in totals if start <= k < end]
        longest = (left_digits - (closing[0] - k - 1)) // 2 if closing else widest
        for length in range(1, min(widest, len(rest), longest) + 1):
            piece = rest[:length]
            if not _ok_piece(piece, widest):
                break
            yield from _place(i, j + length, cells, piece)

    def _place(i: int, j: int, cells: list[str], piece: str) -> Iterator[Reading]:
        if i < len(chunks) and j == lengths[i]:
            piece += fractions[i] if chunks[i].isdigit() else ""
            i, j = i + 1, 0
        yield from cut(i, j, [*cells, piece])

    for reading in cut(0, 0, []):
        out.append(reading)
        if len(out) > MAX_READINGS:
            raise TooMany
    return out


@dataclass
class Row:
    """One printed row: its candidate readings (None: not read at all)."""

    key: str
    readings: list[Reading] | None
    chosen: dict[int, str] = field(default_factory=dict)  # cell index → the piece every solution agrees on


Constraint = tuple[list[tuple[str, int]], list[tuple[str, int]]]  # per column: sum(left) = sum(right)


def _column_sum(side: list[tuple[str, int]], values: dict[str, Reading], col: int) -> int:
    return sum(sign * (_number(values[key][col]) or 0) for key, sign in side)


def solve(
    rows: list[Row], constraints: list[Constraint], width: int, budget: Budget
) -> list[dict[str, Reading]]:
    """All combinations of row readings (up to MAX_SOLUTIONS) under which every constraint holds on every one
    of `width` columns; constraints naming a row that was not read are dropped. Raises TooMany."""
    known = {r.key for r in rows if r.readings}
    usable = [c for c in constraints if all(k in known for k, _ in c[0] + c[1])]
    order = sorted((r for r in rows if r.readings), key=lambda r: len(r.readings or []))
    position = {r.key: i for i, r in enumerate(order)}
    # each constraint is checked as soon as its last row is placed
    due: dict[int, list[Constraint]] = {}
    for c in usable:
        last = max(position[k] for k, _ in c[0] + c[1])
        due.setdefault(last, []).append(c)
    solutions: list[dict[str, Reading]] = []
    values: dict[str, Reading] = {}

    def place(i: int) -> None:
        budget.spend()
        if i == len(order):
            solutions.append(dict(values))
            if len(solutions) > MAX_SOLUTIONS:
                raise TooMany
            return
        row = order[i]
        for reading in row.readings or []:
            values[row.key] = reading
            if all(
                _column_sum(left, values, col) == _column_sum(right, values, col)
                for left, right in due.get(i, [])
                for col in range(width)
            ):
                place(i + 1)
        values.pop(row.key, None)

    place(0)
    return solutions
