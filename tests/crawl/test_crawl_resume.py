"""Resume after a killed run, deterministically: the kill is staged in the archive, not timed.

A run that dies after archiving a report page but before requesting its attachment (and before walking the
deeper listing pages) leaves a `crawl_runs` row with no end. The next run must find that attachment from the
archived page — without downloading the page again — and walk every listing page once more.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_crawl_live import crawl

from simulator import SimulatedSites


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    work = tmp_path_factory.mktemp("resume")
    db = work / "archive.db"
    with SimulatedSites(faults=False) as sim:
        registry = sim.write_registry(work / "sites.yml")
        crawl(registry, db, "--site", "spt")
        con = sqlite3.connect(db)
        page_url, pdf_url = con.execute(
            "select p.url, a.url from documents a join documents p on p.url = a.parent_url "
            "where a.kind = 'attachment' and a.url like '%.pdf' and p.kind = 'page' limit 1"
        ).fetchone()
        # The staged kill: the attachment was never requested, the last listing page never walked,
        # and the run never ended.
        deepest = con.execute(
            "select url from documents where site_id = 'spt' and kind = 'page' and url != ? "
            "order by listed_date limit 1",
            [page_url],
        ).fetchone()[0]
        with con:
            for url in (pdf_url, deepest):
                ids = [
                    r[0]
                    for r in con.execute("select id from captures where url = ? or final_url = ?", [url, url])
                ]
                con.execute("delete from documents where url = ?", [url])
                for capture_id in ids:
                    con.execute(
                        "update documents set latest_capture_id = null where latest_capture_id = ?",
                        [capture_id],
                    )
                    con.execute("delete from fetches where capture_id = ?", [capture_id])
                    con.execute("delete from crawl_events where capture_id = ?", [capture_id])
                    con.execute("delete from captures where id = ?", [capture_id])
            con.execute("update crawl_runs set ended_at = null, status = 'running' where site_id = 'spt'")
        con.close()
        sim.clear_log()
        line, _ = crawl(registry, db, "--site", "spt")
        log = list(sim.request_log)
    return {"db": Path(db), "page": page_url, "pdf": pdf_url, "deepest": deepest, "log": log, "line": line}


def _paths(log) -> list[str]:
    return [r.path for r in log]


def test_attachment_of_an_archived_page_is_fetched(staged):
    con = sqlite3.connect(staged["db"])
    assert con.execute("select count(*) from documents where url = ?", [staged["pdf"]]).fetchone()[0] == 1
    assert any(staged["pdf"].endswith(p) for p in _paths(staged["log"]))


def test_the_archived_page_is_not_downloaded_again(staged):
    # (the simulator's registry revalidates every run, so the page may be asked for — but only conditionally)
    page_path = "/" + staged["page"].split("/", 3)[3]
    answers = [r.status for r in staged["log"] if r.path == page_path]
    assert all(status == 304 for status in answers), (answers, staged["line"])


def test_deeper_listing_entries_are_reached(staged):
    con = sqlite3.connect(staged["db"])
    assert con.execute("select count(*) from documents where url = ?", [staged["deepest"]]).fetchone()[0] == 1


def test_the_killed_run_is_marked_interrupted(staged):
    con = sqlite3.connect(staged["db"])
    statuses = [r[0] for r in con.execute("select status from crawl_runs where site_id = 'spt' order by id")]
    assert statuses[0] == "interrupted" and statuses[-1] in ("ok", "warning")
