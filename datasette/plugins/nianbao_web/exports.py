"""Exports that open right in Excel: Chinese headers, a data dictionary, file names that say what they hold."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote

from .labels import TABLE_LABELS, label_for

BOM = "\ufeff".encode()
# Query-string arguments that are not filters (left out of file names).
NON_FILTERS = {
    "_size",
    "_labels",
    "_dl",
    "_bom",
    "_stream",
    "_nocol",
    "_col",
    "_sort",
    "_sort_desc",
    "_next",
    "_facet",
    "_shape",
    "_nl",
    "_search_mode",
    "_trace",
    "_timelimit",
    "_json",
    "_where",
}
EXCEL_CELL_MAX = 32_767  # characters Excel keeps in one cell
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def headers(columns: Sequence[str], descriptions: Mapping[str, str] | None = None) -> list[str]:
    """Chinese header of each column (its code when it has none); a label two columns share keeps its code."""
    descriptions = descriptions or {}
    labels = [label_for(c, descriptions.get(c)) or c for c in columns]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return [
        f"{label}（{c}）" if seen[label] > 1 and label != c else label
        for label, c in zip(labels, columns, strict=True)
    ]


def dictionary(
    columns: Sequence[str], descriptions: Mapping[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """(Chinese header, column code, description) for each column: the data dictionary sheet."""
    descriptions = descriptions or {}
    return [
        (head, column, descriptions.get(column, ""))
        for head, column in zip(headers(columns, descriptions), columns, strict=True)
    ]


def file_stem(what: str, query_string: str, known: Mapping[str, Any] | None = None) -> str:
    """'年度报告_宁夏回族自治区_2023': what the file holds, then the values it was filtered by; names given in
    `known` (a report's agency and year) come first: '淮安市人民政府_2024年度_一份报告的全部统计表'."""
    parts = [str(v) for v in (known or {}).values() if v not in (None, "")] + [what]
    for key, value in parse_qsl(query_string, keep_blank_values=False):
        if key in NON_FILTERS or key.startswith("_filter_") or value in parts or key in (known or {}):
            continue
        if key == "report_id" and known:
            continue
        parts.append(value if key != "_search" else f"检索“{value}”")
    stem = "_".join(_UNSAFE.sub("_", p).strip("_ ") for p in parts if p)
    return stem[:120] or "export"


def what_of(table: str | None, query_name: str | None, query_title: str | None) -> str:
    """A short Chinese name of a table or canned query (the Chinese half of its title)."""
    if query_title:
        return query_title.split(" / ")[0].strip()
    return TABLE_LABELS.get(table or query_name or "", table or query_name or "数据")


def disposition(stem: str, extension: str) -> str:
    """Content-Disposition: attachment with the Chinese name (RFC 6266 filename*) and an ASCII fallback."""
    name = f"{stem}.{extension}"
    return f"attachment; filename=\"export.{extension}\"; filename*=UTF-8''{quote(name, safe='')}"


def relabel_csv_header(line: bytes, descriptions: Mapping[str, str] | None = None) -> bytes:
    """The first line of a Datasette CSV with Chinese headers, BOM first (Excel then reads UTF-8)."""
    text = line.decode("utf-8")
    columns = next(csv.reader([text]), [])
    out = io.StringIO()
    csv.writer(out, lineterminator=text[len(text.rstrip("\r\n")) :] or "\r\n").writerow(
        headers(columns, descriptions)
    )
    return BOM + out.getvalue().encode("utf-8")


def cell_value(value: Any) -> Any:
    """A database value as an Excel cell: bytes summarized, long text cut to what Excel keeps."""
    if isinstance(value, dict):  # an expanded foreign key {"value": ..., "label": ...}
        value = value.get("label") or value.get("value")
    if isinstance(value, bytes | bytearray | memoryview):
        return f"[二进制内容 {len(bytes(value)):,} 字节]"
    if isinstance(value, str) and len(value) > EXCEL_CELL_MAX:
        return value[: EXCEL_CELL_MAX - 20] + "……（超出 Excel 单元格上限，已截断）"
    return value


def rows_as_values(rows: Iterable[Any], columns: Sequence[str]) -> Iterable[list[Any]]:
    for row in rows:
        yield [cell_value(row[c] if isinstance(row, Mapping) else row[i]) for i, c in enumerate(columns)]


async def report_names(db: Any, report_id: str) -> dict[str, Any]:
    """Agency and year of one report, for the names of its exports ({} when unknown)."""
    try:
        row = (await db.execute("select agency, year from reports where id = ?", [report_id])).first()
    except Exception:  # noqa: BLE001 — a name is a nicety: never fail an export over it
        return {}
    return {"agency": row["agency"], "year": f"{row['year']}年度" if row["year"] else ""} if row else {}
