"""crawler/summary.py: the precomputed league tables, rebuilt whole or for some agencies and years alike."""

from __future__ import annotations

from pathlib import Path

from rank_fixture import build_rank_db

from crawler.store.schema import connect
from crawler.summary import refresh_summary


def _table(db, name: str) -> list[tuple]:
    return db.execute(f"select * from {name} order by 1, 2").fetchall()


def test_partial_refresh_matches_a_full_rebuild(tmp_path: Path) -> None:
    db = connect(build_rank_db(tmp_path / "archive.db"))
    db.execute(
        "update statistics set value = value + 7 where report_id = 204 and row_code = 'denied_state_secret'"
    )
    for table in ("checks", "statistics", "sections", "reports"):  # the street office's 2023 report goes
        db.execute(f"delete from {table} where {'id' if table == 'reports' else 'report_id'} = 205")
    db.conn.commit()
    assert refresh_summary(db, ["lucheng/edu", "lucheng/wuma"], [2023]) > 0
    partial = _table(db, "agency_year_stats"), _table(db, "agency_stats")
    refresh_summary(db)
    assert (_table(db, "agency_year_stats"), _table(db, "agency_stats")) == partial
    row = next(db.query("select * from agency_year_stats where agency_id = 'lucheng/wuma' and year = 2023"))
    assert (row["missing"], row["report_id"], row["deadline"]) == (1, None, "2024-01-31")
    edu = next(db.query("select * from agency_year_stats where agency_id = 'lucheng/edu' and year = 2023"))
    # invented figures (tests/datasette/rank_fixture.py): 100 requests, 101 results (total unchanged), 50 + 7 refused
    assert (edu["requests_received"], edu["refused"], edu["refusal_rate"]) == (100, 57, round(5700 / 101, 1))
    assert (edu["litigation_total"], edu["litigation_corrected"], edu["litigation_lost_rate"]) == (4, 3, 75.0)
