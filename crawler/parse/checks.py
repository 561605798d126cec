"""Consistency rules (勾稽关系) over the parsed tables, plus text-vs-table and title-vs-period rules."""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.contract import OTHER_ROW_SINGLE, OTHER_ROWS_2021, RESULT_ROWS, TABLE3_COLUMNS, TABLE4_COLUMNS
from crawler.parse.model import Check, Number

Table = dict[str, dict[str, Number]]

_NONE_RECEIVED = re.compile(
    r"(?:未|没有|无)(?:收到|受理|接到|接收|发生)?[^。；;，,]{0,10}(?:依申请公开|政府信息公开申请|信息公开申请|公开申请)"
)
_RECEIVED = re.compile(
    r"(?:收到|受理|接收|新收|接到)[^。；;]{0,20}?申请[^。；;\d]{0,8}?(\d[\d,，]*)\s*(?:件|个|宗|条|份|次)"
    r"|(?:收到|受理|接收|新收|接到)[^。；;\d]{0,10}?(\d[\d,，]*)\s*(?:件|个|宗|份)[^。；;\d]{0,8}?申请"
)


_NOT_APPLICATIONS = re.compile(r"复议|诉讼|投诉|举报|信访")


def _first(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """First match that is about 信息公开 applications, not appeals or complaints mentioned nearby."""
    for m in pattern.finditer(text):
        if not _NOT_APPLICATIONS.search(text[m.start() : m.end() + 8]):
            return m
    return None


def _num(v: Number | None) -> float | None:
    return float(v) if isinstance(v, int | float) else None


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def table_checks(t3: Table, t4: Table) -> list[Check]:
    """table3.balance / row_totals / results_sum and table4.block_totals, one check per column/row/block."""
    out: list[Check] = []
    for col in TABLE3_COLUMNS:
        addr = [
            f"table3.{r}.{col}" for r in ("new_received", "carried_over", "results_total", "carried_forward")
        ]
        vals = [
            _num(t3.get(r, {}).get(col))
            for r in ("new_received", "carried_over", "results_total", "carried_forward")
        ]
        if None in vals:
            continue
        a, b, c, d = vals  # type: ignore[misc]
        ok = a + b == c + d
        sign = "=" if ok else "≠"
        out.append(
            Check("table3.balance", ok, f"{col}: {_fmt(a)} + {_fmt(b)} {sign} {_fmt(c)} + {_fmt(d)}", addr)
        )
    out += _row_totals("table3", "table3.row_totals", t3, TABLE3_COLUMNS)
    split = any(r in t3 for r in OTHER_ROWS_2021)
    result_rows = [r for r in RESULT_ROWS if r in t3 and not (split and r == OTHER_ROW_SINGLE)]
    if "results_total" in t3 and result_rows:
        for col in TABLE3_COLUMNS:
            parts = [_num(t3[r].get(col)) for r in result_rows]
            total = _num(t3["results_total"].get(col))
            if total is None or None in parts:
                continue
            s = sum(parts)  # type: ignore[arg-type]
            ok = s == total
            out.append(
                Check(
                    "table3.results_sum",
                    ok,
                    f"{col}: sum of {len(parts)} result rows {_fmt(s)} {'=' if ok else '≠'} results_total {_fmt(total)}",
                    [f"table3.{r}.{col}" for r in [*result_rows, "results_total"]],
                )
            )
    out += _row_totals("table4", "table4.block_totals", t4, TABLE4_COLUMNS)
    return out


def _row_totals(table: str, rule: str, rows: Table, columns: Sequence[str]) -> list[Check]:
    """Each row's last column (its total) against the sum of the others, for rows with every cell read."""
    out: list[Check] = []
    for row, cols in rows.items():
        parts = [_num(cols.get(c)) for c in columns[:-1]]
        total = _num(cols.get(columns[-1]))
        if None in parts or total is None:
            continue
        ok = sum(parts) == total  # type: ignore[arg-type]
        detail = f"{row}: {' + '.join(_fmt(p) for p in parts)} {'=' if ok else '≠'} {_fmt(total)}"  # type: ignore[arg-type]
        out.append(Check(rule, ok, detail, [f"{table}.{row}.{c}" for c in columns]))
    return out


def text_checks(text: str, t3: Table, year: int | None, period: tuple[int, int] | None) -> list[Check]:
    """What the prose says against the tables: applications received; title year against the period."""
    out: list[Check] = []
    received = _num(t3.get("new_received", {}).get("total"))
    carried = _num(t3.get("carried_over", {}).get("total")) or 0.0
    addr = ["table3.new_received.total"]
    if received is not None:
        none = _first(_NONE_RECEIVED, text)
        some = _first(_RECEIVED, text)
        if none and (some is None or none.start() < some.start()):
            ok = received == 0
            detail = f"text says {none.group(0)!r}; table3.new_received.total = {_fmt(received)}"
            out.append(Check("text.applications", ok, detail, addr))
        elif some:
            n = float(re.sub(r"[,，]", "", some.group(1) or some.group(2)))
            ok = n in (received, received + carried)
            detail = (
                f"text says {_fmt(n)} applications ({some.group(0)!r}); "
                f"table3.new_received.total = {_fmt(received)} {'=' if ok else '≠'} {_fmt(n)}"
            )
            out.append(Check("text.applications", ok, detail, addr))
    if year is not None and period is not None:
        ok = period[0] == year == period[1]
        detail = f"title year {year} {'=' if ok else '≠'} statistics period {period[0]}–{period[1]}"
        out.append(Check("meta.period_year", ok, detail, []))
    return out


def format_check(fmt: str, year: int | None) -> Check | None:
    """2019-format tables belong to reports on 2019–2020, 2021-format tables to 2021 onwards."""
    if year is None or fmt not in ("2019", "2021"):
        return None
    ok = (fmt == "2021" and year >= 2021) or (fmt == "2019" and year <= 2020)
    detail = f"{fmt}-format tables in a report on {year}" + ("" if ok else " (format and year disagree)")
    return Check("meta.format_year", ok, detail, [])
