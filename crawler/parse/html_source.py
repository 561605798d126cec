"""HTML report pages: the body container, its text as lines, and the report tables as expanded grids."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html
import trafilatura

from crawler.parse import embedded, limits
from crawler.parse.extracted import Extracted
from crawler.parse.labels import is_report_table
from crawler.parse.numbers import squeeze
from crawler.parse.rows import SrcRow, clean_text, grid_rows

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_CONTAINER_NAMES = {
    "trs_editor",
    "trs_editor_view",
    "trs_ueditor",
    "article_content",
    "article-content",
    "articlecontent",
    "zoom",
    "ucap-content",
    "ucapcontent",
    "pages_content",
    "ivs_content",
    "vsb_content",
    "v_news_content",
    "content",
    "xxgk_content",
    "main-content",
    "detail-content",
    "news_content",
    "bt-content",
}
_BLOCK = frozenset(
    [
        "p",
        "div",
        "br",
        "tr",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "section",
        "article",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "td",
        "th",
        "blockquote",
        "pre",
        "center",
        "form",
        "header",
        "footer",
        "nav",
        "address",
        "hr",
        "tbody",
        "thead",
        "tfoot",
        "caption",
    ]
)
_SKIP = frozenset(
    [
        "xml",
        "script",
        "style",
        "noscript",
        "head",
        "select",
        "option",
        "textarea",
        "iframe",
        "object",
        "svg",
        "template",
        "button",
    ]
)
TABLE_MARK = "\x1e"
_SPACES = re.compile(r"[ \u00a0\u3000\r\f\v]+")
_SPACES_TABS = re.compile(r"[ \t\u00a0\u3000\r\f\v]+")
_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date", "maketime")


def _span(value: str | None) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    return int(m.group(1)) if m else 1


def _rows_of(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [tr for tr in table.xpath("./tr|./*/tr")]


def read_table(table: lxml.html.HtmlElement, index: int, ex: Extracted) -> list[SrcRow]:
    """Expand one <table> (rowspan/colspan) into rows, capped in rows and columns."""
    trs = _rows_of(table)
    if len(trs) > limits.MAX_TABLE_ROWS:
        ex.errors.append(f"table {index} has {len(trs)} rows; only the first {limits.MAX_TABLE_ROWS} read")
        trs = trs[: limits.MAX_TABLE_ROWS]
    cells_by_row = []
    for tr in trs:
        row = []
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            text = td.text_content()
            row.append(
                (
                    text,
                    min(_span(td.get("colspan")), limits.MAX_COLSPAN),
                    min(_span(td.get("rowspan")), limits.MAX_ROWSPAN),
                )
            )
        cells_by_row.append(row)
    return grid_rows(cells_by_row, table=index, page=None, max_cols=limits.MAX_GRID_COLS)


def _leaf_tables(root: lxml.html.HtmlElement) -> tuple[list[lxml.html.HtmlElement], set[int]]:
    tables = list(root.iter("table"))
    non_leaf: set[int] = set()
    for t in tables:
        parent = next(t.iterancestors("table"), None)
        if parent is not None:
            non_leaf.add(id(parent))
    return tables, non_leaf


def _container(root: lxml.html.HtmlElement, report_tables: list) -> lxml.html.HtmlElement:
    table_ancestors = [set(map(id, t.iterancestors())) for t in report_tables]
    best = None
    best_len = 0
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        names = (el.get("class") or "").lower().split()
        ident = (el.get("id") or "").lower()
        if ident not in _CONTAINER_NAMES and not any(n in _CONTAINER_NAMES for n in names):
            continue
        if not all(id(el) in anc for anc in table_ancestors):
            continue
        text = el.text_content()
        if "总体情况" not in text and "政府信息公开" not in text:
            continue
        if best is None or len(text) < best_len:
            best, best_len = el, len(text)
    if best is not None:
        return best
    anchors = list(report_tables)
    anchors += root.xpath(
        "//body//*[contains(text(),'总体情况') or contains(text(),'概述') or contains(text(),'其他需要报告')]"
    )[:10]
    body = root.find("body")
    if body is None:
        body = root
    if not anchors:
        return body
    chains = [list(a.iterancestors())[::-1] + [a] for a in anchors]
    common = body
    for level in zip(*chains, strict=False):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    if common.tag in ("html", "head") or len(anchors) == 1 and common is anchors[0]:
        common = common.getparent() if common.tag not in ("html", "head") else body
    return common if common is not None else body


def _walk_text(
    container: lxml.html.HtmlElement, rendered: dict[int, list[str]], non_leaf: set[int]
) -> list[str]:
    out: list[str] = []
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(container, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag if isinstance(node.tag, str) else None
        if closing:
            if tag in _BLOCK:
                out.append("\n")
            if node.tail and node is not container:
                out.append(node.tail)
            continue
        if tag is None or tag in _SKIP:
            if node.tail and node is not container:
                out.append(node.tail)
            continue
        if tag == "table" and id(node) not in non_leaf:
            out.append("\n")
            out.append("\n".join(TABLE_MARK + ln for ln in rendered.get(id(node)) or _render_plain(node)))
            out.append("\n")
            if node.tail:
                out.append(node.tail)
            continue
        if tag == "img":
            out.append("\n[图片]\n")
        if tag in _BLOCK:
            out.append("\n")
        if node.text:
            out.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    lines = []
    for line in "".join(out).split("\n"):
        if line.startswith(TABLE_MARK):
            line = TABLE_MARK + _SPACES.sub(" ", line[1:]).strip()
        else:
            line = _SPACES_TABS.sub(" ", line).strip()
        if line.strip(TABLE_MARK):
            lines.append(line)
    return lines


def _render_plain(table: lxml.html.HtmlElement) -> list[str]:
    lines = []
    for tr in _rows_of(table)[: limits.MAX_TABLE_ROWS]:
        cells = [
            clean_text(td.text_content()) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")
        ]
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def _main_text(html: str) -> list[str]:
    """The article's text lines by trafilatura, for pages whose body no report anchor or container gives away."""
    try:
        found = trafilatura.extract(html, include_tables=False, include_comments=False, favor_recall=True)
    except Exception:  # trafilatura on hostile markup: fall back to the page body
        return []
    return [ln.strip() for ln in (found or "").splitlines() if ln.strip()]


def _report_tables(tables: list[lxml.html.HtmlElement], non_leaf: set[int]) -> list[lxml.html.HtmlElement]:
    """The leaf tables that are the report's statistics tables (by their labels)."""
    return [
        t
        for t in tables
        if id(t) not in non_leaf and is_report_table(squeeze(t.text_content()[:20000]), columns=1)
    ]


def _image_srcs(container: lxml.html.HtmlElement) -> list[str]:
    return [src.strip() for img in container.iter("img") if (src := img.get("src") or "").strip()]


def _config_scripts(root: lxml.html.HtmlElement) -> list[str]:
    """The texts of a gkmlpt page's `window._CONFIG` scripts (its article may sit in one)."""
    return [el.text for el in root.iter("script") if el.text and "_CONFIG" in el.text]


def table_image_srcs(text: str, *, nested: bool = False) -> list[str]:
    """`read_html(text).image_srcs` — the body images standing in for the report's tables, [] when the page
    has report tables — without reading the tables and the text: the crawler asks this of every report page
    it fetches, and most have real tables or no image at all."""
    head = text[: limits.MAX_TEXT_CHARS].lower()
    if "<img" not in head and "_config" not in head:  # (a gkmlpt article's markup is escaped in a script)
        return []
    try:
        root = lxml.html.document_fromstring(_XML_DECL.sub("", text[: limits.MAX_TEXT_CHARS]))
    except (lxml.etree.ParserError, ValueError):
        return []
    tables, non_leaf = _leaf_tables(root)
    if _report_tables(tables, non_leaf):
        return []
    container = _container(root, [])
    outer = _image_srcs(container)
    scripts = _config_scripts(root)
    found = embedded.from_scripts(scripts) if scripts and not nested else None
    if found is not None and table_image_srcs(found[0], nested=True) != outer:
        # read_html takes the script's article only when the page's own text is short: ask it which
        return read_html(text).image_srcs
    return outer


def read_html(text: str, *, nested: bool = False) -> Extracted:
    """Parse one HTML page (already decoded) into an Extracted; a gkmlpt page's article is read from its
    `window._CONFIG` script."""
    ex = Extracted(source_format="html")
    text = _XML_DECL.sub("", text[: limits.MAX_TEXT_CHARS])
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        ex.fatal = f"cannot parse HTML: {exc}"
        return ex
    if any("Excessive depth" in e.message for e in parser.error_log):
        ex.errors.append("HTML nested more than 255 levels deep; the page after that point was not read")
    meta = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        if name and name not in meta:
            meta[name] = (m.get("content") or "").strip()
    tables, non_leaf = _leaf_tables(root)
    report_tables = _report_tables(tables, non_leaf)
    rendered: dict[int, list[str]] = {}
    total = 0
    for i, t in enumerate(report_tables):
        rows = read_table(t, i, ex)
        total += len(rows)
        if total > limits.MAX_TOTAL_ROWS:
            ex.errors.append(f"more than {limits.MAX_TOTAL_ROWS} table rows; the rest not read")
            break
        ex.rows.extend(rows)
        rendered[id(t)] = [
            "\t".join(clean_text(c.text or "") for c in r.cells if not c.inherited)
            for r in rows
            if any((c.text or "").strip() for c in r.cells if not c.inherited)
        ]
    container = _container(root, report_tables)
    body_el = root.find("body")
    unanchored = not report_tables and container in (root, body_el)
    extracted = _main_text(text) if unanchored else None
    if extracted:
        # No report anchor and no known body container: let trafilatura tell the article from the chrome.
        ex.lines.extend(extracted[: limits.MAX_LINES])
    for i, line in enumerate(
        [] if extracted else _walk_text(container, rendered, non_leaf)[: limits.MAX_LINES]
    ):
        if line.startswith(TABLE_MARK):
            ex.table_lines.add(i)
            line = line[1:]
        ex.lines.append(line)
    if not report_tables and container.find(".//img") is not None:
        ex.table_is_image = True
        ex.image_srcs = _image_srcs(container)
    body_text = "".join(ln for i, ln in enumerate(ex.lines) if i not in ex.table_lines)
    if not report_tables and len(body_text) < 200:
        scripts = _config_scripts(root)
        found = embedded.from_scripts(scripts) if scripts else None
        if found is not None and not nested:
            inner = read_html(found[0], nested=True)
            inner.date_candidates += [d for d in (found[2],) if d]
            return inner
    for key in ("articletitle", "og:title", "title"):
        if meta.get(key):
            ex.title_candidates.append(meta[key])
    ex.title_candidates += [clean_text(h.text_content()) for h in root.iter("h1")][:3]
    ex.title_candidates += [ln for ln in ex.lines[:6] if ("报告" in ln or "年报" in ln) and len(ln) <= 80]
    title_el = root.find(".//title")
    if title_el is not None and title_el.text:
        ex.title_candidates += [
            p for p in re.split(r"\s*(?:[_|]|-{2,}|——)\s*|\s+-\s+", title_el.text.strip()) if p
        ]
    ex.date_candidates += [meta[k] for k in _DATE_META if meta.get(k)]
    body = root.find("body")
    ex.page_text = (body if body is not None else root).text_content()[:400_000]
    return ex


def read_mht(data: bytes) -> Extracted:
    """A Word 'single file web page' (MHT, often published as .doc): the HTML part of the MIME message."""
    import email
    import email.policy

    from crawler.decoding import decode_bytes, strip_controls

    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            decoded = decode_bytes(payload, f"text/html; charset={charset}" if charset else None)
            return read_html(strip_controls(decoded.text))
    return Extracted(source_format="html", fatal="MHT archive without an HTML part")
