"""Chinese full-text search: segmentation, the MATCH expression, exact hits and BM25 order, over HTTP too."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from ds_fixture_db import EXPECTED_SEARCH

from crawler.search import build_search_index, jieba_query, query_tokens, segment


def test_segment_indexes_words_and_subwords() -> None:
    tokens = segment("申请人提起行政复议，依法不予公开。").split()
    assert {"行政", "复议", "行政复议", "不予", "公开", "申请人"} <= set(tokens)
    assert "，" not in tokens and "。" not in tokens


def test_query_tokens_split_long_words_into_indexed_subwords() -> None:
    assert query_tokens("行政复议") == ["行政", "复议"]
    assert query_tokens("不予公开") == ["不予", "公开"]
    assert query_tokens("复议") == ["复议"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("复议", '"复议"'),
        ("行政复议", 'NEAR("行政" "复议", 1)'),
        ("公开 复议", '"公开" AND "复议"'),
        ('"x', '"x"'),
        ("", '""'),
        ("，。", '""'),
    ],
)
def test_jieba_query_expressions(query: str, expected: str) -> None:
    assert jieba_query(query) == expected


def _search(path: Path, query: str) -> list[int]:
    conn = sqlite3.connect(path)
    conn.create_function("jieba_query", 1, jieba_query)
    rows = conn.execute(
        "select rowid from reports_fts where reports_fts match jieba_query(?) order by bm25(reports_fts, 5.0, 1.0)",
        [query],
    ).fetchall()
    conn.close()
    return [row[0] for row in rows]


@pytest.mark.parametrize("query", sorted(EXPECTED_SEARCH))
def test_search_finds_exactly_the_reports_containing_the_word(archive_path: Path, query: str) -> None:
    assert set(_search(archive_path, query)) == EXPECTED_SEARCH[query]


def test_bm25_ranks_the_report_that_says_it_most_first(archive_path: Path) -> None:
    # Report 103 mentions 复议 five times, the others once or twice.
    assert _search(archive_path, "复议")[0] == 103


def test_phrase_does_not_match_scattered_words(archive_path: Path) -> None:
    # 104 has 不予(受理) ... (予以)公开; 103 has 行政(处罚) and 复议 far apart.
    assert 104 not in _search(archive_path, "不予公开")
    assert 103 not in _search(archive_path, "行政复议")


def test_build_search_index_fills_search_text_and_is_rerunnable(tmp_path: Path) -> None:
    from crawler.store.schema import connect

    db: sqlite_utils.Database = connect(tmp_path / "a.db")
    db["reports"].insert(
        {"id": 1, "title": "某局2023年政府信息公开工作年度报告", "text": "发生行政诉讼2件。"}
    )
    db.conn.commit()
    build_search_index(db)
    build_search_index(db)  # idempotent: drops and recreates reports_fts
    assert "诉讼" in db["reports"].get(1)["search_text"].split()
    assert db.execute("select rowid from reports_fts where reports_fts match ?", ['"诉讼"']).fetchall() == [
        (1,)
    ]
    sql = db.execute("select sql from sqlite_master where name = 'reports_fts'").fetchone()[0]
    assert "content=[reports]" in sql  # how Datasette detects the table's FTS index


@pytest.mark.parametrize("query", sorted(EXPECTED_SEARCH))
def test_table_search_box_segments_chinese(served, query: str) -> None:
    rows = served.json(f"/{served.db}/reports.json", _search=query, _col="id", _shape="array")
    assert {row["id"] for row in rows} == EXPECTED_SEARCH[query]


def test_canned_search_query_is_ranked(served) -> None:
    rows = served.json(f"/{served.db}/search.json", q="复议", _shape="array")
    assert [row["report_id"] for row in rows][0] == 103
    assert {row["report_id"] for row in rows} == EXPECTED_SEARCH["复议"]
    scores = [row["relevance"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert "复议" in rows[0]["excerpt"]


def test_canned_search_links_to_report_pages(served) -> None:
    status, _, body = served.get(f"/{served.db}/search", q="不予公开")
    assert status == 200 and f'href="/{served.db}/reports/105"' in body


def test_raw_searchmode_still_available(served) -> None:
    rows = served.json(
        f"/{served.db}/reports.json", _search='"诉讼" OR "复议"', _searchmode="raw", _col="id", _shape="array"
    )
    assert {row["id"] for row in rows} == EXPECTED_SEARCH["诉讼"] | EXPECTED_SEARCH["复议"]


def test_rebuild_reuses_segmentation_of_unchanged_reports(tmp_path: Path) -> None:
    from crawler.search import snapshot_search_text
    from crawler.store.schema import connect

    db: sqlite_utils.Database = connect(tmp_path / "b.db")
    rows = [
        {"id": i, "title": f"报告{i}", "text": f"第{i}号 行政复议", "content_hash": f"h{i}"}
        for i in range(300)
    ]
    db["reports"].insert_all(rows)
    db.conn.commit()
    build_search_index(db, processes=2)  # 300 rows: segmented on worker processes
    assert db.execute("select count(*) from reports where search_text like '%复议%'").fetchone()[0] == 300
    snapshot = snapshot_search_text(db)
    db.execute("update reports set search_text = null")
    db.execute(
        "update reports set search_text = null, text = '改过的 诉讼', content_hash = 'new' where id = 7"
    )
    db["reports"].update(0, {"search_text": None})
    snapshot[next(iter(snapshot))] = "来自缓存"  # proves the cached text is used, not re-segmented
    build_search_index(db, reuse=snapshot)
    assert db["reports"].get(0)["search_text"] == "来自缓存"
    assert "诉讼" in db["reports"].get(7)["search_text"].split()
    assert db.execute("select rowid from reports_fts where reports_fts match '\"诉讼\"'").fetchall() == [(7,)]


def test_search_box_filters_on_capture_id_for_covering_indexes(served) -> None:
    data = served.json(f"/{served.db}/reports.json", _search="复议")
    assert "capture_id in (select rowid from" in data["query"]["sql"]


def test_search_box_falls_back_to_rowid_when_ids_differ_from_captures(tmp_path: Path) -> None:
    from ds_fixture_db import build_db
    from ds_server import Served, start_datasette, stop_datasette

    path = build_db(tmp_path / "archive.db")
    conn = sqlite3.connect(path)
    conn.execute("update reports set capture_id = 102 where id = 103")  # two reports from one capture
    conn.commit()
    conn.close()
    proc, base = start_datasette(path)
    try:
        data = Served(base, "archive").json(
            "/archive/reports.json", _search="复议", _col="id", _shape="objects"
        )
        assert "rowid in (select rowid from" in data["query"]["sql"]
        assert {row["id"] for row in data["rows"]} == EXPECTED_SEARCH["复议"]
    finally:
        stop_datasette(proc)


@pytest.mark.parametrize(
    "query", ["复议 OR (", 'NEAR("复议"', "复议*", "复议 -诉讼", "^公开:", "复议 AND NOT"]
)
def test_fts_syntax_in_user_queries_is_treated_as_text(served, query: str) -> None:
    for path, key in ((f"/{served.db}/reports.json", "_search"), (f"/{served.db}/search.json", "q")):
        status, _, body = served.get(path, **{key: query})
        assert status == 200, body[:500]
