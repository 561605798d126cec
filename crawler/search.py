"""Chinese full-text search: jieba segmentation for the index and for queries, and the reports_fts builder.

SQLite FTS5 cannot segment Chinese (unicode61 keeps a run of Han characters as one token, trigram cannot
match 1–2 character queries). So the text is segmented by jieba before FTS5 sees it: ``reports.search_text``
holds ``cut_for_search`` tokens joined by spaces (words *and* their dictionary sub-words, so 行政复议 is
indexed as 行政 复议 行政复议), and ``reports_fts`` (FTS5, unicode61, external content ``reports``) indexes the
segmented title and ``search_text``. Queries are segmented the same way by :func:`jieba_query`, which Datasette
gets as the SQL function ``jieba_query(q)`` (datasette/plugins/nianbao_search.py).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping

import jieba
import sqlite_utils

FTS_TABLE = "reports_fts"
# Indexes that keep facets, filters and report pages fast on a large archive (see bench/datasette.py).
SERVING_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Covering indexes for the reports facets (year, province, city, district, agency, format, parse_status),
    # each ending in capture_id: the table search box filters on "capture_id in (<FTS matches>)" (fts_pk, see
    # datasette/plugins/nianbao_metadata.py), which these answer without reading a single report row.
    ("reports", ("year", "province", "city", "district", "agency", "format", "parse_status", "capture_id")),
    ("reports", ("province", "city", "district", "year", "agency", "format", "parse_status", "capture_id")),
    ("reports", ("agency", "year", "format", "parse_status", "capture_id")),
    ("reports", ("format", "parse_status", "year", "capture_id")),
    ("reports", ("parse_status", "year", "capture_id")),
    ("reports", ("published_late", "year")),
    ("reports", ("version",)),
    ("checks", ("ok", "report_id")),
    ("documents", ("versions",)),
)
# An index *leading* with reports.capture_id would turn those scans back into one lookup per match.
UNWANTED_INDEXES = ("idx_reports_capture_id",)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_BATCH = 500
SEGMENT_BATCH = 400  # reports segmented per round trip (bounded memory, SQLite's variable limit)
PARALLEL_MIN = 200  # below this many reports, segmenting in-process is faster than starting workers

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


def _chunks(items: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _key(content_hash: str | None, title: str | None) -> str:
    return f"{content_hash or ''}\x00{title or ''}"


def snapshot_search_text(db: sqlite_utils.Database) -> dict[str, str]:
    """Segmented text of the current reports keyed by (content_hash, title): pass it to build_search_index
    after dropping and rebuilding the derived tier, so unchanged reports are not segmented again."""
    if not db["reports"].exists():
        return {}
    rows = db.execute(
        "select content_hash, title, search_text from reports "
        "where content_hash is not null and search_text is not null and search_text != ''"
    )
    return {_key(h, t): s for h, t, s in rows}


class _Segmenter:
    """Segments batches of texts, on a pool of forked worker processes when there are enough of them."""

    def __init__(self, total: int, processes: int | None) -> None:
        self.pool = None
        if processes != 1 and total >= PARALLEL_MIN and hasattr(os, "fork"):
            jieba.initialize()  # load the dictionary once, before forking
            try:
                self.pool = multiprocessing.get_context("fork").Pool(processes)
            except OSError:
                self.pool = None

    def __call__(self, bodies: list[str]) -> list[str]:
        if self.pool is None:
            return [segment(b) for b in bodies]
        return self.pool.map(segment, bodies, chunksize=8)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()


def fill_search_text(
    db: sqlite_utils.Database, *, reuse: Mapping[str, str] | None = None, processes: int | None = None
) -> int:
    """Segment title + text into reports.search_text where it is empty; return how many rows were filled.

    ``reuse`` (from :func:`snapshot_search_text`) supplies already-segmented text for unchanged reports;
    the rest is segmented on ``processes`` worker processes (default: one per CPU). Works in batches, so
    memory stays bounded on a large archive.
    """
    ids = [
        row[0] for row in db.execute("select id from reports where search_text is null or search_text = ''")
    ]
    segmenter = _Segmenter(len(ids), processes)
    try:
        for batch in _chunks(((i,) for i in ids), SEGMENT_BATCH):
            marks = ", ".join("?" for _ in batch)
            rows = db.execute(
                "select id, content_hash, title, coalesce(title, '') || char(10) || coalesce(text, '') "
                f"from reports where id in ({marks})",
                [i for (i,) in batch],
            ).fetchall()
            updates: list[tuple[str, int]] = []
            todo: list[tuple[int, str]] = []
            for report_id, content_hash, title, body in rows:
                cached = (reuse or {}).get(_key(content_hash, title)) if content_hash else None
                if cached:
                    updates.append((cached, report_id))
                else:
                    todo.append((report_id, body))
            segmented = segmenter([body for _, body in todo])
            updates += [(text, report_id) for (report_id, _), text in zip(todo, segmented, strict=True)]
            with db.conn:
                db.conn.executemany("update reports set search_text = ? where id = ?", updates)
    finally:
        segmenter.close()
    return len(ids)


def body_key(title: str | None, text: str | None) -> str:
    """Key of the exact text a report's search_text is segmented from (for reusing a segmentation)."""
    return hashlib.sha1(f"{title or ''}\n{text or ''}".encode()).hexdigest()


def create_fts(db: sqlite_utils.Database) -> None:
    """Create reports_fts (empty) if it does not exist yet."""
    db.execute(
        f"create virtual table if not exists [{FTS_TABLE}] using fts5 ([title], [search_text], "
        "tokenize='unicode61', content=[reports])"
    )
    # The indexed words with their document counts: a search that finds nothing offers words that start
    # alike (复 -> 复议), read from this table (datasette/plugins/nianbao_web/suggest.py).
    db.execute(
        f"create virtual table if not exists [{FTS_TABLE}_vocab] using fts5vocab([{FTS_TABLE}], 'row')"
    )


def unindex_report(conn: sqlite3.Connection, report_id: int) -> None:
    """Take one report out of reports_fts (call before its row is replaced or deleted, same transaction).

    A report is in the index exactly when its search_text is not NULL; external-content FTS5 needs the
    values that were indexed to delete them: the segmented title and search_text."""
    row = conn.execute("select title, search_text from reports where id = ?", [report_id]).fetchone()
    if row and row[1] is not None:
        conn.execute(
            f"insert into [{FTS_TABLE}] ([{FTS_TABLE}], rowid, title, search_text) values ('delete', ?, ?, ?)",
            [report_id, segment(row[0]), row[1]],
        )


def index_pending(
    db: sqlite_utils.Database, *, reuse: Mapping[str, str] | None = None, processes: int | None = None
) -> int:
    """Segment and index every report whose search_text is NULL (new or re-derived); return how many.

    Each batch fills search_text and inserts the reports_fts entries in one transaction, so a report is in
    the index exactly when its search_text is set, whenever the process is killed. ``reuse`` maps
    :func:`body_key` to an earlier segmentation of the same text."""
    ids = [row[0] for row in db.execute("select id from reports where search_text is null")]
    segmenter = _Segmenter(len(ids), processes)
    try:
        for batch in _chunks(((i,) for i in ids), SEGMENT_BATCH):
            marks = ", ".join("?" for _ in batch)
            rows = db.execute(
                f"select id, title, text from reports where id in ({marks})", [i for (i,) in batch]
            ).fetchall()
            known = {report_id: (reuse or {}).get(body_key(title, text)) for report_id, title, text in rows}
            todo = [(i, f"{t or ''}\n{x or ''}") for i, t, x in rows if known[i] is None]
            fresh = dict(zip([i for i, _ in todo], segmenter([b for _, b in todo]), strict=True))
            with db.conn:
                for report_id, title, _ in rows:
                    text = fresh[report_id] if known[report_id] is None else known[report_id]
                    db.conn.execute("update reports set search_text = ? where id = ?", [text, report_id])
                    db.conn.execute(
                        f"insert into [{FTS_TABLE}] (rowid, title, search_text) values (?, ?, ?)",
                        [report_id, segment(title), text],
                    )
    finally:
        segmenter.close()
    return len(ids)


def refill_fts(db: sqlite_utils.Database) -> None:
    """Empty reports_fts and index every report again from its search_text (``--full``: repairs any drift)."""
    with db.conn:
        # Refilled in place, never dropped: readers (Datasette) keep a valid table the whole time, and see
        # the old index or the new one, one transaction apart.
        create_fts(db)
        db.execute(f"insert into [{FTS_TABLE}] ([{FTS_TABLE}]) values ('delete-all')")
        rows = db.execute("select id, title, search_text from reports where search_text is not null")
        for chunk in _chunks(rows, _BATCH):
            db.conn.executemany(
                f"insert into [{FTS_TABLE}] (rowid, title, search_text) values (?, ?, ?)",
                [(i, segment(t), s) for i, t, s in chunk],
            )
        db.execute(f"insert into [{FTS_TABLE}] ([{FTS_TABLE}]) values ('optimize')")


def create_serving_indexes(db: sqlite_utils.Database) -> None:
    """Create the indexes Datasette's facets, filters and report pages rely on (idempotent)."""
    for name in UNWANTED_INDEXES:
        db.execute(f"drop index if exists [{name}]")
    for table, columns in SERVING_INDEXES:
        if db[table].exists():
            name = f"idx_{table}_" + "_".join(columns)
            cols = ", ".join(f"[{c}]" for c in columns)
            db.execute(f"create index if not exists [{name}] on [{table}] ({cols})")


def build_search_index(
    db: sqlite_utils.Database, *, reuse: Mapping[str, str] | None = None, processes: int | None = None
) -> None:
    """Fill reports.search_text, (re)create reports_fts from it, and add the serving indexes.

    reports_fts is an FTS5 table with ``content=[reports]`` (how Datasette detects a table's FTS index, so
    the table page gets a search box) and no triggers: the derived tier is rebuilt in bulk, then this runs.
    Its ``title`` column is filled with the *segmented* title, so never use FTS5's 'rebuild' on it — call
    this function again instead. ``reuse``/``processes``: see :func:`fill_search_text`.
    """
    fill_search_text(db, reuse=reuse, processes=processes)
    refill_fts(db)
    create_serving_indexes(db)
    analyze(db)


def analyze(db: sqlite_utils.Database, *, limit: int = 0) -> None:
    """ANALYZE, but keep no statistics for `reports`: with them SQLite picks skip-scans over the low-cardinality
    facet indexes for "capture_id in (...)" (seconds instead of ~30 ms per facet on 100k reports).

    ``limit`` (rows sampled per index, 0 = all) makes it cheap enough for a nightly incremental run."""
    db.execute(f"PRAGMA analysis_limit={int(limit)}")
    db.execute("analyze")
    if db["sqlite_stat1"].exists():
        db.execute("delete from sqlite_stat1 where tbl = 'reports'")
    db.conn.commit()
