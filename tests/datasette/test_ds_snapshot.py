"""Snapshots: `nianbao snapshot` publishes an immutable copy with precomputed facet counts; Datasette serves it
with `-i` and the inspect counts; facets on it equal live counts; searches count facets over a bounded sample;
a writer holding the live archive never blocks the snapshot's readers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from ds_server import REPO_ROOT, Served, start_datasette, stop_datasette

from crawler.snapshot import CURRENT, current_snapshot, make_snapshot


@pytest.fixture(scope="module")
def snapshot(archive_path: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("snapshots")
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "snapshot", str(root), "--db", str(archive_path)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    db, inspect = current_snapshot(root)
    proc, base = start_datasette(db, inspect_file=inspect)
    try:
        yield root, db, inspect, Served(base=base, db="archive")
    finally:
        stop_datasette(proc)


def _live_counts(archive: Path, column: str, where: str = "", params: tuple = ()) -> dict:
    conn = sqlite3.connect(archive)
    try:
        return dict(
            conn.execute(
                f"select {column}, count(*) from reports where {column} is not null {where} group by 1",
                params,
            )
        )
    finally:
        conn.close()


def test_snapshot_is_immutable_with_counts_and_inspect(snapshot, archive_path):
    root, db, inspect, served = snapshot
    assert (root / CURRENT).is_symlink() and db.parent == (root / CURRENT).resolve()
    counts = json.loads(inspect.read_text())["archive"]["tables"]
    live = sqlite3.connect(archive_path).execute("select count(*) from reports").fetchone()[0]
    assert counts["reports"]["count"] == live
    stats = sqlite3.connect(db).execute("select count(*) from sqlite_stat1 where tbl = 'reports'")
    assert stats.fetchone()[0] == 0  # as analyze() leaves the archive: stats on reports make facets skip-scan
    databases = served.json("/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("archive", False)]


def test_unfiltered_facets_come_from_the_counts_and_equal_live_counts(snapshot, archive_path):
    _, db, _, served = snapshot
    data = served.json("/archive/reports.json", _size="1")
    for column in ("year", "province", "parse_status"):
        shown = {r["value"]: r["count"] for r in data["facet_results"][column]["results"]}
        assert shown == _live_counts(archive_path, column), column
    precomputed = sqlite3.connect(db).execute(
        "select count(*) from facet_counts where tbl = 'reports' and col = 'year'"
    )
    assert precomputed.fetchone()[0] == len(_live_counts(archive_path, "year"))


@pytest.mark.parametrize("filter_column", ["year", "province"])
def test_one_filter_facets_come_from_the_counts_and_equal_live_counts(snapshot, archive_path, filter_column):
    _, db, _, served = snapshot
    values = sorted(_live_counts(archive_path, filter_column), key=str)
    assert len(values) >= 2, values
    for value in values:
        data = served.json("/archive/reports.json", _size="1", **{filter_column: str(value)})
        for column in ("year", "province", "city", "agency", "parse_status"):
            facet = data["facet_results"][column]
            shown = {r["value"]: r["count"] for r in facet["results"]}
            live = _live_counts(archive_path, column, f"and {filter_column} = ?", (str(value),))
            expected = dict(sorted(live.items(), key=lambda kv: (-kv[1], str(kv[0])))[:30])
            assert shown == expected, (filter_column, value, column)
            assert facet["truncated"] == (len(live) > 30)
        selected = [r for r in data["facet_results"][filter_column]["results"] if r["selected"]]
        assert [r["value"] for r in selected] == [value]
    precomputed = sqlite3.connect(db).execute(
        "select count(distinct filter_value) from facet_counts_by where tbl = 'reports' and filter_col = ?",
        [filter_column],
    )
    assert precomputed.fetchone()[0] == len(values)  # these pages were read from the counts, not counted


def test_a_filtered_page_reads_the_precomputed_counts(snapshot, tmp_path):
    _, db, _, _ = snapshot
    copy = tmp_path / "archive.db"
    conn = sqlite3.connect(db)
    conn.execute("VACUUM INTO ?", [str(copy)])
    conn.close()
    conn = sqlite3.connect(copy)
    year = conn.execute(
        "select filter_value from facet_counts_by where filter_col = 'year' limit 1"
    ).fetchone()[0]
    with conn:  # marked counts: a page showing them was read from the table, not counted
        conn.execute(
            "update facet_counts_by set n = n + 1000 where filter_col = 'year' and filter_value = ?", [year]
        )
    conn.close()
    proc, base = start_datasette(copy)
    try:
        data = Served(base=base, db="archive").json("/archive/reports.json", _size="1", year=year)
        assert all(r["count"] > 1000 for r in data["facet_results"]["province"]["results"])
    finally:
        stop_datasette(proc)


def test_search_facets_count_a_bounded_sample(snapshot, archive_path):
    _, _, _, served = snapshot
    data = served.json("/archive/reports.json", _search="公开", _size="1")
    year = data["facet_results"]["year"]
    assert year["nianbao_sample"] == 5000
    assert sum(r["count"] for r in year["results"]) == min(5000, data["filtered_table_rows_count"])
    filtered = served.json("/archive/reports.json", _search="公开", year="2023", _size="1")
    assert "nianbao_sample" in filtered["facet_results"]["province"]  # search + filter: still bounded


def test_a_writer_on_the_live_archive_does_not_block_snapshot_readers(snapshot, archive_path):
    _, _, _, served = snapshot
    writer = sqlite3.connect(archive_path, isolation_level=None)
    try:
        writer.execute("begin exclusive")  # what a nightly write transaction holds
        assert served.json("/archive/reports.json", _size="1")["filtered_table_rows_count"] > 0
    finally:
        writer.execute("rollback")
        writer.close()


def test_the_search_page_says_when_facets_counted_a_sample(snapshot, monkeypatch):
    _, db, inspect, _ = snapshot
    monkeypatch.setenv("NIANBAO_SEARCH_FACET_SAMPLE", "2")
    proc, base = start_datasette(db, inspect_file=inspect)
    try:
        served = Served(base=base, db="archive")
        data = served.json("/archive/reports.json", _search="公开", _size="1")
        assert data["filtered_table_rows_count"] > 2
        assert sum(r["count"] for r in data["facet_results"]["year"]["results"]) == 2
        status, _, html = served.get("/archive/reports", _search="公开")
        assert status == 200 and "Facet counts cover the newest 2 of" in html
    finally:
        stop_datasette(proc)


def test_a_new_snapshot_switches_current_and_old_ones_are_pruned(snapshot, archive_path):
    root, db, _, _ = snapshot
    for _ in range(2):
        make_snapshot(archive_path, root, keep=2)
    kept = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink())
    assert len(kept) == 2 and (root / CURRENT).resolve().name == kept[-1]
    assert not db.exists()  # the first snapshot was pruned; the running server keeps its open file
