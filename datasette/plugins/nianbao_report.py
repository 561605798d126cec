"""Datasette plugin: the report page (row of `reports`), code labels as SQL functions, and archive-aware cells."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from datasette import hookimpl

_HERE = str(Path(__file__).resolve().parent)  # plugins/ is not a package: make nianbao_web importable
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
from nianbao_web import capture as capture_helpers  # noqa: E402
from nianbao_web import codes, labels, layout, notes, svg  # noqa: E402

TEXT_PREVIEW = 60
HTTP = ("http://", "https://")  # only these become links: never javascript:/data: from an archived value
CAPTURE_COLUMNS = (
    "id, url, final_url, status, fetched_at, content_type, size, sha256, kind, body_codec, headers"
)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("code_label", 2, codes.code_label, deterministic=True)
    conn.create_function("code_order", 2, codes.code_order, deterministic=True)


CN_NUMERALS = "一二三四五六七八九十"
# Which section of the original each printed table belongs in: matched by heading, else by number (二/三/四).
TABLE_SECTIONS = (
    ("table4", ("复议", "诉讼"), 4),
    ("table2", ("主动公开",), 2),
    ("table3", ("申请",), 3),
)


def section_heading(no: Any, title: str | None) -> str:
    """'二、主动公开政府信息情况' as printed; a heading that already carries its numeral is kept as it is."""
    title = (title or "").strip()
    if not isinstance(no, int) or not 1 <= no <= len(CN_NUMERALS) or title[:1] in CN_NUMERALS:
        return title or str(no or "")
    return f"{CN_NUMERALS[no - 1]}、{title}"


def place_tables(sections: list[dict], present: list[str]) -> list[str]:
    """Attach each present table to its section (section["tables"]); return the tables left without one."""
    for section in sections:
        section["tables"] = []
    left = []
    for name, words, number in TABLE_SECTIONS:
        if name not in present:
            continue
        home = next(
            (
                s
                for s in sections
                if any(word in (s.get("title") or "") for word in words) and not s["tables"]
            ),
            None,
        )
        if home is None:
            home = next((s for s in sections if s.get("no") == number and not s["tables"]), None)
        if home is None:
            left.append(name)
        else:
            home["tables"].append(name)
    return [name for name in ("table2", "table3", "table4") if name in left]


def _json_list(value: Any) -> list[str]:
    """A JSON list of parser problems or assumptions as strings ([] when empty or not JSON)."""
    try:
        items = json.loads(value) if isinstance(value, str) else []
    except ValueError:
        return [value]
    if not isinstance(items, list):
        return []
    return [
        (item.get("detail") or item.get("kind") or json.dumps(item, ensure_ascii=False))
        if isinstance(item, dict)
        else str(item)
        for item in items
    ]


async def _rows(db: Any, sql: str, params: list | tuple) -> list[dict]:
    result = await db.execute(sql, params)
    return [dict(row) for row in result.rows]


def cell_source(
    datasette: Any, database: str, capture: dict, images: Mapping[str, int] | None = None
) -> Callable[[Mapping], str] | None:
    """Link from a statistics cell to where it was read: the sanitized archived page with that cell
    highlighted (HTML), the PDF page drawn with the cell's box (PDF), or the archived table image (capture id
    by URL in `images`) with the box OCR found the cell in; None for other formats."""
    base = datasette.urls.path(f"/-/capture/{database}/{capture['id']}")
    pdf = capture_helpers.is_pdf(capture.get("content_type"), capture_helpers.download_name(capture))
    html = capture_helpers.is_html(capture.get("content_type"))
    if not (pdf or html):
        return None

    def link(stat: Mapping) -> str:
        if stat.get("src_url"):  # OCR'd from a table image: that image, or nothing if it is not archived
            return _image_link(datasette, database, stat, (images or {}).get(stat["src_url"]))
        where = [stat.get("src_table"), stat.get("src_row"), stat.get("src_col")]
        if any(not isinstance(v, int) for v in where) or (pdf and not isinstance(stat.get("src_page"), int)):
            return ""
        params = {
            "table": where[0],
            "row": where[1],
            "col": where[2],
            "cell": f"{stat['table_name']}.{stat['row_code']}.{stat['col_code']}",
            "value": stat.get("value_text") or "",
        }
        if pdf:
            return f"{base}/page?" + urlencode({"page": stat["src_page"], **params}) + "#nb-cell"
        return f"{base}?" + urlencode({"view": "html", **params}) + "#nb-cell"

    return link


def _image_link(datasette: Any, database: str, stat: Mapping, capture_id: int | None) -> str:
    if capture_id is None:
        return ""
    params = {
        "view": "image",
        "cell": f"{stat['table_name']}.{stat['row_code']}.{stat['col_code']}",
        "value": stat.get("value_text") or "",
    }
    if isinstance(stat.get("ocr_confidence"), float):
        params["confidence"] = f"{stat['ocr_confidence']:.2f}"
    try:
        box = json.loads(stat.get("src_box") or "null")
        if isinstance(box, list) and len(box) == 4:
            params["box"] = ",".join(f"{float(v):.5f}" for v in box)
    except (TypeError, ValueError):
        pass
    return datasette.urls.path(f"/-/capture/{database}/{capture_id}") + "?" + urlencode(params) + "#nb-cell"


async def report_context(datasette: Any, database: str, report_id: str) -> dict | None:
    """Everything the report page shows besides the row itself: sections, laid-out tables, links, chart."""
    db = datasette.get_database(database)
    found = await _rows(db, "select * from reports where id = ?", [report_id])
    if not found:
        return None
    report = found[0]
    sections = await _rows(
        db, "select no, title, text from sections where report_id = ? order by no", [report_id]
    )
    stats = await _rows(db, "select * from statistics where report_id = ?", [report_id])
    checks = await _rows(db, "select * from checks where report_id = ? order by ok, rule", [report_id])
    for check in checks:
        check["rule_name"] = notes.rule_name(check["rule"])
        check["detail_zh"] = notes.check_detail(check["rule"], check["detail"])
    others = await _rows(
        db,
        "select id, year, title, version, is_latest, applications_received, publish_date from reports "
        "where agency_id = ? order by year desc, version desc",
        [report["agency_id"]],
    )
    capture = None
    if report.get("capture_id") is not None:
        rows = await _rows(db, f"select {CAPTURE_COLUMNS} from captures where id = ?", [report["capture_id"]])
        capture = rows[0] if rows else None
    by_year: dict[int, float | None] = {}
    for other in sorted(others, key=lambda r: (r["year"] or 0, r["version"] or 0)):
        if other["year"] is not None and other["is_latest"] in (1, None):
            by_year[other["year"]] = other["applications_received"]
    chart = None
    if len(by_year) > 0:
        points = [(str(year), value) for year, value in sorted(by_year.items())]
        chart = Markup(
            svg.column_chart(
                points,
                title=f"{report['agency']}：本年新收申请数量（件）",
                highlight=str(report.get("year")),
            )
        )
    region = report.get("district") or report.get("city") or report.get("province") or ""
    urls = sorted({s["src_url"] for s in stats if s.get("src_url")})
    images = {
        r["url"]: r["latest_capture_id"]
        for r in await _rows(
            db,
            "select url, latest_capture_id from documents where latest_capture_id is not null and url in "
            f"({', '.join('?' * len(urls))})",
            urls,
        )
    }
    source = cell_source(datasette, database, capture, images) if capture else None
    tables = layout.report_tables(stats, checks, report.get("format"), source)
    for section in sections:
        section["heading"] = section_heading(section.get("no"), section.get("title"))
    unplaced = place_tables(sections, [name for name, table in tables.items() if table])
    return {
        "report": report,
        "notes": [
            notes.parser_note(note)
            for note in _json_list(report.get("errors")) + _json_list(report.get("warnings"))
        ],
        "sections": sections,
        "tables": tables,
        "unplaced_tables": unplaced,
        "table_titles": codes.TABLE_TITLES,
        "checks": checks,
        "failed_checks": [c for c in checks if not c["ok"]],
        "others": [o for o in others if str(o["id"]) != str(report["id"])],
        "capture": capture,
        "download_name": capture_helpers.download_name(capture) if capture else "",
        "capture_is_pdf": bool(capture)
        and capture_helpers.is_pdf(capture.get("content_type"), capture_helpers.download_name(capture)),
        "chart": chart,
        "region": region,
    }


@hookimpl
def extra_template_vars(
    template: str, database: str, table: str, view_name: str, request: Any, datasette: Any
) -> Any:
    if view_name != "row" or table != "reports" or request is None:
        return {}

    async def inner() -> dict:
        pks = request.url_vars.get("pks", "")
        context = await report_context(datasette, database, pks.split(",")[0])
        return {"nb": context} if context else {}

    return inner


# JSON-valued columns shown to readers as short lists instead of raw JSON (exports keep the JSON).
JSON_COLUMNS = {
    ("checks", "cells"),
    ("reports", "errors"),
    ("reports", "warnings"),
    ("crawl_runs", "errors"),
    ("crawl_runs", "warnings"),
    ("site_health", "last_errors"),
    ("site_health", "last_warnings"),
    ("captures", "headers"),
    (None, "cells"),
}
JSON_ITEMS = 5


# Parser problems and assumptions, shown in Chinese (the archive and the exports keep the parser's words).
NOTE_COLUMNS = {("reports", "errors"), ("reports", "warnings")}
# Stored codes shown to readers by their Chinese names (the code stays in the title and in every export).
CODED_COLUMNS = {
    ("statistics", "table_name"),
    ("statistics", "row_code"),
    ("statistics", "col_code"),
    ("checks", "rule"),
    ("reports", "parse_status"),
    ("reports", "format"),
    ("reports", "source_format"),
    ("captures", "kind"),
    ("documents", "kind"),
    ("site_health", "health"),
    (None, "rule"),
}


def _field(row: Any, name: str) -> Any:
    try:
        return row[name]
    except (IndexError, KeyError):
        return None


def coded_cell(value: Any, column: str, table: str | None, row: Any) -> Markup | None:
    """A code as its Chinese name with the code as a tooltip; a check's detail in Chinese; None otherwise."""
    if column == "detail" and table in ("checks", None) and isinstance(value, str):
        rule = _field(row, "rule")
        if isinstance(rule, str) and rule in labels.RULE_LABELS:
            return Markup(f'<span title="{escape(value)}">{escape(notes.check_detail(rule, value))}</span>')
        return None
    if (table, column) not in CODED_COLUMNS or not isinstance(value, str):
        return None
    if column in ("row_code", "col_code"):
        shown = codes.code_label(_field(row, "table_name"), value) or value
    else:
        shown = labels.value_label(value, column)
    if shown == value:
        return None
    return Markup(f'<span class="nb-coded" title="{escape(value)}">{escape(shown)}</span>')


def _json_item(item: Any) -> str:
    if isinstance(item, dict) and ("kind" in item or "detail" in item):
        kind, detail = item.get("kind") or "", item.get("detail") or ""
        return f"<code>{escape(kind)}</code> {escape(detail)}" if kind else str(escape(detail))
    if isinstance(item, str):
        return str(escape(item))
    return str(escape(json.dumps(item, ensure_ascii=False)))


def render_json(value: str, translate: Callable[[str], str] | None = None) -> Markup | None:
    """A JSON list or object as a short bulleted list ('无' when empty); None when not JSON. ``translate``
    rewrites each string item (parser notes into Chinese)."""
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return None
    if isinstance(data, dict):
        items = [f"<code>{escape(str(k))}</code>: {_json_item(v)}" for k, v in data.items()]
    elif isinstance(data, list):
        items = [
            str(escape(translate(item))) if translate and isinstance(item, str) else _json_item(item)
            for item in data
        ]
    else:
        return None
    if not items:
        return Markup('<span class="nb-muted">无</span>')
    more = len(items) - JSON_ITEMS
    lines = "".join(f"<li>{item}</li>" for item in items[:JSON_ITEMS])
    if more > 0:
        lines += f'<li class="nb-muted">…… 另 {more} 项 / {more} more</li>'
    return Markup(f'<ul class="nb-json">{lines}</ul>')


@hookimpl
def render_cell(value: Any, column: str, table: str, database: str, datasette: Any, row: Any) -> Any:
    if (table, column) in NOTE_COLUMNS and isinstance(value, str):
        rendered = render_json(value, notes.parser_note)
        if rendered is not None:
            return rendered
    if (table, column) in JSON_COLUMNS and isinstance(value, str):
        rendered = render_json(value, notes.cell_name if column == "cells" else None)
        if rendered is not None:
            return rendered
    coded = coded_cell(value, column, table, row)
    if coded is not None:
        return coded
    if table == "captures" and column == "body":
        try:
            capture_id = row["id"]
        except (IndexError, KeyError):
            capture_id = None
        if capture_id is None:
            return Markup("<em>–</em>")
        size = len(value) if isinstance(value, bytes | bytearray) else 0
        url = datasette.urls.path(f"/-/capture/{database}/{capture_id}")
        return Markup(
            f'<a href="{escape(url)}">查看存档 / view archived copy</a> <small>({size:,} B stored)</small>'
        )
    if table == "reports" and column == "source_url" and isinstance(value, str) and value.startswith(HTTP):
        # Follow a report back to the original: the live URL and the safe viewer of the archived copy.
        try:
            capture_id = row["capture_id"]
        except (IndexError, KeyError):
            capture_id = None
        if isinstance(capture_id, dict):  # an expanded foreign key: {"value": ..., "label": ...}
            capture_id = capture_id.get("value")
        live = f'<a href="{escape(value)}" rel="noopener noreferrer nofollow">{escape(value)}</a>'
        if capture_id is None:
            return Markup(live)
        viewer = datasette.urls.path(f"/-/capture/{database}/{capture_id}")
        return Markup(f'{live} · <a href="{escape(viewer)}">存档 archived copy</a>')
    if column == "title" and table in ("reports", None) and isinstance(value, str) and value:
        # A report's title leads to its report page (the reports table, and canned queries with report_id).
        try:
            report_id = row["id"] if table == "reports" else row["report_id"]
        except (IndexError, KeyError):
            report_id = None
        if isinstance(report_id, int):
            url = datasette.urls.row(database, "reports", str(report_id))
            return Markup(f'<a href="{escape(url)}">{escape(value)}</a>')
    if table is None and column == "report_id" and isinstance(value, int):
        # Canned queries: every report_id leads to its report page.
        url = datasette.urls.row(database, "reports", str(value))
        return Markup(f'<a href="{escape(url)}">{value}</a>')
    if table == "reports" and column == "text" and isinstance(value, str) and len(value) > TEXT_PREVIEW:
        # The full text is on the report page and in the JSON/CSV exports; the table shows the beginning.
        return Markup(f'<span title="{len(value):,} 字">{escape(value[:TEXT_PREVIEW])}…</span>')
    if table == "reports" and column == "search_text" and isinstance(value, str):
        return Markup(f'<small class="nb-muted">分词索引 {len(value):,} 字 / segmented index</small>')
    return None
