"""Suggestions when a filter or a search matches nothing: similar region and agency names, nearby search terms."""

from __future__ import annotations

from typing import Any

VOCAB_TABLE = "reports_fts_vocab"  # fts5vocab over reports_fts (crawler/summary.py creates it)
LIMIT = 6

REGION_MATCH_SQL = """
select 1 from sites
where instr(coalesce(province, '') || '/' || coalesce(city, '') || '/' || coalesce(district, ''), :q) > 0
   or region_code like :q || '%'
limit 1
"""
REGION_NAMES_SQL = """
select name from (
  select province as name from sites union select city from sites union select district from sites
) where name is not null and name != ''
"""


def _score(wanted: str, name: str) -> int:
    return sum(1 for ch in set(wanted) if ch in name)


def _ranked(wanted: str, names: list[str]) -> list[str]:
    scored = [(_score(wanted, n), n) for n in set(names)]
    return [n for s, n in sorted(scored, key=lambda item: (-item[0], len(item[1]), item[1])) if s > 0][:LIMIT]


async def region_matches(db: Any, region: str) -> bool:
    return bool((await db.execute(REGION_MATCH_SQL, {"q": region})).rows)


async def similar_regions(db: Any, region: str) -> list[str]:
    """Region names sharing the most characters with ``region`` (e.g. 宁厦 -> 宁夏回族自治区)."""
    names = [r[0] for r in (await db.execute(REGION_NAMES_SQL)).rows]
    return _ranked(region, names)


async def agency_matches(db: Any, agency: str) -> bool:
    rows = await db.execute("select 1 from agencies where instr(name, ?) > 0 limit 1", [agency])
    if rows.rows:
        return True
    rows = await db.execute("select 1 from reports where instr(agency, ?) > 0 limit 1", [agency])
    return bool(rows.rows)


async def similar_agencies(db: Any, agency: str) -> list[str]:
    """Agency names that contain characters of ``agency``, those sharing the most first."""
    chars = list(dict.fromkeys(ch for ch in agency if not ch.isspace()))[:4]
    if not chars:
        return []
    where = " or ".join("instr(name, ?) > 0" for _ in chars)
    rows = await db.execute(f"select distinct name from agencies where {where} limit 500", chars)
    return _ranked(agency, [r[0] for r in rows.rows])


async def _hits(db: Any, q: str) -> int:
    sql = "select count(*) from (select rowid from reports_fts where reports_fts match jieba_query(?) limit 10000)"
    try:
        return (await db.execute(sql, [q])).first()[0]
    except Exception:  # an unparseable query counts as no hits; the page explains it
        return 0


def _next_string(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


async def nearby_terms(db: Any, term: str) -> list[tuple[str, int]]:
    """Indexed words that start with ``term`` (复 -> 复议, 复核), most documents first."""
    if not term:
        return []
    sql = (
        f"select term, doc from {VOCAB_TABLE} where term >= ? and term < ? and term != ? "
        "order by doc desc limit ?"
    )
    try:
        rows = await db.execute(sql, [term, _next_string(term), term, LIMIT])
    except Exception:  # no vocabulary table in this database: no suggestions
        return []
    return [(r[0], r[1]) for r in rows.rows]


async def search_help(db: Any, q: str) -> dict | None:
    """None when the search finds something; else why not, each term alone, and words that start alike."""
    if await _hits(db, q):
        return None
    terms = [t for t in q.replace('"', " ").split() if t]
    counts = [(t, await _hits(db, t)) for t in terms] if len(terms) > 1 else []
    nearby: list[tuple[str, int]] = []
    for term in terms:
        if not dict(counts).get(term):
            nearby += await nearby_terms(db, term)
    return {"q": q, "several": len(terms) > 1, "terms": counts, "nearby": nearby[:LIMIT]}
