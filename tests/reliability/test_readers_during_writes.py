"""Readers during writes: Datasette answers JSON queries without error while a crawl and normalize write.

Each reader query counts, in one SQL statement (one read transaction), the statistics/sections/checks rows of
every report it sees. A report is written in one transaction with everything hanging from it, so every count
a reader ever sees must equal the report's final count: never a report with half its statistics.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from reliability_harness import crawl_env, free_port, nianbao, run, stop, wait_for

from crawler.serve import datasette_command
from crawler.store.schema import connect
from simulator import SimulatedSites

pytestmark = pytest.mark.slow

COUNTS_SQL = """
select r.id,
  (select count(*) from statistics s where s.report_id = r.id) as statistics,
  (select count(*) from sections x where x.report_id = r.id) as sections,
  (select count(*) from checks k where k.report_id = r.id) as checks
from reports r order by r.id
"""
PAGES = ("/archive/captures.json?_size=5&_col=url", "/archive/documents.json?_size=5", "/archive.json")


class Readers:
    """Threads that query Datasette in a loop and keep every observation and every error."""

    def __init__(self, base: str, threads: int = 3) -> None:
        self.base = base
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.seen: dict[int, Counter[tuple[int, int, int]]] = {}
        self.errors: list[str] = []
        self.queries = 0
        self.nonempty = 0
        self.threads = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(threads)]

    def _get(self, path: str) -> object:
        with urllib.request.urlopen(self.base + path, timeout=30) as response:
            return json.loads(response.read())

    def _loop(self, n: int) -> None:
        sql = "/archive.json?" + urllib.parse.urlencode({"sql": COUNTS_SQL, "_shape": "array"})
        i = 0
        while not self.stop.is_set():
            path = sql if i % 2 == 0 else PAGES[(i // 2 + n) % len(PAGES)]
            i += 1
            try:
                data = self._get(path)
            except urllib.error.HTTPError as error:
                body = error.read().decode("utf-8", "replace")[:300]
                with self.lock:
                    self.errors.append(f"{path[:60]}: HTTP {error.code}: {body}")
                continue
            except Exception as error:  # connection reset, bad JSON, timeout: all errors
                with self.lock:
                    self.errors.append(f"{path[:60]}: {type(error).__name__}: {error}")
                continue
            with self.lock:
                self.queries += 1
                if path == sql and isinstance(data, list):
                    self.nonempty += bool(data)
                    for row in data:
                        key = (row["statistics"], row["sections"], row["checks"])
                        self.seen.setdefault(row["id"], Counter())[key] += 1

    def __enter__(self) -> Readers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


def test_datasette_readers_never_see_half_a_report(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    connect(db).conn.close()  # Datasette needs the file; the schema (reports included) exists from now on
    port = free_port()
    log = tmp_path / "writers.log"
    with (tmp_path / "datasette.log").open("wb") as out:
        server = subprocess.Popen(
            datasette_command(db, port=port, host="127.0.0.1"), stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if server.poll() is not None:
            pytest.fail(f"Datasette exited: {(tmp_path / 'datasette.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                return True
        except OSError:
            return False

    try:
        wait_for("Datasette to answer", up, timeout=60, step=0.2)
        with SimulatedSites(faults=False) as sim, Readers(base) as readers:
            registry = sim.write_registry(tmp_path / "sites.yml")
            crawl = nianbao("crawl", "--sites", str(registry), "--db", str(db))
            normalize = nianbao("normalize", "--quiet", "--db", str(db))
            assert run(crawl, log, env=crawl_env()) in (0, 2), log.read_text()[-3000:]
            assert run(normalize, log) == 0, log.read_text()[-3000:]
            # Both writers at once: an incremental crawl and a normalize that rewrites every report.
            with log.open("ab") as out:
                second = subprocess.Popen(crawl, env=crawl_env(), stdout=out, stderr=subprocess.STDOUT)
            try:
                assert run(normalize, log) == 0, log.read_text()[-3000:]
                assert second.wait(300) in (0, 2), log.read_text()[-3000:]
            finally:
                stop(second)
            assert run(normalize, log) == 0, log.read_text()[-3000:]
            wait_for("readers to see reports", lambda: readers.nonempty >= 3, timeout=60)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            stop(server)

    assert not readers.errors, f"{len(readers.errors)} reader errors, e.g. {readers.errors[:5]}"
    conn = sqlite3.connect(db)
    final = {row[0]: tuple(row[1:]) for row in conn.execute(COUNTS_SQL)}
    conn.close()
    assert final, "normalize produced no report"
    torn = {
        report: dict(counts)
        for report, counts in readers.seen.items()
        if report in final and any(key != final[report] for key in counts)
    }
    assert not torn, f"readers saw partial reports (id: {{(statistics, sections, checks): times}}): {torn}"
    vanished = sorted(set(readers.seen) - set(final))
    assert not vanished, f"readers saw reports that a complete normalize does not produce: {vanished}"
    print(
        f"{readers.queries} reader queries, "
        f"{sum(c.total() for c in readers.seen.values())} report observations"
    )
