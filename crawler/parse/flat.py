"""Tables whose cell boundaries were lost in a text copy (`规章007`, `200 000121`, `70000072.没有现成信息…`):
labels found by keyword, each digit run cut into cells by the form's own arithmetic (readings.py)."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from crawler.contract import (
    OTHER_ROW_SINGLE,
    OTHER_ROWS_2021,
    RESULT_ROWS_2019,
    RESULT_ROWS_2021,
    TABLE2_LAYOUTS,
    TABLE3_COLUMNS,
    TABLE4_BLOCKS,
    TABLE4_COLUMNS,
)
from crawler.parse.labels import (
    LabelGuess,
    norm,
    strip_numbering,
    t2_row_suffix,
    t3_group,
    t3_row_code,
    t3_row_guess,
)
from crawler.parse.model import Cell
from crawler.parse.numbers import BLANK_MARKS
from crawler.parse.readings import (
    DOCUMENT_BUDGET,
    ROW_BUDGET,
    Budget,
    Constraint,
    Reading,
    Row,
    TooMany,
    row_readings,
    solve,
)
from crawler.parse.sections import KNOWN

_PIECE = re.compile(r"(?P<num>\d+(?:\.\d+)?)|(?P<ws>\s+)|(?P<text>[^\d\s]+)")
_NUMBERING_AFTER = re.compile(r"^[.、]")  # '2.没有…': the digit before belongs to the next label
_ANY_TABLE = re.compile(r"申请人情况|勾稽|第二十条|信息内容|自然人|结果维持|尚未审结")
_T3_START = re.compile(r"申请人情况|勾稽关系|自然人")
_T2_START = re.compile(r"第二十条|信息内容")
_T4_HEAD = ("结果维持", "结果纠正", "其他结果", "尚未审结")
_PAGE_MARK = re.compile(
    r"^[ \t]*(?:[-—–][ \t]*\d{1,3}[ \t]*[-—–]|第[ \t]*\d{1,3}[ \t]*页(?:[ \t]*共[ \t]*\d{1,3}[ \t]*页)?)[ \t]*$",
    re.M,
)
_HEADING = re.compile(
    r"[一二三四五六七八九十][、.]\s*(?:"
    + "|".join(re.escape(v) for _, vs in KNOWN for v in vs if len(v) >= 4)
    + ")"
)
_TABLE_KEY = re.compile(r"第二十条|信息内容|\(?本列数据|申请人情况|行政复议|结果维持")
_ITEM_START = re.compile(r"(?=\([一二三四五六七]\)|\d[.、]|[一二三四]、)")
_LABEL_TAIL = 60  # characters of a text run that can be a row's label (header text comes before)
_T3_TOTALS = [(0, 6)]
_T4_TOTALS = [(5 * b, 5 * b + 4) for b in range(len(TABLE4_BLOCKS))]
_BLANK_TOKENS = frozenset(m for m in BLANK_MARKS if m and not m.isalpha() or m == "无")


@dataclass
class _Run:
    """A label (text) and the value chunks printed after it, with their offsets in the text."""

    label: str
    label_at: int
    chunks: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    unit: str = ""  # 元 / 万元 printed right after the last value


def _items(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) pieces, kind text | chunk | ws; a digit glued before '.' or '、' and a label is
    that label's number ('70000072.没有…' → chunk '7000007', text '2.没有…')."""
    items: list[tuple[str, str, int]] = []
    for m in _PIECE.finditer(text):
        piece = m.group()
        kind = m.lastgroup or "text"
        if kind == "num" or (kind == "text" and piece in _BLANK_TOKENS):
            kind = "chunk"
        items.append((kind, piece, m.start()))
    for i in range(len(items) - 1):
        kind, piece, at = items[i]
        nxt = items[i + 1]
        if kind == "chunk" and piece.isdigit() and nxt[0] == "text" and _NUMBERING_AFTER.match(nxt[1]):
            items[i + 1] = ("text", piece[-1] + nxt[1], at + len(piece) - 1)
            items[i] = ("chunk", piece[:-1], at) if len(piece) > 1 else ("ws", "", at)
    return items


def _runs(text: str) -> list[_Run]:
    """Alternating label / value runs: a run's label is all the text since the previous run's values."""
    runs: list[_Run] = []
    parts: list[str] = []
    label_at: int | None = None
    current: _Run | None = None
    for kind, piece, at in _items(text):
        if kind == "text":
            if current is not None:
                current.unit = next((u for u in ("万元", "元") if piece.startswith(u)), "")
                runs.append(current)
                current, parts, label_at = None, [], None
            parts.append(piece)
            label_at = at if label_at is None else label_at
        elif kind == "ws":
            if current is None and parts:
                parts.append(" ")
        else:
            if current is None:
                current = _Run("".join(parts), at if label_at is None else label_at)
            current.chunks.append(piece)
            current.offsets.append(at)
    if current is not None:
        runs.append(current)
    return runs


@dataclass
class FlatTables:
    """What TableReader gives the interpreter: cells, errors, warnings, the table-2 format; plus the text
    offsets the tables took (so that section text stays prose)."""

    cells: list[Cell] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    t2_format: str | None = None
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (table, start, end) in the input text


@dataclass
class _Printed:
    """A row found in the text: its table, code, columns (in print order) and the run it was printed as."""

    table: str
    code: str
    run: _Run
    columns: list[str]
    totals: list[tuple[int, int]]
    guess: LabelGuess | None = None  # found by nearest label, not by keyword


_T4_CELLS = [f"{b}.{c}" for b in TABLE4_BLOCKS for c in TABLE4_COLUMNS]


def _classify(runs: list[_Run]) -> tuple[list[_Printed], str | None, list[str], list[str]]:
    """Which runs are rows of which table: a state machine over the labels, like TableReader's."""
    mode: str | None = None
    fmt: str | None = None
    group: str | None = None
    prev: str | None = None
    found: list[_Printed] = []
    notes: list[str] = []
    for run in runs:
        label = norm(run.label)
        if "。" in label:  # prose: whatever table was open has ended
            mode = None
        if _T2_START.search(label):
            mode = "t2"
        fmt = "2021" if "本年制发" in label else "2019" if "新制作" in label else fmt
        if _T3_START.search(label):
            mode = "t3"
        t4_head = "行政复议" in label and "总计" in label and ("行政诉讼" in label or "复议后起诉" in label)
        if sum(w in label for w in _T4_HEAD) >= 2 or t4_head:
            found.append(_Printed("table4", "table4", run, _T4_CELLS, _T4_TOTALS))
            mode = None
            continue
        tail = label[-_LABEL_TAIL:]
        if mode == "t3":
            group = t3_group(tail) or group
            code = _t3_code(tail, group)
            if (
                code is None
                and strip_numbering(tail[-4:]).endswith(("其他", "其它"))
                and prev in OTHER_ROWS_2021[:2]
            ):
                code = "other_other"  # '3.其他' after (六)1–2, its group label broken apart by the layout
            guess = _t3_guess(tail, group) if code is None else None
            code = code or (guess.code if guess else None)
            if code:
                found.append(_Printed("table3", code, run, list(TABLE3_COLUMNS), _T3_TOTALS, guess))
                prev = code
        elif mode == "t2" and (code := t2_row_suffix(tail)):
            layout = TABLE2_LAYOUTS[fmt or "2021"].get(code) or TABLE2_LAYOUTS["2019"][code]
            found.append(_Printed("table2", code, run, list(layout), []))
    errors: list[str] = []
    return _settle_guesses(found, notes, errors), fmt, notes, errors


def _settle_guesses(found: list[_Printed], notes: list[str], errors: list[str]) -> list[_Printed]:
    """A row found by nearest label never takes a row a keyword found, and two such rows never share one."""
    by_keyword = {p.code for p in found if p.table == "table3" and p.guess is None}
    claims = [p.code for p in found if p.guess is not None]
    kept = []
    for p in found:
        if p.guess is not None:
            if p.code in by_keyword or claims.count(p.code) > 1:
                why = (
                    "that row was read from its own label"
                    if p.code in by_keyword
                    else "another row looks alike"
                )
                errors.append(
                    f"table3: label {p.guess.printed!r} is nearest to {p.guess.known!r} but {why}; row skipped"
                )
                continue
            notes.append(p.guess.warning())
        kept.append(p)
    return kept


def _t3_guess(tail: str, group: str | None) -> LabelGuess | None:
    """The nearest known label for the run's last numbered item ('（三）不予公开2.其他法律行政止公开')."""
    starts = [m.start() for m in _ITEM_START.finditer(tail)]
    return t3_row_guess(tail[starts[-1] :] if starts else tail, group)


def _t3_code(tail: str, group: str | None) -> str | None:
    """The row a label run names: its last numbered item first ('…其政府信息公开申请 3、其他' is 3、其他), then
    longer suffixes — a wrapped PDF label drags the end of the row before it along."""
    starts = [m.start() for m in _ITEM_START.finditer(tail)]
    for at in reversed(starts):
        code = t3_row_code(tail[at:], group)
        if code:
            return code
    return t3_row_code(tail, group)


def _constraints(codes: set[str]) -> list[Constraint]:
    """table3.balance and table3.results_sum, as equalities per column."""
    out: list[Constraint] = [
        ([("new_received", 1), ("carried_over", 1)], [("results_total", 1), ("carried_forward", 1)])
    ]
    # every result row of the form must have been read, or the sum is not checked
    results = (
        RESULT_ROWS_2019
        if OTHER_ROW_SINGLE in codes and not codes & set(OTHER_ROWS_2021)
        else RESULT_ROWS_2021
    )
    out.append(([(r, 1) for r in results], [("results_total", 1)]))
    return out


def _shown(chunks: list[str]) -> str:
    text = " ".join(chunks)
    return text if len(text) <= 48 else text[:48] + "…"


def _normalized(text: str) -> tuple[str, Callable[[int], int]]:
    """NFKC character by character, and a map from an offset in the result back to the offset in `text`."""
    mapping = {ch: unicodedata.normalize("NFKC", ch) for ch in set(text)}
    normalized = text.translate({ord(ch): n for ch, n in mapping.items() if n != ch})
    resized = "".join(ch for ch, n in mapping.items() if len(n) != 1)
    if not resized:
        return normalized, lambda i: i
    starts: list[int] = []  # where each resized character begins in the result
    marks: list[tuple[int, int]] = []  # (its length there, characters added before it)
    added = 0
    for m in re.finditer(f"[{re.escape(resized)}]", text):
        size = len(mapping[m.group()])
        starts.append(m.start() + added)
        marks.append((size, added))
        added += size - 1

    def origin(i: int) -> int:
        k = bisect.bisect_right(starts, i) - 1
        if k < 0:
            return i
        size, before = marks[k]
        return starts[k] - before if i < starts[k] + size else i - before - size + 1

    return normalized, origin


def _table_start(text: str, run: _Run) -> int:
    """Where a table's printing begins in the label run before its first row: after the last sentence or
    section heading of that run, at its first table keyword (第二十条, 本列数据, 申请人情况, 行政复议 …)."""
    begin, end = run.label_at, run.offsets[0]
    raw = text[begin:end]
    cut = max(raw.rfind("。") + 1, max((m.end() for m in _HEADING.finditer(raw)), default=0))
    m = _TABLE_KEY.search(raw, cut)
    return begin + (m.start() if m else cut)


def read_flattened(text: str) -> FlatTables:
    """Tables 2–4 out of text whose cells ran together. A cell is filled only when every reading of its run
    that the form allows agrees on it; otherwise it stays empty and a warning names the competing readings."""
    out = FlatTables()
    if not _ANY_TABLE.search(text):
        return out
    text, origin = _normalized(text)
    text = _PAGE_MARK.sub(lambda m: " " * len(m.group()), text)
    printed, out.t2_format, notes, errors = _classify(_runs(text))
    out.warnings += notes
    out.errors += errors
    seen: set[tuple[str, str]] = set()
    rows: dict[str, list[tuple[_Printed, Row]]] = {"table2": [], "table3": [], "table4": []}
    left = Budget(DOCUMENT_BUDGET)
    for p in printed:
        key = p.code
        if (p.table, key) in seen:
            out.errors.append(f"{p.table}.{key}: printed twice in the flattened text; second ignored")
            continue
        seen.add((p.table, key))
        allowed = min(ROW_BUDGET, left.steps)
        budget = Budget(allowed)
        try:
            readings: list[Reading] | None = row_readings(
                p.run.chunks,
                len(p.columns),
                p.totals,
                budget,
                decimals=bool({"amount_10k_yuan", "amount"} & set(p.columns)),
            )
        except TooMany:
            readings = None
        left.steps -= allowed - max(budget.steps, 0)
        rows[p.table].append((p, Row(key, readings)))
    budget = Budget(DOCUMENT_BUDGET)
    for table, entries in rows.items():
        if not entries:
            continue
        solutions: list[dict[str, Reading]] | None
        try:
            constraints = _constraints({r.key for _, r in entries}) if table == "table3" else []
            width = len(TABLE3_COLUMNS) if table == "table3" else 0
            solutions = solve([r for _, r in entries], constraints, width, budget) if constraints else None
        except TooMany:
            solutions = None
        _settle(table, entries, solutions, out)
        first = entries[0][0].run
        last = entries[-1][0].run
        start, end = _table_start(text, first), last.offsets[-1] + len(last.chunks[-1]) + len(last.unit)
        out.spans.append((table, origin(start), origin(end)))
    return out


def _settle(
    table: str,
    entries: list[tuple[_Printed, Row]],
    solutions: list[dict[str, Reading]] | None,
    out: FlatTables,
) -> None:
    recovered = 0
    for p, row in entries:
        shown = _shown(p.run.chunks)
        where = table if table == "table4" else f"{table}.{row.key}"
        if row.readings is None:
            out.errors.append(f"{where}: {shown!r} has too many possible readings; cells left empty")
            continue
        if not row.readings:
            out.errors.append(
                f"{where}: no reading of {shown!r} fits the form's row shape and totals; cells left empty"
            )
            continue
        candidates = row.readings
        if solutions is not None and len(row.readings) > 1:
            candidates = list(dict.fromkeys(s[row.key] for s in solutions if row.key in s))
            if not candidates:
                out.errors.append(
                    f"{where}: no reading of {shown!r} satisfies the form's checks; cells left empty"
                )
                continue
        cols = p.columns
        empty = []
        for i, col in enumerate(cols):
            pieces = {c[i] for c in candidates}
            if len(pieces) != 1:
                empty.append(col)
                continue
            out.cells.append(_cell(table, p, col, candidates[0][i], i))
            recovered += 1
        if empty:
            readings = " | ".join(" ".join(c) for c in candidates[:4])
            out.warnings.append(
                f"{where}: {len(candidates)} readings of {shown!r} fit the form ({readings}); "
                f"cells {', '.join(empty)} left empty"
            )
            out.errors.append(f"{where}: cells {', '.join(empty)} not recoverable from the flattened text")
    if recovered:
        out.warnings.append(
            f"{table}: cell boundaries lost in the text; {recovered} cells recovered by the form's row shapes"
            + (" and arithmetic" if table != "table2" else "")
        )


def _cell(table: str, p: _Printed, col: str, piece: str, index: int) -> Cell:
    blank = not piece[:1].isdigit()
    value: int | float | str = 0 if blank else (float(piece) if "." in piece else int(piece))
    if col == "amount" and not blank:  # 采购总金额 is kept as printed, with its unit
        value = piece = piece + p.run.unit
    row_code, col_code = col.split(".") if table == "table4" else (p.code, col)
    label = re.sub(r"\s+", "", p.run.label)[-_LABEL_TAIL:]
    return Cell(
        table=table,
        row_code=row_code,
        col_code=col_code,
        value=value,
        value_text=piece,
        row_label=label,
        col_label=col_code,
        blank=blank,
        src_table=0,
        src_row=p.run.label_at,
        src_col=index,
    )


def cut_lines(
    lines: list[str], spans: list[tuple[str, int, int]], table_lines: set[int] | None = None
) -> tuple[list[str], set[int]]:
    """The lines (as joined by newlines) with every table's span cut out onto lines of its own, so that the
    prose around a table printed inside a paragraph — or a whole report on one line — stays prose."""
    text = "\n".join(lines)
    cuts = sorted((max(0, b), min(len(text), e)) for _, b, e in spans if e > b)
    out: list[str] = []
    table: set[int] = set()
    at = 0
    for begin, end in cuts:
        if begin < at:
            continue
        out.extend(ln for ln in text[at:begin].split("\n") if ln.strip())
        table.add(len(out))
        out.append(text[begin:end].replace("\n", " "))
        at = end
    out.extend(ln for ln in text[at:].split("\n") if ln.strip())
    kept = {lines[i] for i in table_lines or ()}
    return out, table | {i for i, ln in enumerate(out) if ln in kept}
