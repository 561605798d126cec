"""Datasette plugin: Chinese search SQL functions (jieba_query, search_excerpt), jieba-aware search box, mmap."""

from __future__ import annotations

import sqlite3

import jieba
from datasette.utils import escape_fts

from crawler.search import has_cjk, jieba_query, segment
from datasette import hookimpl

EXCERPT_CHARS = 40


def escape_fts_cjk(query: str) -> str:
    """Datasette's escape_fts, except that Chinese queries are segmented by jieba like the index."""
    return jieba_query(query) if has_cjk(query) else escape_fts(query)


def search_excerpt(text: str | None, q: str | None) -> str | None:
    """About 80 characters of ``text`` around the first occurrence of a query term (keyword in context)."""
    if not text:
        return None
    terms = [t for t in (q or "").replace('"', " ").split() if t]
    positions = [p for p in (text.find(t) for t in terms) if p >= 0]
    if not positions:
        return text[: 2 * EXCERPT_CHARS] + ("…" if len(text) > 2 * EXCERPT_CHARS else "")
    start = max(0, min(positions) - EXCERPT_CHARS)
    end = min(len(text), min(positions) + EXCERPT_CHARS)
    return ("…" if start else "") + text[start:end].replace("\n", " ") + ("…" if end < len(text) else "")


@hookimpl
def startup() -> None:
    # Load jieba's dictionary now rather than on the first search request (about a second).
    jieba.initialize()


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection) -> None:
    # trylast: runs after Datasette's own prepare_connection, so this escape_fts replaces the built-in one
    # that the table page's ?_search= box calls (datasette/filters.py: "match escape_fts(:search)").
    # Memory-map the archive: facet counts over search results read many rows by rowid, and mmap makes those
    # page reads memory reads (shared OS page cache, not a per-connection copy).
    conn.execute("PRAGMA mmap_size=4294967296")
    conn.execute("PRAGMA cache_size=-65536")
    conn.create_function("jieba_query", 1, jieba_query, deterministic=True)
    conn.create_function("jieba_segment", 1, segment, deterministic=True)
    conn.create_function("search_excerpt", 2, search_excerpt, deterministic=True)
    conn.create_function("escape_fts", 1, escape_fts_cjk, deterministic=True)
