"""`nianbao backup` while a crawl writes: each copy holds every row committed before it started, is intact,
and restores into an archive a crawl can carry on from."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from reliability_harness import check_archive, crawl_env, expected_report_urls, nianbao, run, stop, wait_for

from simulator import SimulatedSites

pytestmark = pytest.mark.slow


def _committed(db: Path) -> tuple[set[tuple[str, str]], set[str]]:
    """(capture url + sha256, document url) committed right now, read through a separate connection."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        captures = set(conn.execute("select url, sha256 from captures").fetchall())
        documents = {u for (u,) in conn.execute("select url from documents")}
        return captures, documents
    finally:
        conn.close()


def test_backups_taken_during_a_crawl_restore_completely(tmp_path: Path) -> None:
    db, log = tmp_path / "archive.db", tmp_path / "run.log"
    backups: list[tuple[Path, set[tuple[str, str]], set[str]]] = []
    with SimulatedSites(faults=False) as sim:
        registry = sim.write_registry(tmp_path / "sites.yml")
        expected = expected_report_urls(sim.expected_reports())
        with log.open("ab") as out:
            crawl = subprocess.Popen(
                nianbao("crawl", "--sites", str(registry), "--db", str(db)),
                env=crawl_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            # Back up as soon as captures exist, then again and again until the crawl is over.
            def captured() -> bool:
                try:
                    return bool(_committed(db)[0])
                except sqlite3.OperationalError:  # no file or no schema yet
                    return False

            wait_for("the first captures", lambda: captured() or crawl.poll() is not None)
            while (crawl.poll() is None and len(backups) < 10) or not backups:
                before_captures, before_documents = _committed(db)
                dest = tmp_path / f"backup-{len(backups)}.db"
                assert run(nianbao("backup", str(dest), "--db", str(db)), log) == 0, log.read_text()[-3000:]
                backups.append((dest, before_captures, before_documents))
            assert crawl.wait(300) in (0, 2), log.read_text()[-3000:]
        finally:
            stop(crawl)
        during = backups[:-1]
        assert during, "the crawl finished before a backup could be taken while it was writing"

        final_captures, final_documents = _committed(db)
        for dest, before_captures, before_documents in backups:
            copy = sqlite3.connect(dest)
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok", dest
            captures = set(copy.execute("select url, sha256 from captures").fetchall())
            documents = {u for (u,) in copy.execute("select url from documents")}
            copy.close()
            assert before_captures <= captures, f"{dest}: committed captures missing from the backup"
            assert before_documents <= documents, f"{dest}: committed documents missing from the backup"
            assert captures <= final_captures and documents <= final_documents, f"{dest}: rows from nowhere"

        # Restore the earliest backup and let a crawl carry on from it: the archive ends up complete.
        restored = tmp_path / "restored.db"
        shutil.copy(backups[0][0], restored)
        crawl_again = nianbao("crawl", "--sites", str(registry), "--db", str(restored))
        assert run(crawl_again, log, env=crawl_env()) in (0, 2), log.read_text()[-3000:]
    check_archive(restored, expected).close()
    assert run(nianbao("normalize", "--quiet", "--db", str(restored)), log) == 0, log.read_text()[-3000:]
