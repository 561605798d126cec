"""Datasette plugin: capture viewer, charts page, and the safety wrapper (CSP, read-only, no raw blob download)."""

from __future__ import annotations

import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from datasette.database import QueryInterrupted
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from datasette import hookimpl

_HERE = str(Path(__file__).resolve().parent)  # plugins/ is not a package: make nianbao_web importable
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
from nianbao_web import capture as cap  # noqa: E402
from nianbao_web import codes, exports, labels, notes, overrides, pdfpage, svg  # noqa: E402

# Pages that show archived content: nothing may run, load from elsewhere, or submit anywhere.
ARCHIVE_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "script-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'; sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-downloads"
)


def _menu_script_hash() -> str:
    """CSP hash of Datasette's own inline menu script (templates/_close_open_menus.html), so it may run."""
    import base64
    import hashlib

    import datasette

    template = Path(datasette.__file__).parent / "templates" / "_close_open_menus.html"
    try:
        text = template.read_text("utf-8")
        script = text.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    except (OSError, IndexError):
        return ""
    return " 'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


# Report pages show text extracted from archived pages: no inline script except Datasette's known menu script.
REPORT_CSP = (
    f"default-src 'self'; script-src 'self'{_menu_script_hash()}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
BASE_CSP = "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
_REPORT_PAGE = re.compile(r"^/[^/]+/reports/[^/]+$")
# Exports leave out columns nobody reads in a spreadsheet unless asked for by name (?_col=...): captures'
# compressed bodies (read them on /-/capture/<db>/<id>), reports' full text and its segmented copy.
_EXPORT = re.compile(r"^/(?P<database>[^/]+)/(?P<name>[^/]+)\.(?P<ext>json|csv|xlsx)$")
HEAVY_COLUMNS = {"captures": (b"body",), "reports": (b"text", b"search_text")}
_CSV_EXPORT = re.compile(r"^/(?P<database>[^/]+)/(?P<name>[^/]+)\.csv$")
_ARCHIVE_PAGE = re.compile(r"^/-/capture/")

CAPTURE_SQL = (
    "select id, url, final_url, status, fetched_at, content_type, size, sha256, body, body_codec, kind, "
    "site_id, agency_id, link_text, headers from captures where id = ?"
)
# Any part of a province, city or district name (宁夏, 鹿城), or a region-code prefix.
REGION_WHERE = (
    "(:region = '' or instr(coalesce(r.province, '') || '/' || coalesce(r.city, '') || '/' "
    "|| coalesce(r.district, ''), :region) > 0 or r.region_code like :region || '%')"
)
REFUSAL_SQL = f"""
select s.row_code, sum(s.value) as applications
from reports r
cross join statistics s
  on s.report_id = r.id and s.table_name = 'table3' and s.col_code = 'total'
  and (s.row_code like 'denied\\_%' escape '\\' or s.row_code like 'unable\\_%' escape '\\')
where r.is_latest = 1
  and (:year = 'all' or r.year = :year)
  and (:agency = '' or r.agency_id = :agency or r.agency = :agency)
  and {REGION_WHERE}
group by s.row_code
"""
AGENCY_SQL = """
select year, max(applications_received) as applications, max(agency) as agency, count(*) as reports
from reports where is_latest = 1 and (agency_id = :agency or agency = :agency)
group by year order by year
"""
TOTALS_SQL = f"""
select r.year, sum(r.applications_received) as applications, count(*) as reports
from reports r
where r.is_latest = 1 and r.year is not null and {REGION_WHERE}
group by r.year order by r.year
"""
ALL_YEARS = ("all", "全部")
TIMEOUT = "查询超时，请缩小地区或指定年度 / The query took too long: narrow the region or pick a year."


def policy_for(path: str) -> str:
    if _ARCHIVE_PAGE.match(path):
        return ARCHIVE_CSP
    if _REPORT_PAGE.match(path):
        return REPORT_CSP
    return BASE_CSP


async def _check_view(datasette: Any, request: Any, database: str, table: str) -> None:
    try:
        datasette.get_database(database)
    except KeyError as error:
        raise NotFound(f"no database {database}") from error
    await datasette.ensure_permissions(
        request.actor, [("view-table", (database, table)), ("view-database", database), "view-instance"]
    )


def _cell_param(request: Any) -> tuple[int, int, int] | None:
    """(table, row, col) of a statistics cell from ?table=&row=&col= (None when absent or not numbers)."""
    try:
        return tuple(int(request.args[k]) for k in ("table", "row", "col"))  # type: ignore[return-value]
    except (KeyError, ValueError):
        return None


def _cell_context(request: Any, where: tuple[int, int, int] | None) -> dict | None:
    """What the reader followed here: the cell's name (from ?cell=table3.x.y), value and position."""
    if where is None:
        return None
    address = request.args.get("cell", "")
    return {
        "name": notes.cell_name(address) if address else "",
        "value": request.args.get("value", ""),
        "table": where[0] + 1,
        "row": where[1] + 1,
        "col": where[2] + 1,
        "page": request.args.get("page", ""),
    }


async def _capture_row(datasette: Any, request: Any) -> tuple[str, Any, dict]:
    database, capture_id = request.url_vars["database"], request.url_vars["capture_id"]
    await _check_view(datasette, request, database, "captures")
    db = datasette.get_database(database)
    rows = (await db.execute(CAPTURE_SQL, [capture_id])).rows
    if not rows:
        raise NotFound("no such capture")
    return database, db, dict(rows[0])


async def capture_view(datasette: Any, request: Any) -> Response:
    """An archived capture as escaped source, sanitized HTML, or (non-HTML only) an attachment download."""
    database, db, row = await _capture_row(datasette, request)
    content_type = row["content_type"] or ""
    html, textual = cap.is_html(content_type), cap.is_text(content_type)
    image = content_type.split(";")[0].strip().lower().startswith("image/")
    view = request.args.get("view") or (
        "html" if html else "source" if textual else "image" if image else "info"
    )
    if view == "image" and not image:
        view = "info"
    name = cap.download_name(row)
    if view == "download":
        # Always an attachment (saved, never shown here); archived pages and text as opaque bytes, so that no
        # browser renders them on this origin.
        data = cap.decode_body(row["body"], row["body_codec"])
        kind = "application/octet-stream" if html or textual else content_type.split(";")[0].strip()
        return Response(
            data,
            content_type=kind or "application/octet-stream",
            headers={"Content-Disposition": cap.content_disposition(name, row["id"])},
        )
    where = _cell_param(request)
    if view == "image":
        return await _image_view(datasette, request, database, row, name)
    text = cap.body_text(row["body"], row["body_codec"], content_type) if (html or textual) else ""
    reports = (
        await db.execute("select id, title, year, version from reports where capture_id = ?", [row["id"]])
    ).rows
    context = {
        "database": database,
        "capture": {k: v for k, v in row.items() if k != "body"},
        "download_name": name,
        "is_pdf": cap.is_pdf(content_type, name),
        "is_image": image,
        "view": view,
        "is_html": html,
        "is_text": textual,
        "cell": _cell_context(request, where) if view == "html" else None,
        "sanitized": Markup(cap.sanitize_html(text, row["final_url"] or row["url"], mark=where))
        if view == "html"
        else "",
        "source": text if view == "source" else "",
        "reports": [dict(r) for r in reports],
    }
    return Response.html(await datasette.render_template("nianbao_capture.html", context, request=request))


def _box_param(request: Any) -> dict | None:
    """The cell's box from ?box=x0,top,x1,bottom (fractions of the image, as statistics.src_box stores it)
    in percent for the overlay; None when absent or malformed."""
    try:
        x0, top, x1, bottom = (min(1.0, max(0.0, float(v))) for v in request.args.get("box", "").split(","))
    except ValueError:
        return None
    if x1 <= x0 or bottom <= top:
        return None
    return {"left": 100 * x0, "top": 100 * top, "width": 100 * (x1 - x0), "height": 100 * (bottom - top)}


async def _image_view(datasette: Any, request: Any, database: str, row: dict, name: str) -> Response:
    """An archived image (a table published as an <img>) with the box of the cell OCR read from it."""
    address = request.args.get("cell", "")
    confidence = request.args.get("confidence", "")
    cell = {
        "name": notes.cell_name(address) if address else "",
        "value": request.args.get("value", ""),
        "confidence": confidence if re.fullmatch(r"[01](\.[0-9]{1,3})?", confidence) else "",
    }
    context = {
        "database": database,
        "capture": {k: v for k, v in row.items() if k != "body"},
        "download_name": name,
        "is_pdf": False,
        "is_image": True,
        "view": "image",
        "cell": cell if address or cell["value"] else None,
        "box": _box_param(request),
        "reports": [],
    }
    return Response.html(await datasette.render_template("nianbao_capture.html", context, request=request))


async def pdf_page_view(datasette: Any, request: Any) -> Response:
    """One page of an archived PDF drawn as an image, with the box of the cell a reader followed here."""
    database, _, row = await _capture_row(datasette, request)
    name = cap.download_name(row)
    if not cap.is_pdf(row["content_type"], name):
        raise NotFound("not a PDF")
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    where = _cell_param(request)
    rendered = await pdfpage.render_limited(cap.decode_body(row["body"], row["body_codec"]), page, where)
    box = rendered.get("box")
    width, height = rendered.get("width") or 1, rendered.get("height") or 1
    context = {
        "database": database,
        "capture": {k: v for k, v in row.items() if k != "body"},
        "download_name": name,
        "page": page,
        "pages": rendered.get("pages") or 0,
        "error": rendered.get("error", ""),
        "image": f"data:image/png;base64,{rendered['png']}" if rendered.get("png") else "",
        "box": {
            "left": 100 * box[0] / width,
            "top": 100 * box[1] / height,
            "width": 100 * (box[2] - box[0]) / width,
            "height": 100 * (box[3] - box[1]) / height,
        }
        if box
        else None,
        "cell": _cell_context(request, where),
        "query": {k: request.args.get(k, "") for k in ("table", "row", "col", "cell", "value")},
    }
    return Response.html(await datasette.render_template("nianbao_pdf_page.html", context, request=request))


async def charts_view(datasette: Any, request: Any) -> Response:
    """Server-rendered SVG charts: requests per year (an agency, a region or the whole archive) and refusal
    grounds (empty year = the latest year in the archive; year = all for every year)."""
    database = request.url_vars["database"]
    await _check_view(datasette, request, database, "reports")
    db = datasette.get_database(database)
    agency = request.args.get("agency", "").strip()
    region = request.args.get("region", "").strip()
    year = request.args.get("year", "").strip()
    latest = (await db.execute("select max(year) from reports where is_latest = 1")).first()[0]
    refusal_year = "all" if year in ALL_YEARS else (year or ("" if latest is None else str(latest)))
    errors: list[str] = []
    where = region or "全部地区"
    agency_name = ""
    try:
        if agency:
            rows = (await db.execute(AGENCY_SQL, {"agency": agency})).rows
            if not rows:  # not an agency id or full name: pick it by any part of its name (rankings plugin)
                query = urlencode({"name": agency})
                return Response.redirect(datasette.urls.path(f"/-/agency/{database}") + "?" + query)
            who = agency_name = rows[0]["agency"]
        else:
            rows = (await db.execute(TOTALS_SQL, {"region": region})).rows
            who = f"{where}（全部机关）"
        points = [(f"{r['year']}\n{r['reports']} 份报告", r["applications"]) for r in rows]
        trend_chart = Markup(svg.column_chart(points, title=f"{who}：本年新收申请数量（件）"))
    except QueryInterrupted:
        trend_chart = None
        errors.append(TIMEOUT)
    try:
        params = {"region": region, "year": refusal_year, "agency": agency}
        rows = (await db.execute(REFUSAL_SQL, params)).rows
        items = sorted(
            (
                (codes.code_label("table3", r["row_code"]) or r["row_code"], r["applications"] or 0)
                for r in rows
            ),
            key=lambda item: -item[1],
        )
        when = "各年度合计" if refusal_year == "all" else f"{refusal_year}年度"
        scope = agency_name or agency or where
        refusal_chart = Markup(svg.bar_chart(items, title=f"{scope} {when}：不予公开与无法提供的理由（件）"))
    except QueryInterrupted:
        refusal_chart = None
        errors.append(TIMEOUT)
    context = {
        "database": database,
        "agency": agency,
        "region": region,
        "year": year,
        "latest": latest,
        "refusal_year": refusal_year,
        "agency_name": agency_name or agency,
        "agency_chart": trend_chart,
        "refusal_chart": refusal_chart,
        "error": errors[0] if errors else "",
    }
    return Response.html(await datasette.render_template("nianbao_charts.html", context, request=request))


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Awaitable[Response]]]]:
    return [
        (r"^/-/capture/(?P<database>[^/]+)/(?P<capture_id>[0-9]+)$", capture_view),
        (r"^/-/capture/(?P<database>[^/]+)/(?P<capture_id>[0-9]+)/page$", pdf_page_view),
        (r"^/-/charts/(?P<database>[^/]+)$", charts_view),
    ]


async def _refuse(send: Callable, status: int, message: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD, OPTIONS")],
        }
    )
    await send({"type": "http.response.body", "body": message.encode("utf-8")})


async def _csv_names(datasette: Any, path: str, query: str) -> tuple[str, dict]:
    """File name stem and column descriptions of a CSV export (table or canned query at ``path``)."""
    match = _CSV_EXPORT.match(path)
    if not match:
        return "export", {}
    database, name = unquote(match["database"]), unquote(match["name"])
    try:
        db = datasette.get_database(database)
    except KeyError:
        return "export", {}
    is_table = await db.table_exists(name) or name in await db.view_names()
    columns = datasette.metadata("columns", database=database, table=name, fallback=False) if is_table else {}
    canned = None if is_table else await datasette.get_canned_query(database, name, None)
    args = dict(parse_qsl(query))
    known = await exports.report_names(db, args["report_id"]) if args.get("report_id") else {}
    what = exports.what_of(name if is_table else None, name, (canned or {}).get("title"))
    return exports.file_stem(what, query, known), columns or {}


def _csv_for_excel(datasette: Any, scope: dict, send: Callable) -> Callable:
    """Send a CSV export with a BOM and Chinese headers (?_bom=1), named after what it holds (?_dl=1)."""
    query = scope.get("query_string", b"").decode("latin-1")
    args = dict(parse_qsl(query))
    bom, download = args.get("_bom") == "1", bool(args.get("_dl"))
    state: dict[str, Any] = {"head": b"", "done": not bom}

    async def send_csv(event: dict) -> None:
        if event["type"] == "http.response.start":
            if event.get("status") != 200:
                state["done"] = True
                return await send(event)
            stem, state["descriptions"] = await _csv_names(datasette, scope["path"], query)
            replaced = {b"content-length", *([b"content-disposition"] if download else [])}
            headers = [(k, v) for k, v in event.get("headers", []) if k.lower() not in replaced]
            if download:
                headers.append((b"content-disposition", exports.disposition(stem, "csv").encode("latin-1")))
            return await send({**event, "headers": headers})
        if state["done"]:
            return await send(event)
        state["head"] += event.get("body", b"")
        more = event.get("more_body", False)
        if b"\n" not in state["head"] and more:
            return None
        line, _, rest = state["head"].partition(b"\n")
        state["done"] = True
        body = exports.relabel_csv_header(line + b"\n", state["descriptions"]) + rest
        return await send({**event, "body": body})

    return send_csv


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable:
    def wrap(app: Callable) -> Callable:
        async def guarded(scope: dict, receive: Callable, send: Callable) -> None:
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            path = scope.get("path", "")
            query = scope.get("query_string", b"")
            if scope.get("method", "GET") not in READ_METHODS:
                return await _refuse(send, 405, "This archive is read-only.")
            if path.endswith(".blob") or b"_blob_column=" in query:
                return await _refuse(send, 403, "Raw bodies are not downloadable; use /-/capture/<db>/<id>.")
            export = _EXPORT.match(path)
            heavy = HEAVY_COLUMNS.get(unquote(export["name"]), ()) if export else ()
            if heavy and b"_col=" not in query and b"_nocol=" not in query:
                extra_args = b"&".join(b"_nocol=" + column for column in heavy)
                scope = {**scope, "query_string": (query + b"&" if query else b"") + extra_args}
            extra = [
                (b"content-security-policy", policy_for(path).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"strict-origin-when-cross-origin"),
            ]

            async def send_with_headers(event: dict) -> None:
                if event["type"] == "http.response.start":
                    event = {**event, "headers": [*event.get("headers", []), *extra]}
                await send(event)

            if export and export["ext"] == "csv" and (b"_bom=1" in query or b"_dl=" in query):
                return await app(scope, receive, _csv_for_excel(datasette, scope, send_with_headers))
            return await app(scope, receive, send_with_headers)

        return guarded

    return wrap


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/assets/nianbao.css")]


# The reader's view of the reports table: bookkeeping columns left out (the cog menu shows them again; the
# JSON/CSV exports and the report page keep everything).
READER_HIDDEN = (
    "capture_id",
    "document_url",
    "version",
    "is_latest",
    "site_id",
    "agency_id",
    "region_code",
    "source_format",
    "errors",
    "warnings",
    "table_is_image",
    "content_hash",
    "text",
    "search_text",
)
READER_QUERY = "&".join(f"_nocol={column}" for column in READER_HIDDEN)


def reports_url(datasette: Any, database: str) -> str:
    """The reports table as a reader first sees it (title, agency, region, year, dates, checks, requests)."""
    return datasette.urls.table(database, "reports") + "?" + READER_QUERY


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    # Datasette's own templates read in Chinese (overrides.TEXT); Nianbao's templates replace whole blocks.
    env.add_extension(overrides.DefaultTextExtension)
    # {{ value|nb_value(column) }}: a stored code (parse_status, rule, row_code, …) as a reader sees it.
    env.filters["nb_value"] = lambda value, column, table=None: labels.value_label(
        value, str(column), codes.code_label
    )
    env.filters["nb_lookup"] = lambda display: labels.LOOKUP_LABELS.get(str(display), str(display))
    env.filters["nb_crumb"] = lambda label: (
        "首页" if str(label) == "home" else labels.TABLE_LABELS.get(str(label), str(label))
    )
    # {{ table|nb_table }}: a table's Chinese name.
    env.filters["nb_table"] = lambda name: labels.TABLE_LABELS.get(str(name), str(name))
    # {{ column|nb_label }} / {{ column|nb_label(description) }}: a short Chinese header over the column name.
    env.filters["nb_label"] = lambda name, description=None: labels.label_for(str(name), description)
    # {{ column|nb_wbr }}: long snake_case names may wrap after an underscore in narrow headers.
    env.filters["nb_wbr"] = lambda name: Markup(str(escape(str(name))).replace("_", "_<wbr>"))


HOME_COUNTS_SQL = """
select
  (select count(*) from reports where is_latest = 1) as reports,
  (select count(distinct agency_id) from reports) as agencies,
  (select count(distinct region_code) from reports) as regions,
  (select min(year) from reports) as first_year,
  (select max(year) from reports) as last_year
"""
AS_OF_SQL = "select max(coalesce(ended_at, started_at)) from crawl_runs"
HOME_TABLES = ("reports", "statistics", "checks", "sections", "agencies", "sites", "site_health")
HOME_TIME_LIMIT_MS = 1500


async def home_context(datasette: Any) -> list[dict]:
    """For each archive database: its counts, coverage, 'data as of' (latest crawl) and main tables."""
    out = []
    for name, db in datasette.databases.items():
        if name == "_internal" or not await db.table_exists("reports"):
            continue
        tables = set(await db.table_names()) | set(await db.view_names())
        counts, as_of = None, None
        try:
            counts = dict((await db.execute(HOME_COUNTS_SQL, custom_time_limit=HOME_TIME_LIMIT_MS)).first())
            if "crawl_runs" in tables:
                as_of = (await db.execute(AS_OF_SQL, custom_time_limit=HOME_TIME_LIMIT_MS)).first()[0]
        except QueryInterrupted:
            pass
        out.append(
            {
                "database": name,
                "counts": counts,
                "as_of": (as_of or "")[:10].replace("T", " ") or None,
                "tables": [t for t in HOME_TABLES if t in tables],
            }
        )
    return out


@hookimpl
def extra_template_vars(view_name: str, datasette: Any) -> Any:
    if view_name != "index":
        return {"nb_reader_query": READER_QUERY}

    async def inner() -> dict:
        return {"nb_reader_query": READER_QUERY, "nb_home": await home_context(datasette)}

    return inner


@hookimpl
def menu_links(datasette: Any) -> list[dict]:
    names = [name for name in datasette.databases if name != "_internal"]
    links = []
    for name in names[:1]:
        links += [
            {"href": reports_url(datasette, name), "label": "全部年报 / All reports"},
            {"href": datasette.urls.database(name) + "/search", "label": "全文检索 / Search"},
            {"href": datasette.urls.path(f"/-/charts/{name}"), "label": "图表 / Charts"},
        ]
    return links
