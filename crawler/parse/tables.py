"""Reads tables 2–4 out of a stream of source rows, finding rows and columns by their labels."""

from __future__ import annotations

from dataclasses import dataclass, replace

from crawler.contract import OTHER_ROWS_2021, TABLE2_LAYOUTS, TABLE3_COLUMNS, TABLE4_BLOCKS, TABLE4_COLUMNS
from crawler.parse.labels import (
    T2_COLS_2019,
    T2_COLS_2021,
    LabelGuess,
    norm,
    strip_numbering,
    t2_col_code,
    t2_row_code,
    t3_col_code,
    t3_group,
    t3_row_code,
    t3_row_guess,
    t4_block_code,
    t4_col_code,
)
from crawler.parse.model import Cell
from crawler.parse.numbers import BLANK_MARKS, is_value_text, parse_value, squeeze
from crawler.parse.rows import SrcCell, SrcRow, clean_text

LAYOUT_ASSUMED = "layout assumed"  # the warning that says table 2's codes were taken from a guessed layout


@dataclass
class _View:
    """A row split into its labels (leading text cells) and values (the number cells after them)."""

    row: SrcRow
    labels: list[SrcCell]
    values: list[SrcCell]
    names: list[str]  # normalized labels
    numbers: bool  # some value is a number, not a blank mark


def _view(row: SrcRow) -> _View:
    cells = [c for c in row.cells if c.text is not None]
    last_label = -1
    for i, c in enumerate(cells):
        if not is_value_text(c.text):
            last_label = i
    labels = [c for c in cells[: last_label + 1] if (c.text or "").strip() and not is_value_text(c.text)]
    values = [c for c in cells[last_label + 1 :] if not c.inherited]
    numbers = any(squeeze(v.text or "") not in BLANK_MARKS for v in values)
    return _View(row, labels, values, [norm(c.text) for c in labels], numbers)


@dataclass
class _Head:
    code: str
    label: str
    col: int
    order: int


class TableReader:
    """A small state machine over rows: 第二十条 blocks → table2, 申请人情况 header → table3, 行政复议 → table4."""

    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self._seen: dict[str, Cell] = {}
        self._mode: str | None = None
        self._t2_cols: list[tuple[str | None, str]] | None = None
        self._t2_format: str | None = None
        self._t3_head: list[_Head] = []
        self._t3_positions_ok = True
        self._t3_cache: tuple[int, list[tuple[str, str]]] | None = None
        self._t4_leaves: list[_Head] = []
        self._t4_blocks: list[_Head] = []
        self._t4_positions_ok = True
        self._t4_table: tuple[int, int | None] | None = None
        self._t3_table: tuple[int, int | None] | None = None
        self._group: str | None = None
        self._pending: list[tuple[str, SrcCell]] = []  # label-only text lines awaiting their numbers
        self._prev3: str | None = None
        self._before: tuple[list[SrcCell], SrcRow] | None = None  # header-like row just before
        self._order = 0
        # rows matched by nearest label, with the column order in force where they were printed
        self._guessed: list[
            tuple[LabelGuess, list[SrcCell], list[SrcCell], SrcRow, list[tuple[str, str]]]
        ] = []

    # ---- entry point -------------------------------------------------------------------------------
    def feed(self, row: SrcRow) -> None:
        """Read one row: a marker, a header row or a data row of one of the tables (or nothing)."""
        self._order += 1
        v = _view(row)
        for name in v.names:
            self._group = t3_group(name) or self._group
        steps = (self._article_marker, self._t4_in_header, self._t3_header, self._t4_start, self._t3_row)
        for step in steps:
            if step(v):
                return
        self._t2_row(v)

    def finish(self) -> TableReader:
        """Rows matched by nearest label are placed last, so that no keyword-matched row is displaced and
        no two printed rows share one slot."""
        claims: dict[str, int] = {}
        for guess, *_ in self._guessed:
            claims[guess.code] = claims.get(guess.code, 0) + 1
        for guess, labels, values, row, order in self._guessed:
            taken = any(a.startswith(f"table3.{guess.code}.") for a in self._seen)
            if taken or claims[guess.code] > 1:
                why = "that row was read from its own label" if taken else "another printed row looks alike"
                self.errors.append(
                    f"table3: printed label {guess.printed!r} is nearest to {guess.known!r} but {why}; row skipped"
                )
                continue
            self.warnings.append(guess.warning())
            self._t3_data(guess.code, labels, values, row, order)
        self._guessed = []
        return self

    def _article_marker(self, v: _View) -> bool:
        """第二十条第（x）项 opens a table-2 block; a 信息内容 header row does too when the marker is missing."""
        if not v.numbers and any("第二十条" in n for n in v.names):
            self._mode, self._t2_cols = "t2", None
            return True
        if not v.numbers and v.names and v.names[0] == "信息内容" and self._mode != "t2":
            self._mode, self._t2_cols = "t2", None
        return False

    def _t4_in_header(self, v: _View) -> bool:
        if self._mode != "t4h":
            return False
        if not v.labels and len(v.values) >= 5:
            self._t4_data(v.values, v.row)
            return True
        if not v.numbers:
            self._t4_header(v.labels, v.names, v.row)
            return True
        return False

    def _t3_header(self, v: _View) -> bool:
        if v.numbers or not self._is_t3_header(v.names):
            self._before = (
                (v.labels, v.row) if not v.numbers and any(t3_col_code(n) for n in v.names) else None
            )
            return False
        if self._mode != "t3h":
            self._t3_head, self._t3_positions_ok, self._t3_table = [], True, None
            if self._before is not None:  # '自然人 | 法人或其他组织 | 总计' printed above the marker row
                self._t3_header_cells(*self._before)
        self._mode = "t3h"
        self._t3_header_cells(v.labels, v.row)
        return True

    def _t4_start(self, v: _View) -> bool:
        """Table 4 begins: a block label (行政复议 …), a row of result labels, or a transposed block row."""
        if len(v.names) == 1 and t4_block_code(v.names[0]) and len(v.values) == len(TABLE4_COLUMNS):
            self._t4_block_row(t4_block_code(v.names[0]) or "", v.labels[0], v.values, v.row)
            return True
        leaf_codes = {t4_col_code(n) for n in v.names} - {None}
        starts = not v.numbers and len(leaf_codes) >= 4 and self._mode != "t4h"
        block = any(t4_block_code(n) for n in v.names) and (
            not v.numbers or len(v.values) < 5 or len(v.names) > 1
        )
        if not (starts or block):
            return False
        if self._mode != "t4h":
            self._t4_leaves, self._t4_blocks, self._t4_positions_ok, self._t4_table = [], [], True, None
        self._mode = "t4h"
        self._t4_header(v.labels, v.names, v.row)
        return True

    def _t3_row(self, v: _View) -> bool:
        """A table-3 data row, its label on the row itself or (PDF text) on the lines just before."""
        row = v.row
        if not v.labels:
            if self._mode in ("t3h", "t3") and row.kind == "text" and self._pending and v.values:
                found = self._pending_code("")
                if found:
                    self._mode = "t3"
                    self._t3_data(found[0], [found[1]], v.values, row)
            self._pending = []
            return True
        code = self._t3_code(v.names[-1])
        if code is None and row.kind == "text" and self._pending and v.values:
            found = self._pending_code(v.names[-1])
            code = found[0] if found else None
        if code is None and v.values and self._mode in ("t3h", "t3"):
            guess = t3_row_guess(v.names[-1], self._group)
            if guess is not None:
                printed = clean_text(v.labels[-1].text or "")
                entry = (replace(guess, printed=printed), v.labels, v.values, row, self._t3_columns())
                self._guessed.append(entry)
                self._mode, self._prev3, self._pending = "t3", guess.code, []
                return True
        if code and v.values and (self._mode in ("t3h", "t3") or len(v.values) == len(TABLE3_COLUMNS)):
            self._mode = "t3"
            self._t3_data(code, v.labels, v.values, row)
            self._pending = []
            return True
        if row.kind == "text" and not v.values:
            self._pending = [*self._pending[-2:], ("".join(v.names), v.labels[-1])]
        else:
            self._pending = []
        return False

    def _t2_row(self, v: _View) -> None:
        code = t2_row_code(v.names[0])
        if not (self._mode == "t2" or (code and v.values and self._mode is None)):
            return
        if not v.numbers and (v.names[0] == "信息内容" or any(t2_col_code(n) for n in v.names[1:])):
            self._t2_cols = [
                (t2_col_code(n), clean_text(c.text or ""))
                for c, n in zip(v.labels[1:], v.names[1:], strict=True)
            ]
            self._note_t2_format()
        elif code and v.values:
            self._t2_data(code, v.labels, v.values, v.row)

    def _pending_code(self, name: str) -> tuple[str, SrcCell] | None:
        """Row code from label-only lines just before (most recent first, then joined) plus `name`."""
        tries = [(p + name, cell) for p, cell in reversed(self._pending)]
        tries.append(("".join(p for p, _ in self._pending) + name, self._pending[-1][1]))
        for text, cell in tries:
            code = self._t3_code(text)
            if code:
                return code, cell
        return None

    def _t3_code(self, name: str) -> str | None:
        code = t3_row_code(name, self._group)
        if code is None and strip_numbering(name) in ("其他", "其它") and self._prev3 in OTHER_ROWS_2021[:2]:
            code = "other_other"
        return code

    # ---- table 2 --------------------------------------------------------------------------------------
    def _note_t2_format(self) -> None:
        codes = {c for c, _ in self._t2_cols or [] if c}
        if codes & T2_COLS_2021:
            self._t2_format = "2021"
        elif codes & T2_COLS_2019:
            self._t2_format = "2019"

    def _t2_data(self, code: str, labels: list[SrcCell], values: list[SrcCell], row: SrcRow) -> None:
        cols = [(c, lab) for c, lab in (self._t2_cols or []) if c]
        if not cols or len(cols) > len(values) + 2:
            fmt = self._t2_format or ("2019" if code in ("other_management", "procurement") else "2021")
            layout = TABLE2_LAYOUTS[fmt].get(code) or TABLE2_LAYOUTS["2019"].get(code) or ()
            if not self._t2_cols:
                self.errors.append(f"table2: no column header before {clean_text(labels[0].text or '')!r}")
            elif self._t2_format is None:
                note = f"table2: column header not readable; the {fmt} {LAYOUT_ASSUMED}"
                if note not in self.warnings:
                    self.warnings.append(note)
            cols = [(c, c) for c in layout]
        if code == "procurement":
            cols = [("items" if c in ("decisions", "prior_year_items") else c, lab) for c, lab in cols]
        values = self._fit(values, len(cols), f"table2.{code}")
        if values is None:
            return
        for (col, label), v in zip(cols, values, strict=False):
            self._emit("table2", code, col, v, clean_text(labels[0].text or ""), label, row)

    # ---- table 3 --------------------------------------------------------------------------------------
    def _is_t3_header(self, names: list[str]) -> bool:
        if self._mode == "t3h":
            return not any(t3_row_code(n, self._group) not in (None, "results_total") for n in names)
        if any(n.startswith("(本列数据") or "勾稽关系" in n or n == "申请人情况" for n in names):
            return True
        return len({t3_col_code(n) for n in names} - {None}) >= 3

    def _t3_header_cells(self, labels: list[SrcCell], row: SrcRow) -> None:
        self._t3_positions_ok &= row.header_positions and self._t3_table in (None, (row.table, row.page))
        self._t3_table = (row.table, row.page)
        for c in labels:
            code = t3_col_code(norm(c.text))
            if code:
                self._t3_head.append(_Head(code, clean_text(c.text or ""), c.col, self._order))

    def _t3_order(self) -> list[tuple[str, str]]:
        heads = sorted(self._t3_head, key=lambda h: (h.col, h.order))
        order: list[tuple[str, str]] = []
        for h in heads:
            if h.code not in {c for c, _ in order}:
                order.append((h.code, h.label))
        if self._t3_positions_ok and {c for c, _ in order} == set(TABLE3_COLUMNS):
            return order
        if self._t3_head:
            seen = [c for c, _ in order] if self._t3_positions_ok else []
            self._standard_order("table3", seen, list(TABLE3_COLUMNS))
        return [(c, c) for c in TABLE3_COLUMNS]

    def _t3_columns(self) -> list[tuple[str, str]]:
        key = len(self._t3_head)
        if self._t3_cache is None or self._t3_cache[0] != key:
            self._t3_cache = (key, self._t3_order())
        return self._t3_cache[1]

    def _t3_data(
        self,
        code: str,
        labels: list[SrcCell],
        values: list[SrcCell],
        row: SrcRow,
        order: list[tuple[str, str]] | None = None,
    ) -> None:
        order = order or self._t3_columns()
        label = " ".join(clean_text(c.text or "") for c in labels)
        fitted = self._fit(values, len(order), f"table3.{code}")
        if fitted is None:
            return
        for (col, col_label), v in zip(order, fitted, strict=False):
            self._emit("table3", code, col, v, label, col_label, row)
        self._prev3 = code

    # ---- table 4 --------------------------------------------------------------------------------------
    def _t4_header(self, labels: list[SrcCell], names: list[str], row: SrcRow) -> None:
        # positions only compare within one source table (a PDF header broken over pages is several)
        self._t4_positions_ok &= row.header_positions and self._t4_table in (None, (row.table, row.page))
        self._t4_table = (row.table, row.page)
        for c, n in zip(labels, names, strict=True):
            if c.inherited:
                continue
            block = t4_block_code(n)
            if block:
                self._t4_blocks.append(_Head(block, clean_text(c.text or ""), c.col, self._order))
                continue
            code = t4_col_code(n)
            if code:
                self._t4_leaves.append(_Head(code, clean_text(c.text or ""), c.col, self._order))

    def _t4_order(self, n: int) -> list[tuple[str, str, str]] | None:
        leaves = sorted(self._t4_leaves, key=lambda h: (h.col, h.order))
        blocks = sorted(self._t4_blocks, key=lambda h: h.col)
        order: list[tuple[str, str, str]] = []
        for leaf in leaves:
            owner = None
            for b in blocks:
                if b.col <= leaf.col:
                    owner = b
            if owner is not None:
                order.append((owner.code, leaf.code, f"{owner.label} {leaf.label}"))
        keys = [(b, c) for b, c, _ in order]
        if self._t4_positions_ok and len(keys) == n and len(set(keys)) == n and n % len(TABLE4_COLUMNS) == 0:
            return order
        if n == len(TABLE4_BLOCKS) * len(TABLE4_COLUMNS):
            if self._t4_leaves:
                seen = [h.code for h in leaves] if self._t4_positions_ok else []
                self._standard_order("table4", seen, list(TABLE4_COLUMNS) * len(TABLE4_BLOCKS))
            return [(b, c, f"{b} {c}") for b in TABLE4_BLOCKS for c in TABLE4_COLUMNS]
        self.errors.append(
            f"table4: a row of {n} values does not fit the {len(keys)} header columns; row skipped"
        )
        return None

    def _t4_block_row(self, block: str, label: SrcCell, values: list[SrcCell], row: SrcRow) -> None:
        """Table 4 printed transposed: one row per block (行政复议 | 维持 | 纠正 | 其他 | 尚未审结 | 总计)."""
        heads = sorted(self._t4_leaves, key=lambda h: (h.col, h.order))
        codes: list[tuple[str, str]] = []
        for h in heads:
            if h.code not in {c for c, _ in codes}:
                codes.append((h.code, h.label))
        if not self._t4_positions_ok or {c for c, _ in codes} != set(TABLE4_COLUMNS):
            codes = [(c, c) for c in TABLE4_COLUMNS]
        block_label = clean_text(label.text or "")
        for (col, col_label), v in zip(codes, values, strict=True):
            self._emit("table4", block, col, v, block_label, f"{block_label} {col_label}", row)

    def _t4_data(self, values: list[SrcCell], row: SrcRow) -> None:
        while (
            len(values) > 5 and (len(values) % 5 or len(values) > 15) and not (values[0].text or "").strip()
        ):
            values = values[1:]
        while (
            len(values) > 5 and (len(values) % 5 or len(values) > 15) and not (values[-1].text or "").strip()
        ):
            values = values[:-1]
        order = self._t4_order(len(values))
        self._t4_leaves, self._t4_blocks, self._t4_positions_ok, self._t4_table = [], [], True, None
        if order is None:
            return
        for (block, col, label), v in zip(order, values, strict=False):
            self._emit("table4", block, col, v, label.split(" ")[0], label, row)

    def _standard_order(self, table: str, seen: list[str], standard: list[str]) -> None:
        """The header could not be read in full: the standard column order is used. That is only a warning
        when the labels that were read come in the standard order; when they contradict it, an error."""
        it = iter(standard)
        if all(code in it for code in seen):  # `seen` is a subsequence of the standard order
            self.warnings.append(f"{table}: column header not fully readable; standard column order assumed")
        else:
            self.errors.append(
                f"{table}: column header {seen} contradicts the standard order; standard order used"
            )

    # ---- shared ---------------------------------------------------------------------------------------
    def _fit(self, values: list[SrcCell], n: int, where: str) -> list[SrcCell] | None:
        """Exactly n value cells: empty spacer cells before or after the values are dropped, nothing else."""
        if len(values) > n:
            while len(values) > n and not (values[0].text or "").strip():
                values = values[1:]
            while len(values) > n and not (values[-1].text or "").strip():
                values = values[:-1]
            filled = [v for v in values if (v.text or "").strip()]
            if len(values) > n and len(filled) == n:
                return filled
            if len(values) > n:
                self.errors.append(f"{where}: {len(values)} values where {n} were expected; row skipped")
                return None
        if len(values) < n:
            self.errors.append(f"{where}: {len(values)} values where {n} were expected; row skipped")
            return None
        return values

    def _emit(
        self,
        table: str,
        row_code: str,
        col_code: str,
        v: SrcCell,
        row_label: str,
        col_label: str,
        row: SrcRow,
    ) -> None:
        address = f"{table}.{row_code}.{col_code}"
        text = v.text or ""
        parsed = parse_value(
            text,
            money=col_code == "amount_10k_yuan",
            signed=col_code == "change",
            as_string=col_code == "amount",
        )
        if parsed.error:
            self.errors.append(f"{address}: {parsed.error}")
            return
        value = parsed.value
        if col_code == "amount_10k_yuan" and parsed.unit == "元" and isinstance(value, int | float):
            value = round(value / 10000, 6)
        previous = self._seen.get(address)
        if previous is not None:
            if previous.value != value:
                self.errors.append(
                    f"{address}: printed twice ({previous.value_text!r}, {text.strip()!r}); first kept"
                )
            return
        cell = Cell(
            table=table,
            row_code=row_code,
            col_code=col_code,
            value=value,
            value_text=text.strip(),
            row_label=row_label,
            col_label=col_label,
            blank=parsed.blank,
            src_table=row.table,
            src_row=row.row,
            src_col=v.col,
            src_page=row.page,
        )
        self._seen[address] = cell
        self.cells.append(cell)

    @property
    def t2_format(self) -> str | None:
        return self._t2_format
