"""Chinese full-text search: jieba segmentation for the index and for queries, and the reports_fts builder.

SQLite FTS5 cannot segment Chinese (unicode61 keeps a run of Han characters as one token, trigram cannot
match 1–2 character queries). So the text is segmented by jieba before FTS5 sees it: ``reports.search_text``
holds ``cut_for_search`` tokens joined by spaces (words *and* their dictionary sub-words, so 行政复议 is
indexed as 行政 复议 行政复议), and ``reports_fts`` (FTS5, unicode61, external content ``reports``) indexes the
segmented title and ``search_text``. Queries are segmented the same way by :func:`jieba_query`, which Datasette
gets as the SQL function ``jieba_query(q)`` (datasette/plugins/nianbao_search.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

import jieba
import sqlite_utils

FTS_TABLE = "reports_fts"
# Indexes that keep facets, filters and report pages fast on a large archive (see bench/datasette.py).
SERVING_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Covering indexes for the reports facets (year, province, city, district, agency, format, parse_status):
    # under a year filter, a region filter, or none, every facet count is answered from an index alone.
    ("reports", ("year", "province", "city", "district", "agency", "format", "parse_status")),
    ("reports", ("province", "city", "district", "year", "agency", "format", "parse_status")),
    ("reports", ("agency", "year", "format", "parse_status")),
    ("reports", ("format", "parse_status", "year")),
    ("reports", ("parse_status", "year")),
    ("reports", ("published_late", "year")),
    ("reports", ("capture_id",)),
    ("reports", ("version",)),
    ("checks", ("ok", "report_id")),
    ("documents", ("versions",)),
)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_BATCH = 500

jieba.setLogLevel(logging.WARNING)


def _is_token(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def segment(text: str | None) -> str:
    """Space-joined jieba ``cut_for_search`` tokens of ``text`` (words and their sub-words), punctuation dropped."""
    if not text:
        return ""
    return " ".join(t.strip() for t in jieba.cut_for_search(text) if _is_token(t))


def _subword_cover(word: str) -> list[str] | None:
    """Split a long word into consecutive dictionary 2/3-character words, as cut_for_search indexes them."""
    freq = jieba.dt.FREQ
    parts: list[str] = []
    i = 0
    while i < len(word):
        for size in (2, 3):
            piece = word[i : i + size]
            if len(piece) == size and freq.get(piece):
                parts.append(piece)
                i += size
                break
        else:
            return None
    return parts


def query_tokens(term: str) -> list[str]:
    """The index tokens a single query term must hit, in order: precise words, long words by sub-words."""
    tokens: list[str] = []
    for word in jieba.cut(term):
        word = word.strip()
        if not _is_token(word):
            continue
        cover = _subword_cover(word) if len(word) > 2 and _CJK.search(word) else None
        tokens.extend(cover or [word])
    return tokens


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def jieba_query(q: str | None) -> str:
    """Turn a user's search text into an FTS5 MATCH expression over the jieba-segmented index.

    Whitespace separates terms; every term must match (AND). A term that segments into several tokens
    (行政复议 -> 行政 复议, 不予公开 -> 不予 公开) matches them as a NEAR group allowing one stray index token
    per gap (a sub-word or a long word cut_for_search inserted), so words must be adjacent in the text.
    """
    if not q:
        return '""'
    parts: list[str] = []
    for term in q.replace('"', " ").split():
        tokens = query_tokens(term)
        if not tokens:
            continue
        if len(tokens) == 1:
            parts.append(_quote(tokens[0]))
        else:
            slack = 2 * len(tokens) - 3
            parts.append("NEAR(" + " ".join(_quote(t) for t in tokens) + f", {slack})")
    return " AND ".join(parts) if parts else '""'


def has_cjk(text: str | None) -> bool:
    return bool(text and _CJK.search(text))


def _missing_search_text(db: sqlite_utils.Database) -> Iterator[tuple[int, str]]:
    rows = db.execute(
        "select id, coalesce(title, '') || char(10) || coalesce(text, '') from reports "
        "where search_text is null or search_text = ''"
    )
    for report_id, body in rows:
        yield report_id, segment(body)


def _chunks(items: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def fill_search_text(db: sqlite_utils.Database) -> int:
    """Segment title + text into reports.search_text where it is empty; return how many rows were filled."""
    filled = 0
    for chunk in _chunks(list(_missing_search_text(db)), _BATCH):
        with db.conn:
            db.conn.executemany("update reports set search_text = ? where id = ?", [(s, i) for i, s in chunk])
        filled += len(chunk)
    return filled


def create_serving_indexes(db: sqlite_utils.Database) -> None:
    """Create the indexes Datasette's facets, filters and report pages rely on (idempotent)."""
    for table, columns in SERVING_INDEXES:
        if db[table].exists():
            name = f"idx_{table}_" + "_".join(columns)
            cols = ", ".join(f"[{c}]" for c in columns)
            db.execute(f"create index if not exists [{name}] on [{table}] ({cols})")


def build_search_index(db: sqlite_utils.Database) -> None:
    """Fill reports.search_text, (re)create reports_fts from it, and add the serving indexes.

    reports_fts is an FTS5 table with ``content=[reports]`` (how Datasette detects a table's FTS index, so
    the table page gets a search box) and no triggers: the derived tier is rebuilt in bulk, then this runs.
    Its ``title`` column is filled with the *segmented* title, so never use FTS5's 'rebuild' on it — call
    this function again instead.
    """
    fill_search_text(db)
    with db.conn:
        db.execute(f"drop table if exists [{FTS_TABLE}]")
        db.execute(
            f"create virtual table [{FTS_TABLE}] using fts5 ([title], [search_text], "
            "tokenize='unicode61', content=[reports])"
        )
        rows = db.execute("select id, title, search_text from reports")
        for chunk in _chunks(rows, _BATCH):
            db.conn.executemany(
                f"insert into [{FTS_TABLE}] (rowid, title, search_text) values (?, ?, ?)",
                [(i, segment(t), s or "") for i, t, s in chunk],
            )
        db.execute(f"insert into [{FTS_TABLE}] ([{FTS_TABLE}]) values ('optimize')")
    create_serving_indexes(db)
    db.execute("analyze")
