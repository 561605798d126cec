"""Datasette plugin: Excel (.xlsx) export of every table and query, with Chinese headers and a data dictionary."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from datasette.utils.asgi import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from datasette import hookimpl

_HERE = str(Path(__file__).resolve().parent)  # plugins/ is not a package: make nianbao_web importable
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
from nianbao_web import exports  # noqa: E402

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _put(sheet: Any, values: list[Any]) -> None:
    """Append a row; text is always text (never a formula: archived pages are untrusted), no control chars."""
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


async def render_xlsx(
    datasette: Any,
    columns: list[str],
    rows: list,
    request: Any,
    database: str,
    table: str | None,
    query_name: str | None,
    data: dict,
) -> Response:
    more = bool(data.get("next")) or bool(data.get("truncated"))
    if more and request.args.get("_size") != "max":
        # Excel gets every row Datasette will return in one response, not one page of them.
        separator = "&" if request.query_string else ""
        return Response.redirect(f"{request.path}?{request.query_string}{separator}_size=max")
    columns_meta = (
        datasette.metadata("columns", database=database, table=table, fallback=False) if table else {}
    )
    query = await datasette.get_canned_query(database, query_name, request.actor) if query_name else None
    descriptions = columns_meta or {}
    what = exports.what_of(table, query_name, (query or {}).get("title"))
    known = (
        await exports.report_names(datasette.get_database(database), request.args["report_id"])
        if (request.args.get("report_id"))
        else {}
    )
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    _put(sheet, exports.headers(columns, descriptions))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in exports.rows_as_values(rows, columns):
        _put(sheet, values)
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("数据字典")
    _put(guide, ["表头", "字段代码", "说明"])
    for entry in exports.dictionary(columns, descriptions):
        _put(guide, list(entry))
    _put(guide, [])
    _put(
        guide,
        [
            "来源",
            datasette.absolute_url(
                request, request.path + ("?" + request.query_string if request.query_string else "")
            ),
        ],
    )
    if more:
        _put(guide, ["注意", f"只导出了前 {len(rows):,} 行（单次导出上限）；全部行请用 CSV 导出。"])
    out = io.BytesIO()
    book.save(out)
    stem = exports.file_stem(what, request.query_string, known)
    return Response(
        out.getvalue(),
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": exports.disposition(stem, "xlsx")},
    )


@hookimpl
def register_output_renderer(datasette: Any) -> dict:
    return {
        "extension": "xlsx",
        "render": render_xlsx,
        "can_render": lambda view_name: view_name != "row",
    }
